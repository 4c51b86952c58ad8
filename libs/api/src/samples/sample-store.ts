import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Image files by content hash (`ab/abcdef…`). Writing is idempotent and atomic, so the same image
 * in several datasets is one file and a reader never sees half a file.
 */
export class SampleFileStore {
  constructor(readonly root: string) {}

  pathOf(contentHash: string): string {
    if (!/^[0-9a-f]{64}$/.test(contentHash)) throw new Error(`invalid content hash ${contentHash}`);
    return path.join(this.root, contentHash.slice(0, 2), contentHash);
  }

  /** Stores the bytes; returns the file:// URI and whether this call created the file. */
  put(contentHash: string, bytes: Uint8Array): { uri: string; created: boolean } {
    const target = this.pathOf(contentHash);
    if (existsSync(target)) return { uri: pathToFileURL(target).toString(), created: false };
    mkdirSync(path.dirname(target), { recursive: true });
    const staging = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    writeFileSync(staging, bytes);
    renameSync(staging, target);
    return { uri: pathToFileURL(target).toString(), created: true };
  }

  remove(contentHash: string): void {
    rmSync(this.pathOf(contentHash), { force: true });
  }
}
