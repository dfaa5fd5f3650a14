/**
 * Builds the HTTP application from its dependencies. Never listens (src/server.ts does), so tests build it and
 * call it with app.inject. Order: content parsing, error handling, routes.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/load-config.ts';
import { registerErrorHandling } from './http/plugins/error-handler.plugin.ts';
import { registerJsonBodies } from './http/plugins/json-body.plugin.ts';
import { registerRequestLog, RequestLogController } from './http/plugins/request-log.plugin.ts';
import { analysisRoute } from './http/routes/analysis.route.ts';
import { cdsHooksRoutes } from './http/routes/cds-hooks.route.ts';
import { healthRoute } from './http/routes/health.route.ts';
import { systemClock, type Clock } from './platform/clock.ts';

export interface AppDeps {
  readonly config: Config;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Card and suggestion ids; random UUIDs unless a test fixes them. */
  readonly newId?: () => string;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.config.bodyLimitBytes,
    // Request ids for log correlation; a caller's X-Request-Id is kept when present.
    requestIdHeader: 'x-request-id',
    // One line per request from request-log.plugin.ts instead of Fastify's two.
    logController: new RequestLogController(),
  }) as unknown as FastifyInstance;

  registerRequestLog(app);
  registerJsonBodies(app);
  registerErrorHandling(app);
  healthRoute(app);
  analysisRoute(app, { config: deps.config, clock: deps.clock ?? systemClock });
  cdsHooksRoutes(app, { config: deps.config, clock: deps.clock ?? systemClock, newId: deps.newId });
  return app;
}
