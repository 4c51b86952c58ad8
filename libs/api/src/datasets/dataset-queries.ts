import { NotFoundException } from '@nestjs/common';
import type { PrismaClient } from '@tern/db';
import { bundledBaseModels } from '@tern/ml';

type Split = 'train' | 'validation' | 'test';
type SplitCounts = Record<Split, number>;
const emptySplits = (): SplitCounts => ({ train: 0, validation: 0, test: 0 });

export async function liveDataset(prisma: PrismaClient, id: string) {
  const dataset = await prisma.dataset.findUnique({ where: { id } });
  if (!dataset || dataset.deletedAt) throw new NotFoundException(`dataset ${id} does not exist`);
  return dataset;
}

/** Class and split counts of many datasets in one query. */
export async function countsByDataset(prisma: PrismaClient, ids: string[]) {
  const rows = await prisma.sample.groupBy({ by: ['datasetId', 'classId', 'split'], where: { datasetId: { in: ids } }, _count: { _all: true } });
  const out = new Map<string, { samples: number; splits: SplitCounts; byClass: Map<string | null, SplitCounts> }>();
  for (const r of rows) {
    const entry = out.get(r.datasetId) ?? { samples: 0, splits: emptySplits(), byClass: new Map() };
    const cls = entry.byClass.get(r.classId) ?? emptySplits();
    cls[r.split] += r._count._all;
    entry.byClass.set(r.classId, cls);
    entry.splits[r.split] += r._count._all;
    entry.samples += r._count._all;
    out.set(r.datasetId, entry);
  }
  return out;
}

export async function datasetSummaries(prisma: PrismaClient, page: number, pageSize: number) {
  const where = { deletedAt: null };
  const [total, datasets] = await Promise.all([prisma.dataset.count({ where }), prisma.dataset.findMany({ where, orderBy: { createdAt: 'desc' }, skip: (page - 1) * pageSize, take: pageSize, include: { _count: { select: { classes: true, models: true } } } })]);
  const counts = await countsByDataset(prisma, datasets.map((d) => d.id));
  return {
    items: datasets.map((d) => ({ id: d.id, name: d.name, description: d.description, classCount: d._count.classes, modelCount: d._count.models, sampleCount: counts.get(d.id)?.samples ?? 0, splits: counts.get(d.id)?.splits ?? emptySplits(), createdAt: d.createdAt.toISOString(), updatedAt: d.updatedAt.toISOString() })),
    page,
    pageSize,
    total,
  };
}

/** Embedded samples per (base, version, layer): how much of the dataset the cache already covers. */
async function cacheCoverage(prisma: PrismaClient, datasetId: string, total: number) {
  const rows = await prisma.$queryRaw<{ base: string; version: string; layer: string; embedded: bigint }[]>`
    SELECT e.base_model_name AS base, e.base_model_version AS version, e.layer, count(DISTINCT s.content_hash) AS embedded
    FROM samples s JOIN embeddings e ON e.content_hash = s.content_hash
    WHERE s.dataset_id = ${datasetId}::uuid
    GROUP BY 1, 2, 3 ORDER BY 1, 3`;
  const covered = rows.map((r) => ({ baseModelId: r.base, version: r.version, layer: r.layer, embedded: Number(r.embedded), total, fraction: total ? Number(r.embedded) / total : 0 }));
  // Bases with nothing cached yet are listed too, at their default layer.
  for (const base of bundledBaseModels) if (!covered.some((c) => c.baseModelId === base.id)) covered.push({ baseModelId: base.id, version: base.version, layer: base.defaultLayer, embedded: 0, total, fraction: 0 });
  return covered;
}

/** What a user should know before training. */
export function datasetWarnings(classes: { name: string; total: number; splits: SplitCounts }[]): string[] {
  const warnings: string[] = [];
  if (classes.length < 2) warnings.push(`only ${classes.length} class(es): a classifier needs at least two`);
  for (const c of classes) {
    if (c.total < 10) warnings.push(`class "${c.name}" has ${c.total} image(s); 10 or more per class is a sensible minimum, 100 is better`);
    if (c.splits.test === 0 && c.total > 0) warnings.push(`class "${c.name}" has no test images: accuracy will not be measured for it (run an automatic split)`);
  }
  const sizes = classes.map((c) => c.total).filter((n) => n > 0);
  if (sizes.length >= 2 && Math.max(...sizes) >= 5 * Math.min(...sizes)) warnings.push(`heavy imbalance: the largest class has ${Math.max(...sizes)} images, the smallest ${Math.min(...sizes)} (class weights are applied by default)`);
  return warnings;
}

export async function datasetDetail(prisma: PrismaClient, id: string) {
  const dataset = await liveDataset(prisma, id);
  const [classes, counts, unlabelled] = await Promise.all([
    prisma.datasetClass.findMany({ where: { datasetId: id }, orderBy: { name: 'asc' } }),
    countsByDataset(prisma, [id]),
    prisma.sample.count({ where: { datasetId: id, classId: null } }),
  ]);
  const c = counts.get(id);
  const classViews = classes.map((cls) => {
    const splits = c?.byClass.get(cls.id) ?? emptySplits();
    return { id: cls.id, name: cls.name, total: splits.train + splits.validation + splits.test, splits };
  });
  const total = c?.samples ?? 0;
  return {
    id: dataset.id,
    name: dataset.name,
    description: dataset.description,
    createdAt: dataset.createdAt.toISOString(),
    updatedAt: dataset.updatedAt.toISOString(),
    sampleCount: total,
    unlabelled,
    splits: c?.splits ?? emptySplits(),
    classes: classViews,
    cacheCoverage: await cacheCoverage(prisma, id, total),
    warnings: datasetWarnings(classViews),
  };
}
