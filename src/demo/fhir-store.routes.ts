/**
 * The demo's embedded FHIR store over HTTP (FHIR R4 JSON): metadata, read, search and create (the referrals that
 * accepted suggestions draft). Every error under its path is an OperationOutcome with the FHIR status code: the
 * store's own, a body that is not JSON, a method it does not serve (405 with Allow), an unknown path.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { allowedMethods, noRouteProblem, problemOf } from '../http/plugins/error-handler.plugin.ts';
import { FhirStoreError, type MemoryFhirStore } from './memory-fhir-store.ts';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** FHIR issue types (http://hl7.org/fhir/issue-type) of the statuses the store answers with. */
const ISSUE_CODES: Readonly<Record<number, string>> = {
  404: 'not-found',
  405: 'not-supported',
  413: 'too-long',
  415: 'not-supported',
  500: 'exception',
  503: 'transient',
  507: 'too-costly',
};

function outcome(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .status(status)
    .type(FHIR_JSON)
    .send({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: ISSUE_CODES[status] ?? 'invalid', diagnostics: message }],
    });
}

/** Types a demo EHR may create: the referral a suggestion drafts. */
const CREATABLE = new Set(['ServiceRequest']);

export function fhirStoreRoutes(
  app: FastifyInstance,
  store: MemoryFhirStore,
  path: string,
  baseUrl: string,
): void {
  void app.register(
    (scope, _options, done) => {
      storeRoutes(scope, store, baseUrl);
      scope.setErrorHandler((error: FastifyError, request, reply) => {
        const problem = problemOf(error, request);
        return outcome(reply, problem.statusCode, problem.message);
      });
      scope.setNotFoundHandler((request, reply) => {
        const problem = noRouteProblem(app, request, storeMethods(app, request.url, path));
        if (problem.allow) void reply.header('allow', problem.allow);
        return outcome(reply, problem.statusCode, problem.message);
      });
      done();
    },
    { prefix: path },
  );
}

/**
 * The methods the store answers at a URL under its path: its routes' methods, except POST where `/:type` matches a
 * type it does not create (`/metadata`, `/Patient`), which that route refuses with 405.
 */
function storeMethods(app: FastifyInstance, url: string, path: string): string[] {
  const type = /^\/([^/?#]+)\/?(?:[?#]|$)/.exec(url.slice(path.length))?.[1];
  const creates = type !== undefined && CREATABLE.has(type);
  return allowedMethods(app, url).filter((method) => method !== 'POST' || creates);
}

function storeRoutes(app: FastifyInstance, store: MemoryFhirStore, baseUrl: string): void {
  const path = '';
  const handle = (reply: FastifyReply, work: () => unknown, status = 200): FastifyReply => {
    try {
      return reply.status(status).type(FHIR_JSON).send(work());
    } catch (error) {
      if (error instanceof FhirStoreError) return outcome(reply, error.status, error.message);
      throw error;
    }
  };
  app.get(`${path}/metadata`, (_request, reply) =>
    reply.type(FHIR_JSON).send({
      resourceType: 'CapabilityStatement',
      status: 'active',
      kind: 'instance',
      date: '2026-11-24',
      fhirVersion: '4.0.1',
      format: ['json'],
      software: { name: 'opioid-pain-cds demo FHIR store (synthetic patients, in memory)' },
      rest: [{ mode: 'server' }],
    }),
  );
  app.get<{ Params: { type: string; id: string } }>(`${path}/:type/:id`, (request, reply) =>
    handle(reply, () => store.read(request.params.type, request.params.id)),
  );
  app.get<{ Params: { type: string } }>(`${path}/:type`, (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    return handle(reply, () => store.search(request.params.type, new URLSearchParams(query), baseUrl));
  });
  app.post<{ Params: { type: string } }>(`${path}/:type`, (request, reply) => {
    const { type } = request.params;
    if (!CREATABLE.has(type)) {
      void reply.header('allow', 'GET, HEAD');
      return outcome(reply, 405, `${type} cannot be created in the demo store`);
    }
    return handle(
      reply,
      () => {
        const created = store.create(type, request.body);
        void reply.header('location', `${baseUrl}/${type}/${created.id}`);
        return created;
      },
      201,
    );
  });
}
