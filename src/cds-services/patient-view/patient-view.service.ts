/**
 * patient-view: at the start of a visit, the referral card and the safety cards the decision calls for, and the card
 * that says what a rule could not know (ADR 0014): an unknown current dose when no other card is due, an unreadable
 * PHQ-9 item 9 always.
 */
import { z } from 'zod';
import { dataGapCard } from '../../cards/data-gap-card.ts';
import { referralCard } from '../../cards/referral-card.ts';
import { safetyCards } from '../../cards/safety-cards.ts';
import { analyse, cardContext, decisionSummary } from '../analyse-call.ts';
import type { CdsService } from '../cds-service.types.ts';
import { PREFETCH, PREFETCH_TEMPLATES } from '../prefetch.ts';

export const patientViewService: CdsService = {
  definition: {
    id: 'opioid-pain-patient-view',
    hook: 'patient-view',
    title: 'Chronic pain on opioids: psychological programme referral and safety',
    description:
      'For a patient with chronic pain on opioids: the daily dose in MME with its trend, risk and misuse signals, and a referral to Mindfulness-Oriented Recovery Enhancement (misuse signals) or to mindfulness-based therapy or CBT (equal options), with naloxone, benzodiazepine, MOUD and behavioural-health safety cards.',
    prefetch: PREFETCH_TEMPLATES,
    usageRequirements:
      'Needs the patient, their MedicationRequests (with Medications) and Conditions; Observations, ServiceRequests, Encounters and MedicationDispenses make the risk checks complete.',
  },
  prefetch: PREFETCH,
  contextSchema: z.looseObject({}),
  handle(call, data, deps) {
    const analysis = analyse(data.resources, deps, call.fhirServer, data.urnFullUrls);
    const ctx = cardContext(call, data, deps, analysis);
    const referral = referralCard(analysis, ctx);
    const cards = [...safetyCards(analysis, ctx), ...(referral ? [referral] : [])];
    // Nothing to say is said only when the current dose is known and the record could be read; an unreadable
    // self-harm answer is always said.
    const gap = dataGapCard(analysis, ctx, { alone: cards.length === 0 });
    return {
      cards: gap ? [gap, ...cards] : cards,
      decision: decisionSummary(analysis),
    };
  },
};
