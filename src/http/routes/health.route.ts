import type { FastifyInstance } from 'fastify';
import type { ReplayCache } from '../../security/replay-cache.ts';
import type { Store } from '../../storage/store.ts';

/**
 * GET /healthz: the process is up and serving. GET /readyz: and what calls depend on answers - the store, and the
 * replay cache when authentication is on (without it every authenticated call gets 503) - else 503 naming what did
 * not. Both are asked at once: a readiness probe waits for the slower one only.
 */
export function healthRoute(app: FastifyInstance, store?: Store, replayCache?: ReplayCache): void {
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks = [
      ...(store ? [['store', store.ping()] as const] : []),
      ...(replayCache ? [['replayCache', replayCache.ping()] as const] : []),
    ];
    const settled = await Promise.allSettled(checks.map(([, check]) => check));
    const unavailable = checks.filter((_, i) => settled[i]?.status === 'rejected').map(([name]) => name);
    const parts = {
      store: store?.kind ?? 'none',
      ...(replayCache ? { replayCache: replayCache.kind } : {}),
    };
    if (unavailable.length === 0) return { status: 'ready', ...parts };
    return reply.code(503).send({ status: 'not ready', ...parts, unavailable });
  });
}
