import { z } from 'zod';
import { envTypes } from './env-types';
import { parseEnv } from './load-config';

/** Variables every Tern process reads. Services add their own on top (see extendConfig). */
export const coreEnvShape = {
  DATABASE_URL: envTypes.postgresUrl,
  KAFKA_BROKERS: envTypes.brokerList,
  KAFKA_CLIENT_ID: envTypes.nonEmpty.default('tern'),
  /** Prepended to every topic: several environments (or test runs) on one cluster. */
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, . _ - only').default(''),
  TERN_LOG_LEVEL: envTypes.logLevel.default('info'),
  TERN_ARTIFACT_DIR: envTypes.nonEmpty.default('.tern-data/artifacts'),
  TERN_TF_BACKEND: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).optional(),
  /** Threads of the wasm backend; every core when unset. Set it to the CPU limit in containers. */
  TERN_WASM_THREADS: z.coerce.number().int('a whole number').min(1).max(8).optional(),
};

export interface TernConfig {
  database: { url: string };
  kafka: { brokers: string[]; clientId: string; topicPrefix: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  artifacts: { dir: string };
  ml: { backend?: 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu'; wasmThreads?: number };
}

export function loadTernConfig(env: NodeJS.ProcessEnv = process.env): TernConfig {
  const e = parseEnv(coreEnvShape, env);
  return {
    database: { url: e.DATABASE_URL },
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID, topicPrefix: e.KAFKA_TOPIC_PREFIX },
    logLevel: e.TERN_LOG_LEVEL,
    artifacts: { dir: e.TERN_ARTIFACT_DIR },
    ml: { ...(e.TERN_TF_BACKEND ? { backend: e.TERN_TF_BACKEND } : {}), ...(e.TERN_WASM_THREADS ? { wasmThreads: e.TERN_WASM_THREADS } : {}) },
  };
}
