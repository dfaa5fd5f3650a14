import type { FastifyInstance } from 'fastify';
import type { Store } from '../../storage/store.ts';

/** GET /healthz: the process is up and serving. GET /readyz: and its store answers (503 when it does not). */
export function healthRoute(app: FastifyInstance, store?: Store): void {
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (!store) return { status: 'ready', store: 'none' };
    try {
      await store.ping();
      return { status: 'ready', store: store.kind };
    } catch {
      return reply.code(503).send({ status: 'not ready', store: store.kind });
    }
  });
}
