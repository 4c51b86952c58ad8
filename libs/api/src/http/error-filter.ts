import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from '@tern/config';
import type { ApiError } from '@tern/contracts';

const statusNames: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error' };

/** Maps errors to ApiError bodies: HttpExceptions as thrown, Prisma's not-found/conflict codes, anything else 500 (logged). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const message = typeof body === 'string' ? body : Array.isArray(fields['message']) ? (fields['message'] as string[]).join('; ') : String(fields['message'] ?? error.message);
    return { statusCode: status, error: statusNames[status] ?? 'Error', message, ...(Array.isArray(fields['issues']) ? { issues: fields['issues'] as ApiError['issues'] & object } : {}), ...(fields['details'] !== undefined ? { details: fields['details'] } : {}) };
  }
  const code = (error as { code?: string }).code;
  if (code === 'P2025') return { statusCode: 404, error: 'Not Found', message: 'not found' };
  if (code === 'P2002') return { statusCode: 409, error: 'Conflict', message: `already exists (${String((error as { meta?: { target?: unknown } }).meta?.target ?? 'unique key')})` };
  // An oversized JSON body reaches the filter as body-parser's plain error, carrying a type.
  if ((error as { type?: string }).type === 'entity.too.large') return { statusCode: 413, error: 'Payload Too Large', message: 'request body is too large' };
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, error: 'Internal Server Error', message: 'internal error (logged on the server)' };
}

@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ headersSent: boolean; setHeader(name: string, value: string): void; status(code: number): { json(body: unknown): void }; end(): void }>();
    const body = toApiError(error);
    const retryAfter = error instanceof HttpException ? (error.getResponse() as { retryAfter?: number }).retryAfter : undefined;
    if (retryAfter && !response.headersSent) response.setHeader('Retry-After', String(retryAfter));
    if (body.statusCode >= 500) this.logger.error('request failed', { error: (error as Error)?.stack ?? String(error) });
    if (response.headersSent) return response.end();
    response.status(body.statusCode).json(body);
  }
}
