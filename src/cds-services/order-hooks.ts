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
  const after = analyse([...signed, ...current], deps, call.fhirServer, fullUrls, replaced.from);
  const ctx = cardContext(call, data, deps, after);
  const drafted = draftIds(signed);
  const impact = orderCard(before, after, drafted, ctx, replaced.byDraft);
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
