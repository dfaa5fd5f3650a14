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
  const after = analyse([...signed, ...current], deps, call.fhirServer, fullUrls);
  const ctx = cardContext(call, data, deps, after);
  const drafted = draftIds(signed);
  const impact = orderCard(before, after, drafted, ctx);
  const decision = decisionSummary(after);
  if (!impact) {
    // No opioid ordered: only what the order itself brings - a benzodiazepine with the patient's opioids.
    const cards = bringsBenzodiazepine(after, drafted)
      ? safetyCards(after, ctx, ['benzodiazepine-review'])
      : [];
    return { cards, decision };
  }
  if (!withReferral) return { cards: [impact], decision };
  const referral = referralCard(after, ctx);
  // As on patient-view, an unreadable PHQ-9 item 9 is said beside the safety cards (the order card gives the dose).
  const gap = dataGapCard(after, ctx, { alone: false });
  return {
    cards: [impact, ...(gap ? [gap] : []), ...safetyCards(after, ctx), ...(referral ? [referral] : [])],
    decision,
  };
}
