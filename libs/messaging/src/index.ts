export { backoffMs, defaultRetryPolicy, type RetryPolicy } from './backoff';
export { ConsumerStoppingError, InvalidEventError, NonRetryableError } from './errors';
export { DLQ_HEADERS, EventConsumer, type ConsumerOptions, type EventHandler, type HandlerContext, type HandlerOutcome } from './event-consumer';
export { EventPublisher, type PublishOptions } from './event-publisher';
export { createKafka, logicalTopic, physicalTopic, type KafkaSettings } from './kafka-client';
export { ConsumerRegistry, KAFKA, MessagingModule, type MessagingModuleOptions } from './nest/messaging.module';
export { stopOnSignals, type Stoppable } from './shutdown';
export { ensureTopics, type TopicProvisioning } from './topic-admin';
