import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';

/** Parses request input with a contracts schema; a failure is a 400 that names each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
  throw new BadRequestException({ message: `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues });
}
