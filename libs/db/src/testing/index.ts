import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';

export const workspaceRoot = path.resolve(__dirname, '../../../..');

/** The database scripts/infra/up.sh started and migrated. */
export function testDatabaseUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgresql://tern:tern@127.0.0.1:55432/tern';
}

/** Creates an empty database next to the test database; returns its URL and a drop function. */
export async function createScratchDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const base = new URL(testDatabaseUrl());
  const name = `tern_scratch_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Runs `prisma migrate deploy` against `databaseUrl` the way operators do, in a child process. */
export function migrateDeploy(databaseUrl: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [path.join(workspaceRoot, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'], {
    cwd: workspaceRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}
