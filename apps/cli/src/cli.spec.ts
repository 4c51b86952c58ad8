import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emojiSubset } from '@tern/ml/testing';

const root = path.resolve(__dirname, '../../..');
const tern = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'apps/cli/src/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000, env: { ...process.env, TERN_TF_BACKEND: 'wasm' } });

describe('tern CLI', () => {
  it('documents every flag in --help', () => {
    const help = tern(['--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--base', '--layer', '--fine-tune', '--unfreeze', '--out', '--csv', '--dataset', '--top', '--backend']) expect(help.stdout).toContain(flag);
  });

  it('trains on a folder-per-class dataset, prints evaluation and the from-scratch comparison, writes a model that predicts', () => {
    const work = mkdtempSync(path.join(tmpdir(), 'tern-cli-'));
    const set = emojiSubset(['Flags', 'Smileys & Emotion'], 10, 5);
    for (const item of set.items) {
      const dir = path.join(work, 'data', item.label === 'Flags' ? 'flags' : 'faces');
      mkdirSync(dir, { recursive: true });
      copyFileSync(item.source.id, path.join(dir, path.basename(item.source.id)));
    }
    const out = path.join(work, 'model');
    const train = tern(['train', path.join(work, 'data'), '--epochs', '20', '--lr', '0.003', '--out', out, '--cache', path.join(work, 'cache'), '--seed', '3']);
    expect(train.stderr).not.toMatch(/^tern: /m);
    expect(train.status).toBe(0);
    expect(train.stdout).toMatch(/backend: wasm/);
    expect(train.stdout).toMatch(/embeddings: 20 computed, 0 reused from cache/);
    expect(train.stdout).toMatch(/class\s+precision\s+recall\s+F1\s+support/);
    expect(train.stdout).toMatch(/from scratch: MLP on 32×32 pixels/);
    expect(train.stdout).toMatch(/partly fine-tuned by the nsfwjs project/);
    for (const file of ['tern.json', 'head/model.json', 'head/weights.bin', 'report.html']) expect(existsSync(path.join(out, file))).toBe(true);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('confusion matrix');

    const again = tern(['train', path.join(work, 'data'), '--epochs', '2', '--no-scratch', '--out', out, '--cache', path.join(work, 'cache')]);
    expect(again.stdout).toMatch(/embeddings: 0 computed, 20 reused from cache/);

    const face = set.items.find((i) => i.label !== 'Flags')!.source.id;
    const predict = tern(['predict', out, face, '--json', '--top', '2']);
    expect(predict.status).toBe(0);
    const [result] = JSON.parse(predict.stdout) as { top: { label: string }[] }[];
    expect(result!.top).toHaveLength(2);
  }, 300_000);

  it('exits 2 with a message naming the bad flag', () => {
    const bad = tern(['train', '/tmp', '--dropout', '5']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--dropout must be from 0 to 0.9 \(got "5"\)/);
    expect(tern(['frobnicate']).stderr).toMatch(/unknown command "frobnicate"/);
  });
});
