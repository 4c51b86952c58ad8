import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createScratchDatabase, migrateDeploy, workspaceRoot } from './testing';

const migrationDirs = readdirSync(path.join(workspaceRoot, 'prisma/migrations'), { withFileTypes: true }).filter((d) => d.isDirectory());

async function schemaSignature(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    );
    const indexes = await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`);
    return JSON.stringify({ columns: columns.rows, indexes: indexes.rows });
  } finally {
    await client.end();
  }
}

describe('prisma migrations on an empty database', () => {
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  beforeAll(async () => {
    db = await createScratchDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('apply from scratch, then a second apply is a no-op', async () => {
    const first = migrateDeploy(db.url);
    expect(first.output).toContain('All migrations have been successfully applied');
    expect(first.status).toBe(0);
    const before = await schemaSignature(db.url);

    const second = migrateDeploy(db.url);
    expect(second.status).toBe(0);
    expect(second.output).toContain('No pending migrations to apply');
    expect(await schemaSignature(db.url)).toBe(before);

    const client = new Client({ connectionString: db.url });
    await client.connect();
    const applied = await client.query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
    await client.end();
    expect(applied.rows.map((r) => r.migration_name).sort()).toEqual(migrationDirs.map((d) => d.name).sort());
  }, 120_000);

  it('creates the tables and the indexes the services query by', async () => {
    const signature = JSON.parse(await schemaSignature(db.url)) as { columns: { table_name: string }[]; indexes: { indexname: string }[] };
    const tables = new Set(signature.columns.map((c) => c.table_name));
    for (const table of ['datasets', 'dataset_classes', 'samples', 'base_models', 'embeddings', 'jobs', 'trained_models', 'model_aliases', 'training_metrics']) {
      expect(tables).toContain(table);
    }
    const indexes = signature.indexes.map((i) => i.indexname);
    expect(indexes).toEqual(
      expect.arrayContaining(['embeddings_cache_key', 'jobs_status_lease_expires_at_idx', 'samples_dataset_id_split_idx', 'samples_dataset_id_content_hash_key', 'jobs_idempotency_key_key']),
    );
  });
});
