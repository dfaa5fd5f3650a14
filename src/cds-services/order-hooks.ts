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
import type { Gathered } from '../fhir/fhir-gateway.ts';
import { parseIsoDate, type Day } from '../domain/time/day.ts';
import { analyse, asSigned, cardContext, decisionSummary, draftIds, unreadStarts } from './analyse-call.ts';
import type { HandlerDeps, HookCall, HookResult } from './cds-service.types.ts';
import { recordedOrderIds, replacedOrders } from './draft-replacements.ts';
import { bringsBenzodiazepine, laterBenzodiazepine, laterPeak } from './later-drafts.ts';

export function orderHookCards(
  call: HookCall,
  data: Gathered,
  deps: HandlerDeps,
  withReferral: boolean,
): HookResult {
  const current = data.resources;
  const recorded = recordedOrderIds(current);
  const signed = asSigned(call.draftResources, deps.today, recorded);
  const before = analyse(current, deps, call.fhirServer, data.urnFullUrls);
  const fullUrls = call.draftFullUrls
    ? new Map([...data.urnFullUrls, ...call.draftFullUrls])
    : data.urnFullUrls;
  // A renewal names the order it replaces (priorPrescription): that order counts until the renewal starts - its
  // supply does not go on beside the renewal, and its past days stay in the history (LTOT, averages, trend).
  const replaced = replacedOrders(signed, recorded, deps.today);
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
    unreadStarts: unreadStarts(signed),
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
      // A post-dated benzodiazepine (today's analysis has no review to give).
      ...(benzodiazepineAt !== undefined && benzodiazepineAt !== after ? benzodiazepine : []),
      ...(later && laterNaloxone ? safetyCards(later.analysis, ctx, ['naloxone']) : []),
      ...(referral ? [referral] : []),
    ],
    decision,
  };
}
