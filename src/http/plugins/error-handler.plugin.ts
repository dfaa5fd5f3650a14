/**
 * One place maps every error to a response. 4xx bodies name the problem; 5xx bodies never carry a message or a
 * stack (the log has the error, without request bodies). Body shape: { statusCode, error, message }.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { HttpError } from '../http-error.ts';

/** Fastify's own client errors, reworded so they name the problem in the caller's terms. */
const FASTIFY_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'the request body is larger than this service accepts (BODY_LIMIT_BYTES)',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported Content-Type; send application/json',
};

function clientMessage(error: Error, code: string | undefined): string {
  return (
    (code && FASTIFY_MESSAGES[code]) ??
    (error instanceof HttpError || code?.startsWith('FST_') ? error.message : 'bad request')
  );
}

function body(statusCode: number, message: string): { statusCode: number; error: string; message: string } {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/**
 * The router's own refusals (Fastify `frameworkErrors`), before any route or hook: a URL that does not decode, a
 * path parameter longer than the router takes. Same body shape as every other error; the URL is not echoed.
 */
export function frameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const statusCode = tooLong ? 414 : 400;
  request.log.info({ statusCode, code: error.code }, 'request rejected');
  void reply
    .status(statusCode)
    .send(
      body(
        statusCode,
        tooLong
          ? 'a part of the URL path is longer than this service accepts'
          : 'the URL is not valid (its percent-encoding does not decode)',
      ),
    );
}

/** What Node's HTTP parser refuses before any route (Fastify `clientErrorHandler`), in the service's error shape. */
const CLIENT_ERRORS: Readonly<Record<string, { statusCode: number; message: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    statusCode: 408,
    message: 'the request did not arrive in time (REQUEST_TIMEOUT_MS)',
  },
  HPE_HEADER_OVERFLOW: {
    statusCode: 431,
    message: 'the request headers are larger than this service accepts',
  },
};

export function clientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  // A connection the client reset, or one already closed, has no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = error.code === undefined ? undefined : CLIENT_ERRORS[error.code];
  const statusCode = known?.statusCode ?? 400;
  this.log.info({ statusCode, code: error.code }, 'request rejected by the HTTP parser');
  // As Node itself: nothing is written into an answer already under way on this connection.
  const answer = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (socket.writable && answer?.headersSent !== true) {
    const text = JSON.stringify(body(statusCode, known?.message ?? 'the request is not valid HTTP'));
    socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(error);
}

export function registerErrorHandling(app: FastifyInstance): void {
  // Bodies are read as plain JSON: a compressed body would otherwise be reported as "not valid JSON".
  app.addHook('onRequest', (request, _reply, done) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      done(
        new HttpError(
          415,
          `Content-Encoding "${encoding.slice(0, 40)}" is not supported; send uncompressed JSON`,
        ),
      );
      return;
    }
    done();
  });
  app.setErrorHandler((error: FastifyError | HttpError | Error, request, reply) => {
    const problem = problemOf(error, request);
    if (problem.statusCode === 503) void reply.header('retry-after', '5');
    return reply.status(problem.statusCode).send(body(problem.statusCode, problem.message));
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = noRouteProblem(app, request);
    if (problem.allow) void reply.header('allow', problem.allow);
    return reply.status(problem.statusCode).send(body(problem.statusCode, problem.message));
  });
}

/** What an error answers (status and message, logged at the level it deserves), whatever the body's shape. */
export function problemOf(
  error: FastifyError | HttpError | Error,
  request: FastifyRequest,
): { statusCode: number; message: string } {
  const statusCode = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (error instanceof HttpError && statusCode === 503) {
    // Our own "a dependency is down" answers: safe to explain, and worth retrying.
    request.log.warn({ statusCode }, error.message);
    return { statusCode, message: error.message };
  }
  if (statusCode >= 500) {
    request.log.error({ err: error }, 'request failed');
    return { statusCode: 500, message: 'internal error; the request was not processed' };
  }
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  request.log.info({ statusCode, code }, 'request rejected');
  return { statusCode, message: clientMessage(error, code) };
}

/**
 * A request no route takes: 405 with the methods some route answers at its URL (or those the caller knows better:
 * a route may match a URL it refuses), else 404.
 */
export function noRouteProblem(
  app: FastifyInstance,
  request: FastifyRequest,
  allowed: readonly string[] = allowedMethods(app, request.url),
): { statusCode: number; message: string; allow?: string } {
  if (allowed.length > 0)
    return {
      statusCode: 405,
      message: `${request.method} is not allowed here; use ${allowed.join(' or ')}`,
      allow: allowed.join(', '),
    };
  const path = request.url.split('?')[0] ?? '';
  return { statusCode: 404, message: `no route for ${request.method} ${path.slice(0, 200)}` };
}

/** Methods a route answers (OPTIONS, CORS preflight, apart: it answers every path). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The methods some route answers at this URL: a request with another one gets 405 and `Allow`, not 404. */
export function allowedMethods(app: FastifyInstance, url: string): string[] {
  // findRoute matches a concrete URL as the router does; it returns null for no match (its types say otherwise).
  return METHODS.filter((method) => (app.findRoute({ method, url }) as unknown) !== null);
}
