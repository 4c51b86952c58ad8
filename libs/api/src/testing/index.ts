import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tern/config';
import type { ApiScope } from '@tern/contracts';
import type { KafkaSettings } from '@tern/messaging';
import { loadApiConfig, type ApiConfig } from '../api-config';
import { startApi, type RunningApi } from '../api-app';
import { createApiToken } from '../auth/tokens';

/** The real api (HTTP + gRPC on free ports) on the test infrastructure and the harness's topics. */
export async function startTestApi(databaseUrl: string, kafka: KafkaSettings, overrides: (c: ApiConfig) => ApiConfig = (c) => c): Promise<RunningApi> {
  const base = loadApiConfig({ DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: kafka.topicPrefix ?? '', TERN_API_PORT: '1', TERN_GRPC_PORT: '1', TERN_TF_BACKEND: 'wasm', TERN_ARTIFACT_DIR: '.tern-data/test-artifacts', TERN_SAMPLE_DIR: mkdtempSync(path.join(tmpdir(), 'tern-samples-')) });
  const config = overrides({ ...base, http: { ...base.http, port: 0 }, grpc: { ...base.grpc, port: 0 } });
  return startApi(config, silentLogger);
}

export async function tokenWith(api: RunningApi, ...scopes: ApiScope[]): Promise<string> {
  return (await createApiToken(api.ctx.prisma, `test-${scopes.join('-')}`, scopes)).token;
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a Server-Sent Events response until the stream ends or `until` says stop. */
export async function readSse(url: string, token: string, until: (e: SseEvent) => boolean, timeoutMs: number): Promise<SseEvent[]> {
  const abort = AbortSignal.timeout(timeoutMs);
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: abort });
  if (!response.ok || !response.body) throw new Error(`SSE ${url}: HTTP ${response.status} ${await response.text()}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      const parsed = { event, data: data ? JSON.parse(data) : null };
      events.push(parsed);
      if (until(parsed)) return events;
    }
  }
  return events;
}
