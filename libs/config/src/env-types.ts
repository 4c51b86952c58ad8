import { z } from 'zod';

/** Reusable zod types for environment variables. */
export const envTypes = {
  postgresUrl: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\/[^/]+\/[^/?]+/.test(v), 'must be a postgresql://user:pass@host:port/database URL'),
  brokerList: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'each broker must be host:port')).min(1, 'needs at least one broker')),
  port: z.coerce.number().int().min(1).max(65535),
  positiveInt: z.coerce.number().int().positive(),
  boolean: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']),
  nonEmpty: z.string().min(1),
};
