/**
 * Shared by the handlers: the analysis of the gathered record (and of the record with the draft orders, for the
 * order hooks), and the card context.
 */
import { REVISION } from '../domain/opioid/order-id.ts';
import { analyzeResources, type BundleAnalysis } from '../analysis/analyze-bundle.ts';
import type { CardContext } from '../cards/card.types.ts';
import { parseIsoDate, type Day } from '../domain/time/day.ts';
import type { Gathered } from '../fhir/fhir-gateway.ts';
import { fhirDay } from '../fhir/fhir-values.ts';
import { obj, str, type Json } from '../fhir/json-read.ts';
import type { DecisionSummary, HandlerDeps, HookCall } from './cds-service.types.ts';
import { ORDERS_KEY } from './prefetch.ts';

/**
 * What the cards need besides the analysis. What could not be read: the results the rules could not read first (a
 * self-harm answer leads: ADR 0015), then the data that could not be fetched.
 */
export function cardContext(
  call: HookCall,
  data: Gathered,
  deps: HandlerDeps,
  analysis: BundleAnalysis,
): CardContext {
  return {
    patientId: call.context.patientId,
    userId: call.context.userId,
    today: deps.today,
    publicBaseUrl: deps.publicBaseUrl,
    trendLink: deps.trendLink,
    partial: [...analysis.risk.unread.map((u) => u.text), ...data.partial],
    ordersIncomplete: data.incomplete.includes(ORDERS_KEY),
    newId: deps.newId,
  };
}

export function decisionSummary(analysis: BundleAnalysis): DecisionSummary {
  return {
    flags: analysis.risk.flags.map((f) => f.code),
    recommendation: analysis.risk.referral.recommendation,
    suppressed: analysis.risk.referral.suppressed,
    complete: analysis.mme.complete,
    unreadResults: analysis.risk.unread.length,
  };
}

/**
 * `server`: the hook's fhirServer, where the resources come from (prefetched by the EHR, or read from it);
 * `fullUrls`: the draft orders' entries' fullUrls (a draft may name its Medication by urn:uuid).
 */
export function analyse(
  resources: readonly Json[],
  deps: HandlerDeps,
  server?: string,
  fullUrls?: ReadonlyMap<Json, string>,
  options: {
    /** Orders replaced by the drafts (priorPrescription): see AnalysisRules.replaced. */
    readonly replaced?: ReadonlyMap<string, Day>;
    /** Another day than today to analyse the record at (a draft that starts later). */
    readonly at?: Day;
  } = {},
): BundleAnalysis {
  const replaced = options.replaced;
  const asOf = options.at ?? parseIsoDate(deps.today);
  if (asOf === undefined) throw new Error(`today "${deps.today}" is not a date`);
  // The cards read only what the rules' look-backs can see: older orders and observations are not read (ADR 0011).
  return analyzeResources(
    resources,
    asOf,
    deps.factorSet,
    { trend: deps.trendRules, history: 'relevant', ...(replaced ? { replaced } : {}) },
    server,
    fullUrls,
  );
}

/** A MedicationRequest's dispenseRequest.validityPeriod.start as written. */
function validityStart(request: Json): string | undefined {
  return str(obj(obj(request.dispenseRequest)?.validityPeriod)?.start);
}

/**
 * A draft order as if signed today: it counts from today over its own supply, whatever past date it carries (a
 * draft started weeks ago, or a renewal that kept the first order's date or validity start, is signed now); a
 * validity period that starts later is kept (a prescription to be filled from then). A draft with the id of an order
 * of the record (`recorded`) revises it: it takes that id with REVISION.
 */
export function asSigned(
  resources: readonly Json[],
  today: string,
  recorded: ReadonlySet<string> = new Set(),
): Json[] {
  return resources.map((r, i) => {
    if (r.resourceType !== 'MedicationRequest') return r;
    const id = str(r.id);
    const status = str(r.status);
    const dispense = obj(r.dispenseRequest);
    const validity = obj(dispense?.validityPeriod);
    const validFrom = validityStart(r);
    // Dated as the record's dates are (an offset date-time in the service's time zone).
    const validDay = validFrom === undefined ? undefined : fhirDay(validFrom);
    const todayDay = parseIsoDate(today);
    const startsBefore = validDay !== undefined && todayDay !== undefined && validDay < todayDay;
    return {
      ...r,
      // A colon cannot be in a FHIR id: a draft without one, or whose id has one, is given an id no order of the
      // record has, and is never taken for a revision.
      id: id === undefined || id.includes(':') ? `draft:${i}` : recorded.has(id) ? `${id}${REVISION}` : id,
      status: status === undefined || status === 'draft' ? 'active' : status,
      intent: 'order',
      authoredOn: today,
      ...(startsBefore
        ? { dispenseRequest: { ...dispense, validityPeriod: { ...validity, start: today } } }
        : {}),
    };
  });
}

/**
 * The day a signed draft (asSigned) starts: its validity start, dated as the record's dates are (an offset date-time
 * in the service's time zone), else the day it is signed.
 */
export function signedStart(draft: Json): Day | undefined {
  const validFrom = validityStart(draft);
  const authored = str(draft.authoredOn);
  return (
    (validFrom === undefined ? undefined : fhirDay(validFrom)) ??
    (authored === undefined ? undefined : fhirDay(authored))
  );
}

/**
 * Drafts whose validity start is written but cannot be read as a day ("2027-01", "2026-02-30"), by the id asSigned
 * gives them: such a draft is counted from the day it is signed, and its card says so - a start the prescriber meant
 * for a later month must not pass for today without a word.
 */
export function unreadStarts(signed: readonly Json[]): Map<string, string> {
  const unread = new Map<string, string>();
  for (const r of signed) {
    const id = str(r.id);
    if (r.resourceType !== 'MedicationRequest' || id === undefined) continue;
    const start = validityStart(r);
    if (start !== undefined && fhirDay(start) === undefined) unread.set(id, start);
  }
  return unread;
}

export function draftIds(resources: readonly Json[]): Set<string> {
  return new Set(
    // Numbered as asSigned numbers the drafts without id: by position among all the resources.
    resources.flatMap((r, i) => (r.resourceType === 'MedicationRequest' ? [str(r.id) ?? `draft:${i}`] : [])),
  );
}
