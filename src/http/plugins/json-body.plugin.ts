/**
 * JSON request bodies (application/json and application/fhir+json), parsed with prototype-poisoning protection
 * like Fastify's own parser, but with errors that say which problem it is. Everything else is refused with 415.
 */
import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { HttpError } from '../http-error.ts';

export function registerJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/fhir+json'],
    { parseAs: 'string' },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(new HttpError(400, 'the request body is empty; expected JSON'), undefined);
        return;
      }
      try {
        done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }));
      } catch (error) {
        const poisoned = error instanceof SyntaxError && /prototype property/i.test(error.message);
        const message = poisoned
          ? 'the request body contains a forbidden "__proto__" or "constructor.prototype" key'
          : 'the request body is not valid JSON';
        done(new HttpError(400, message), undefined);
      }
    },
  );
}
