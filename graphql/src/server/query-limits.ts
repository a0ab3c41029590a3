import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * Depth and cost limits as one validation rule, so over-deep or over-wide queries are refused
 * before any resolver runs. (graphql-depth-limit and graphql-query-complexity were tried first:
 * both load graphql's CommonJS build next to our ESM one and fail graphql's realm check.)
 *
 * Depth counts nested selection sets of fields, fragments expanded; introspection fields
 * (`__schema`, `__type`) are exempt so tools keep working. Cost is one point per field, a list
 * field multiplying its children by its `limit`/`first` argument when given (default 1).
 */
/** Depth and cost of one operation, fragments expanded (see the rule below for the definitions). */
export function measureOperation(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): { depth: number; cost: number } {
  const measure = (set: SelectionSetNode, depth: number, seen: Set<string>): { depth: number; cost: number } => {
    let maxSeen = depth;
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        cost += 1;
        if (sel.selectionSet) {
          const limitArg = sel.arguments?.find((a) => a.name.value === 'limit' || a.name.value === 'first');
          const multiplier = limitArg?.value.kind === Kind.INT ? Math.max(1, Number(limitArg.value.value)) : 1;
          const child = measure(sel.selectionSet, depth + 1, seen);
          maxSeen = Math.max(maxSeen, child.depth);
          cost += multiplier * child.cost;
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const child = measure(sel.selectionSet, depth, seen);
        maxSeen = Math.max(maxSeen, child.depth);
        cost += child.cost;
      } else {
        const name = sel.name.value;
        const frag = fragments.get(name);
        if (!frag || seen.has(name)) continue; // cycles are reported by NoFragmentCycles
        const child = measure(frag.selectionSet, depth, new Set([...seen, name]));
        maxSeen = Math.max(maxSeen, child.depth);
        cost += child.cost;
      }
    }
    return { depth: maxSeen, cost };
  };
  return measure(operation.selectionSet, 0, new Set());
}

export function queryLimitsRule(maxDepth: number, maxCost: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }

    return {
      OperationDefinition(node) {
        const { depth, cost } = measureOperation(node, fragments);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`Query is too deep (depth ${depth}, limit ${maxDepth}).`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT', depth, limit: maxDepth },
            }),
          );
        } else if (cost > maxCost) {
          context.reportError(
            new GraphQLError(`Query is too expensive (cost ${cost}, limit ${maxCost}).`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT', cost, limit: maxCost },
            }),
          );
        }
      },
    };
  };
}
