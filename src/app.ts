/**
 * Builds the HTTP application from its dependencies. Never listens (src/server.ts does), so tests build it and
 * call it with app.inject. Order: content parsing, error handling, routes.
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/load-config.ts';
import { plainHttpWarnings } from './config/plain-http.ts';
import { registerAuth } from './http/plugins/auth.plugin.ts';
import {
  clientErrorHandler,
  frameworkError,
  registerErrorHandling,
} from './http/plugins/error-handler.plugin.ts';
import { registerJsonBodies } from './http/plugins/json-body.plugin.ts';
import { lazyChildLogger } from './http/lazy-child-logger.ts';
import { registerRequestLog, RequestLogController } from './http/plugins/request-log.plugin.ts';
import { analysisRoute } from './http/routes/analysis.route.ts';
import { cdsHooksRoutes } from './http/routes/cds-hooks.route.ts';
import { hookSettings } from './cds-services/answer-hook.ts';
import { hookThreads } from './cds-services/hook-threads.ts';
import { feedbackRoute } from './http/routes/feedback.route.ts';
import { governanceRoute } from './http/routes/governance.route.ts';
import { healthRoute } from './http/routes/health.route.ts';
import { webRoutes } from './http/routes/web.route.ts';
import { demoRoutes } from './demo/demo.routes.ts';
import { auditWriter } from './storage/audit-writer.ts';
import { docsPage, openApiFor } from './http/openapi.ts';
import { Metrics } from './platform/metrics.ts';
import { registerLoadShedding } from './http/plugins/load-shedding.plugin.ts';
import type { Store } from './storage/store.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { devIssuer } from './security/dev-issuer.ts';
import { createDemoIssuer } from './demo/demo-issuer.ts';
import { createJwtVerifier } from './security/jwt-verifier.ts';
import { memoryReplayCache, redisReplayCacheAt, type ReplayCache } from './security/replay-cache.ts';

export interface AppDeps {
  readonly config: Config;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Card and suggestion ids; random UUIDs unless a test fixes them. */
  readonly newId?: () => string;
  /** The token-replay cache; by default Redis when REDIS_URL is set, else in memory. */
  readonly replayCache?: ReplayCache;
  /** Feedback and audit; without it feedback answers 503 and no audit is kept (tests of other things). */
  readonly store?: Store;
  /** Prometheus metrics (GET /metrics); a registry of its own by default. */
  readonly metrics?: Metrics;
}

function defaultReplayCache(config: Config, warn: (message: string) => void): ReplayCache {
  return config.redisUrl ? redisReplayCacheAt(config.redisUrl, warn) : memoryReplayCache();
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The caller's X-Request-Id when it is a short token (it goes to every log line), else a fresh one. */
function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly routeList: readonly string[];
  }
}

/** Whether a request says a body follows its headers. */
function declaresBody(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.config.bodyLimitBytes,
    // A request - headers and body - arrives within this time, or it is answered 408 and its connection closed:
    // slow senders hold nothing. Node applies it to the body only when its headers timeout is no longer, and checks
    // every 30 s unless told otherwise.
    requestTimeout: deps.config.requestTimeoutMs,
    http: {
      headersTimeout: deps.config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, deps.config.requestTimeoutMs / 2),
    },
    clientErrorHandler,
    // Request ids for log correlation: a caller's X-Request-Id when it is a short token, else a new one.
    requestIdHeader: false,
    genReqId: requestId,
    frameworkErrors: frameworkError,
    // One line per request from request-log.plugin.ts instead of Fastify's two.
    logController: new RequestLogController(),
    // Without a logger Fastify hands every request its no-op logger itself.
    ...(deps.logger ? { childLoggerFactory: lazyChildLogger } : {}),
  }) as unknown as FastifyInstance;

  // Every route, as "METHOD /path/{param}": what the OpenAPI description must list (checked by a test).
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method])
      if (method !== 'HEAD' && method !== 'OPTIONS')
        routes.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{path}')}`);
  });
  app.decorate('routeList', routes);
  registerRequestLog(app);
  // Graceful shutdown: once closing, answers end their connection, so that keep-alive sockets that go idle after
  // close() began do not hold the process open (Fastify closes only the sockets idle at that moment).
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // An answer given before the request's body has arrived (refused early: 401, 415, 503) ends its connection too,
  // rather than letting the rest of the body trickle in.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (closing || (declaresBody(request.headers) && !request.raw.complete))
      void reply.header('connection', 'close');
    // Answers carry patient data (cards, analyses): no cache keeps them, unless a route says otherwise (the pages).
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    if (!reply.hasHeader('x-content-type-options')) void reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });
  const metrics = deps.metrics ?? new Metrics({ processMetrics: true });
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  // Browsers (the CDS Hooks sandbox, the demo page) call the service: allow-listed origins only, no credentials.
  const origins = new Set(deps.config.corsOrigins);
  void app.register(cors, {
    origin: (origin, done) => {
      done(null, origin !== undefined && origins.has(origin));
    },
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
    // What a browser client needs to read: when to retry, why a token was refused, the request's id.
    exposedHeaders: ['retry-after', 'www-authenticate', 'x-request-id'],
    credentials: false,
    maxAge: 600,
  });
  // After CORS (hooks run in the order they are added), so that a shed request's 503 carries its headers too: a
  // browser client would otherwise see a CORS failure, not an answer it can retry. Before authentication, so that
  // shedding stays cheap.
  registerLoadShedding(app, deps.config.maxInFlight, () => {
    metrics.shed.inc();
  });
  const { auth } = deps.config;
  // Demo mode: the demo page's own key, made now, in memory only.
  const demoIssuer = deps.config.demo ? createDemoIssuer() : undefined;
  // Only authentication needs the replay cache; /readyz reports it with the store.
  const replayCache = auth.enabled
    ? (deps.replayCache ??
      defaultReplayCache(deps.config, (m) => {
        app.log.warn(m);
      }))
    : undefined;
  if (replayCache) {
    if (!deps.replayCache) app.addHook('onClose', () => replayCache.close());
    const verifier = (async () =>
      createJwtVerifier({
        issuers: [
          ...auth.issuers,
          ...(auth.devIssuer ? [await devIssuer(deps.config.dataDir)] : []),
          ...(demoIssuer ? [(await demoIssuer).trusted] : []),
        ],
        replayCache,
        clockSkewSeconds: auth.clockSkewSeconds,
        jwksTimeoutMs: auth.jwksTimeoutMs,
      }))();
    // A development key that cannot be read fails the start (listen rejects, and the process says why), not the
    // process through an unhandled rejection.
    verifier.catch(() => undefined);
    app.addHook('onReady', async () => {
      await verifier;
    });
    registerAuth(
      app,
      deps.config.publicBaseUrl,
      async (token, audience) => (await verifier)(token, audience),
      (reason) => {
        metrics.authFailures.inc({ reason });
      },
    );
    if (auth.devIssuer)
      deps.logger?.warn(
        'CDS_DEV_ISSUER=on: tokens signed with the development key under DATA_DIR/dev-issuer are trusted - for local use only',
      );
    if (auth.issuers.length === 0 && !auth.devIssuer)
      deps.logger?.warn(
        'no trusted EHR issuers configured (CDS_TRUSTED_ISSUERS): every CDS Hooks call gets 401',
      );
  } else {
    deps.logger?.warn('CDS_AUTH=off: EHR authentication is disabled - for local development only');
  }
  for (const warning of plainHttpWarnings(deps.config)) deps.logger?.warn(warning);
  registerJsonBodies(app);
  registerErrorHandling(app);
  healthRoute(app, deps.store, replayCache);
  const audit = deps.store
    ? auditWriter(deps.store, {
        retrying(error, queued, retryInMs) {
          app.log.warn(
            { error: error instanceof Error ? error.message : String(error), queued, retryInMs },
            'audit write failed; retrying',
          );
        },
        lost(error, lost) {
          app.log.error(
            { error: error instanceof Error ? error.message : String(error), lost },
            'audit write failed',
          );
        },
      })
    : undefined;
  if (audit) app.addHook('onClose', () => audit.close());
  const threads =
    deps.config.hookThreads > 0
      ? hookThreads(deps.config.hookThreads, hookSettings(deps.config), {
          stopped(error, waiting) {
            app.log.error({ error: error.message, waiting }, 'a hook thread stopped');
          },
        })
      : undefined;
  if (threads) app.addHook('onClose', () => threads.close());
  analysisRoute(app, { config: deps.config, clock: deps.clock ?? systemClock });
  cdsHooksRoutes(app, {
    config: deps.config,
    clock: deps.clock ?? systemClock,
    newId: deps.newId,
    metrics,
    ...(audit ? { audit } : {}),
    ...(threads ? { threads } : {}),
  });
  feedbackRoute(app, deps.store);
  const openApi = openApiFor({ demo: deps.config.demo });
  app.get('/docs/openapi.json', () => openApi);
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage(openApi)));
  governanceRoute(app, deps.store, deps.config.governanceToken);
  webRoutes(app, deps.config, deps.clock ?? systemClock);
  if (demoIssuer) {
    demoRoutes(app, { config: deps.config, clock: deps.clock ?? systemClock, issuer: demoIssuer });
    deps.logger?.warn(
      'DEMO=on: demo pages, an embedded FHIR store of synthetic patients, and a development signing key served to the demo page - never in production',
    );
  }
  return app;
}
