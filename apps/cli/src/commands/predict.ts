import { fileSource, initBackend, loadClassifier, parseBackendName } from '@tern/ml';

export async function predictCommand(args: { model: string; images: string[]; top: number; json: boolean; backend?: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  await initBackend(parseBackendName(args.backend ?? process.env['TERN_TF_BACKEND']));
  const classifier = await loadClassifier(args.model);
  const results = await classifier.predictImages(args.images.map(fileSource), args.top);
  classifier.dispose();
  if (args.json) out.write(`${JSON.stringify(results, null, 2)}\n`);
  else
    for (const r of results) {
      if ('error' in r) out.write(`${r.id}: error: ${r.error}\n`);
      else out.write(`${r.id}: ${r.top.map((t) => `${t.label} ${(t.probability * 100).toFixed(1)}%`).join(', ')}\n`);
    }
  return results.some((r) => 'error' in r) ? 1 : 0;
}
