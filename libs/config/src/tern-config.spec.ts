import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadTernConfig } from './index';

const root = path.resolve(__dirname, '../../..');
const valid = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/tern', KAFKA_BROKERS: 'a:9092, b:9093' };

function parseDotenv(file: string): NodeJS.ProcessEnv {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('config validation', () => {
  it('parses a complete environment into a typed, nested config with defaults', () => {
    const config = loadTernConfig(valid);
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(config.kafka.clientId).toBe('tern');
    expect(config.logLevel).toBe('info');
    expect(config.ml).toEqual({});
    expect(loadTernConfig({ ...valid, TERN_TF_BACKEND: 'wasm', TERN_WASM_THREADS: '2' }).ml).toEqual({ backend: 'wasm', wasmThreads: 2 });
  });

  it('accepts .env.example as it is committed', () => {
    const config = loadTernConfig(parseDotenv(path.join(root, '.env.example')));
    expect(config.database.url).toContain('127.0.0.1:55432');
  });

  it('names every missing or malformed variable at once, without printing secrets', () => {
    try {
      loadTernConfig({ KAFKA_BROKERS: 'localhost', TERN_LOG_LEVEL: 'loud', TERN_TF_BACKEND: 'tpu', TERN_WASM_THREADS: '0' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toMatch(/DATABASE_URL is missing/);
      expect(message).toMatch(/KAFKA_BROKERS is invalid \(got "localhost"\): each broker must be host:port/);
      expect(message).toMatch(/TERN_LOG_LEVEL is invalid/);
      expect(message).toMatch(/TERN_TF_BACKEND is invalid/);
      expect(message).toMatch(/TERN_WASM_THREADS is invalid \(got "0"\)/);
    }
    expect(() => loadTernConfig({ ...valid, DATABASE_URL: 'mysql://root:hunter2@db/x' })).toThrow(/got "mysql:\/\/root:\*\*\*@db\/x"/);
  });

  it('stops a booting process with status 78 and a message naming the variable', () => {
    const boot = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(__dirname, '../test/fixtures/boot.ts')], {
        cwd: root,
        env: { PATH: process.env['PATH'], ...env },
        encoding: 'utf8',
      });
    const missing = boot({ KAFKA_BROKERS: 'a:1' });
    expect(missing.status).toBe(78);
    expect(missing.stderr).toMatch(/\[boot-fixture\] Invalid configuration:\n {2}- DATABASE_URL is missing/);

    const malformed = boot({ ...valid, KAFKA_BROKERS: 'a:notaport' });
    expect(malformed.status).toBe(78);
    expect(malformed.stderr).toMatch(/KAFKA_BROKERS is invalid/);

    const ok = boot(valid);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('booted with 2 broker(s)');
  }, 30_000);
});
