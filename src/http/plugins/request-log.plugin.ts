/**
 * One log line per request, written when the response is sent: request id, method, route (never the query, which
 * may carry identifiers), status, milliseconds, and the facts the route added (hookInstance, service, card count,
 * data completeness). Never bodies, patients or tokens. Fastify's own per-request lines (incoming, completed) are
 * replaced by this one through its LogController; its other lines (errors, 404s) keep their defaults.
 */
import {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';

type LogFact = string | number | boolean | readonly string[] | Record<string, string>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Structured facts for the request's log line; routes add to it with addLogFacts. */
    logFacts: Record<string, LogFact> | null;
  }
}

export function addLogFacts(request: FastifyRequest, facts: Record<string, LogFact>): void {
  request.logFacts = request.logFacts ? Object.assign(request.logFacts, facts) : { ...facts };
}

/**
 * The success line is built field by field from values that are never patient data, so it skips the logger's
 * redaction pass (a walk of every redacted path for every line): a child logger without redaction, one per logger.
 * Error lines keep it: an error message is not ours to vouch for.
 */
const LINE_LOGGERS = new WeakMap<FastifyBaseLogger, FastifyBaseLogger>();

function lineLogger(root: FastifyBaseLogger): FastifyBaseLogger {
  let logger = LINE_LOGGERS.get(root);
  if (!logger) {
    logger = root.child({}, { redact: [] });
    LINE_LOGGERS.set(root, logger);
  }
  return logger;
}

/** The route of the pages' scripts and styles (src/http/routes/web.route.ts). */
const ASSET_ROUTE = '/app/*';

export class RequestLogController extends LogController {
  override incomingRequest(): void {
    // The single line is written on completion.
  }

  override routeNotFound(): void {
    // Fastify's line would carry the raw URL (and its query); the request's own line says 404.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ...request.logFacts,
    };
    if (error) request.log.error({ ...line, error: error.message }, 'request failed');
    // A page loads dozens of modules: their successful loads are debug lines, not one info line each.
    else if (line.route === ASSET_ROUTE && line.statusCode < 400)
      lineLogger(request.server.log).debug({ reqId: request.id, ...line }, 'request');
    else lineLogger(request.server.log).info({ reqId: request.id, ...line }, 'request');
  }
}

/** Makes logFacts a known request property (null until a route adds facts). */
export function registerRequestLog(app: FastifyInstance): void {
  app.decorateRequest('logFacts', null);
}
