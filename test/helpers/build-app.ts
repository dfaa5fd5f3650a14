import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { ReplayCache } from '../../src/security/replay-cache.ts';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/**
 * The app with the given environment, a fixed clock (2026-01-15 noon local time) and, unless `randomIds`, card ids
 * numbered in order ("id-1", "id-2"...) so that two runs can be compared; closed after each test. Every call is
 * answered on the event loop (HOOK_THREADS 0: a hook thread makes its own ids) unless the environment says
 * otherwise (test/http/hook-threads.test.ts).
 */
export function build(
  env: Record<string, string> = {},
  options: { randomIds?: boolean; replayCache?: ReplayCache } = {},
): FastifyInstance {
  let n = 0;
  const app = buildApp({
    // EHR authentication has its own tests (test/http/auth.test.ts); elsewhere it is off unless a test turns it on.
    config: loadConfig({ CDS_AUTH: 'off', HOOK_THREADS: '0', ...env }),
    clock: () => new Date(2026, 0, 15, 12, 0, 0),
    ...(options.randomIds ? {} : { newId: () => `id-${++n}` }),
    ...(options.replayCache ? { replayCache: options.replayCache } : {}),
  });
  apps.push(app);
  return app;
}
