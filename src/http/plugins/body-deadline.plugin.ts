/**
 * A request's body arrives within REQUEST_TIMEOUT_MS of its headers, or the connection is answered 408 and closed.
 * Node's own requestTimeout covers the headers only: once they are in, a client that sends its body a byte at a
 * time holds the connection and the buffered bytes for as long as it likes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    bodyDeadline: NodeJS.Timeout | null;
  }
}

const BODY = JSON.stringify({
  statusCode: 408,
  error: 'Request Timeout',
  message: 'the request body did not arrive in time (REQUEST_TIMEOUT_MS)',
});
const RESPONSE =
  'HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\n' +
  `Content-Length: ${Buffer.byteLength(BODY)}\r\nConnection: close\r\n\r\n${BODY}`;

const hasBody = (request: FastifyRequest): boolean => {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
};

export function registerBodyDeadline(app: FastifyInstance, timeoutMs: number): void {
  app.decorateRequest('bodyDeadline', null);
  const clear = (request: FastifyRequest): void => {
    if (request.bodyDeadline) {
      clearTimeout(request.bodyDeadline);
      request.bodyDeadline = null;
    }
  };
  app.addHook('onRequest', (request, _reply, done) => {
    if (hasBody(request)) {
      request.bodyDeadline = setTimeout(() => {
        request.bodyDeadline = null;
        const socket = request.raw.socket;
        request.log.info({ statusCode: 408 }, 'request body not received in time');
        if (socket.writable) socket.end(RESPONSE);
        socket.destroySoon();
      }, timeoutMs);
      request.bodyDeadline.unref();
    }
    done();
  });
  // The body has been read (parsed or refused): nothing more to wait for.
  app.addHook('preValidation', (request, _reply, done) => {
    clear(request);
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    clear(request);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    clear(request);
    done();
  });
}
