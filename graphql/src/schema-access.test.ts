import { getNamedType, isNonNullType, type GraphQLArgument, type GraphQLNamedType } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, PUBLIC_OPERATIONS } from './schema.ts';
import { inputLiteral, minimalSelection } from './testing/graphql-literals.ts';
import { startTestApi, type TestApi } from './testing/test-api.ts';

function operationFor(kind: 'query' | 'mutation', name: string, args: readonly GraphQLArgument[], returnType: GraphQLNamedType) {
  const required = args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const argText = required.length ? `(${required.map((a) => `${a.name}: ${inputLiteral(a.name, a.type)}`).join(', ')})` : '';
  return `${kind} { ${name}${argText}${minimalSelection(returnType)} }`;
}

const schema = buildSchema();
const operations = (['query', 'mutation'] as const).flatMap((kind) => {
  const root = kind === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
  return Object.values(root.getFields()).map((f) => ({
    id: `${kind === 'query' ? 'Query' : 'Mutation'}.${f.name}`,
    doc: operationFor(kind, f.name, f.args, getNamedType(f.type)),
  }));
});

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

describe('every operation requires authentication unless public by design', () => {
  it('covers the whole schema', () => {
    expect(operations.length).toBeGreaterThan(20);
    for (const id of PUBLIC_OPERATIONS) {
      if (id.startsWith('Subscription')) continue;
      expect(operations.map((o) => o.id)).toContain(id);
    }
  });

  for (const op of operations) {
    if (PUBLIC_OPERATIONS.has(op.id)) continue;
    it(`${op.id} refuses an anonymous caller`, async () => {
      const res = await api.client().gql(op.doc);
      expect(res.errors, `${op.doc} → ${JSON.stringify(res)}`).toBeDefined();
      expect(res.errors![0]!.extensions?.code, op.doc).toBe('UNAUTHENTICATED');
    });
  }

  const subscriptionType = schema.getSubscriptionType()!;
  const subscriptions = Object.values(subscriptionType.getFields()).filter((f) => !PUBLIC_OPERATIONS.has(`Subscription.${f.name}`));

  it('covers the subscriptions', () => {
    expect(subscriptions.map((f) => f.name)).toContain('explanationProgress');
  });

  for (const field of subscriptions) {
    it(`Subscription.${field.name} refuses an anonymous caller over graphql-ws`, async () => {
      const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
      const argText = required.length ? `(${required.map((a) => `${a.name}: ${inputLiteral(a.name, a.type)}`).join(', ')})` : '';
      const client = createClient({ url: api.url.replace('http', 'ws') + '/api/graphql', webSocketImpl: WebSocket, retryAttempts: 0 });
      try {
        const outcome = await new Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>((resolve) => {
          client.subscribe(
            { query: `subscription { ${field.name}${argText}${minimalSelection(getNamedType(field.type))} }` },
            {
              next: (msg) => resolve({ errors: msg.errors }),
              error: (err) => resolve({ errors: Array.isArray(err) ? err : [{ extensions: { code: String(err) } }] }),
              complete: () => resolve({}),
            },
          );
        });
        expect(outcome.errors?.[0]?.extensions?.code, JSON.stringify(outcome)).toBe('UNAUTHENTICATED');
      } finally {
        await client.dispose();
      }
    });
  }
});
