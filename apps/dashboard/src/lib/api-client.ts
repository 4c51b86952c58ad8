'use client';
import { apiErrorSchema } from '@tern/contracts';
import { friendlyError } from './friendly-errors';

/** Every call goes to the dashboard's own /api/tern proxy, which adds the token from the session cookie. */
export const apiBase = '/api/tern';

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  let response: Response;
  try {
    response = await fetch(`${apiBase}${path}`, { ...rest, ...(json !== undefined ? { body: JSON.stringify(json), headers: { 'content-type': 'application/json', ...rest.headers } } : {}) });
  } catch {
    throw new ApiProblem(0, friendlyError(0, ''));
  }
  const text = await response.text();
  if (!response.ok) {
    if (response.status === 401 && typeof window !== 'undefined' && !window.location.pathname.startsWith('/login')) {
      window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
    }
    throw problemFrom(response.status, text);
  }
  return (text ? safeJson(text) : null) as T;
}

/** An api error response (status and body text) as an ApiProblem: a sentence, the api's message, its details. */
export function problemFrom(status: number, text: string): ApiProblem {
  const body = text ? safeJson(text) : null;
  const parsed = apiErrorSchema.safeParse(body);
  const message = parsed.success ? parsed.data.message : text.slice(0, 300);
  return new ApiProblem(status, friendlyError(status, message), message, parsed.success ? parsed.data.details : body);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
