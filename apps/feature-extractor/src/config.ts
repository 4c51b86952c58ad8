import os from 'node:os';
import { coreEnvShape, envTypes, loadTernConfig, parseEnv, type TernConfig } from '@tern/config';

export interface ExtractorConfig extends TernConfig {
  workerId: string;
  leaseMs: number;
}

export function loadExtractorConfig(env: NodeJS.ProcessEnv = process.env): ExtractorConfig {
  const extra = parseEnv(
    { ...coreEnvShape, TERN_WORKER_ID: envTypes.nonEmpty.default(`${os.hostname()}-${process.pid}`), TERN_JOB_LEASE_MS: envTypes.positiveInt.default(60_000) },
    env,
  );
  return { ...loadTernConfig(env), workerId: extra.TERN_WORKER_ID, leaseMs: extra.TERN_JOB_LEASE_MS };
}
