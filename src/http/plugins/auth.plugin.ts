/**
 * EHR authentication on every CDS Hooks call (discovery, hooks, feedback) and on /analysis: a Bearer JWT verified by
 * security/jwt-verifier.ts against the URL called (PUBLIC_BASE_URL + path, so that it holds behind a proxy). 401
 * with no detail on failure, or 503 when the token cannot be checked (the issuer's keys or the replay cache are
 * unavailable); the reason goes to the log, never the token. Whether a call is protected is decided by
 * the route it reached (the router decodes the path: "/%63ds-services" reaches /cds-services), and by its path for
 * calls that reach none.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Verification } from '../../security/jwt-verifier.ts';
import { addLogFacts } from './request-log.plugin.ts';

export type Verify = (token: string, audience: string) => Promise<Verification>;

const PROTECTED = /^\/(cds-services|analysis)(\/|$|\?)/;

export function isProtected(url: string): boolean {
  return PROTECTED.test(url);
}

export function registerAuth(
  app: FastifyInstance,
  publicBaseUrl: string,
  verify: Verify,
  onFailure: (reason: string) => void = () => undefined,
): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'OPTIONS') return;
    if (!isProtected(request.routeOptions.url ?? '') && !isProtected(request.url)) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header) : null;
    const path = request.url.split('?')[0] ?? request.url;
    const result: Verification = match?.[1]
      ? await verify(match[1], `${publicBaseUrl}${path}`)
      : { ok: false, reason: 'missing-token' };
    if (result.ok) {
      addLogFacts(request, { issuer: result.iss });
      return;
    }
    addLogFacts(request, { authFailure: result.reason });
    onFailure(result.reason);
    if (UNCHECKABLE.has(result.reason)) {
      // Fail closed, but say it is not the token: the EHR may retry (the log has which part was down).
      await reply.code(503).header('retry-after', '5').send(UNAVAILABLE);
      return;
    }
    await reply.code(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED);
  });
}

/** Failures of the service's own dependencies (the issuer's key set, the replay cache), not of the token. */
const UNCHECKABLE: ReadonlySet<string> = new Set(['keys-unavailable', 'replay-cache-unavailable']);

/** The same answer for every refused token: which check failed is for the log only. */
export const UNAUTHORIZED = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'a valid Bearer token from a trusted issuer is required',
} as const;

const UNAVAILABLE = {
  statusCode: 503,
  error: 'Service Unavailable',
  message: 'the token could not be checked now; retry shortly',
} as const;
