import { gzipSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { pack } from 'tar-stream';
import { ArchiveError, archiveKind, safeEntryPath, unpackArchive } from './archive';
import { labelArchiveEntries, parseLabelCsv } from './labelled-files';

const limits = { maxEntries: 100, maxUnpackedBytes: 1_000_000, maxEntryBytes: 500_000 };

async function tarOf(entries: { name: string; body?: string; type?: 'file' | 'symlink'; linkname?: string }[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? 'file', ...(e.linkname ? { linkname: e.linkname } : {}) }, e.body ?? '');
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('archives from uploads: layouts, path traversal and bombs', () => {
  it('unpacks zip, tar and tar.gz in folder-per-class layout, skipping hidden files and a wrapping folder', async () => {
    const zip = zipSync({ 'pets/cats/a.png': strToU8('A'), 'pets/dogs/b.png': strToU8('B'), 'pets/.DS_Store': strToU8('x'), '__MACOSX/pets/._a.png': strToU8('x') });
    expect(archiveKind(zip)).toBe('zip');
    const fromZip = labelArchiveEntries(await unpackArchive(zip, 'pets.zip', limits));
    expect(fromZip.map((e) => [e.name, e.label])).toEqual([['pets/cats/a.png', 'cats'], ['pets/dogs/b.png', 'dogs']]);
    const tar = await tarOf([{ name: 'cats/a.png', body: 'A' }, { name: 'dogs/b.png', body: 'B' }]);
    expect(archiveKind(tar)).toBe('tar');
    expect(labelArchiveEntries(await unpackArchive(tar, 'x.tar', limits)).map((e) => e.label)).toEqual(['cats', 'dogs']);
    const tgz = gzipSync(tar);
    expect(archiveKind(tgz)).toBe('tgz');
    expect((await unpackArchive(tgz, 'x.tgz', limits)).map((e) => e.path)).toEqual(['cats/a.png', 'dogs/b.png']);
  });

  it('labels a flat archive with a filename,label CSV and reports a malformed CSV line', () => {
    const csv = parseLabelCsv('filename,label\na.png,cats\n"b.png","dogs"\n');
    const entries = labelArchiveEntries([{ path: 'a.png', bytes: new Uint8Array(1) }, { path: 'imgs/b.png', bytes: new Uint8Array(1) }, { path: 'c.png', bytes: new Uint8Array(1) }], csv);
    expect(entries.map((e) => e.label)).toEqual(['cats', 'dogs', null]);
    expect(() => parseLabelCsv('a.png,cats\nb.png\n')).toThrow(/line 2: expected "filename,label"/);
  });

  it.each([['../evil.png'], ['cats/../../evil.png'], ['/etc/passwd'], ['C:/windows/x.png'], ['cats\\..\\x.png']])('rejects the unsafe entry path %s', (name) => {
    expect(() => safeEntryPath(name)).toThrow(ArchiveError);
  });

  it('rejects a zip with a traversal entry, naming it', async () => {
    const zip = zipSync({ 'cats/a.png': strToU8('A'), '../../etc/cron.d/x': strToU8('B') });
    await expect(unpackArchive(zip, 'bad.zip', limits)).rejects.toThrow(/"\.\.\/\.\.\/etc\/cron\.d\/x" points outside the archive/);
  });

  it('rejects a tar with a traversal entry or a symlink', async () => {
    await expect(unpackArchive(await tarOf([{ name: '../x.png', body: 'A' }]), 'bad.tar', limits)).rejects.toThrow(/points outside/);
    await expect(unpackArchive(await tarOf([{ name: 'cats/link.png', type: 'symlink', linkname: '/etc/passwd' }]), 'bad.tar', limits)).rejects.toThrow(/is a link/);
  });

  it('rejects zip bombs by compression ratio and by total size, and gzip bombs by output size', async () => {
    const zeros = new Uint8Array(400_000);
    await expect(unpackArchive(zipSync({ 'cats/a.png': zeros }, { level: 9 }), 'bomb.zip', limits)).rejects.toThrow(/expands \d+× \(a zip bomb\?\)/);
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`cats/${i}.png`, zeros]));
    await expect(unpackArchive(zipSync(many, { level: 0 }), 'big.zip', { ...limits, maxUnpackedBytes: 1_500_000 })).rejects.toThrow(/unpacks to more than 1500000 bytes/);
    const tar = await tarOf([{ name: 'cats/a.png', body: 'x'.repeat(300_000) }, { name: 'cats/b.png', body: 'y'.repeat(300_000) }]);
    await expect(unpackArchive(gzipSync(tar), 'bomb.tgz', { ...limits, maxUnpackedBytes: 100_000 })).rejects.toThrow(/unpacks to more than 100000 bytes/);
  });

  it('rejects what is not an archive, and too many entries', async () => {
    await expect(unpackArchive(strToU8('just text'), 'notes.zip', limits)).rejects.toThrow(/notes.zip is not a zip, tar or tar.gz archive/);
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`cats/${i}.png`, strToU8('A')]));
    await expect(unpackArchive(zipSync(many), 'many.zip', { ...limits, maxEntries: 3 })).rejects.toThrow(/more than 3 entries/);
  });
});
