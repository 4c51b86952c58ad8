// The main job's service half: loads real images into a dataset in Postgres, asks the running
// services (over Kafka) for a pipeline with promotion, follows its progress, prints the result.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createLogger, loadConfigOrExit, loadTernConfig } from '@tern/config';
import { Topics } from '@tern/contracts';
import { createPrismaClient } from '@tern/db';
import { createKafka, EventPublisher } from '@tern/messaging';
import { assignSplits, limitPerClass, loadEmojiDataset } from '@tern/ml';

async function main(): Promise<void> {
  const config = loadConfigOrExit(() => loadTernConfig(process.env), 'demo');
  const prisma = createPrismaClient({ url: config.database.url });
  const logger = createLogger('demo', 'warn');
  const kafka = createKafka(config.kafka, logger);
  const publisher = new EventPublisher(kafka, 'demo', config.kafka.topicPrefix);

  const set = assignSplits(limitPerClass(loadEmojiDataset(), 30, 5), { validation: 0.15, test: 0.25 }, 5);
  const dataset = await prisma.dataset.create({ data: { name: `twemoji-demo-${new Date().toISOString()}`, description: 'Twemoji (CC-BY-4.0) by emoji.json category' } });
  for (const label of set.classNames) {
    const cls = await prisma.datasetClass.create({ data: { datasetId: dataset.id, name: label } });
    for (const item of set.items.filter((i) => i.label === label)) {
      const bytes = readFileSync(item.source.id);
      await prisma.sample.create({ data: { datasetId: dataset.id, classId: cls.id, contentHash: createHash('sha256').update(bytes).digest('hex'), mediaType: 'image/png', sizeBytes: bytes.length, storageUri: pathToFileURL(item.source.id).toString(), split: item.split ?? 'train', source: 'import' } });
    }
  }
  process.stdout.write(`dataset ${dataset.name}: ${set.items.length} images, ${set.classNames.length} classes\n`);

  const jobId = randomUUID();
  await publisher.publish(Topics.pipelineRequested, { jobId, datasetId: dataset.id, baseModelId: 'mobilenet_v2_mid', head: { epochs: 60, learningRate: 0.003 }, promote: true, extractionShards: 2 }, { key: dataset.id, correlationId: `demo-${jobId}` });
  process.stdout.write(`pipeline ${jobId} requested; following its job rows\n`);
  const deadline = Date.now() + 10 * 60_000;
  let last = '';
  for (;;) {
    const pipeline = await prisma.job.findUnique({ where: { id: jobId } });
    const steps = await prisma.job.findMany({ where: { parentJobId: jobId }, orderBy: { createdAt: 'asc' } });
    const line = `pipeline ${pipeline?.status ?? 'queued'}; steps: ${steps.map((s) => `${s.type} ${s.status}`).join(', ')}`;
    if (line !== last) process.stdout.write(`${line}\n`);
    last = line;
    if (pipeline && ['succeeded', 'failed', 'cancelled'].includes(pipeline.status)) {
      if (pipeline.status !== 'succeeded') throw new Error(`pipeline ${pipeline.status}: ${pipeline.error}`);
      const model = await prisma.trainedModel.findUniqueOrThrow({ where: { id: (pipeline.result as { finalModelId: string }).finalModelId } });
      process.stdout.write(`model v${model.version} (${model.kind}) test accuracy ${((model.testAccuracy ?? 0) * 100).toFixed(1)}% on ${set.items.filter((i) => i.split === 'test').length} test images; artifact ${model.artifactUri}\n`);
      break;
    }
    if (Date.now() > deadline) throw new Error('pipeline did not finish in 10 minutes (see .tern-data/logs)');
    await new Promise((r) => setTimeout(r, 1000));
  }
  await publisher.disconnect();
  await prisma.$disconnect();
}

main()
  .then(() => process.exit(0))
  .catch((error: Error) => {
    process.stderr.write(`demo failed: ${error.message}\n`);
    process.exit(1);
  });
