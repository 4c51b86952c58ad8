'use client';
import { uploadReportSchema, type UploadReport } from '@tern/contracts';
import { ApiProblem, apiBase, problemFrom } from './api-client';
import { friendlyError } from './friendly-errors';
import { isArchive, isCsv } from './upload-summary';

/**
 * Uploads files (images, at most one archive, one CSV) with progress. XMLHttpRequest, because
 * fetch cannot report upload progress. Files from folders keep their relative path as the name.
 */
export function uploadSamples(datasetId: string, files: File[], opts: { label?: string; onProgress: (fraction: number) => void }): Promise<UploadReport> {
  const form = new FormData();
  if (opts.label) form.append('label', opts.label);
  for (const file of files) {
    const name = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
    form.append(isArchive(file.name) ? 'archive' : isCsv(file.name) ? 'csv' : 'files', file, name);
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${apiBase}/v1/datasets/${datasetId}/samples`);
    xhr.upload.onprogress = (e) => e.lengthComputable && opts.onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiProblem(0, friendlyError(0, '')));
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve(uploadReportSchema.parse(JSON.parse(xhr.responseText)));
      reject(problemFrom(xhr.status, xhr.responseText));
    };
    xhr.send(form);
  });
}
