import { NotFoundException } from '@nestjs/common';
import { uuidSchema } from '@tern/contracts';
import { parseInput } from './validation';

/** A path id; anything but a UUID is a 400 naming the parameter. */
export const idParam = (value: string, name: string): string => parseInput(uuidSchema, value, name);

export function found<T>(value: T | null | undefined, what: string, id: string): T {
  if (value === null || value === undefined) throw new NotFoundException(`${what} ${id} does not exist`);
  return value;
}
