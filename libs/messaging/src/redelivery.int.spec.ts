import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { Topics } from '@tern/contracts';
import { EventPublisher, ensureTopics } from './index';
import { eventually, testKafka, testKafkaSettings } from './testing';

const root = path.resolve(__dirname, '../../..');
const fixture = path.join(__dirname, '../test/fixtures/consumer-process.ts');
const topic = Topics.jobCancelRequested;

/** A consumer in a separate OS process, so it can really be killed. */
function startConsumerProcess(opts: { groupId: string; prefix: string; marker: string; handlerMs: number }): ChildProcess {
  // tsx loaded in-process (not its CLI, which forks): the signal must reach the consumer itself.
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: root,
    env: {
      ...process.env,
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:59092',
      GROUP_ID: opts.groupId,
      TOPIC_PREFIX: opts.prefix,
      MARKER_FILE: opts.marker,
      HANDLER_MS: String(opts.handlerMs),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);
const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

describe('at-least-once delivery across consumer crashes and shutdowns', () => {
  // Each test gets its own topics, so a new group never replays another test's messages.
  let settings: ReturnType<typeof testKafkaSettings>;
  let kafka: Kafka;
  let publisher: EventPublisher;
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'tern-redelivery-'));

  beforeEach(async () => {
    settings = testKafkaSettings();
    kafka = testKafka(settings);
    await ensureTopics(kafka, { topicPrefix: settings.topicPrefix, topics: [topic], partitions: 1 });
    publisher = new EventPublisher(kafka, 'redelivery-test', settings.topicPrefix);
  });
  afterEach(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await publisher.disconnect();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (groupId: string, marker: string, handlerMs: number) => {
    const child = startConsumerProcess({ groupId, prefix: settings.topicPrefix!, marker, handlerMs });
    children.push(child);
    return child;
  };

  it('a consumer killed (SIGKILL) before committing gets the message again after restart', async () => {
    const groupId = `g-${randomUUID()}`;
    const marker = path.join(dir, 'kill.log');
    const first = run(groupId, marker, 60_000);
    await eventually(() => lines(marker).includes('joined'), 60_000, 'first consumer to join');

    const jobId = randomUUID();
    const sent = await publisher.publish(topic, { jobId }, { key: jobId, correlationId: 'c' });
    await eventually(() => lines(marker).includes(`start ${sent.eventId}`), 30_000, 'handler to start');
    const gone = exited(first);
    first.kill('SIGKILL');
    expect((await gone).signal).toBe('SIGKILL');

    const second = run(groupId, marker, 0);
    // The dead member's session (6 s) must expire before its partition is handed over.
    await eventually(() => lines(marker).includes(`done ${sent.eventId}`), 60_000, 'redelivery to the restarted consumer');
    expect(lines(marker).filter((l) => l === `start ${sent.eventId}`)).toHaveLength(2);
    const stopped = exited(second);
    second.kill('SIGTERM');
    expect((await stopped).code).toBe(0);
  }, 120_000);

  it('SIGTERM lets the current message finish and commit; a restart does not process it again', async () => {
    const groupId = `g-${randomUUID()}`;
    const marker = path.join(dir, 'term.log');
    const first = run(groupId, marker, 3000);
    await eventually(() => lines(marker).includes('joined'), 60_000, 'consumer to join');

    const jobId = randomUUID();
    const sent = await publisher.publish(topic, { jobId }, { key: jobId, correlationId: 'c' });
    await eventually(() => lines(marker).includes(`start ${sent.eventId}`), 30_000, 'handler to start');
    const stopped = exited(first);
    first.kill('SIGTERM');
    expect((await stopped).code).toBe(0);
    expect(lines(marker)).toContain(`done ${sent.eventId}`);

    const second = run(groupId, marker, 0);
    const next = await publisher.publish(topic, { jobId: randomUUID() }, { key: jobId, correlationId: 'c' });
    await eventually(() => lines(marker).includes(`done ${next.eventId}`), 60_000, 'the next message');
    expect(lines(marker).filter((l) => l === `start ${sent.eventId}`)).toHaveLength(1);
    const gone = exited(second);
    second.kill('SIGTERM');
    await gone;
  }, 120_000);

  it('a handler running longer than the session timeout keeps its membership (heartbeats) and runs once', async () => {
    const groupId = `g-${randomUUID()}`;
    const marker = path.join(dir, 'long.log');
    const child = run(groupId, marker, 10_000); // session timeout in the fixture: 6 s
    await eventually(() => lines(marker).includes('joined'), 60_000, 'consumer to join');
    const jobId = randomUUID();
    const sent = await publisher.publish(topic, { jobId }, { key: jobId, correlationId: 'c' });
    await eventually(() => lines(marker).includes(`done ${sent.eventId}`), 40_000, 'the long handler');
    // Give a wrongly evicted member time to be handed the message again.
    await new Promise((r) => setTimeout(r, 3000));
    expect(lines(marker).filter((l) => l === `start ${sent.eventId}`)).toHaveLength(1);
    const gone = exited(child);
    child.kill('SIGTERM');
    expect((await gone).code).toBe(0);
  }, 90_000);
});
