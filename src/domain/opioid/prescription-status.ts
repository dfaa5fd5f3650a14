/**
 * Which MedicationRequests are prescriptions in effect over their period (clinical brief 2.3; FHIR R4
 * medicationrequest-status and request-intent).
 */
import type { OrderInput } from './order.types.ts';

/** Statuses that count over the order's period; stopped, cancelled, entered-in-error, draft, on-hold do not. */
export const COUNTING_STATUSES: ReadonlySet<string> = new Set(['active', 'completed']);

/** Statuses that say a prescription was really written (for "was naloxone prescribed", "who prescribed"). */
const WRITTEN_STATUSES: ReadonlySet<string> = new Set(['active', 'completed', 'stopped', 'on-hold']);

const PRESCRIPTION_INTENTS: ReadonlySet<string> = new Set([
  'order',
  'original-order',
  'reflex-order',
  'filler-order',
  'instance-order',
]);

/** Plans, proposals and options are not prescriptions; a missing intent is read as an order. */
export function isPrescriptionIntent(intent: string | undefined): boolean {
  return intent === undefined || PRESCRIPTION_INTENTS.has(intent);
}

export function counts(order: OrderInput): boolean {
  return (
    COUNTING_STATUSES.has(order.status) && isPrescriptionIntent(order.intent) && order.doNotPerform !== true
  );
}

export function wasWritten(order: OrderInput): boolean {
  return (
    WRITTEN_STATUSES.has(order.status) && isPrescriptionIntent(order.intent) && order.doNotPerform !== true
  );
}
