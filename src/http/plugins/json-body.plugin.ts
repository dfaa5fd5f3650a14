/**
 * JSON request bodies (application/json and application/fhir+json), parsed with prototype-poisoning protection
 * like Fastify's own parser, but with errors that say which problem it is (json-text.ts); a route with `jsonText`
 * in its config gets the checked text. Everything else is refused with 415.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http-error.ts';
import { parseJsonText } from '../json-text.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route parses the body's text itself (checked for charset and emptiness here): a string body. */
    readonly jsonText?: boolean;
  }
}

export function registerJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/fhir+json'],
    { parseAs: 'string' },
    (request, body, done) => {
      // JSON is UTF-8 (RFC 8259): a body declared in another charset would be misread, not parsed - unless it is
      // plain ASCII, which reads the same in the charsets some HTTP clients still declare by default.
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (
        charset !== undefined &&
        !/^utf-?8$/i.test(charset) &&
        !(/^(us-ascii|ascii|iso-8859-1|latin1)$/i.test(charset) && !/[\u0080-\uffff]/.test(text))
      ) {
        done(
          new HttpError(415, `charset "${charset.slice(0, 40)}" is not supported; send UTF-8 JSON`),
          undefined,
        );
        return;
      }
      if (text.trim() === '') {
        done(new HttpError(400, 'the request body is empty; expected JSON'), undefined);
        return;
      }
      if (request.routeOptions.config.jsonText === true) {
        done(null, text);
        return;
      }
      try {
        done(null, parseJsonText(text));
      } catch (error) {
        done(error as HttpError, undefined);
      }
    },
  );
}
