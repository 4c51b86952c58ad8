import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Sse, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { cancelJobSchema, jobQuerySchema, submitJobSchema } from '@tern/contracts';
import { API_CONTEXT, type ApiContext } from '../api-context';
import { found, idParam } from '../http/ids';
import { parseInput } from '../http/validation';
import { jobSnapshot, toJobView, watchJob } from './job-views';
import { cancelJob, submitJob } from './submit-job';

const correlationOf = (req: { headers: Record<string, string | string[] | undefined> }) => {
  const header = req.headers['x-correlation-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\w.:-]{1,100}$/.test(value) ? value : `api-${randomUUID()}`;
};

@Controller('v1/jobs')
export class JobsController {
  constructor(@Inject(API_CONTEXT) private readonly ctx: ApiContext) {}

  /** Accepted for processing: the body is one of the job types of submitJobSchema. */
  @Post()
  @HttpCode(202)
  submit(@Body() body: unknown, @Req() req: { headers: Record<string, string | string[] | undefined> }) {
    return submitJob(this.ctx, parseInput(submitJobSchema, body, 'job'), correlationOf(req));
  }

  @Get()
  async list(@Query() query: unknown) {
    const q = parseInput(jobQuerySchema, query, 'query');
    const where = { parentJobId: null, ...(q.datasetId ? { datasetId: q.datasetId } : {}), ...(q.status ? { status: q.status } : {}) };
    const [total, jobs] = await Promise.all([this.ctx.prisma.job.count({ where }), this.ctx.prisma.job.findMany({ where, orderBy: { createdAt: 'desc' }, skip: (q.page - 1) * q.pageSize, take: q.pageSize })]);
    return { items: jobs.map(toJobView), page: q.page, pageSize: q.pageSize, total };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const jobId = idParam(id, 'job id');
    return found(await jobSnapshot(this.ctx.prisma, jobId), 'job', jobId);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  cancel(@Param('id') id: string, @Body() body: unknown, @Req() req: { headers: Record<string, string | string[] | undefined> }) {
    const input = parseInput(cancelJobSchema, body, 'cancel request');
    return cancelJob(this.ctx, idParam(id, 'job id'), input.reason, correlationOf(req));
  }

  /** Server-Sent Events: an `update` (JobUpdate) on every change, then `end` when the job finishes. */
  @Sse(':id/events')
  async events(@Param('id') id: string): Promise<Observable<MessageEvent>> {
    const jobId = idParam(id, 'job id');
    found(await this.ctx.prisma.job.findUnique({ where: { id: jobId }, select: { id: true } }), 'job', jobId);
    return new Observable<MessageEvent>((subscriber) => {
      const abort = new AbortController();
      void (async () => {
        try {
          for await (const update of watchJob(this.ctx.prisma, jobId, abort.signal)) subscriber.next({ type: 'update', data: update });
          if (!abort.signal.aborted) subscriber.next({ type: 'end', data: { jobId } });
          subscriber.complete();
        } catch (error) {
          subscriber.error(error);
        }
      })();
      return () => abort.abort();
    });
  }
}
