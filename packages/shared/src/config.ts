import path from 'node:path';

/**
 * Every environment variable the product reads, with its default. The README's configuration
 * table mirrors this list; keep them in step.
 */
export interface Config {
  /** PostgreSQL URL; unset → embedded PGlite under `dataDir/pglite`. */
  databaseUrl: string | undefined;
  redisUrl: string;
  dataDir: string;
  storageDir: string;
  port: number;
  host: string;
  production: boolean;
  /** Secret used to sign nothing client-visible yet but to pepper token hashes. */
  tokenPepper: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR ?? './data');
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    dataDir,
    storageDir: path.resolve(env.STORAGE_DIR ?? path.join(dataDir, 'storage')),
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '127.0.0.1',
    production: env.NODE_ENV === 'production',
    tokenPepper: env.TOKEN_PEPPER ?? 'fep-studio-dev-pepper',
  };
}
