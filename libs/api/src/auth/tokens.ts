import { createHash, randomBytes } from 'node:crypto';
import { apiTokenPattern, type ApiScope } from '@tern/contracts';
import type { PrismaClient } from '@tern/db';

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export interface Principal {
  tokenId: string;
  name: string;
  scopes: ApiScope[];
}

/** admin implies write implies read. */
export function grants(scopes: readonly string[], needed: ApiScope): boolean {
  const rank: Record<string, number> = { read: 1, write: 2, admin: 3 };
  return scopes.some((s) => (rank[s] ?? 0) >= rank[needed]!);
}

/** Creates a token; the plain value is returned once and only its hash is stored. */
export async function createApiToken(prisma: PrismaClient, name: string, scopes: ApiScope[]): Promise<{ id: string; token: string }> {
  const token = `tern_${randomBytes(24).toString('base64url')}`;
  const row = await prisma.apiToken.create({ data: { name, scopes, tokenHash: hashToken(token), prefix: token.slice(0, 9) } });
  return { id: row.id, token };
}

/** The principal of a bearer token, or undefined when it is unknown or revoked. */
export async function verifyApiToken(prisma: PrismaClient, token: string): Promise<Principal | undefined> {
  if (!apiTokenPattern.test(token)) return undefined;
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.revokedAt) return undefined;
  // Last use to the minute: not a database write on every request (predict, SSE). Best effort.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) void prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  return { tokenId: row.id, name: row.name, scopes: row.scopes as ApiScope[] };
}

export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)$/i.exec(value ?? '');
  return match?.[1];
}
