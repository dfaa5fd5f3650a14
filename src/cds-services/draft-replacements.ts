/**
 * Drafts that name the order they renew (MedicationRequest.priorPrescription), or revise one of the record (its id):
 * which of the patient's orders they replace, and from when (docs/cds-hooks.md).
 */
import { parseIsoDate, type Day } from '../domain/time/day.ts';
import { obj, str, type Json } from '../fhir/json-read.ts';
import { referenceTarget } from '../fhir/reference-target.ts';
import { revisedId } from '../domain/opioid/order-id.ts';
import { signedStart } from './analyse-call.ts';

export interface Replacements {
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
/** The ids of the record's MedicationRequests: the orders a draft may revise or replace. */
export function recordedOrderIds(current: readonly Json[]): Set<string> {
  const ids = new Set<string>();
  for (const r of current) {
    const id = str(r.id);
    if (r.resourceType === 'MedicationRequest' && id !== undefined) ids.add(id);
  }
  return ids;
}

export function replacedOrders(
  signed: readonly Json[],
  recorded: ReadonlySet<string>,
  today: string,
): Replacements {
  const from = new Map<string, Day>();
  const byDraft = new Map<string, string>();
  const drafts = new Set(signed.map((d) => str(d.id)));
  for (const d of signed) {
    const id = str(d.id);
    // A revision (asSigned: the id of an order of the record) replaces that order, as a renewal replaces the one
    // its priorPrescription names.
    const revised = id === undefined ? undefined : revisedId(id);
    const target =
      revised === undefined
        ? referenceTarget(str(obj(d.priorPrescription)?.reference) ?? '')
        : { type: 'MedicationRequest', id: revised };
    if (target?.type !== 'MedicationRequest' || drafts.has(target.id) || !recorded.has(target.id)) continue;
    const day = signedStart(d) ?? parseIsoDate(today);
    if (day === undefined) continue;
    from.set(target.id, Math.min(day, from.get(target.id) ?? day));
    if (id !== undefined) byDraft.set(id, target.id);
  }
  return { from, byDraft };
}
