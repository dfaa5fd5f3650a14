/**
 * context.draftOrders of order-select and order-sign: a FHIR Bundle whose entries each hold a resource. An entry
 * that cannot be read is refused, never skipped: a skipped draft opioid would get no card, as if nothing were
 * ordered (a single entry object instead of a list is a common XML-to-JSON slip).
 */
import { z } from 'zod';

export function draftOrdersSchema(hook: string): z.ZodType {
  return z.looseObject(
    {
      resourceType: z.literal('Bundle', { error: `${hook} needs context.draftOrders, a FHIR Bundle` }),
      entry: z
        .array(
          z.looseObject(
            {
              resource: z.looseObject(
                { resourceType: z.string({ error: 'is required' }) },
                { error: 'must be a FHIR resource (an object with a resourceType)' },
              ),
            },
            { error: 'must be an object {resource}' },
          ),
          { error: 'must be a list of entries' },
        )
        .optional(),
    },
    { error: `${hook} needs context.draftOrders, a FHIR Bundle` },
  );
}
