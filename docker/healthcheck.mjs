// Docker HEALTHCHECK: the service's readiness endpoint (the api on its HTTP port, workers on TERN_HEALTH_PORT).
const port = process.env.TERN_APP === 'api' ? process.env.TERN_API_PORT ?? '8080' : process.env.TERN_HEALTH_PORT ?? '9464';
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) })
  .then((r) => process.exit(r.ok ? 0 : 1))
  .catch(() => process.exit(1));
