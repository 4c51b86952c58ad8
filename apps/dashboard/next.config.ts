import path from 'node:path';
import type { NextConfig } from 'next';

const workspaceRoot = path.resolve(__dirname, '../..');

const config: NextConfig = {
  // The contracts lib lives outside the app: let the bundler and the output tracer see the workspace.
  turbopack: { root: workspaceRoot },
  outputFileTracingRoot: workspaceRoot,
  // Container images run the self-contained server (docker/dashboard.Dockerfile); `next start` serves the plain build.
  ...(process.env['TERN_DASHBOARD_STANDALONE'] === '1' ? { output: 'standalone' as const } : {}),
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
