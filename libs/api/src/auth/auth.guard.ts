import { ForbiddenException, Inject, Injectable, SetMetadata, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiScope } from '@tern/contracts';
import { API_CONTEXT, type ApiContext } from '../api-context';
import { bearerToken, grants, verifyApiToken, type Principal } from './tokens';

const SCOPE = 'tern:scope';
/** The scope a route needs; without it: read for GET, write otherwise. `'public'` needs no token. */
export const RequireScope = (scope: ApiScope | 'public') => SetMetadata(SCOPE, scope);

export interface AuthedRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(API_CONTEXT) private readonly ctx: ApiContext,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const declared = this.reflector.getAllAndOverride<ApiScope | 'public' | undefined>(SCOPE, [context.getHandler(), context.getClass()]);
    if (declared === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const needed: ApiScope = declared ?? (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write');
    const token = bearerToken(request.headers['authorization']);
    if (!token) throw new UnauthorizedException('missing API token: send "Authorization: Bearer <token>"');
    const principal = await verifyApiToken(this.ctx.prisma, token);
    if (!principal) throw new UnauthorizedException('unknown or revoked API token');
    if (!grants(principal.scopes, needed)) throw new ForbiddenException(`this token lacks the "${needed}" scope (it has: ${principal.scopes.join(', ')})`);
    request.principal = principal;
    return true;
  }
}
