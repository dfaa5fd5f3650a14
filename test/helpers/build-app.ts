import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** The app with default configuration and a fixed clock (2026-01-15 noon local time); closed after each test. */
export function build(env: Record<string, string> = {}): FastifyInstance {
  const app = buildApp({ config: loadConfig(env), clock: () => new Date(2026, 0, 15, 12, 0, 0) });
  apps.push(app);
  return app;
}
