import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HttpException } from '@nestjs/common';
import { grpcGetJobRequestSchema, grpcPredictRequestSchema, grpcSubmitJobRequestSchema, submitJobSchema, type ApiScope, type JobView, type PredictResponse } from '@tern/contracts';
import { ternProtoPath } from '@tern/contracts/proto';
import type { z } from 'zod';
import type { ApiContext } from '../api-context';
import { grants, verifyApiToken, type Principal } from '../auth/tokens';
import { jobSnapshot, watchJob } from '../jobs/job-views';
import { submitJob } from '../jobs/submit-job';
import type { PredictionService } from '../predict/prediction-service';

export const loadTernProto = () => {
  const definition = protoLoader.loadSync(ternProtoPath, { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
  return grpc.loadPackageDefinition(definition) as unknown as { tern: { v1: { Tern: grpc.ServiceClientConstructor } } };
};

class GrpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

const httpToGrpc: Record<number, grpc.status> = { 400: grpc.status.INVALID_ARGUMENT, 401: grpc.status.UNAUTHENTICATED, 403: grpc.status.PERMISSION_DENIED, 404: grpc.status.NOT_FOUND, 409: grpc.status.ALREADY_EXISTS, 413: grpc.status.RESOURCE_EXHAUSTED, 422: grpc.status.FAILED_PRECONDITION, 429: grpc.status.RESOURCE_EXHAUSTED, 503: grpc.status.UNAVAILABLE };

function toServiceError(error: unknown): grpc.ServiceError {
  let code = grpc.status.INTERNAL;
  let message = 'internal error (logged on the server)';
  if (error instanceof GrpcError) ({ code, message } = error);
  else if (error instanceof HttpException) {
    code = httpToGrpc[error.getStatus()] ?? grpc.status.UNKNOWN;
    const body = error.getResponse();
    message = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? error.message);
  }
  return Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new GrpcError(grpc.status.INVALID_ARGUMENT, `invalid ${what}: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
}

const grpcJob = (j: JobView) => {
  const progress = (j.progress ?? {}) as { stage?: string; done?: number; total?: number };
  return { id: j.id, type: j.type, status: j.status, datasetId: j.datasetId ?? '', parentJobId: j.parentJobId ?? '', stage: progress.stage ?? '', done: progress.done ?? 0, total: progress.total ?? 0, error: j.error ?? '', resultJson: j.result === null ? '' : JSON.stringify(j.result), createdAt: j.createdAt, finishedAt: j.finishedAt ?? '' };
};

const grpcPredictions = (r: PredictResponse) => r.predictions.map((p) => ({ id: p.id, modelId: r.modelId, modelVersion: r.modelVersion, top: p.top ?? [], error: p.error ?? '' }));

/** gRPC twin of the REST api: same token scopes, same validation, same services. */
export function createGrpcServer(ctx: ApiContext, predictions: PredictionService): grpc.Server {
  const authorize = async (metadata: grpc.Metadata, needed: ApiScope): Promise<Principal> => {
    const header = String(metadata.get('authorization')[0] ?? '');
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new GrpcError(grpc.status.UNAUTHENTICATED, 'missing API token: send metadata "authorization: Bearer <token>"');
    const principal = await verifyApiToken(ctx.prisma, token);
    if (!principal) throw new GrpcError(grpc.status.UNAUTHENTICATED, 'unknown or revoked API token');
    if (!grants(principal.scopes, needed)) throw new GrpcError(grpc.status.PERMISSION_DENIED, `this token lacks the "${needed}" scope`);
    return principal;
  };

  const predictOne = async (raw: unknown): Promise<ReturnType<typeof grpcPredictions>[number]> => {
    const r = parse(grpcPredictRequestSchema, raw, 'PredictRequest');
    const ref = r.modelId ? { modelId: r.modelId } : { datasetId: r.datasetId };
    const topK = r.topK || 3;
    const response = r.image && r.image.length > 0 ? await predictions.predictImages(ref, [{ id: r.id || 'image', bytes: r.image }], topK) : await predictions.predictEmbeddings(ref, [r.embedding], topK);
    return { ...grpcPredictions(response)[0]!, id: r.id };
  };

  const unary =
    <Req, Res>(scope: ApiScope, handler: (request: Req, principal: Principal) => Promise<Res>) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      authorize(call.metadata, scope)
        .then((principal) => handler(call.request, principal))
        .then((response) => callback(null, response))
        .catch((error: unknown) => {
          if (!(error instanceof GrpcError) && !(error instanceof HttpException)) ctx.logger.error('grpc call failed', { error: (error as Error).stack });
          callback(toServiceError(error));
        });
    };

  const server = new grpc.Server({ 'grpc.max_receive_message_length': ctx.config.uploads.maxFileBytes + 1024 * 1024 });
  server.addService(loadTernProto().tern.v1.Tern.service, {
    predict: unary('read', async (request: unknown, principal) => {
      predictions.checkRate(principal.tokenId, 1);
      return predictOne(request);
    }),
    predictBatch: (call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const requests: unknown[] = [];
      let failed = false;
      call.on('data', (r: unknown) => {
        requests.push(r);
        if (requests.length > 256 && !failed) {
          failed = true;
          callback(toServiceError(new GrpcError(grpc.status.RESOURCE_EXHAUSTED, 'at most 256 requests per batch')));
        }
      });
      call.on('end', () => {
        if (failed) return;
        authorize(call.metadata, 'read')
          .then(async (principal) => {
            predictions.checkRate(principal.tokenId, requests.length);
            const results = [];
            for (const r of requests) results.push(await predictOne(r));
            callback(null, { results });
          })
          .catch((error: unknown) => callback(toServiceError(error)));
      });
    },
    submitJob: unary('write', async (request: unknown) => {
      const { parametersJson } = parse(grpcSubmitJobRequestSchema, request, 'SubmitJobRequest');
      let body: unknown;
      try {
        body = JSON.parse(parametersJson);
      } catch (error) {
        throw new GrpcError(grpc.status.INVALID_ARGUMENT, `parameters_json is not valid JSON: ${(error as Error).message}`);
      }
      return grpcJob(await submitJob(ctx, parse(submitJobSchema, body, 'job'), `grpc-${Date.now()}`));
    }),
    getJob: unary('read', async (request: unknown) => {
      const { jobId } = parse(grpcGetJobRequestSchema, request, 'GetJobRequest');
      const snapshot = await jobSnapshot(ctx.prisma, jobId);
      if (!snapshot) throw new GrpcError(grpc.status.NOT_FOUND, `job ${jobId} does not exist`);
      return grpcJob(snapshot.job);
    }),
    watchJob: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      void (async () => {
        try {
          await authorize(call.metadata, 'read');
          const { jobId } = parse(grpcGetJobRequestSchema, call.request, 'GetJobRequest');
          if (!(await jobSnapshot(ctx.prisma, jobId))) throw new GrpcError(grpc.status.NOT_FOUND, `job ${jobId} does not exist`);
          let sent = 0;
          for await (const update of watchJob(ctx.prisma, jobId, abort.signal)) {
            // Each message carries only the epochs not sent before.
            call.write({ job: grpcJob(update.job), epochs: update.epochs.slice(sent).map((e) => ({ ...e, valLoss: e.valLoss ?? 0, valAccuracy: e.valAccuracy ?? 0 })) });
            sent = update.epochs.length;
          }
          call.end();
        } catch (error) {
          call.destroy(toServiceError(error));
        }
      })();
    },
  });
  return server;
}

export function bindGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
}
