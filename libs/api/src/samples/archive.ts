import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { extract as tarExtract } from 'tar-stream';

export interface ArchiveLimits {
  maxEntries: number;
  /** Total bytes once unpacked (zip bombs). */
  maxUnpackedBytes: number;
  maxEntryBytes: number;
}

export interface ArchiveEntry {
  /** Normalised relative path, '/'-separated. */
  path: string;
  bytes: Uint8Array;
}

/** An archive that cannot be accepted at all; the message names the entry or limit. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/** Entry names must stay inside the archive: no absolute paths, drive letters, backslashes or `..`. */
export function safeEntryPath(name: string): string {
  if (name.includes('\\') || name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.includes('\0')) throw new ArchiveError(`archive entry "${name}" has an absolute or unsafe path`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new ArchiveError(`archive entry "${name}" points outside the archive (path traversal)`);
  return parts.join('/');
}

const ignored = (p: string) => p.split('/').some((part) => part.startsWith('.') || part === '__MACOSX');

export function archiveKind(bytes: Uint8Array): 'zip' | 'tar' | 'tgz' | undefined {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'zip';
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'tgz';
  if (bytes.length > 262 && Buffer.from(bytes.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

/** Unpacks a zip, tar or tar.gz in memory within the limits; directories and hidden files are skipped. */
export async function unpackArchive(bytes: Uint8Array, name: string, limits: ArchiveLimits): Promise<ArchiveEntry[]> {
  const kind = archiveKind(bytes);
  if (kind === 'zip') return unpackZip(bytes, limits);
  if (kind === 'tgz') {
    let tar: Buffer;
    try {
      // maxOutputLength stops a gzip bomb before it fills memory.
      tar = gunzipSync(bytes, { maxOutputLength: limits.maxUnpackedBytes + 1024 * 1024 });
    } catch (error) {
      throw new ArchiveError(/maxOutputLength|Cannot create a Buffer larger/i.test(String(error)) ? `${name} unpacks to more than ${limits.maxUnpackedBytes} bytes` : `${name} is not a valid gzip file (${(error as Error).message})`);
    }
    return unpackTar(tar, limits);
  }
  if (kind === 'tar') return unpackTar(bytes, limits);
  throw new ArchiveError(`${name} is not a zip, tar or tar.gz archive`);
}

function unpackZip(bytes: Uint8Array, limits: ArchiveLimits): ArchiveEntry[] {
  let declared = 0;
  let count = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        if (file.name.endsWith('/')) return false;
        const entry = safeEntryPath(file.name);
        if (ignored(entry)) return false;
        if (++count > limits.maxEntries) throw new ArchiveError(`archive has more than ${limits.maxEntries} entries`);
        // Declared sizes are checked before inflating; real sizes again below.
        if (file.originalSize > limits.maxEntryBytes) throw new ArchiveError(`archive entry "${file.name}" is ${file.originalSize} bytes unpacked, over the ${limits.maxEntryBytes}-byte limit`);
        if (file.size > 0 && file.originalSize / file.size > 200) throw new ArchiveError(`archive entry "${file.name}" expands ${Math.round(file.originalSize / file.size)}× (a zip bomb?)`);
        declared += file.originalSize;
        if (declared > limits.maxUnpackedBytes) throw new ArchiveError(`archive unpacks to more than ${limits.maxUnpackedBytes} bytes`);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`not a valid zip archive (${(error as Error).message})`);
  }
  const entries = Object.entries(files).map(([p, data]) => ({ path: safeEntryPath(p), bytes: data }));
  const real = entries.reduce((sum, e) => sum + e.bytes.byteLength, 0);
  if (real > limits.maxUnpackedBytes) throw new ArchiveError(`archive unpacks to more than ${limits.maxUnpackedBytes} bytes`);
  return entries;
}

async function unpackTar(bytes: Uint8Array, limits: ArchiveLimits): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  let total = 0;
  const extractor = tarExtract();
  const done = new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failure: Error | undefined;
      try {
        if (header.type === 'symlink' || header.type === 'link') throw new ArchiveError(`archive entry "${header.name}" is a link; links are not accepted`);
        if (header.type === 'file') {
          safeEntryPath(header.name);
          if (entries.length + 1 > limits.maxEntries) throw new ArchiveError(`archive has more than ${limits.maxEntries} entries`);
          if ((header.size ?? 0) > limits.maxEntryBytes) throw new ArchiveError(`archive entry "${header.name}" is ${header.size} bytes, over the ${limits.maxEntryBytes}-byte limit`);
        }
      } catch (error) {
        failure = error as Error;
      }
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        size += chunk.length;
        total += chunk.length;
        if (!failure && header.type === 'file') chunks.push(chunk);
      });
      stream.on('end', () => {
        if (failure) return reject(failure);
        if (total > limits.maxUnpackedBytes) return reject(new ArchiveError(`archive unpacks to more than ${limits.maxUnpackedBytes} bytes`));
        if (header.type === 'file') {
          const p = safeEntryPath(header.name);
          if (!ignored(p)) entries.push({ path: p, bytes: new Uint8Array(Buffer.concat(chunks, size)) });
        }
        next();
      });
      stream.resume();
    });
    extractor.on('finish', resolve);
    extractor.on('error', (error: Error) => reject(error instanceof ArchiveError ? error : new ArchiveError(`not a valid tar archive (${error.message})`)));
  });
  Readable.from([Buffer.from(bytes)]).pipe(extractor);
  await done;
  return entries;
}
