/** Liveness and readiness of the dashboard server itself (probes; no api call). */
export function GET() {
  return Response.json({ status: 'ok' });
}
