import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningApi } from '@tern/api';
import { startTestApi, tokenWith } from '@tern/api/testing';
import { allTopics } from '@tern/contracts';
import { testDatabaseUrl } from '@tern/db/testing';
import { eventually } from '@tern/messaging/testing';
import { emojiSubset } from '@tern/ml/testing';
import { freePort, startHarness, type Harness } from '@tern/pipeline/testing';

const root = path.resolve(__dirname, '../../..');
const shots = path.join(root, 'test-artifacts/dashboard');
const chromiumPath = process.env['TERN_CHROMIUM'] ?? '/usr/bin/chromium';

/** Builds (unless test.sh just did) and starts the dashboard with `next start`, pointed at the api. */
async function startDashboard(apiUrl: string): Promise<{ url: string; child: ChildProcess }> {
  if (process.env['TERN_DASHBOARD_PREBUILT'] !== '1') {
    const build = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build', 'apps/dashboard'], { cwd: root, encoding: 'utf8', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    if (build.status !== 0) throw new Error(`next build failed:\n${build.stdout}\n${build.stderr}`);
  }
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'start', 'apps/dashboard', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, TERN_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/login`).catch(() => undefined))?.ok === true, 60_000, 'the dashboard to serve');
  return { url, child };
}

describe('dashboard in Chromium against the running system (real api, Postgres, Kafka, workers)', () => {
  let h: Harness;
  let api: RunningApi;
  let dashboard: { url: string; child: ChildProcess };
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const flags = emojiSubset(['Flags'], 14, 8).items;
  const animals = emojiSubset(['Animals & Nature'], 14, 8).items;

  const shot = async (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  /** A failing step leaves a screenshot of what the page showed. */
  const step = async (name: string, body: () => Promise<void>) => {
    try {
      await body();
    } catch (error) {
      await shot(`failed-${name}`).catch(() => undefined);
      throw error;
    }
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    h = await startHarness(allTopics, []);
    for (const app of ['feature-extractor', 'head-trainer', 'pipeline-orchestrator']) h.startWorker(app, `${app}-ui`);
    api = await startTestApi(testDatabaseUrl(), h.settings);
    dashboard = await startDashboard(api.httpUrl);
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    dashboard?.child.kill('SIGTERM');
    await api?.close();
    await h?.close();
  });

  it('signs in, creates a dataset, uploads images and an archive, trains with live curves, shows the confusion matrix, and predicts', async () => {
    // Sign in: a wrong token is refused in words, a real one gets in.
    await page.goto(`${dashboard.url}/datasets`);
    await page.waitForURL(/\/login/);
    await page.getByLabel('API token').fill('tern_this-token-does-not-exist-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown or revoked' }).waitFor();
    await shot('01-login');
    await page.getByLabel('API token').fill(await tokenWith(api, 'write'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    // The refused sign-in above logged its 401 response; from here on, no console error at all.
    expect(problems.every((p) => p.includes('401'))).toBe(true);
    problems.length = 0;

    const name = `ui-${Date.now()}`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Create dataset' }).click();
    await page.getByRole('heading', { name }).waitFor();

    // Loose files with a label, plus one file that is not an image: the report says which and why.
    const dir = mkdtempSync(path.join(tmpdir(), 'tern-ui-'));
    writeFileSync(path.join(dir, 'notes.png'), 'this is text, not a PNG');
    await page.getByLabel('Label for loose images').fill('flag');
    await page.getByTestId('file-input').setInputFiles([...flags.map((i) => i.source.id), path.join(dir, 'notes.png')]);
    await page.getByTestId('upload-report').filter({ hasText: '14 images added, 1 rejected' }).waitFor();
    await page.getByRole('row', { name: /notes\.png rejected/ }).waitFor();
    // A folder-per-class archive.
    const zip = path.join(dir, 'animals.zip');
    writeFileSync(zip, zipSync(Object.fromEntries(animals.map((i) => [`animal/${path.basename(i.source.id)}`, new Uint8Array(readFileSync(i.source.id))]))));
    await page.getByLabel('Label for loose images').fill('');
    await page.getByTestId('file-input').setInputFiles(zip);
    await page.getByTestId('upload-report').filter({ hasText: '14 images added' }).waitFor();
    await page.getByRole('button', { name: /Split automatically/ }).click();
    await page.getByRole('status').filter({ hasText: /Split: \d+ train/ }).waitFor();
    await page.getByTestId('class-balance').waitFor();
    await page.getByRole('img', { name: /^(flag|animal): / }).first().waitFor(); // the image grid
    await shot('02-dataset');

    // Train: defaults shown, fewer epochs; the run page streams progress and curves.
    await page.getByRole('link', { name: 'Train a model' }).click();
    await page.getByRole('heading', { name: 'Train a model' }).waitFor();
    await page.getByLabel('Epochs (at most)').fill('20');
    await shot('03-train');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.waitForURL(/\/jobs\//);
    await page.getByTestId('curves-head').waitFor({ timeout: 180_000 });
    await page.getByTestId('run-status').filter({ hasText: 'succeeded' }).waitFor({ timeout: 180_000 });
    await shot('04-run');

    // The model: per-class table and confusion heatmap; then the versions list.
    await page.getByRole('link', { name: 'Open the model' }).click();
    await page.getByTestId('confusion-matrix').waitFor();
    expect(await page.getByRole('img', { name: /Confusion matrix of 2 classes/ }).count()).toBe(1);
    expect(await page.locator('table').filter({ hasText: 'Precision' }).locator('tbody tr').count()).toBe(2);
    await shot('05-model');
    // A second version (trained through the api directly), then compare the two and move the alias.
    const datasetId = new URL(await page.getByRole('link', { name: 'All versions of this dataset' }).getAttribute('href') ?? '', dashboard.url).pathname.split('/')[2]!;
    const second = await fetch(`${api.httpUrl}/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${await tokenWith(api, 'write')}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'head_training', datasetId, baseModelId: 'mobilenet_v2_mid', params: { epochs: 5, hiddenUnits: [], seed: 3 } }) });
    expect(second.status).toBe(202);
    const secondId = ((await second.json()) as { id: string }).id;
    await eventually(async () => (await api.ctx.prisma.job.findUnique({ where: { id: secondId } }))?.status === 'succeeded', 120_000, 'the second version');
    await page.getByRole('link', { name: 'All versions of this dataset' }).click();
    await page.getByRole('cell', { name: /v1.*production/ }).waitFor();
    await page.getByRole('checkbox', { name: 'Compare v1' }).check();
    await page.getByRole('checkbox', { name: 'Compare v2' }).check();
    await page.getByTestId('comparison').getByTestId('confusion-matrix').nth(1).waitFor();
    await page.getByRole('row', { name: /v2/ }).getByRole('button', { name: 'Make production' }).click();
    await page.getByRole('cell', { name: /v2.*production/ }).waitFor();
    await page.getByTestId('comparison').getByRole('heading', { name: /v2.*production/ }).waitFor();
    await shot('06-models');

    // Try it: the production model classifies a held-out flag.
    await step('predict', async () => {
      await page.getByRole('link', { name: 'Try it' }).click();
      // The model list loads first: our dataset's production model is the default choice.
      await page.getByLabel('Model').filter({ hasText: `${name}: production model` }).waitFor();
      await page.getByTestId('predict-input').setInputFiles(emojiSubset(['Flags'], 40, 99).items.at(-1)!.source.id);
      await page.getByTestId('prediction').filter({ hasText: 'says' }).waitFor({ timeout: 60_000 });
      await shot('07-predict');
    });

    expect(problems).toEqual([]);
  }, 420_000);

  it('works at a phone width, every control has an accessible name, and a broken page says so in words', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [route, file] of [['/datasets', '08-narrow-datasets'], ['/jobs', '09-narrow-runs']] as const) {
      await page.goto(`${dashboard.url}${route}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect([route, overflow]).toEqual([route, expect.any(Number)]);
      expect(overflow).toBeLessThanOrEqual(1);
      await shot(file);
    }
    await page.goto(`${dashboard.url}/datasets`);
    await page.getByRole('link', { name: /^ui-/ }).first().click();
    await page.getByTestId('class-balance').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(1);
    await shot('10-narrow-dataset');
    // Runs in the page: controls without a label, aria-label, text or image alt.
    const unnamed = await page.evaluate<string[]>(`[...document.querySelectorAll('button, input:not([type=hidden]), select, a[href]')]
      .filter((el) => !el.hidden)
      .filter((el) => !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.labels?.length || el.textContent?.trim() || el.querySelector('img[alt]')))
      .map((el) => el.outerHTML.slice(0, 80))`);
    expect(unnamed).toEqual([]);
    // Keyboard: on a freshly loaded page the first Tab reaches the skip link.
    await page.goto(`${dashboard.url}/jobs`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe('Skip to content');
    // An unknown dataset: an explanation, not a blank page.
    await page.goto(`${dashboard.url}/datasets/00000000-0000-4000-8000-000000000000`);
    await page.getByRole('alert').filter({ hasText: 'no longer exists' }).waitFor();
    await shot('11-not-found');
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
  }, 120_000);
});
