import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@tern/config';
import { loadApiConfig } from './api-config';

const root = path.resolve(__dirname, '../../..');
const dotenv = (file: string) =>
  Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
      .filter(([, v]) => v !== ''),
  );

describe('api configuration', () => {
  it('accepts .env.example and derives limits in bytes', () => {
    const config = loadApiConfig(dotenv(path.join(root, '.env.example')));
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.grpc.port).toBe(50051);
    expect(config.uploads.maxFileBytes).toBe(20 * 1024 * 1024);
    expect(config.sampleDir).toBe(path.resolve('.tern-data/samples'));
  });

  it('names each malformed api variable', () => {
    const env = { DATABASE_URL: 'postgresql://u:p@h:5432/db', KAFKA_BROKERS: 'h:9092', TERN_API_PORT: 'http', TERN_UPLOAD_MAX_FILES: '-3' };
    expect(() => loadApiConfig(env)).toThrow(ConfigError);
    expect(() => loadApiConfig(env)).toThrow(/TERN_API_PORT[\s\S]*TERN_UPLOAD_MAX_FILES|TERN_UPLOAD_MAX_FILES[\s\S]*TERN_API_PORT/);
  });
});
