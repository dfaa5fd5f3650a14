import type { FastifyInstance } from 'fastify';

/** GET /healthz: the process is up and serving. */
export function healthRoute(app: FastifyInstance): void {
  app.get('/healthz', () => ({ status: 'ok' }));
}
