/**
 * Which referenced Medications a reader of a patient's record fetches, and what it says of the others: one rule
 * for the service's gathering and the trend app. A Medication is read when an order names it and it is neither
 * contained nor among the resources already read; at most 100 per record, 32 at a time, so that a record of many
 * products does not flood the EHR. An absolute reference to another server is not read from this one (nor taken for
 * one of its Medications with the same id). Pure: the browser shares it.
 */
import { onAnotherServer } from './allowed-base.ts';
import { obj, str, type Json } from './json-read.ts';
import { medicationPath } from './reference-target.ts';

export const MAX_MEDICATION_READS = 100;
export const MEDICATION_READS_AT_ONCE = 32;

export interface MedicationReads {
  /** "Medication/id" paths to read from the server, at most MAX_MEDICATION_READS. */
  readonly read: readonly string[];
  /** What will not be read, in plain words. */
  readonly notes: readonly string[];
}

/**
 * The Medications to read for `resources` (and the `referring` ones: draft orders), given the server they come
 * from (`server`, named `serverName` in the notes) when it is known.
 */
export function medicationReads(
  resources: readonly Json[],
  server: string | undefined,
  serverName: string,
  referring: readonly Json[] = [],
): MedicationReads {
  const all = referring.length > 0 ? [...resources, ...referring] : resources;
  const present = new Set<string>();
  for (const r of all)
    if (r.resourceType === 'Medication' && typeof r.id === 'string') present.add(`Medication/${r.id}`);
  const missing = new Set<string>();
  const elsewhere = new Set<string>();
  for (const r of all) {
    const reference = str(obj(r.medicationReference)?.reference);
    if (!reference || reference.startsWith('#')) continue;
    const tail = medicationPath(reference);
    if (!tail) continue;
    // Another server's Medication is not ours to read, even when one of ours has the same id.
    if (server !== undefined && onAnotherServer(reference, server)) elsewhere.add(reference);
    else if (!present.has(tail)) missing.add(tail);
  }
  const notes: string[] = [];
  const n = elsewhere.size;
  if (n > 0)
    notes.push(
      `${n} Medication reference${n === 1 ? ' points' : 's point'} to another FHIR server than ${serverName}: not read from it`,
    );
  const read = [...missing].slice(0, MAX_MEDICATION_READS);
  if (missing.size > read.length)
    notes.push(
      `${missing.size - read.length} more referenced Medications were not read (at most ${MAX_MEDICATION_READS} per call): their orders are reported as unknown`,
    );
  return { read, notes };
}

/** What a reader says of a Medication it tried and failed to read. */
export function unreadMedication(reference: string, why?: string): string {
  return `${reference} could not be read${why === undefined ? '' : ` (${why})`}: its orders are reported as unknown`;
}
