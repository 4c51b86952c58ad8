import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { createTokenSchema } from '@tern/contracts';
import { API_CONTEXT, type ApiContext } from '../api-context';
import { found, idParam } from '../http/ids';
import { parseInput } from '../http/validation';
import { RequireScope } from './auth.guard';
import { createApiToken } from './tokens';

@Controller('v1/tokens')
@RequireScope('admin')
export class TokensController {
  constructor(@Inject(API_CONTEXT) private readonly ctx: ApiContext) {}

  /** The token is in this response only; Tern keeps its hash. */
  @Post()
  async create(@Body() body: unknown) {
    const input = parseInput(createTokenSchema, body, 'token');
    const { id, token } = await createApiToken(this.ctx.prisma, input.name, input.scopes);
    return { id, name: input.name, scopes: input.scopes, token };
  }

  @Get()
  async list() {
    const rows = await this.ctx.prisma.apiToken.findMany({ orderBy: { createdAt: 'desc' } });
    return { items: rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, scopes: r.scopes, createdAt: r.createdAt.toISOString(), lastUsedAt: r.lastUsedAt?.toISOString() ?? null, revoked: r.revokedAt !== null })) };
  }

  @Delete(':id')
  @HttpCode(200)
  async revoke(@Param('id') id: string) {
    const tokenId = idParam(id, 'token id');
    found(await this.ctx.prisma.apiToken.findUnique({ where: { id: tokenId } }), 'token', tokenId);
    await this.ctx.prisma.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
    return { id: tokenId, revoked: true };
  }
}
