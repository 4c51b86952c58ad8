/** Thrown by a handler when retrying cannot help (bad input): the message goes straight to the dead-letter topic. */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

/** Thrown out of a handler when the consumer is stopping: the offset stays uncommitted and the message is redelivered. */
export class ConsumerStoppingError extends Error {
  constructor() {
    super('consumer is stopping; message left uncommitted for redelivery');
    this.name = 'ConsumerStoppingError';
  }
}

/** The publisher refused a payload that does not match its topic's schema. */
export class InvalidEventError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidEventError';
  }
}
