import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import multer from 'multer';

export interface UploadedPart {
  fieldname: string;
  originalname: string;
  buffer: Buffer;
  size: number;
}

export interface MultipartResult {
  files: Record<string, UploadedPart[]>;
  fields: Record<string, string>;
}

type Req = Parameters<ReturnType<ReturnType<typeof multer>['any']>>[0];
type Res = Parameters<ReturnType<ReturnType<typeof multer>['any']>>[1];

/**
 * Reads a multipart body into memory within limits, accepting only the named file fields.
 * Limit breaches are 413s and unknown fields 400s, each naming the field or limit.
 */
export function readMultipart(req: unknown, res: unknown, opts: { fileFields: Record<string, number>; maxFileBytes: number; maxFiles: number }): Promise<MultipartResult> {
  const contentType = String((req as { headers: Record<string, string> }).headers['content-type'] ?? '');
  if (!contentType.startsWith('multipart/form-data')) return Promise.reject(new HttpException(`expected multipart/form-data, got ${contentType || 'no content type'}`, HttpStatus.UNSUPPORTED_MEDIA_TYPE));
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: opts.maxFileBytes, files: opts.maxFiles, fields: 50, fieldSize: 1024 * 1024 } }).fields(Object.entries(opts.fileFields).map(([name, maxCount]) => ({ name, maxCount })));
  return new Promise((resolve, reject) => {
    upload(req as Req, res as Res, (error: unknown) => {
      if (error) {
        const e = error as { code?: string; field?: string; message: string };
        if (e.code === 'LIMIT_FILE_SIZE') return reject(new HttpException(`file in field "${e.field}" is over the ${opts.maxFileBytes}-byte limit`, HttpStatus.PAYLOAD_TOO_LARGE));
        if (e.code === 'LIMIT_FILE_COUNT') return reject(new HttpException(`more than ${opts.maxFiles} files in one request`, HttpStatus.PAYLOAD_TOO_LARGE));
        if (e.code === 'LIMIT_UNEXPECTED_FILE') return reject(new BadRequestException(`unexpected file field "${e.field}" (accepted: ${Object.keys(opts.fileFields).join(', ')}), or too many files in it`));
        return reject(new BadRequestException(`malformed multipart body: ${e.message}`));
      }
      const r = req as { files?: Record<string, UploadedPart[]>; body?: Record<string, string> };
      resolve({ files: r.files ?? {}, fields: { ...(r.body ?? {}) } });
    });
  });
}
