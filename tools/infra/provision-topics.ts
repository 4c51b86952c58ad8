// Creates every contract topic and its dead-letter topic on the configured brokers (idempotent).
import { createLogger, loadConfigOrExit, parseEnv, envTypes } from '@tern/config';
import { createKafka, ensureTopics } from '@tern/messaging';

const env = loadConfigOrExit(
  () => parseEnv({ KAFKA_BROKERS: envTypes.brokerList, TERN_KAFKA_PARTITIONS: envTypes.positiveInt.default(6) }, process.env),
  'provision-topics',
);
const logger = createLogger('provision-topics', 'info');
ensureTopics(createKafka({ brokers: env.KAFKA_BROKERS, clientId: 'tern-provisioner' }, logger), { partitions: env.TERN_KAFKA_PARTITIONS })
  .then((created) => logger.info(created.length ? `created ${created.length} topic(s)` : 'all topics exist', { created }))
  .catch((error: Error) => {
    logger.error('topic provisioning failed', { error });
    process.exit(1);
  });
