/**
 * Governance read API: acceptance and override rates per card type and override reason, from the audit and the
 * feedback. Protected by its own bearer token (GOVERNANCE_TOKEN, compared in constant time); absent without it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../storage/store.ts';
import { HttpError } from '../http-error.ts';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export function governanceRoute(
  app: FastifyInstance,
  store: Store | undefined,
  token: string | undefined,
): void {
  if (!token || !store) return;
  const expected = digest(`Bearer ${token}`);
  app.get('/governance/feedback', async (request, reply) => {
    const given = request.headers.authorization;
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'the governance Bearer token is required',
      });
      return reply;
    }
    try {
      return { cardTypes: await store.feedbackStats() };
    } catch {
      throw new HttpError(503, 'the store is not available');
    }
  });
}
