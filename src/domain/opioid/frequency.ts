/**
 * Administrations per day from a FHIR Timing (clinical brief 2.2): frequencyMax if present, else frequency, per
 * period in periodUnit; else the number of timeOfDay (or `when`) entries; else a Timing.code abbreviation.
 * PRN orders count at this maximum and say so.
 */
import type { TimingInput } from './order.types.ts';
import { formatNumber } from './strength.ts';
import { daysPerTimeUnit } from './units.ts';

export type FrequencyResult =
  | { readonly ok: true; readonly perDay: number; readonly text: string; readonly notes: readonly string[] }
  | { readonly ok: false; readonly problem: string };

/** HL7 v3 GTSAbbreviation codes (Timing.code) -> administrations per day. */
const TIMING_CODES: Readonly<Record<string, number>> = {
  QD: 1,
  AM: 1,
  PM: 1,
  QOD: 0.5,
  BID: 2,
  TID: 3,
  QID: 4,
  Q1H: 24,
  Q2H: 12,
  Q3H: 8,
  Q4H: 6,
  Q6H: 4,
  Q8H: 3,
  Q12H: 2,
  WK: 1 / 7,
  MO: 1 / 30,
};

export function administrationsPerDay(timing: TimingInput | undefined): FrequencyResult {
  if (!timing) return { ok: false, problem: 'the dosage has no timing' };
  const notes: string[] = [];
  const { frequency, frequencyMax, period, periodUnit } = timing;
  if (frequency !== undefined || frequencyMax !== undefined || period !== undefined) {
    if (period === undefined) return { ok: false, problem: 'the timing has a frequency but no period' };
    if (!(period > 0)) return { ok: false, problem: `timing period ${period} is not a positive number` };
    const unitDays = daysPerTimeUnit(periodUnit);
    if (unitDays === undefined) {
      return { ok: false, problem: `timing periodUnit "${periodUnit ?? '(missing)'}" is not a time unit` };
    }
    const count = frequencyMax ?? frequency ?? 1;
    if (!(count > 0)) return { ok: false, problem: `timing frequency ${count} is not a positive number` };
    if (frequency === undefined && frequencyMax === undefined) {
      notes.push('no frequency given: once per period assumed (FHIR Timing default)');
    }
    const perDay = count / (period * unitDays);
    const max = frequencyMax !== undefined && frequencyMax !== frequency ? 'max ' : '';
    return { ok: true, perDay, text: `${max}${formatNumber(perDay)}/d`, notes };
  }
  if (timing.timeOfDayCount > 0) {
    return { ok: true, perDay: timing.timeOfDayCount, text: `${timing.timeOfDayCount}/d`, notes };
  }
  if (timing.whenCount > 0) {
    return { ok: true, perDay: timing.whenCount, text: `${timing.whenCount}/d`, notes };
  }
  if (timing.code !== undefined) {
    const perDay = TIMING_CODES[timing.code.toUpperCase()];
    if (perDay === undefined) return { ok: false, problem: `timing code "${timing.code}" is not recognised` };
    return { ok: true, perDay, text: `${formatNumber(perDay)}/d (${timing.code.toUpperCase()})`, notes };
  }
  return { ok: false, problem: 'the timing has no frequency, period, timeOfDay or code' };
}
