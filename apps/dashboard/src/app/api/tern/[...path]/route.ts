import { type NextRequest } from 'next/server';
import { serverConfig, sessionCookie } from '@/lib/server-config';

export const dynamic = 'force-dynamic';

const passRequest = ['content-type', 'accept', 'x-correlation-id', 'last-event-id'];
const passResponse = ['content-type', 'content-disposition', 'cache-control', 'retry-after'];
const problem = (status: number, message: string) => Response.json({ statusCode: status, error: status === 401 ? 'Unauthorized' : 'Not Found', message }, { status });

/**
 * The browser's only way to the api: same-origin, so the session cookie authenticates it and no
 * CORS is needed. Bodies and responses are streamed (uploads, downloads, Server-Sent Events).
 */
async function forward(request: NextRequest, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const { path } = await params;
  if (path[0] !== 'v1' || path.some((p) => p === '..' || p === '.' || p.includes('/'))) return problem(404, 'unknown api path');
  const token = request.cookies.get(sessionCookie)?.value;
  if (!token) return problem(401, 'not signed in');
  const headers = new Headers({ authorization: `Bearer ${token}` });
  for (const h of passRequest) {
    const v = request.headers.get(h);
    if (v) headers.set(h, v);
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const upstream = await fetch(`${serverConfig().TERN_API_URL}/${path.map(encodeURIComponent).join('/')}${request.nextUrl.search}`, {
    method: request.method,
    headers,
    cache: 'no-store',
    signal: request.signal,
    ...(hasBody ? { body: request.body, duplex: 'half' } : {}),
  } as RequestInit).catch(() => undefined);
  if (!upstream) return Response.json({ statusCode: 502, error: 'Bad Gateway', message: 'the Tern api cannot be reached' }, { status: 502 });
  const out = new Headers();
  for (const h of passResponse) {
    const v = upstream.headers.get(h);
    if (v) out.set(h, v);
  }
  if (out.get('content-type')?.startsWith('text/event-stream')) out.set('x-accel-buffering', 'no');
  return new Response(upstream.body, { status: upstream.status, headers: out });
}

export { forward as DELETE, forward as GET, forward as PATCH, forward as POST, forward as PUT };
