import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Consumer, Kafka } from 'kafkajs';
import type { Envelope, TopicName } from '@tern/contracts';
import { createPrismaClient, type PrismaClient } from '@tern/db';
import { testDatabaseUrl } from '@tern/db/testing';
import { ensureTopics, EventPublisher, physicalTopic, type KafkaSettings } from '@tern/messaging';
import { testKafka, testKafkaSettings, throwawayConsumer } from '@tern/messaging/testing';
import { emojiSubset } from '@tern/ml/testing';

const root = path.resolve(__dirname, '../../../..');

/** Starts a pipeline app (`apps/<name>/src/main.ts`) as a real process on the test infrastructure. */
export function startWorkerProcess(app: string, workerId: string, settings: KafkaSettings, databaseUrl: string, extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(root, 'apps', app, 'src/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: settings.brokers.join(','),
      KAFKA_TOPIC_PREFIX: settings.topicPrefix ?? '',
      TERN_WORKER_ID: workerId,
      TERN_JOB_LEASE_MS: '6000',
      TERN_LOG_LEVEL: 'warn',
      TERN_TF_BACKEND: 'wasm',
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/**
 * A dataset of real Twemoji images in Postgres (files referenced by file:// URIs), with splits.
 * `reversed` inserts the samples in the opposite order (their rows then come back in another order).
 */
export async function seedEmojiDataset(prisma: PrismaClient, categories: string[], perClass: number, seed: number, options: { reversed?: boolean } = {}): Promise<{ datasetId: string; hashes: string[] }> {
  const set = emojiSubset(categories, perClass, seed);
  const dataset = await prisma.dataset.create({ data: { name: `e2e-${randomUUID()}` } });
  const hashes: string[] = [];
  const classIds = new Map<string, string>();
  for (const label of set.classNames) classIds.set(label, (await prisma.datasetClass.create({ data: { datasetId: dataset.id, name: label } })).id);
  for (const item of options.reversed ? [...set.items].reverse() : set.items) {
    const bytes = readFileSync(item.source.id);
    const contentHash = createHash('sha256').update(bytes).digest('hex');
    hashes.push(contentHash);
    await prisma.sample.create({ data: { datasetId: dataset.id, classId: classIds.get(item.label)!, contentHash, mediaType: 'image/png', sizeBytes: bytes.length, storageUri: pathToFileURL(item.source.id).toString(), split: item.split ?? 'train' } });
  }
  return { datasetId: dataset.id, hashes };
}

/** Collects every event on the given topics, for assertions. */
export class EventRecorder {
  readonly events: Envelope<Record<string, unknown>>[] = [];
  private consumer?: Consumer;

  async start(kafka: Kafka, topics: string[], topicPrefix = ''): Promise<void> {
    this.consumer = throwawayConsumer(kafka, 'recorder');
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: topics.map((t) => physicalTopic(t, topicPrefix)), fromBeginning: true });
    await this.consumer.run({ eachMessage: async ({ message }) => void this.events.push(JSON.parse(message.value!.toString())) });
  }

  of(type: string, jobId: string): Envelope<Record<string, unknown>>[] {
    return this.events.filter((e) => e.type === type && e.payload['jobId'] === jobId);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export function killAll(children: ChildProcess[]): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export interface Harness {
  settings: KafkaSettings;
  kafka: Kafka;
  prisma: PrismaClient;
  publisher: EventPublisher;
  recorder: EventRecorder;
  startWorker(app: string, workerId: string, env?: Record<string, string>): ChildProcess;
  close(): Promise<void>;
}

/** Everything a service e2e test needs: its own topics (random prefix), clients, an event recorder, worker processes. */
export async function startHarness(topics: readonly TopicName[], recorded: readonly TopicName[] = topics.filter((t) => !t.endsWith('requested.v1'))): Promise<Harness> {
  const settings = testKafkaSettings();
  const kafka = testKafka(settings);
  await ensureTopics(kafka, { topicPrefix: settings.topicPrefix, topics, partitions: 2 });
  const prisma = createPrismaClient({ url: testDatabaseUrl() });
  const publisher = new EventPublisher(kafka, 'e2e-test', settings.topicPrefix);
  const recorder = new EventRecorder();
  await recorder.start(kafka, [...recorded], settings.topicPrefix);
  const workers: ChildProcess[] = [];
  return {
    settings,
    kafka,
    prisma,
    publisher,
    recorder,
    startWorker: (app, workerId, env = {}) => {
      const child = startWorkerProcess(app, workerId, settings, testDatabaseUrl(), { TERN_ARTIFACT_DIR: '.tern-data/test-artifacts', ...env });
      workers.push(child);
      return child;
    },
    close: async () => {
      killAll(workers);
      await recorder.stop();
      await publisher.disconnect();
      await prisma.$disconnect();
    },
  };
}

/** A TCP port nobody listens on right now (for a child process to bind). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
