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

/** HL7 v3 GTSAbbreviation codes (Timing.code) -> administrations per day; "Q<n>H" is read as 24/n. */
const TIMING_CODES: ReadonlyMap<string, number> = new Map([
  ['QD', 1],
  ['AM', 1],
  ['PM', 1],
  ['QOD', 0.5],
  ['BID', 2],
  ['TID', 3],
  ['QID', 4],
  ['WK', 1 / 7],
  ['MO', 1 / 30],
]);

function perDayOfCode(code: string): number | undefined {
  const upper = code.trim().toUpperCase();
  const hours = /^Q(\d{1,3})H$/.exec(upper)?.[1];
  if (hours !== undefined && Number(hours) > 0) return 24 / Number(hours);
  return TIMING_CODES.get(upper);
}

/**
 * The days a timing is taken on, as a share of the week (dayOfWeek ["mon", "wed", "fri"] = 3/7); 1 when not said.
 * The daily figure is then the average over the week, as the CDC analytic method averages over the supply. Only a
 * count per day taken (a period of a day or less, or times of day alone) is scaled: "3 per week on Mon, Wed, Fri"
 * already counts the days off, and its days only name when (FHIR Timing.repeat.dayOfWeek).
 */
function weekShare(timing: TimingInput, notes: string[], periodDays?: number): number {
  const days = timing.dayOfWeekCount;
  if (days <= 0 || days >= 7 || (periodDays !== undefined && periodDays > 1)) return 1;
  notes.push(`taken on ${days} days a week: the daily dose is averaged over the week`);
  return days / 7;
}

/**
 * More administrations a day than this (one every 30 minutes) is not a sig but an error in the timing (a period
 * unit of seconds, a missing digit): reported as unknown rather than counted as hundreds of thousands of MME.
 * A project rule, not a guideline figure (ADR 0013).
 */
const MAX_ADMINISTRATIONS_PER_DAY = 48;

export function administrationsPerDay(timing: TimingInput | undefined): FrequencyResult {
  if (!timing) return { ok: false, problem: 'the dosage has no timing' };
  const notes: string[] = [];
  const { frequency, frequencyMax, period, periodUnit } = timing;
  // timeOfDay ["08:00", "20:00"] or when ["MORN", "EVE"]: that many times on each day the drug is taken.
  const listed = Math.max(timing.timeOfDayCount, timing.whenCount);
  if (frequency !== undefined || frequencyMax !== undefined || period !== undefined) {
    if (period === undefined) return { ok: false, problem: 'the timing has a frequency but no period' };
    if (!(period > 0)) return { ok: false, problem: `timing period ${period} is not a positive number` };
    const unitDays = daysPerTimeUnit(periodUnit);
    if (unitDays === undefined) {
      return { ok: false, problem: `timing periodUnit "${periodUnit ?? '(missing)'}" is not a time unit` };
    }
    // Each given count must be a positive number: one that is not makes the frequency unknown, never ignored.
    for (const [name, value] of [
      ['frequency', frequency],
      ['frequencyMax', frequencyMax],
    ] as const) {
      if (value !== undefined && !(value > 0))
        return { ok: false, problem: `timing ${name} ${value} is not a positive number` };
    }
    // The maximum the order allows; an inverted pair (frequencyMax below frequency) is not allowed to lower it.
    const inverted = frequencyMax !== undefined && frequency !== undefined && frequencyMax < frequency;
    const count = inverted ? frequency : (frequencyMax ?? frequency);
    if (inverted)
      notes.push(
        `frequencyMax ${formatNumber(frequencyMax)} is below frequency ${formatNumber(frequency)}: the larger is counted`,
      );
    const periodDays = period * unitDays;
    if (count === undefined && listed === 0)
      notes.push('no frequency given: once per period assumed (FHIR Timing default)');
    // Per day without the rounding error of a fraction of a day: 1 every 240 min is 1 x 1440 / 240 = 6, exactly
    // (1 / (240 x 1/1440) is 5.999999999999999, which fell short of 90 MME/day at 6 x 10 mg of oxycodone).
    const perDayOf = (n: number): number =>
      unitDays < 1 ? (n * Math.round(1 / unitDays)) / period : n / periodDays;
    const byFrequency = perDayOf(count ?? 1);
    // Times of day are per day taken: q8h at 06, 14, 22 is 3/d; daily at 08 and 20 is 2/d; weekly at 08 is 1/wk.
    const byList = listed === 0 ? 0 : periodDays < 1 ? listed : perDayOf(Math.max(listed, count ?? 1));
    if (count !== undefined && byList > byFrequency) {
      notes.push(
        `the timing lists ${listed} times a day but its frequency gives fewer: the larger is counted`,
      );
    }
    const perDay = Math.max(byFrequency, byList) * weekShare(timing, notes, periodDays);
    if (perDay > MAX_ADMINISTRATIONS_PER_DAY)
      return {
        ok: false,
        problem: `${formatNumber(perDay)} administrations a day is implausible (more than ${MAX_ADMINISTRATIONS_PER_DAY}): check the order's timing`,
      };
    const max = frequencyMax !== undefined && frequencyMax > (frequency ?? 0) ? 'max ' : '';
    return { ok: true, perDay, text: `${max}${formatNumber(perDay)}/d`, notes };
  }
  if (listed > 0) {
    const perDay = listed * weekShare(timing, notes);
    return { ok: true, perDay, text: `${formatNumber(perDay)}/d`, notes };
  }
  if (timing.code !== undefined) {
    const perDay = perDayOfCode(timing.code);
    if (perDay === undefined) return { ok: false, problem: `timing code "${timing.code}" is not recognised` };
    return { ok: true, perDay, text: `${formatNumber(perDay)}/d (${timing.code.toUpperCase()})`, notes };
  }
  return { ok: false, problem: 'the timing has no frequency, period, timeOfDay or code' };
}
