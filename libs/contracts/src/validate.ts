import type { z } from 'zod';
import { envelopeMetaSchema, type Envelope } from './envelope';
import { isTopicName, schemaVersionOf, topicRegistry, type PayloadOf, type TopicName } from './topics';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.')}: ${i.message}`)
    .join('; ');
}

/** Validates a payload for `topic`, applying defaults. Used by producers before sending. */
export function validatePayload<T extends TopicName>(topic: T, payload: unknown): ValidationResult<PayloadOf<T>> {
  const result = topicRegistry[topic].safeParse(payload);
  if (result.success) return { ok: true, value: result.data as PayloadOf<T> };
  return { ok: false, reason: `invalid ${topic} payload: ${describeIssues(result.error, 'payload')}` };
}

/**
 * Decodes and validates raw message bytes from `topic`. Used by consumers on receipt;
 * the reason names what is wrong so a dead-letter entry can be acted on.
 */
export function decodeEnvelope<T extends TopicName>(topic: T, bytes: Buffer | null): ValidationResult<Envelope<PayloadOf<T>>> {
  if (!isTopicName(topic)) return { ok: false, reason: `unknown topic ${topic}` };
  if (!bytes || bytes.length === 0) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `message is not valid JSON: ${(error as Error).message}` };
  }
  const meta = envelopeMetaSchema.passthrough().safeParse(json);
  if (!meta.success) return { ok: false, reason: `invalid envelope: ${describeIssues(meta.error, '')}` };
  if (meta.data.type !== topic) return { ok: false, reason: `envelope type ${meta.data.type} does not match topic ${topic}` };
  const expectedVersion = schemaVersionOf(topic);
  if (meta.data.schemaVersion !== expectedVersion) {
    return { ok: false, reason: `schemaVersion ${meta.data.schemaVersion} does not match topic version ${expectedVersion}` };
  }
  const payload = validatePayload(topic, (json as { payload?: unknown }).payload);
  if (!payload.ok) return payload;
  const { payload: _raw, ...rest } = meta.data as typeof meta.data & { payload?: unknown };
  return { ok: true, value: { ...envelopeMetaSchema.parse(rest), payload: payload.value } };
}
