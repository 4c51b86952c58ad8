import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where model artifacts live. The local-directory store is the default; an S3-compatible one
 * implements the same three calls.
 */
export interface ArtifactStore {
  /** Copies the directory `localDir` under `key`; returns its URI. */
  put(key: string, localDir: string): Promise<string>;
  /** A local directory holding the artifact at `uri` (downloaded if remote). */
  localPath(uri: string): Promise<string>;
  remove(uri: string): Promise<void>;
}

export class LocalDirectoryArtifactStore implements ArtifactStore {
  constructor(private readonly root: string) {}

  async put(key: string, localDir: string): Promise<string> {
    if (!/^[a-zA-Z0-9/_.-]+$/.test(key) || key.includes('..')) throw new Error(`invalid artifact key ${key}`);
    const target = path.resolve(this.root, key);
    mkdirSync(path.dirname(target), { recursive: true });
    // Copy to a temporary name, then rename: a reader never sees half an artifact.
    const staging = `${target}.tmp-${process.pid}`;
    cpSync(localDir, staging, { recursive: true });
    rmSync(target, { recursive: true, force: true });
    cpSync(staging, target, { recursive: true });
    rmSync(staging, { recursive: true, force: true });
    return pathToFileURL(target).toString();
  }

  async localPath(uri: string): Promise<string> {
    const dir = fileURLToPath(uri);
    if (!existsSync(dir)) throw new Error(`artifact ${uri} is missing`);
    return dir;
  }

  async remove(uri: string): Promise<void> {
    rmSync(fileURLToPath(uri), { recursive: true, force: true });
  }
}
