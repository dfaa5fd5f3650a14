/**
 * A CDS Hooks call from its body's text to its answer: parse, validate, gather prefetch or FHIR data, run the
 * service, serialise the cards. No HTTP framework: the route runs it on the event loop, or hands it to a hook
 * thread (src/cds-services/hook-threads.ts) when the event loop is busy with another call - the same function in
 * both places, with plain data in and out. Refusals are HttpErrors (400 naming the problem, 404, 412).
 */
import { describeIssues } from '../analysis/analysis-request.schema.ts';
import type { Config } from '../config/load-config.ts';
import { DataUnavailableError, fullUrlsOf, gather, resourcesOf } from '../fhir/fhir-gateway.ts';
import { str, type Json } from '../fhir/json-read.ts';
import { withoutOtherPatients } from '../fhir/patient-scope.ts';
import { parseJsonText } from '../http/json-text.ts';
import { badRequest, HttpError } from '../http/http-error.ts';
import type { HookCallRecord } from '../storage/store.ts';
import type { CdsService, HookCall } from './cds-service.types.ts';
import { HookRequestSchema } from './hook-request.schema.ts';
import { findService } from './registry.ts';

/** What a call needs of the configuration: plain data, so that it crosses to a hook thread as it is. */
export type HookSettings = Pick<
  Config,
  'defaultFactorSet' | 'trendRules' | 'fhir' | 'publicBaseUrl' | 'demo'
>;

/** Only what a call needs (it is copied to each hook thread). */
export function hookSettings(config: HookSettings): HookSettings {
  return {
    defaultFactorSet: config.defaultFactorSet,
    trendRules: config.trendRules,
    fhir: config.fhir,
    publicBaseUrl: config.publicBaseUrl,
    demo: config.demo,
  };
}

export interface HookAsk {
  readonly serviceId: string;
  /** The request body, as received (JSON text); undefined when the request had none. */
  readonly text: string | undefined;
  /** "YYYY-MM-DD" today in the clinic's time zone, fixed by the caller. */
  readonly today: string;
}

/** Facts for the request's log line: never patient data. */
export type HookFacts = Readonly<Record<string, string | number | Readonly<Record<string, string>>>>;

export interface HookAnswer {
  /** `{"cards": [...]}`, serialised. */
  readonly payload: string;
  readonly cardTypes: readonly string[];
  /** The audit record, but for its time and latency (the route's, which saw the whole request). */
  readonly audit: Omit<HookCallRecord, 'at' | 'latencyMs'>;
}

export interface HookIo {
  readonly newId: () => string;
  /** Each FHIR read: its seconds, and its error's message when it failed. */
  readonly observeRead?: (seconds: number, error: string | undefined) => void;
  /** Log facts, as soon as they are known (a call refused later still logs its hookInstance). */
  readonly facts: (facts: HookFacts) => void;
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

/** The service a call names, or the 404 it gets (before its body is read: an unknown service is the first problem). */
export function serviceNamed(id: string): CdsService {
  const service = findService(id);
  if (!service) throw new HttpError(404, `no CDS service "${id.slice(0, 64)}"; GET /cds-services lists them`);
  return service;
}

export async function answerHook(ask: HookAsk, settings: HookSettings, io: HookIo): Promise<HookAnswer> {
  const service = serviceNamed(ask.serviceId);
  const raw = ask.text === undefined ? undefined : parseJsonText(ask.text);
  const parsed = HookRequestSchema.safeParse(raw);
  if (!parsed.success) throw badRequest(describeIssues(parsed.error, raw));
  const body = parsed.data;
  if (body.hook !== service.definition.hook) {
    throw badRequest(
      `hook: this service answers "${service.definition.hook}", not "${body.hook.slice(0, 64)}"`,
    );
  }
  const context = service.contextSchema.safeParse(body.context);
  if (!context.success) throw badRequest(describeIssues(context.error, body.context, 'context.'));
  io.facts({ hookInstance: body.hookInstance, cdsService: service.definition.id });

  const drafts = draftResources(body.context, body.hook);
  // A draft for another patient would be counted with this patient's orders: the request contradicts itself.
  const foreign = withoutOtherPatients(drafts, body.context.patientId).leftOut;
  if (foreign > 0)
    throw badRequest(
      `context.draftOrders: ${foreign} draft resource${foreign === 1 ? ' names' : 's name'} another patient than context.patientId`,
    );
  let data;
  try {
    const observeRead = io.observeRead;
    data = await gather(
      service.prefetch,
      {
        prefetch: body.prefetch ?? undefined,
        fhirServer: body.fhirServer,
        accessToken: body.fhirAuthorization?.access_token,
        context: body.context,
        referring: drafts,
      },
      observeRead
        ? {
            ...settings.fhir,
            observeRead: (seconds: number, error: Error | undefined) => {
              observeRead(seconds, error?.message);
            },
          }
        : settings.fhir,
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
    today: ask.today,
    factorSet: settings.defaultFactorSet,
    trendRules: settings.trendRules,
    publicBaseUrl: settings.publicBaseUrl,
    trendLink: settings.demo ? 'absolute' : 'smart',
    newId: io.newId,
  });
  io.facts({ cards: result.cards.length, partial: data.partial.length, sources: data.sources });
  const unread = result.decision?.unreadResults ?? 0;
  return {
    payload: JSON.stringify({ cards: result.cards }),
    cardTypes: result.cards.map((c) => c.source.topic.code),
    audit: {
      serviceId: service.definition.id,
      hookInstance: body.hookInstance,
      patientId: body.context.patientId,
      cards: result.cards.map((c) => ({ id: c.uuid, type: c.source.topic.code })),
      flags: result.decision?.flags ?? [],
      recommendation: result.decision?.recommendation ?? null,
      // Complete: the dose known, every result read, every key gathered; the count is of all that was not.
      complete: (result.decision?.complete ?? true) && unread === 0 && data.partial.length === 0,
      partialCount: data.partial.length + unread,
    },
  };
}
