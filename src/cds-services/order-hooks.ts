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

/** The ids of the MedicationRequests the drafts replace (`priorPrescription`: "Type/id", or a URL ending in it). */
function replacedOrders(drafts: readonly Json[]): Set<string> {
  const ids = new Set<string>();
  for (const d of drafts) {
    const target = referenceTarget(str(obj(d.priorPrescription)?.reference) ?? '');
    if (target?.type === 'MedicationRequest' && target.id !== str(d.id)) ids.add(target.id);
  }
  return ids;
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
  // A renewal names the order it replaces (priorPrescription): that order no longer counts once it is signed.
  const replaced = replacedOrders(signed);
  const kept =
    replaced.size === 0
      ? current
      : current.filter((r) => !(r.resourceType === 'MedicationRequest' && replaced.has(str(r.id) ?? '')));
  const after = analyse([...signed, ...kept], deps, call.fhirServer, fullUrls);
  const ctx = cardContext(call, data, deps, after);
  const drafted = draftIds(signed);
  const impact = orderCard(before, after, drafted, ctx);
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
