/**
 * Load shedding: at most MAX_IN_FLIGHT hook and analysis requests are worked on at once; beyond that the service
 * answers 503 with Retry-After at once, instead of letting every request slow down past the EHR's patience. A
 * request holds its place from the moment its body has arrived until it is answered, even if its client leaves
 * before: its work goes on. Discovery, health and metrics are never shed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The routes shed (by route, not by path: the router decodes the path, "/%61nalysis" reaches /analysis). */
const HEAVY = new Set(['/cds-services/:id', '/analysis']);

declare module 'fastify' {
  interface FastifyRequest {
    counted: boolean;
    /** Its connection has closed. */
    gone: boolean;
    /** Its answer was made (sent, or attempted on a closed connection). */
    answered: boolean;
  }
}

export function registerLoadShedding(app: FastifyInstance, maxInFlight: number, onShed: () => void): void {
  let inFlight = 0;
  app.decorateRequest('counted', false);
  app.decorateRequest('gone', false);
  app.decorateRequest('answered', false);
  const release = (request: FastifyRequest): void => {
    if (request.counted) {
      request.counted = false;
      inFlight--;
    }
  };
  const shed = (reply: FastifyReply): void => {
    onShed();
    void reply.code(503).header('retry-after', '1').send({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the service is at capacity; retry shortly',
    });
  };
  const heavy = (request: FastifyRequest): boolean =>
    request.method === 'POST' && HEAVY.has(request.routeOptions.url ?? '');
  // Refused before its body is read when the service is full; counted only once its body has arrived, so that
  // clients sending bodies slowly hold no place (the request timeout ends them).
  // Callback hooks, not async ones: every hook and analysis call passes them, and a promise each costs a turn.
  app.addHook('onRequest', (request, reply, done) => {
    if (heavy(request) && inFlight >= maxInFlight) shed(reply);
    else done();
  });
  app.addHook('preValidation', (request, reply, done) => {
    if (!heavy(request)) {
      done();
      return;
    }
    if (inFlight >= maxInFlight) {
      shed(reply);
      return;
    }
    inFlight++;
    request.counted = true;
    // A client that leaves once its body has arrived gets neither onRequestAbort (its request was complete) nor
    // onResponse (nothing finished writing): its place is freed when its connection has closed and its answer
    // was made (onSend), whichever comes last - the work goes on after the client has gone, and holds the place.
    reply.raw.once('close', () => {
      request.gone = true;
      if (request.answered) release(request);
    });
    done();
  });
  app.addHook('onSend', (request, _reply, payload, done) => {
    request.answered = true;
    if (request.gone) release(request);
    done(null, payload);
  });
  app.addHook('onResponse', (request, _reply, done) => {
    release(request);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    release(request);
    done();
  });
}
