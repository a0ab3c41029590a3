import type { NextConfig } from 'next';

// Next reads NEXT_TELEMETRY_DISABLED when it constructs its telemetry store, which happens after this
// file is loaded; setting it here keeps `next build` silent even when the caller forgot the variable.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  typedRoutes: false,
  poweredByHeader: false,
};

export default nextConfig;
