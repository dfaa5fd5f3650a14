/**
 * Shared by order-select and order-sign: the draft opioid orders analysed with the patient's current orders.
 * order-sign also carries the referral and safety cards: signing a new opioid for a patient with chronic pain is
 * the moment to offer the non-drug alternative.
 */
import { orderCard } from '../cards/order-card.ts';
import { referralCard } from '../cards/referral-card.ts';
import { safetyCards } from '../cards/safety-cards.ts';
import type { Gathered } from '../fhir/fhir-gateway.ts';
import { analyse, asSigned, cardContext, decisionSummary, draftIds } from './analyse-call.ts';
import type { HandlerDeps, HookCall, HookResult } from './cds-service.types.ts';

export function orderHookCards(
  call: HookCall,
  data: Gathered,
  deps: HandlerDeps,
  withReferral: boolean,
): HookResult {
  const current = data.resources;
  const signed = asSigned(call.draftResources, deps.today);
  const before = analyse(current, deps);
  const after = analyse([...signed, ...current], deps);
  const ctx = cardContext(call, data, deps);
  const impact = orderCard(before, after, draftIds(signed), ctx);
  const decision = decisionSummary(after);
  if (!impact) return { cards: [], decision };
  if (!withReferral) return { cards: [impact], decision };
  const referral = referralCard(after, ctx);
  return { cards: [impact, ...safetyCards(after, ctx), ...(referral ? [referral] : [])], decision };
}
