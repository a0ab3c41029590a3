import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@fep/shared';
import { buildSchema } from '../schema.ts';
import { createApiRuntime, type ApiRuntime } from '../runtime.ts';
import { startApiServer } from '../server/http.ts';
import { createTestDatabase, TEST_REDIS_URL } from './test-database.ts';

export interface GqlResult<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors?: { message: string; extensions?: Record<string, any>; path?: string[] }[];
}

/** An HTTP GraphQL client that keeps its session cookie, like a browser. */
export class TestClient {
  cookie: string | undefined;
  bearer: string | undefined;
  constructor(readonly url: string) {}

  async raw(body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
    const res = await fetch(`${this.url}/api/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
        ...headers,
      },
      body,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      if (pair!.startsWith('fep_session=')) this.cookie = pair!.endsWith('=') ? undefined : pair;
    }
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = { errors: [{ message: text }] };
    }
    return { status: res.status, json };
  }

  async gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
    const { status, json } = await this.raw(JSON.stringify({ query, variables }));
    return { status, data: json.data ?? null, errors: json.errors };
  }

  /** Runs an operation that must succeed and returns its data. */
  async ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await this.gql<T>(query, variables);
    if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return res.data as T;
  }
}

export interface TestApi {
  url: string;
  runtime: ApiRuntime;
  client(): TestClient;
  /** Signs up a fresh user and returns a client holding their session. */
  signUp(name?: string): Promise<{ client: TestClient; userId: string; email: string; password: string }>;
  close(): Promise<void>;
}

export async function startTestApi(): Promise<TestApi> {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fep-api-test-'));
  const prefix = `fept${randomBytes(4).toString('hex')}`;
  const config = {
    ...loadConfig({ NODE_ENV: 'test' } as NodeJS.ProcessEnv),
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    dataDir,
    storageDir: path.join(dataDir, 'storage'),
  };
  const runtime = await createApiRuntime(config, { queuePrefix: prefix, redisKeyPrefix: prefix });
  const server = await startApiServer(runtime, buildSchema());
  let n = 0;
  const api: TestApi = {
    url: server.url,
    runtime,
    client: () => new TestClient(server.url),
    signUp: async (name = 'Tester') => {
      const client = new TestClient(server.url);
      const email = `${name.toLowerCase().replace(/\W/g, '')}${++n}-${randomBytes(3).toString('hex')}@example.com`;
      const password = 'correct horse battery staple';
      const data = await client.ok<{ signUp: { user: { id: string } } }>(
        `mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }`,
        { input: { email, password, name } },
      );
      return { client, userId: data.signUp.user.id, email, password };
    },
    close: async () => {
      await server.close();
      await runtime.queue.obliterate({ force: true }).catch(() => {});
      await runtime.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return api;
}
