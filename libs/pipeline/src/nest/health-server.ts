import { createServer, type Server } from 'node:http';

export interface HealthChecks {
  /** Ready to take work: consumer running and dependencies reachable. */
  ready: () => Promise<{ ok: boolean; detail: Record<string, unknown> }>;
}

/**
 * Probe endpoints for a worker that has no other port: `/health/live` (the event loop answers)
 * and `/health/ready`. Kubernetes probes and Docker HEALTHCHECK use them.
 */
export function startHealthServer(port: number, host: string, checks: HealthChecks): Promise<Server> {
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/health/live') return reply(200, { status: 'ok' });
    if (req.url === '/health/ready') {
      checks.ready().then(
        (r) => reply(r.ok ? 200 : 503, { status: r.ok ? 'ok' : 'not ready', ...r.detail }),
        (error: Error) => reply(503, { status: 'not ready', error: error.message }),
      );
      return;
    }
    reply(404, { error: 'not found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
