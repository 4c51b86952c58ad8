import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Everything an embedding depends on besides the image itself. */
export interface EmbeddingKey {
  baseModelId: string;
  baseModelVersion: string;
  layer: string;
  preprocessing: string;
}

/**
 * Where computed embeddings live, keyed by (base, version, layer, preprocessing, image hash).
 * Services implement it on Postgres; the CLI uses LocalEmbeddingStore; tests use the memory one.
 */
export interface EmbeddingStore {
  /** Returns the vectors found, by content hash. Missing hashes are simply absent. */
  getMany(key: EmbeddingKey, contentHashes: readonly string[]): Promise<Map<string, Float32Array>>;
  /** Stores vectors; an existing entry for the same key and hash is kept, never overwritten. */
  putMany(key: EmbeddingKey, entries: readonly { contentHash: string; vector: Float32Array }[]): Promise<void>;
}

export function keyString(key: EmbeddingKey): string {
  return `${key.baseModelId}@${key.baseModelVersion}/${key.layer}/${key.preprocessing}`;
}

export class InMemoryEmbeddingStore implements EmbeddingStore {
  protected readonly entries = new Map<string, Map<string, Float32Array>>();
  async getMany(key: EmbeddingKey, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const bucket = this.entries.get(keyString(key));
    const found = new Map<string, Float32Array>();
    if (!bucket) return found;
    for (const h of hashes) {
      const v = bucket.get(h);
      if (v) found.set(h, v);
    }
    return found;
  }
  async putMany(key: EmbeddingKey, entries: readonly { contentHash: string; vector: Float32Array }[]): Promise<void> {
    const k = keyString(key);
    const bucket = this.entries.get(k) ?? new Map<string, Float32Array>();
    this.entries.set(k, bucket);
    for (const e of entries) if (!bucket.has(e.contentHash)) bucket.set(e.contentHash, e.vector);
  }
  size(): number {
    let n = 0;
    for (const b of this.entries.values()) n += b.size;
    return n;
  }
}

/**
 * An append-only file per key under `dir`: each record is a 64-char hex hash, a uint32
 * dimension and float32 values. Survives across CLI runs; a torn last record is ignored.
 */
export class LocalEmbeddingStore extends InMemoryEmbeddingStore {
  private readonly loaded = new Set<string>();

  constructor(private readonly dir: string) {
    super();
  }

  private fileOf(key: EmbeddingKey): string {
    return path.join(this.dir, `${keyString(key).replace(/[^a-zA-Z0-9_.@-]+/g, '_')}.bin`);
  }

  private load(key: EmbeddingKey): void {
    const k = keyString(key);
    if (this.loaded.has(k)) return;
    this.loaded.add(k);
    const file = this.fileOf(key);
    if (!existsSync(file)) return;
    const bytes = readFileSync(file);
    const records: { contentHash: string; vector: Float32Array }[] = [];
    for (let offset = 0; offset + 68 <= bytes.length; ) {
      const contentHash = bytes.toString('latin1', offset, offset + 64);
      const dim = bytes.readUInt32LE(offset + 64);
      const end = offset + 68 + dim * 4;
      if (end > bytes.length || !/^[0-9a-f]{64}$/.test(contentHash)) break;
      const vector = new Float32Array(dim);
      for (let i = 0; i < dim; i++) vector[i] = bytes.readFloatLE(offset + 68 + i * 4);
      records.push({ contentHash, vector });
      offset = end;
    }
    void super.putMany(key, records);
  }

  override async getMany(key: EmbeddingKey, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    this.load(key);
    return super.getMany(key, hashes);
  }

  override async putMany(key: EmbeddingKey, entries: readonly { contentHash: string; vector: Float32Array }[]): Promise<void> {
    this.load(key);
    const existing = await super.getMany(key, entries.map((e) => e.contentHash));
    const fresh = entries.filter((e) => !existing.has(e.contentHash));
    if (fresh.length === 0) return;
    mkdirSync(this.dir, { recursive: true });
    const chunks = fresh.map((e) => {
      const b = Buffer.alloc(68 + e.vector.length * 4);
      b.write(e.contentHash, 0, 'latin1');
      b.writeUInt32LE(e.vector.length, 64);
      e.vector.forEach((v, i) => b.writeFloatLE(v, 68 + i * 4));
      return b;
    });
    appendFileSync(this.fileOf(key), Buffer.concat(chunks));
    await super.putMany(key, fresh);
  }
}
