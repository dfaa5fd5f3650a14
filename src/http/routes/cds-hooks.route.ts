/**
 * CDS Hooks endpoints: GET /cds-services (discovery, from the registry) and POST /cds-services/{id} (validate, gather
 * prefetch or FHIR data, run the service, return cards: answerHook). 404 for an unknown service, 400 naming what is
 * wrong with the request, 412 when required data can be neither found in prefetch nor fetched. A call that arrives
 * while the event loop answers another goes to a hook thread when there are any (ADR 0019); the route keeps what
 * is the process's: the log line, metrics and the audit record.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import {
  answerHook,
  hookSettings,
  serviceNamed,
  type HookAnswer,
  type HookFacts,
  type HookSettings,
} from '../../cds-services/answer-hook.ts';
import type { HookThreads } from '../../cds-services/hook-threads.ts';
import { CDS_SERVICES, findService } from '../../cds-services/registry.ts';
import { localDate, type Clock } from '../../platform/clock.ts';
import { addLogFacts } from '../plugins/request-log.plugin.ts';
import type { AuditWriter } from '../../storage/audit-writer.ts';
import { Metrics } from '../../platform/metrics.ts';

export interface CdsHooksRouteDeps {
  readonly config: HookSettings;
  readonly clock: Clock;
  readonly newId?: () => string;
  /** Where each hook call's audit record goes (none without a store). */
  readonly audit?: AuditWriter;
  readonly metrics?: Metrics;
  /** Where calls go while the event loop answers another (none: every call on the event loop). */
  readonly threads?: HookThreads;
}

export function cdsHooksRoutes(app: FastifyInstance, deps: CdsHooksRouteDeps): void {
  const definitions = { services: CDS_SERVICES.map((s) => s.definition) };
  const metrics = deps.metrics;
  if (metrics) {
    // The histogram's series, one per service and status: prom-client hashes a call's labels otherwise.
    const series = new Map<string, { observe(seconds: number): void }>();
    app.addHook('onResponse', (request, reply, done) => {
      if (request.method === 'POST' && request.routeOptions.url === '/cds-services/:id') {
        const service = findService((request.params as { id?: string }).id ?? '');
        const key = `${service?.definition.id ?? ''} ${reply.statusCode}`;
        let child = series.get(key);
        if (!child) {
          child = metrics.hookDuration.labels({
            service: service?.definition.id ?? 'unknown',
            hook: service?.definition.hook ?? 'unknown',
            status: String(reply.statusCode),
          });
          series.set(key, child);
        }
        child.observe(reply.elapsedTime / 1000);
      }
      done();
    });
  }
  app.get('/cds-services', () => definitions);

  const settings = hookSettings(deps.config);
  const observeReadOf = (seconds: number, error: string | undefined): void => {
    metrics?.fhirDuration.observe({ outcome: error === undefined ? 'ok' : 'error' }, seconds);
    if (error !== undefined) metrics?.fhirErrors.inc({ kind: Metrics.fhirErrorKind(error) });
  };
  let openConnections = 0;
  app.server.on('connection', (socket: Socket) => {
    openConnections++;
    socket.once('close', () => {
      openConnections--;
    });
  });
  app.post<{ Params: { id: string } }>(
    '/cds-services/:id',
    { config: { jsonText: true } },
    async (request, reply) => {
      const started = performance.now();
      // Said at once, on the event loop: a call to no service is not worth a turn's wait or a thread.
      serviceNamed(request.params.id);
      const ask = {
        serviceId: request.params.id,
        text: typeof request.body === 'string' ? request.body : undefined,
        today: localDate(deps.clock),
      };
      const io = {
        facts: (facts: HookFacts) => {
          addLogFacts(request, facts);
        },
        ...(metrics
          ? {
              observeRead: observeReadOf,
              placed: (where: 'thread' | 'event-loop') => {
                metrics.hookAnswers.inc({ where });
              },
            }
          : {}),
      };
      const here = (): Promise<HookAnswer> =>
        answerHook(ask, settings, { ...io, newId: deps.newId ?? randomUUID });
      let answer;
      // Calls arrive together only on different connections: with one open, there is nothing to wait for.
      if (deps.threads && openConnections > 1) answer = await deps.threads.answer(ask, io, here);
      else {
        io.placed?.('event-loop');
        answer = await here();
      }
      for (const type of answer.cardTypes) metrics?.cards.inc({ type });
      deps.audit?.add({
        ...answer.audit,
        at: new Date(),
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
      });
      return reply.type('application/json; charset=utf-8').send(answer.payload);
    },
  );
}
