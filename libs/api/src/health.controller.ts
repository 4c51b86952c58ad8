import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { API_CONTEXT, type ApiContext } from './api-context';
import { RequireScope } from './auth/auth.guard';

@Controller('health')
@RequireScope('public')
export class HealthController {
  constructor(@Inject(API_CONTEXT) private readonly ctx: ApiContext) {}

  /** Liveness: the process answers. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Readiness: Postgres answers. */
  @Get('ready')
  async ready() {
    try {
      await this.ctx.prisma.$queryRaw`SELECT 1`;
      return { status: 'ok', database: 'ok' };
    } catch (error) {
      throw new ServiceUnavailableException(`database unavailable: ${(error as Error).message}`);
    }
  }
}
