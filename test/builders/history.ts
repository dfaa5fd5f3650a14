/**
 * Synthetic prescription histories: consecutive 30-day oxycodone 5 mg fills at a chosen number of tablets a day,
 * so each month's MME is known (tabs x 5 mg x 1.5).
 */
import type { MedicationRequest } from '@medplum/fhirtypes';
import { formatDay, parseIsoDate } from '../../src/domain/time/day.ts';
import { every, medicationRequest, tab } from './fhir-builders.ts';

export interface Fill {
  /** Tablets of oxycodone 5 mg per day: MME = tabs x 7.5. */
  tabsPerDay: number;
  days?: number;
}

/** Fills back to back from `start`; returns MedicationRequests with ids m0, m1... */
export function monthlyFills(start: string, fills: Fill[], rxcui = '1049621'): MedicationRequest[] {
  let day = parseIsoDate(start);
  if (day === undefined) throw new Error(`bad date ${start}`);
  return fills.map((fill, i) => {
    const days = fill.days ?? 30;
    const order = medicationRequest({
      id: `m${i}`,
      rxcui,
      authoredOn: formatDay(day!),
      status: 'completed',
      dosages: [{ dose: tab(fill.tabsPerDay), timing: every(1, 'd') }],
      supply: { quantity: tab(fill.tabsPerDay * days), days },
    });
    day! += days;
    return order;
  });
}
