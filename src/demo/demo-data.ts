/**
 * The demo's synthetic patients (data/demo-patients.json, written by scripts/build-demo-data.ts), moved from the
 * date they were generated for to `today`, so that their histories end now and the cards match what a clinician
 * would see today.
 */
import data from './data/demo-patients.json' with { type: 'json' };
import type { Json } from '../fhir/json-read.ts';
import { parseIsoDate, type Day } from '../domain/time/day.ts';
import { shiftDates } from './date-shift.ts';

export interface DemoPatient {
  /** The Patient's id in the embedded store. */
  readonly key: string;
  /** What the patient shows (the branch of the referral decision or the shape of the history). */
  readonly title: string;
  readonly resources: readonly Json[];
}

export function demoPatients(today: Day): DemoPatient[] {
  const generatedFor = parseIsoDate(data.asOf);
  if (generatedFor === undefined) throw new Error('demo-patients.json: asOf is not a date');
  const shift = today - generatedFor;
  return data.patients.map((p) => ({
    key: p.key,
    title: p.title,
    resources: shiftDates(p.resources as Json[], shift),
  }));
}
