// Prisma CLI configuration. The JS schema engine (wasm) plus @prisma/adapter-pg lets
// `prisma migrate` run offline: Prisma's native schema engine cannot be downloaded here.
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';
import { migrationPool } from './prisma/connection';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: async () => new PrismaPg(migrationPool(process.env), { disposeExternalPool: true }),
});
