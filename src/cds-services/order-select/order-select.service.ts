/** order-select: while an opioid is being chosen, what it would add to the patient's daily MME. */
import { z } from 'zod';
import type { CdsService } from '../cds-service.types.ts';
import { draftOrdersSchema } from '../draft-orders.schema.ts';
import { orderHookCards } from '../order-hooks.ts';
import { PREFETCH, PREFETCH_TEMPLATES } from '../prefetch.ts';

export const orderSelectService: CdsService = {
  definition: {
    id: 'opioid-pain-order-select',
    hook: 'order-select',
    title: 'Opioid order: daily MME with this order',
    description:
      "When an opioid order is selected: the patient total in MME/day before and with the order, a warning when it crosses 50 or 90 MME/day or raises a total already past one, and the reasons when the order's MME cannot be computed.",
    prefetch: PREFETCH_TEMPLATES,
    usageRequirements:
      'Needs context.draftOrders and context.selections (the MedicationRequests selected), the patient, their MedicationRequests (with Medications) and Conditions; Observations, ServiceRequests, Encounters and MedicationDispenses make the risk checks complete.',
  },
  prefetch: PREFETCH,
  contextSchema: z.looseObject({
    selections: z
      .array(z.string().min(1), {
        error: 'order-select needs context.selections (references into draftOrders)',
      })
      .min(1),
    draftOrders: draftOrdersSchema('order-select'),
  }),
  handle: (call, data, deps) => orderHookCards(call, data, deps, false),
};
