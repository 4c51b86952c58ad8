import { NextResponse, type NextRequest } from 'next/server';
import { apiTokenPattern } from '@tern/contracts';
import { serverConfig, sessionCookie } from '@/lib/server-config';

export const dynamic = 'force-dynamic';

/** Sign in: checks the API token against the api, then keeps it in an httpOnly cookie (never in page scripts). */
export async function POST(request: NextRequest) {
  const body = (await request.json().catch(() => null)) as { token?: unknown } | null;
  const token = typeof body?.token === 'string' ? body.token.trim() : '';
  if (!apiTokenPattern.test(token)) return NextResponse.json({ statusCode: 400, error: 'Bad Request', message: 'That does not look like a Tern API token (it starts with tern_).' }, { status: 400 });
  let check: Response;
  try {
    check = await fetch(`${serverConfig().TERN_API_URL}/v1/datasets?pageSize=1`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch {
    return NextResponse.json({ statusCode: 503, error: 'Service Unavailable', message: 'The Tern api cannot be reached from the dashboard server.' }, { status: 503 });
  }
  if (check.status === 401) return NextResponse.json({ statusCode: 401, error: 'Unauthorized', message: 'This token is unknown or revoked.' }, { status: 401 });
  if (check.status === 403) return NextResponse.json({ statusCode: 403, error: 'Forbidden', message: 'This token cannot read datasets (it needs the read scope).' }, { status: 403 });
  if (!check.ok) return NextResponse.json({ statusCode: 502, error: 'Bad Gateway', message: `The api answered HTTP ${check.status}.` }, { status: 502 });
  const response = NextResponse.json({ ok: true });
  const secure = request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https';
  response.cookies.set(sessionCookie, token, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: 12 * 3600 });
  return response;
}
