import { NextResponse, type NextRequest } from 'next/server';
import { sessionCookie } from '@/lib/server-config';

export async function POST(request: NextRequest) {
  const response = NextResponse.redirect(new URL('/login', request.url), 303);
  response.cookies.delete(sessionCookie);
  return response;
}
