import { NextResponse, type NextRequest } from 'next/server';

/** Pages need a session: without the cookie, go to the sign-in page first (server-side, no failed calls). */
export function proxy(request: NextRequest) {
  if (request.cookies.has('tern_session')) return NextResponse.next();
  const login = new URL('/login', request.url);
  login.searchParams.set('next', request.nextUrl.pathname);
  return NextResponse.redirect(login);
}

export const config = { matcher: ['/((?!login|api|_next|icon.svg|favicon.ico).*)'] };
