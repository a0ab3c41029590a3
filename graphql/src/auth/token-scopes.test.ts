/**
 * API token scopes (docs/permissions.md#api-tokens) across the whole schema: every mutation a READ
 * token sends is refused, every ADMIN mutation a WRITE token sends is refused — before any
 * resolver runs, over HTTP and graphql-ws alike (the check wraps the schema's Mutation fields).
 */
import { getNamedType, isNonNullType } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../schema.ts';
import { inputLiteral, minimalSelection } from '../testing/graphql-literals.ts';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { MUTATION_SCOPES } from './permissions.ts';

const schema = buildSchema();
const mutations = Object.values(schema.getMutationType()!.getFields()).map((f) => {
  const required = f.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const argText = required.length ? `(${required.map((a) => `${a.name}: ${inputLiteral(a.name, a.type)}`).join(', ')})` : '';
  return { name: f.name, doc: `mutation { ${f.name}${argText}${minimalSelection(getNamedType(f.type))} }` };
});

let api: TestApi;
const tokenClients: Record<'READ' | 'WRITE', TestClient> = {} as never;
let readSecret: string;

beforeAll(async () => {
  api = await startTestApi();
  const { client } = await api.signUp('Scoped');
  for (const scope of ['READ', 'WRITE'] as const) {
    const { createApiToken } = await client.ok<any>(`mutation($s: TokenScope) { createApiToken(input: { name: "t", scope: $s }) { token apiToken { scope } } }`, { s: scope });
    expect(createApiToken.apiToken.scope).toBe(scope);
    const c = api.client();
    c.bearer = createApiToken.token;
    tokenClients[scope] = c;
    if (scope === 'READ') readSecret = createApiToken.token;
  }
});
afterAll(async () => {
  await api?.close();
});

describe('token scopes over the whole schema', () => {
  it('covers every mutation', () => {
    expect(mutations.length).toBeGreaterThan(30);
    for (const name of Object.keys(MUTATION_SCOPES)) expect(mutations.map((m) => m.name)).toContain(name);
  });

  for (const m of mutations) {
    const needed = MUTATION_SCOPES[m.name] ?? 'WRITE';
    if (needed === 'READ') continue;
    it(`READ token: Mutation.${m.name} is FORBIDDEN`, async () => {
      const res = await tokenClients.READ.gql(m.doc);
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res)).toBe('FORBIDDEN');
      expect(res.errors?.[0]?.message).toMatch(/scope/);
    });
    if (needed === 'ADMIN') {
      it(`WRITE token: Mutation.${m.name} is FORBIDDEN (ADMIN only)`, async () => {
        const res = await tokenClients.WRITE.gql(m.doc);
        expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res)).toBe('FORBIDDEN');
        expect(res.errors?.[0]?.message).toMatch(/scope/);
      });
    }
  }

  it('a READ token still runs queries', async () => {
    const res = await tokenClients.READ.gql(`{ viewer { user { id } } teams { nodes { id } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.viewer?.user?.id).toBeTruthy();
  });

  it('a READ token cannot list tokens (token management needs a session or an ADMIN token)', async () => {
    const res = await tokenClients.READ.gql(`{ apiTokens { nodes { id } } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('a READ token cannot run a mutation over graphql-ws either', async () => {
    const client = createClient({
      url: api.url.replace('http', 'ws') + '/api/graphql',
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${readSecret}` },
    });
    try {
      const outcome = await new Promise<any>((resolve) => {
        client.subscribe(
          { query: `mutation { createTeam(input: { name: "via ws" }) { id } }` },
          { next: (msg) => resolve(msg), error: (err) => resolve({ errors: Array.isArray(err) ? err : [{ message: String(err) }] }), complete: () => {} },
        );
      });
      expect(outcome.errors?.[0]?.extensions?.code, JSON.stringify(outcome)).toBe('FORBIDDEN');
      expect(await api.runtime.db.team.count({ where: { name: 'via ws' } })).toBe(0);
    } finally {
      await client.dispose();
    }
  });
});
