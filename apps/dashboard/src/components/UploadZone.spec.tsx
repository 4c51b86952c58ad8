/** @jest-environment jsdom */
import { act, fireEvent, render, screen } from '@testing-library/react';
import { ApiProblem } from '@/lib/api-client';
import { uploadSamples } from '@/lib/upload';
import { UploadZone } from './UploadZone';

jest.mock('@/lib/upload', () => ({ uploadSamples: jest.fn() }));
const upload = uploadSamples as jest.MockedFunction<typeof uploadSamples>;
const id = '00000000-0000-4000-8000-00000000000a';

describe('UploadZone', () => {
  it('sends the chosen files with the label, then lists what was added and what was rejected and why', async () => {
    upload.mockResolvedValue({ accepted: [{ sampleId: '00000000-0000-4000-8000-000000000001', name: 'a.png', label: 'cat', contentHash: 'h' }], duplicates: [], rejected: [{ name: 'notes.png', reason: 'not a readable image' }] });
    const onUploaded = jest.fn();
    render(<UploadZone datasetId={id} onUploaded={onUploaded} />);
    fireEvent.change(screen.getByLabelText('Label for loose images'), { target: { value: 'cat' } });
    const files = [new File(['x'], 'a.png', { type: 'image/png' }), new File(['y'], 'notes.png')];
    await act(async () => {
      fireEvent.change(screen.getByTestId('file-input'), { target: { files } });
    });
    expect(upload).toHaveBeenCalledWith(id, files, expect.objectContaining({ label: 'cat' }));
    expect(onUploaded).toHaveBeenCalled();
    expect(screen.getByTestId('upload-report').textContent).toContain('1 image added, 1 rejected');
    expect(screen.getByRole('row', { name: /notes\.png rejected not a readable image/ })).toBeTruthy();
  });

  it('shows the api’s refusal in words, with the per-file reasons when nothing was accepted', async () => {
    upload.mockRejectedValue(new ApiProblem(422, 'Tern could not accept this (no image accepted).', 'no image accepted', { accepted: [], duplicates: [], rejected: [{ name: 'x.png', reason: 'file is empty' }] }));
    render(<UploadZone datasetId={id} onUploaded={jest.fn()} />);
    await act(async () => {
      fireEvent.change(screen.getByTestId('file-input'), { target: { files: [new File([''], 'x.png')] } });
    });
    expect(screen.getByRole('alert').textContent).toContain('Tern could not accept this');
    expect(screen.getByRole('row', { name: /x\.png rejected file is empty/ })).toBeTruthy();
  });
});
