/**
 * CDS Hooks endpoints: GET /cds-services (discovery, from the registry) and POST /cds-services/{id} (validate, gather
 * prefetch or FHIR data, run the service, return cards). 404 for an unknown service, 400 naming what is wrong with
 * the request, 412 when required data can be neither found in prefetch nor fetched.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { describeIssues } from '../../analysis/analysis-request.schema.ts';
import type { Config } from '../../config/load-config.ts';
import type { HookCall } from '../../cds-services/cds-service.types.ts';
import { HookRequestSchema } from '../../cds-services/hook-request.schema.ts';
import { CDS_SERVICES, findService } from '../../cds-services/registry.ts';
import { DataUnavailableError, fullUrlsOf, gather, resourcesOf } from '../../fhir/fhir-gateway.ts';
import { str, type Json } from '../../fhir/json-read.ts';
import { withoutOtherPatients } from '../../fhir/patient-scope.ts';
import { localDate, type Clock } from '../../platform/clock.ts';
import { badRequest, HttpError } from '../http-error.ts';
import { addLogFacts } from '../plugins/request-log.plugin.ts';
import type { AuditWriter } from '../../storage/audit-writer.ts';
import { Metrics } from '../../platform/metrics.ts';

export interface CdsHooksRouteDeps {
  readonly config: Pick<Config, 'defaultFactorSet' | 'trendRules' | 'fhir' | 'publicBaseUrl' | 'demo'>;
  readonly clock: Clock;
  readonly newId?: () => string;
  /** Where each hook call's audit record goes (none without a store). */
  readonly audit?: AuditWriter;
  readonly metrics?: Metrics;
}

/**
 * order-select analyses only the selected drafts; order-sign all of them. A selection names a draft by
 * "Type/id" or by its entry's fullUrl (urn:uuid); one that names no entry of draftOrders is a 400.
 */
function draftResources(context: Readonly<Record<string, unknown>>, hook: string): Json[] {
  const all = resourcesOf(context.draftOrders);
  if (hook !== 'order-select' || !Array.isArray(context.selections)) return all;
  const fullUrls = fullUrlsOf(context.draftOrders);
  const names = (r: Json): string[] => {
    const url = fullUrls.get(r);
    const type = str(r.resourceType);
    const id = str(r.id);
    // A draft without an id (or a type) has no "Type/id": "MedicationRequest/" names nothing.
    return [
      ...(type === undefined || id === undefined ? [] : [`${type}/${id}`]),
      ...(url === undefined ? [] : [url]),
    ];
  };
  const selections = context.selections.filter((s): s is string => typeof s === 'string');
  const named = all.map((r) => ({ r, names: names(r) }));
  const known = new Set(named.flatMap((n) => n.names));
  const unknown = selections.filter((s) => !known.has(s));
  if (unknown.length > 0)
    throw badRequest(
      `context.selections: ${unknown
        .slice(0, 3)
        .map((s) => `"${s.slice(0, 80)}"`)
        .join(', ')} name${unknown.length === 1 ? 's' : ''} no entry of context.draftOrders`,
    );
  const selected = new Set(selections);
  return named
    .filter((n) => n.names.some((name) => selected.has(name)) || n.r.resourceType !== 'MedicationRequest')
    .map((n) => n.r);
}

export function cdsHooksRoutes(app: FastifyInstance, deps: CdsHooksRouteDeps): void {
  const definitions = { services: CDS_SERVICES.map((s) => s.definition) };
  const metrics = deps.metrics;
  const observeRead = (seconds: number, error: Error | undefined): void => {
    metrics?.fhirDuration.observe({ outcome: error ? 'error' : 'ok' }, seconds);
    if (error) metrics?.fhirErrors.inc({ kind: Metrics.fhirErrorKind(error.message) });
  };
  if (metrics)
    app.addHook('onResponse', async (request, reply) => {
      if (request.method !== 'POST' || request.routeOptions.url !== '/cds-services/:id') return;
      const service = findService((request.params as { id?: string }).id ?? '');
      metrics.hookDuration.observe(
        {
          service: service?.definition.id ?? 'unknown',
          hook: service?.definition.hook ?? 'unknown',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
  app.get('/cds-services', () => definitions);

  app.post<{ Params: { id: string } }>('/cds-services/:id', async (request) => {
    const started = performance.now();
    const service = findService(request.params.id);
    if (!service)
      throw new HttpError(
        404,
        `no CDS service "${request.params.id.slice(0, 64)}"; GET /cds-services lists them`,
      );
    const parsed = HookRequestSchema.safeParse(request.body);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error, request.body));
    const body = parsed.data;
    if (body.hook !== service.definition.hook) {
      throw badRequest(
        `hook: this service answers "${service.definition.hook}", not "${body.hook.slice(0, 64)}"`,
      );
    }
    const context = service.contextSchema.safeParse(body.context);
    if (!context.success) throw badRequest(describeIssues(context.error, body.context, 'context.'));
    addLogFacts(request, { hookInstance: body.hookInstance, cdsService: service.definition.id });

    const drafts = draftResources(body.context, body.hook);
    // A draft for another patient would be counted with this patient's orders: the request contradicts itself.
    const foreign = withoutOtherPatients(drafts, body.context.patientId).leftOut;
    if (foreign > 0)
      throw badRequest(
        `context.draftOrders: ${foreign} draft resource${foreign === 1 ? ' names' : 's name'} another patient than context.patientId`,
      );
    let data;
    try {
      data = await gather(
        service.prefetch,
        {
          prefetch: body.prefetch ?? undefined,
          fhirServer: body.fhirServer,
          accessToken: body.fhirAuthorization?.access_token,
          context: body.context,
          referring: drafts,
        },
        metrics ? { ...deps.config.fhir, observeRead } : deps.config.fhir,
      );
    } catch (error) {
      if (error instanceof DataUnavailableError)
        throw new HttpError(412, `required data unavailable: ${error.message}`);
      throw error;
    }
    const call: HookCall = {
      hookInstance: body.hookInstance,
      context: body.context,
      draftResources: drafts,
      draftFullUrls: fullUrlsOf(body.context.draftOrders),
      ...(body.fhirServer === undefined ? {} : { fhirServer: body.fhirServer }),
    };
    const result = service.handle(call, data, {
      today: localDate(deps.clock),
      factorSet: deps.config.defaultFactorSet,
      trendRules: deps.config.trendRules,
      publicBaseUrl: deps.config.publicBaseUrl,
      trendLink: deps.config.demo ? 'absolute' : 'smart',
      newId: deps.newId ?? randomUUID,
    });
    addLogFacts(request, {
      cards: result.cards.length,
      partial: data.partial.length,
      sources: data.sources,
    });
    for (const card of result.cards) metrics?.cards.inc({ type: card.source.topic.code });
    const unread = result.decision?.unreadResults ?? 0;
    deps.audit?.add({
      at: new Date(),
      serviceId: service.definition.id,
      hookInstance: body.hookInstance,
      patientId: body.context.patientId,
      cards: result.cards.map((c) => ({ id: c.uuid, type: c.source.topic.code })),
      flags: result.decision?.flags ?? [],
      recommendation: result.decision?.recommendation ?? null,
      // Complete: the dose known, every result read, every key gathered; the count is of all that was not.
      complete: (result.decision?.complete ?? true) && unread === 0 && data.partial.length === 0,
      partialCount: data.partial.length + unread,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
    });
    return { cards: result.cards };
  });
}
