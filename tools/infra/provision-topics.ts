// Creates every contract topic and its dead-letter topic on the configured brokers (idempotent).
import { createLogger, loadConfigOrExit, parseEnv, envTypes } from '@tern/config';
import { createKafka, ensureTopics } from '@tern/messaging';
import { z } from 'zod';

const env = loadConfigOrExit(
  () =>
    parseEnv(
      { KAFKA_BROKERS: envTypes.brokerList, KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-zA-Z0-9._-]*$/).default(''), TERN_KAFKA_PARTITIONS: envTypes.positiveInt.default(6), TERN_KAFKA_REPLICATION: envTypes.positiveInt.default(1) },
      process.env,
    ),
  'provision-topics',
);
const logger = createLogger('provision-topics', 'info');
ensureTopics(createKafka({ brokers: env.KAFKA_BROKERS, clientId: 'tern-provisioner' }, logger), { topicPrefix: env.KAFKA_TOPIC_PREFIX, partitions: env.TERN_KAFKA_PARTITIONS, replicationFactor: env.TERN_KAFKA_REPLICATION })
  .then((created) => logger.info(created.length ? `created ${created.length} topic(s)` : 'all topics exist', { created }))
  .catch((error: Error) => {
    logger.error('topic provisioning failed', { error });
    process.exit(1);
  });
