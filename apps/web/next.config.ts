import type { NextConfig } from 'next';

// Next reads NEXT_TELEMETRY_DISABLED when it constructs its telemetry store, which happens after this
// file is loaded; setting it here keeps `next build` silent even when the caller forgot the variable.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  typedRoutes: false,
  poweredByHeader: false,
  // @fep/shared ships TypeScript sources; the browser imports its permission matrix.
  transpilePackages: ['@fep/shared'],
  // `next build` type-checks the app only: unit tests import server sources (graphql/src) to compare
  // contracts, and those need the generated Prisma client; `npm run typecheck` covers the tests.
  typescript: { tsconfigPath: 'tsconfig.build.json' },
};

export default nextConfig;
