/**
 * Shared by order-select and order-sign: the draft opioid orders analysed with the patient's current orders.
 * order-sign also carries the referral and safety cards: signing a new opioid for a patient with chronic pain is
 * the moment to offer the non-drug alternative. A benzodiazepine ordered for a patient on opioids gets the
 * co-prescribing card; any other non-opioid order, none.
 */
import type { BundleAnalysis } from '../analysis/analyze-bundle.ts';
import { dataGapCard } from '../cards/data-gap-card.ts';
import { orderCard } from '../cards/order-card.ts';
import { referralCard } from '../cards/referral-card.ts';
import { safetyCards } from '../cards/safety-cards.ts';
import { orderReference } from '../domain/risk/flags/prescribing.flags.ts';
import type { Gathered } from '../fhir/fhir-gateway.ts';
import { obj, str, type Json } from '../fhir/json-read.ts';
import { referenceTarget } from '../fhir/reference-target.ts';
import { fhirDay } from '../fhir/fhir-values.ts';
import { parseIsoDate, type Day } from '../domain/time/day.ts';
import { analyse, asSigned, cardContext, decisionSummary, draftIds } from './analyse-call.ts';
import type { HandlerDeps, HookCall, HookResult } from './cds-service.types.ts';

/**
 * Whether a drafted order is a benzodiazepine overlapping the patient's opioids, and the decision keeps the review
 * (as on patient-view: an excluded patient gets none).
 */
function bringsBenzodiazepine(after: BundleAnalysis, drafted: ReadonlySet<string>): boolean {
  if (!after.risk.referral.safetyActions.includes('benzodiazepine-review')) return false;
  const overlap = after.risk.flags.find((f) => f.code === 'benzodiazepine-overlap');
  const drafts = new Set([...drafted].map(orderReference));
  return (overlap?.evidence ?? []).some((e) => e.reference !== undefined && drafts.has(e.reference));
}

interface Replacements {
  /** The replaced MedicationRequests' ids, each with the first day of the signed order that replaces it. */
  readonly from: Map<string, Day>;
  /** Draft id -> the id of the order it replaces. */
  readonly byDraft: Map<string, string>;
}

/**
 * The patient's MedicationRequests the signed drafts replace (`priorPrescription`: "Type/id", or a URL ending in
 * it), and from when: the draft's own start (its validity start, dated as the record's dates are, else the day it
 * is signed). Only orders of the record are replaced: a priorPrescription naming another draft, or an order the
 * record does not hold, replaces nothing (the draft is then counted as a new order).
 */
function replacedOrders(signed: readonly Json[], current: readonly Json[], today: string): Replacements {
  const from = new Map<string, Day>();
  const byDraft = new Map<string, string>();
  const drafts = new Set(signed.map((d) => str(d.id)));
  const recorded = new Set(
    current.filter((r) => r.resourceType === 'MedicationRequest').map((r) => str(r.id)),
  );
  for (const d of signed) {
    const target = referenceTarget(str(obj(d.priorPrescription)?.reference) ?? '');
    const id = str(d.id);
    if (target?.type !== 'MedicationRequest' || drafts.has(target.id) || !recorded.has(target.id)) continue;
    const validFrom = str(obj(obj(d.dispenseRequest)?.validityPeriod)?.start);
    const day = (validFrom === undefined ? undefined : fhirDay(validFrom)) ?? parseIsoDate(today);
    if (day === undefined) continue;
    from.set(target.id, Math.min(day, from.get(target.id) ?? day));
    if (id !== undefined) byDraft.set(id, target.id);
  }
  return { from, byDraft };
}

/** Start days of later non-opioid drafts checked for co-prescribing: a few, not one analysis per draft. */
const MAX_LATER_CHECKS = 2;

/**
 * A non-opioid draft that starts after today (a post-dated benzodiazepine): the record with the drafts on the day it
 * starts, when the co-prescribing rule finds that draft overlapping the patient's opioids then.
 */
function laterBenzodiazepine(
  signed: readonly Json[],
  after: BundleAnalysis,
  drafted: ReadonlySet<string>,
  today: Day,
  analyseAt: (day: Day, withDrafts: boolean) => BundleAnalysis,
): BundleAnalysis | undefined {
  // Non-opioid orders are not in the dose analysis: their start is read from the draft (asSigned kept a later one).
  const opioids = new Set(after.mme.orders.map((o) => o.id));
  const starts = signed
    .filter((d) => d.resourceType === 'MedicationRequest' && !opioids.has(str(d.id) ?? ''))
    .map((d) => str(obj(obj(d.dispenseRequest)?.validityPeriod)?.start))
    .map((start) => (start === undefined ? undefined : fhirDay(start)))
    .filter((d): d is Day => d !== undefined && d > today);
  for (const day of [...new Set(starts)].sort((a, b) => a - b).slice(0, MAX_LATER_CHECKS)) {
    const analysis = analyseAt(day, true);
    if (bringsBenzodiazepine(analysis, drafted)) return analysis;
  }
  return undefined;
}

/**
 * Opioid drafts taken after today (prescriptions to be filled from a later date, often several in a row, or dosing
 * that steps up): the day after today on which the total with the drafts is highest, while a draft is taken, and the
 * record with and without the drafts on that day. Today stands for itself when a draft is taken today and no later
 * day is higher. Candidate days are those on which some order's dose starts or changes; the highest is found from
 * the orders' dose segments, then both records are analysed on that day.
 */
function laterPeak(
  after: BundleAnalysis,
  drafted: ReadonlySet<string>,
  today: Day,
  analyseAt: (day: Day, withDrafts: boolean) => BundleAnalysis,
): { day: Day; analysis: BundleAnalysis; before: BundleAnalysis } | undefined {
  const draftSegments = after.mme.orders
    .filter((o) => drafted.has(o.id) && o.product.opioid !== 'no')
    .flatMap((o) => o.segments);
  const spans = draftSegments
    .filter((s) => s.end > today)
    .map((s) => ({ start: Math.max(s.start, today + 1), end: s.end }));
  if (spans.length === 0) return undefined;
  const taken = (day: Day): boolean => spans.some((s) => s.start <= day && day <= s.end);
  const counted = after.mme.orders.flatMap((o) =>
    o.segments.filter((s) => s.mme !== null && !s.excluded && !s.uncertain),
  );
  const days = new Set(spans.map((s) => s.start));
  for (const s of counted) if (s.start > today && taken(s.start)) days.add(s.start);
  const totalOn = (day: Day): number =>
    counted.reduce((sum, s) => (s.start <= day && day <= s.end ? sum + (s.mme ?? 0) : sum), 0);
  let peak: Day | undefined;
  let highest = draftSegments.some((s) => s.start <= today && today <= s.end)
    ? after.mme.exactTotalMme
    : Number.NEGATIVE_INFINITY;
  for (const day of [...days].sort((a, b) => a - b)) {
    const total = totalOn(day);
    if (total > highest) {
      highest = total;
      peak = day;
    }
  }
  return peak === undefined
    ? undefined
    : { day: peak, analysis: analyseAt(peak, true), before: analyseAt(peak, false) };
}

export function orderHookCards(
  call: HookCall,
  data: Gathered,
  deps: HandlerDeps,
  withReferral: boolean,
): HookResult {
  const current = data.resources;
  const signed = asSigned(call.draftResources, deps.today);
  const before = analyse(current, deps, call.fhirServer, data.urnFullUrls);
  const fullUrls = call.draftFullUrls
    ? new Map([...data.urnFullUrls, ...call.draftFullUrls])
    : data.urnFullUrls;
  // A renewal names the order it replaces (priorPrescription): that order counts until the renewal starts - its
  // supply does not go on beside the renewal, and its past days stay in the history (LTOT, averages, trend).
  const replaced = replacedOrders(signed, current, deps.today);
  const withDrafts = [...signed, ...current];
  const after = analyse(withDrafts, deps, call.fhirServer, fullUrls, { replaced: replaced.from });
  const ctx = cardContext(call, data, deps, after);
  const drafted = draftIds(signed);
  const today = parseIsoDate(deps.today);
  const analyseAt = (at: Day, drafts: boolean): BundleAnalysis =>
    drafts
      ? analyse(withDrafts, deps, call.fhirServer, fullUrls, { replaced: replaced.from, at })
      : analyse(current, deps, call.fhirServer, data.urnFullUrls, { at });
  const later = today === undefined ? undefined : laterPeak(after, drafted, today, analyseAt);
  const impact = orderCard(before, after, drafted, ctx, {
    replaces: replaced.byDraft,
    ...(later ? { later } : {}),
  });
  const decision = decisionSummary(after);
  // A benzodiazepine ordered for a patient on opioids (or with the opioid ordered): the co-prescribing card.
  // One that starts later is checked on the day it starts.
  const benzodiazepineAt = bringsBenzodiazepine(after, drafted)
    ? after
    : today === undefined
      ? undefined
      : laterBenzodiazepine(signed, after, drafted, today, analyseAt);
  const benzodiazepine = benzodiazepineAt
    ? safetyCards(benzodiazepineAt, ctx, ['benzodiazepine-review'])
    : [];
  // No opioid ordered: only what the order itself brings.
  if (!impact) return { cards: benzodiazepine, decision };
  if (!withReferral) return { cards: [impact, ...benzodiazepine], decision };
  const referral = referralCard(after, ctx);
  // As on patient-view, an unreadable PHQ-9 item 9 is said beside the safety cards (the order card gives the dose).
  const gap = dataGapCard(after, ctx, { alone: false });
  // A dose that reaches 50 MME/day only from a later day calls for naloxone now, at the signing.
  const laterNaloxone =
    later?.analysis.risk.referral.safetyActions.includes('naloxone') === true &&
    !after.risk.referral.safetyActions.includes('naloxone');
  return {
    cards: [
      impact,
      ...(gap ? [gap] : []),
      ...safetyCards(after, ctx),
      ...(later && laterNaloxone ? safetyCards(later.analysis, ctx, ['naloxone']) : []),
      ...(referral ? [referral] : []),
    ],
    decision,
  };
}
