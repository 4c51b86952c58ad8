import { z } from 'zod';

const schema = z.object({
  TERN_API_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
});

let cached: z.infer<typeof schema> | undefined;

/** The dashboard server's settings, validated once; a bad value names the variable. */
export function serverConfig(): z.infer<typeof schema> {
  if (cached) return cached;
  const result = schema.safeParse({ TERN_API_URL: process.env['TERN_API_URL'] || undefined });
  if (!result.success) throw new Error(`dashboard configuration: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  cached = result.data;
  return cached;
}

export const sessionCookie = 'tern_session';
