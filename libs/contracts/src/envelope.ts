import { z } from 'zod';

/** Metadata every Kafka event carries, whatever its payload. */
export const envelopeMetaSchema = z.object({
  eventId: z.uuid(),
  /** Ties together every event caused by one user action or external request. */
  correlationId: z.string().min(1).max(200),
  /** The event that caused this one, if any. */
  causationId: z.string().min(1).max(200).optional(),
  occurredAt: z.iso.datetime({ offset: true }),
  /** Topic name; includes the major version. */
  type: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  producer: z.string().min(1).max(100),
});

export type EnvelopeMeta = z.infer<typeof envelopeMetaSchema>;

export function envelopeSchema<P extends z.ZodType>(payload: P) {
  return envelopeMetaSchema.extend({ payload });
}

export interface Envelope<P> extends EnvelopeMeta {
  payload: P;
}
