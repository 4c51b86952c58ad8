// The api service: REST (+ SSE, OpenAPI at /docs) and gRPC over the pipeline's state.
export { loadApiConfig, type ApiConfig } from './api-config';
export { apiControllers, runApiApp, startApi, type RunningApi } from './api-app';
export { createApiToken } from './auth/tokens';
export { loadTernProto } from './grpc/grpc-server';
