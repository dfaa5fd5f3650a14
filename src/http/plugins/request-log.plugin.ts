/**
 * One log line per request, written when the response is sent: request id, method, route (never the query, which
 * may carry identifiers), status, milliseconds, and the facts the route added (hookInstance, service, card count,
 * data completeness). Never bodies, patients or tokens. One line rather than Fastify's two keeps logging cheap.
 */
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Structured facts for the request's log line; routes add to it. */
    logFacts: Record<string, string | number | boolean | readonly string[] | Record<string, string>>;
  }
}

export function registerRequestLog(app: FastifyInstance): void {
  app.decorateRequest('logFacts', null as never);
  app.addHook('onRequest', (request, _reply, done) => {
    request.logFacts = {};
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...request.logFacts,
      },
      'request',
    );
    done();
  });
}
