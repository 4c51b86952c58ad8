import path from 'node:path';
import { coreEnvShape, envTypes, loadTernConfig, parseEnv, type TernConfig } from '@tern/config';

export interface ApiConfig extends TernConfig {
  http: { host: string; port: number };
  grpc: { host: string; port: number };
  /** Content-addressed image files; workers read them through file:// URIs (a shared volume in k8s). */
  sampleDir: string;
  uploads: { maxFileBytes: number; maxFiles: number; maxArchiveBytes: number; maxArchiveEntries: number; maxUnpackedBytes: number };
  predict: { requestsPerMinute: number; cachedModels: number };
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const e = parseEnv(
    {
      ...coreEnvShape,
      TERN_API_HOST: envTypes.nonEmpty.default('127.0.0.1'),
      TERN_API_PORT: envTypes.port.default(8080),
      TERN_GRPC_HOST: envTypes.nonEmpty.default('127.0.0.1'),
      TERN_GRPC_PORT: envTypes.port.default(50051),
      TERN_SAMPLE_DIR: envTypes.nonEmpty.optional(),
      TERN_UPLOAD_MAX_FILE_MB: envTypes.positiveInt.default(20),
      TERN_UPLOAD_MAX_FILES: envTypes.positiveInt.default(1000),
      TERN_UPLOAD_MAX_ARCHIVE_MB: envTypes.positiveInt.default(200),
      TERN_UPLOAD_MAX_ARCHIVE_ENTRIES: envTypes.positiveInt.default(20000),
      TERN_UPLOAD_MAX_UNPACKED_MB: envTypes.positiveInt.default(1000),
      TERN_PREDICT_RATE_PER_MINUTE: envTypes.positiveInt.default(600),
      TERN_PREDICT_CACHED_MODELS: envTypes.positiveInt.default(4),
    },
    env,
  );
  const core = loadTernConfig(env);
  const mb = 1024 * 1024;
  return {
    ...core,
    http: { host: e.TERN_API_HOST, port: e.TERN_API_PORT },
    grpc: { host: e.TERN_GRPC_HOST, port: e.TERN_GRPC_PORT },
    sampleDir: path.resolve(e.TERN_SAMPLE_DIR ?? path.join(path.dirname(path.resolve(core.artifacts.dir)), 'samples')),
    uploads: {
      maxFileBytes: e.TERN_UPLOAD_MAX_FILE_MB * mb,
      maxFiles: e.TERN_UPLOAD_MAX_FILES,
      maxArchiveBytes: e.TERN_UPLOAD_MAX_ARCHIVE_MB * mb,
      maxArchiveEntries: e.TERN_UPLOAD_MAX_ARCHIVE_ENTRIES,
      maxUnpackedBytes: e.TERN_UPLOAD_MAX_UNPACKED_MB * mb,
    },
    predict: { requestsPerMinute: e.TERN_PREDICT_RATE_PER_MINUTE, cachedModels: e.TERN_PREDICT_CACHED_MODELS },
  };
}
