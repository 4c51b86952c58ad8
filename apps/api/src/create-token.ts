// Creates an API token: node --import tsx apps/api/src/create-token.ts <name> <scope[,scope]>
import { createApiToken } from '@tern/api';
import { apiScopeSchema } from '@tern/contracts';
import { createPrismaClient } from '@tern/db';

const [name, scopes = 'read'] = process.argv.slice(2);
const parsed = scopes.split(',').map((s) => apiScopeSchema.safeParse(s.trim()));
if (!name || parsed.some((p) => !p.success)) {
  process.stderr.write('usage: create-token <name> <read|write|admin>[,...]\n');
  process.exit(64);
}
const url = process.env['DATABASE_URL'];
if (!url) {
  process.stderr.write('DATABASE_URL is not set\n');
  process.exit(78);
}
const prisma = createPrismaClient({ url });
createApiToken(prisma, name, parsed.map((p) => p.data!))
  .then(({ token }) => process.stdout.write(`${token}\n`))
  .finally(() => prisma.$disconnect());
