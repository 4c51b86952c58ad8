import { Client, Pool, type PoolConfig, type QueryResult } from 'pg';

/**
 * Splits DATABASE_URL into host/port/user/password/database for the CLI's adapter.
 * Prisma's `migrate dev` replays onto the main database instead of the shadow one
 * when given a single connection string, so the parts are passed separately.
 */
export function pgConnectionConfig(env: NodeJS.ProcessEnv): PoolConfig {
  const raw = env['DATABASE_URL'];
  if (!raw) throw new Error('DATABASE_URL is not set (e.g. postgresql://tern:tern@127.0.0.1:55432/tern)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL');
  }
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, ''),
    // The CLI waits for the pool to drain before exiting; keep that short.
    idleTimeoutMillis: 100,
    allowExitOnIdle: true,
  };
}

// pg_catalog columns of type `name` (19) and `"char"` (18) are plain strings, but
// @prisma/adapter-pg 6.x cannot map those type ids (prisma/prisma#27403) and the
// schema engine reads them while recording migrations. Report them as text (25).
const PG_NAME = 19;
const PG_CHAR = 18;
const PG_TEXT = 25;

function reportCatalogStringsAsText(result: QueryResult): QueryResult {
  for (const field of result.fields ?? []) {
    if (field.dataTypeID === PG_NAME || field.dataTypeID === PG_CHAR) field.dataTypeID = PG_TEXT;
  }
  return result;
}

type QueryCallback = (err: Error | null, result: QueryResult) => void;

class CatalogFriendlyClient extends Client {
  // pg.Pool calls client.query with a callback; direct callers get a promise. Patch both.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's query has many overloads
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as QueryCallback;
      args[args.length - 1] = (err: Error | null, result: QueryResult) =>
        callback(err, err ? result : reportCatalogStringsAsText(result));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const pending = (super.query as (...a: any[]) => any)(...args);
    if (pending && typeof pending.then === 'function') {
      return (pending as Promise<QueryResult>).then(reportCatalogStringsAsText);
    }
    return pending;
  }
}

/** A pool for the Prisma CLI (migrations): catalog string types arrive as text. */
export function migrationPool(env: NodeJS.ProcessEnv): Pool {
  return new Pool({ ...pgConnectionConfig(env), Client: CatalogFriendlyClient });
}
