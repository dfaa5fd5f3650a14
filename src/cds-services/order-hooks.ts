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

/** Start days of later drafts the card looks at: a few post-dated prescriptions, not one analysis per day. */
const MAX_LATER_STARTS = 4;

/**
 * Opioid drafts that start after today (prescriptions to be filled from a later date, often several in a row): the
 * record with the drafts on the start day where the total is highest, when that is a later day. Today counts among
 * the days only if a draft starts today: a post-dated order is judged on the days it is taken.
 */
function laterPeak(
  after: BundleAnalysis,
  drafted: ReadonlySet<string>,
  deps: HandlerDeps,
  analyseAt: (day: Day) => BundleAnalysis,
): { day: Day; analysis: BundleAnalysis } | undefined {
  const today = parseIsoDate(deps.today);
  if (today === undefined) return undefined;
  const starts = after.mme.orders
    .filter((o) => drafted.has(o.id) && o.product.opioid !== 'no' && o.coverage !== null)
    .map((o) => o.coverage?.start ?? today);
  const laterDays = [...new Set(starts.filter((d) => d > today))].sort((a, b) => a - b);
  if (laterDays.length === 0) return undefined;
  let peak: { day: Day; analysis: BundleAnalysis } | undefined;
  let highest = starts.some((d) => d <= today) ? after.mme.exactTotalMme : -1;
  for (const day of laterDays.slice(0, MAX_LATER_STARTS)) {
    const analysis = analyseAt(day);
    if (analysis.mme.exactTotalMme > highest) {
      highest = analysis.mme.exactTotalMme;
      peak = { day, analysis };
    }
  }
  return peak;
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
  const later = laterPeak(after, drafted, deps, (at) =>
    analyse(withDrafts, deps, call.fhirServer, fullUrls, { replaced: replaced.from, at }),
  );
  const impact = orderCard(before, after, drafted, ctx, {
    replaces: replaced.byDraft,
    ...(later ? { later } : {}),
  });
  const decision = decisionSummary(after);
  // A benzodiazepine ordered for a patient on opioids (or with the opioid ordered): the co-prescribing card.
  const benzodiazepine = bringsBenzodiazepine(after, drafted)
    ? safetyCards(after, ctx, ['benzodiazepine-review'])
    : [];
  // No opioid ordered: only what the order itself brings.
  if (!impact) return { cards: benzodiazepine, decision };
  if (!withReferral) return { cards: [impact, ...benzodiazepine], decision };
  const referral = referralCard(after, ctx);
  // As on patient-view, an unreadable PHQ-9 item 9 is said beside the safety cards (the order card gives the dose).
  const gap = dataGapCard(after, ctx, { alone: false });
  return {
    cards: [impact, ...(gap ? [gap] : []), ...safetyCards(after, ctx), ...(referral ? [referral] : [])],
    decision,
  };
}
