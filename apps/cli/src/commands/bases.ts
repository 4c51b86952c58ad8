import { bundledBaseModels } from '@tern/ml';

export function basesCommand(out: NodeJS.WritableStream = process.stdout): void {
  for (const b of bundledBaseModels) {
    out.write(`${b.id} (${b.displayName}, ${b.inputSize.width}×${b.inputSize.height}, ${b.format}${b.fineTunable ? ', fine-tunable' : ''})\n`);
    for (const l of b.layers) out.write(`  --layer ${l.id.padEnd(16)} ${String(l.size).padStart(5)}-d  ${l.description}${l.id === b.defaultLayer ? ' [default]' : ''}\n`);
  }
  out.write(`\nAll bundled bases: ${bundledBaseModels[0]!.provenance}\n`);
}
