import { Kafka, logLevel as KafkaLogLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '@tern/config';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name: isolates environments and test runs on one cluster. */
  topicPrefix?: string;
  connectionTimeoutMs?: number;
}

/** A kafkajs client whose own log lines go through our logger (warnings and errors only). */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: settings.connectionTimeoutMs ?? 5000,
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...fields } = log;
        const target = logger.child({ component: 'kafkajs' });
        if (level <= KafkaLogLevel.ERROR) target.error(message, fields);
        else target.warn(message, fields);
      },
  });
}

export function physicalTopic(logical: string, prefix = ''): string {
  return `${prefix}${logical}`;
}

export function logicalTopic(physical: string, prefix = ''): string {
  return prefix && physical.startsWith(prefix) ? physical.slice(prefix.length) : physical;
}
