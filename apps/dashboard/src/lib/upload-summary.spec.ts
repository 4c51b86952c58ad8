import { friendlyError } from './friendly-errors';
import { isArchive, summarizeUpload } from './upload-summary';

describe('upload report and error wording', () => {
  it('summarises an upload with problems first', () => {
    const s = summarizeUpload({
      accepted: [{ sampleId: '00000000-0000-4000-8000-000000000001', name: 'a.png', label: 'cat', contentHash: 'x' }],
      duplicates: [{ name: 'b.png', existingSampleId: null, reason: 'same image as a.png in this upload' }],
      rejected: [{ name: 'c.png', reason: 'not a readable image' }],
    });
    expect(s.headline).toBe('1 image added, 1 duplicate skipped, 1 rejected');
    expect(s.tone).toBe('warn');
    expect(s.rows.map((r) => r.outcome)).toEqual(['rejected', 'duplicate', 'added']);
    expect(summarizeUpload({ accepted: [], duplicates: [], rejected: [{ name: 'x', reason: 'y' }] }).tone).toBe('error');
    expect([isArchive('pets.tar.gz'), isArchive('pets.zip'), isArchive('pets.png')]).toEqual([true, true, false]);
  });

  it('turns statuses into sentences a person can act on', () => {
    expect(friendlyError(0, '')).toMatch(/cannot reach the Tern api/);
    expect(friendlyError(403, 'this token lacks the "write" scope')).toMatch(/not allowed to do this \(this token lacks the "write" scope\)\. Ask an admin/);
    expect(friendlyError(413, 'file is too big')).toMatch(/too large/);
    expect(friendlyError(500, 'boom')).toMatch(/HTTP 500/);
  });
});
