import { readFileSync } from 'node:fs';
import { kernelsBinaryPath, kernelsSourcePath, renderKernelsBinary } from './assemble-kernels';

describe('SIMD kernels module', () => {
  it('is assembled from kernels.wat as committed (run `npm run wasm:kernels` after editing it)', async () => {
    expect(readFileSync(kernelsBinaryPath, 'utf8')).toBe(await renderKernelsBinary());
  });

  it('refuses a source that does not import shared memory, and names a syntax error', async () => {
    const source = readFileSync(kernelsSourcePath, 'utf8');
    await expect(renderKernelsBinary(source.replace('(memory 1 65536 shared)', '(memory 1)'))).rejects.toThrow('kernels.wat must import its memory as (memory 1 65536 shared)');
    await expect(renderKernelsBinary(source.replace('(func (export "adam")', '(func (export "adam") (oops'))).rejects.toThrow(/kernels\.wat:\d+:\d+/);
  });
});
