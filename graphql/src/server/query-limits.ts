import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { MAX_PAGE_SIZE } from '../common/pagination.ts';

/**
 * Depth, cost, alias and root-field limits as one schema-aware validation rule, so an over-deep,
 * over-wide or over-aliased operation is refused before any resolver runs.
 *
 * Why not a library: graphql-depth-limit and graphql-query-complexity load graphql's CommonJS
 * build next to our ESM one and fail graphql's realm check. GraphQL Armor's cost-limit plugin
 * (2.4.3, read before deciding) is schema-blind: it multiplies by a literal `first` only, so a list
 * without `first` (or with `first: $var`) counts once — the very hole this rule closes — and it
 * reports errors without an `extensions.code`. One rule here keeps one traversal and one error shape.
 *
 * - Depth: nested selection sets of fields, fragments expanded.
 * - Cost: one point per field; a field returning a list multiplies its children's cost by the
 *   list's size: a connection's `nodes` by the connection's `first` (a literal, capped at
 *   MAX_PAGE_SIZE; absent or a variable counts as MAX_PAGE_SIZE), a bounded list by its bound
 *   (LIST_SIZES), a list of value objects computed by its parent once (VALUE_LISTS), and any
 *   other list by MAX_PAGE_SIZE.
 * - Aliases and root fields: counted per operation, fragments expanded, so 500 aliased `health`
 *   fields (or 500 spreads of a fragment holding one) never reach a resolver.
 * Introspection fields (`__schema`, `__type`, `__typename`) are exempt so tools keep working.
 * Fragments are measured once each (memoised), so nested spreads cannot blow the traversal up.
 */
export const QUERY_LIMITS = {
  /** The web app's deepest operation nests 6 levels (server/web-operations.test.ts). */
  maxDepth: 10,
  /**
   * Points (≈ fields resolved). The web app's costliest operation is joining a live review of 100
   * explanations (server/web-operations.test.ts prints its cost and keeps it under half of this).
   */
  maxCost: 10000,
  maxAliases: 20,
  maxRootFields: 20,
} as const;

/** Lists that are not connections, with the most items they can hold and where that bound comes from. */
export const LIST_SIZES: Readonly<Record<string, number>> = {
  /** startReviewSession accepts at most 100 explanations (reviews.service.ts). */
  'ReviewSession.explanations': 100,
  /** One counting decision per explanation of the session. */
  'ReviewSession.decisions': 100,
  /** rankK ≤ 8 (studies.service.ts); pairwise items hold 2, Likert items 1. */
  'StudyItem.explanations': 8,
  'RaterItem.options': 8,
};

/**
 * Lists of small value objects (scalar fields only) that their parent's resolver computes in one
 * go — a study's results, a report's manifest files, who is present in a live review: the parent
 * pays for them, their items cost only their own fields (a test checks the items are scalar-only).
 */
export const VALUE_LISTS: ReadonlySet<string> = new Set([
  /** ≤ 50 (addComment's limit), read in one query by the comment's resolver; User has scalar fields only. */
  'Comment.mentions',
  /** ≤ 50 (addReviewComment's limit), resolved with the comment (names read once per page of comments); participants are scalar-only. */
  'ReviewComment.mentions',
  /** At most one warning per trust rule (packages/shared/src/trust.ts), computed with the explanation; code and message only. */
  'ExplanationTrust.warnings',
  'StudyResults.methods',
  'StudyResults.alpha',
  'StudyResults.bradleyTerry',
  'StudyResults.pairedTests',
  'StudyResults.raters',
  'AuditReport.files',
  'ReviewSession.present',
  'ReviewPresenceChanged.present',
]);

export interface OperationMeasure {
  depth: number;
  cost: number;
  aliases: number;
  rootFields: number;
}

const isConnectionType = (name: string) => name.endsWith('Connection');

function firstArg(args: readonly { name: { value: string }; value: ValueNode }[] | undefined): number {
  const arg = args?.find((a) => a.name.value === 'first');
  if (arg?.value.kind === Kind.INT) return Math.min(MAX_PAGE_SIZE, Math.max(1, Number(arg.value.value)));
  return MAX_PAGE_SIZE; // absent, a variable, or anything else: the largest page the server may return
}

interface SetMeasure {
  depth: number;
  cost: number;
  aliases: number;
  fields: number;
}

/** Depth, cost, aliases and root-field count of one operation, fragments expanded. */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): OperationMeasure {
  const memo = new Map<string, SetMeasure>();
  const inProgress = new Set<string>();

  const measure = (set: SelectionSetNode, parent: GraphQLCompositeType | undefined, pageSize: number): SetMeasure => {
    const out: SetMeasure = { depth: 0, cost: 0, aliases: 0, fields: 0 };
    const add = (m: SetMeasure, multiplier = 1) => {
      out.depth = Math.max(out.depth, m.depth);
      out.cost += multiplier * m.cost;
      out.aliases += m.aliases;
      out.fields += m.fields;
    };
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        out.fields += 1;
        out.cost += 1;
        if (sel.alias) out.aliases += 1;
        if (!sel.selectionSet) continue;
        const fieldDef = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[sel.name.value] : undefined;
        const named = fieldDef ? getNamedType(fieldDef.type) : undefined;
        const childParent = named && isCompositeType(named) ? named : undefined;
        let multiplier = 1;
        if (fieldDef && isListType(getNullableType(fieldDef.type))) {
          const key = `${parent!.name}.${sel.name.value}`;
          if (isConnectionType(parent!.name) && sel.name.value === 'nodes') multiplier = pageSize;
          else if (VALUE_LISTS.has(key)) multiplier = 1;
          else multiplier = LIST_SIZES[key] ?? MAX_PAGE_SIZE;
        }
        const childPage = childParent && isConnectionType(childParent.name) ? firstArg(sel.arguments) : MAX_PAGE_SIZE;
        const child = measure(sel.selectionSet, childParent, childPage);
        out.depth = Math.max(out.depth, child.depth + 1);
        out.cost += multiplier * child.cost;
        out.aliases += child.aliases; // counted as written (per spread), not per list item
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        add(measure(sel.selectionSet, cond && isCompositeType(cond) ? cond : undefined, pageSize));
      } else {
        const name = sel.name.value;
        const frag = fragments.get(name);
        if (!frag || inProgress.has(name)) continue; // unknown fragments and cycles are other rules' errors
        const memoKey = `${name}:${pageSize}`;
        let m = memo.get(memoKey);
        if (!m) {
          inProgress.add(name);
          const cond = schema.getType(frag.typeCondition.name.value);
          m = measure(frag.selectionSet, cond && isCompositeType(cond) ? cond : undefined, pageSize);
          inProgress.delete(name);
          memo.set(memoKey, m);
        }
        add(m);
      }
    }
    return out;
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  const m = measure(operation.selectionSet, root, MAX_PAGE_SIZE);
  return { depth: m.depth, cost: m.cost, aliases: m.aliases, rootFields: m.fields };
}

export function queryLimitsRule(limits: { maxDepth: number; maxCost: number; maxAliases: number; maxRootFields: number } = QUERY_LIMITS) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const refuse = (node: OperationDefinitionNode, message: string, extensions: Record<string, unknown>) =>
      context.reportError(new GraphQLError(message, { nodes: [node], extensions: { code: 'BAD_USER_INPUT', ...extensions } }));

    return {
      OperationDefinition(node) {
        const { depth, cost, aliases, rootFields } = measureOperation(context.getSchema(), node, fragments);
        if (depth > limits.maxDepth) {
          refuse(node, `Query is too deep (depth ${depth}, limit ${limits.maxDepth}).`, { depth, limit: limits.maxDepth });
        } else if (aliases > limits.maxAliases) {
          refuse(node, `Query uses too many aliases (${aliases}, limit ${limits.maxAliases}).`, { aliases, limit: limits.maxAliases });
        } else if (rootFields > limits.maxRootFields) {
          refuse(node, `Query asks for too many top-level fields (${rootFields}, limit ${limits.maxRootFields}).`, {
            rootFields,
            limit: limits.maxRootFields,
          });
        } else if (cost > limits.maxCost) {
          refuse(node, `Query is too expensive (cost ${cost}, limit ${limits.maxCost}).`, { cost, limit: limits.maxCost });
        }
      },
    };
  };
}
