/** order-sign: the MME the signed orders bring, plus the referral and safety cards the decision then calls for. */
import { z } from 'zod';
import type { CdsService } from '../cds-service.types.ts';
import { draftOrdersSchema } from '../draft-orders.schema.ts';
import { orderHookCards } from '../order-hooks.ts';
import { PREFETCH, PREFETCH_TEMPLATES } from '../prefetch.ts';

export const orderSignService: CdsService = {
  definition: {
    id: 'opioid-pain-order-sign',
    hook: 'order-sign',
    title: 'Opioid order: daily MME, safety and a non-drug alternative',
    description:
      'When opioid orders are signed: the patient total in MME/day before and with them, naloxone and benzodiazepine safety, and the offer of Mindfulness-Oriented Recovery Enhancement, mindfulness-based therapy or CBT when the referral decision recommends one.',
    prefetch: PREFETCH_TEMPLATES,
    usageRequirements:
      'Needs context.draftOrders (the MedicationRequests being signed), the patient, their MedicationRequests (with Medications) and Conditions; Observations, ServiceRequests, Encounters and MedicationDispenses make the risk checks complete.',
  },
  prefetch: PREFETCH,
  contextSchema: z.looseObject({
    draftOrders: draftOrdersSchema('order-sign'),
  }),
  handle: (call, data, deps) => orderHookCards(call, data, deps, true),
};
