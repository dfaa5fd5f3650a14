/**
 * Escalation and taper (clinical brief 2.3; thresholds in trend-rules.ts). Both compare with a baseline around
 * lookbackDays ago and say whether the days they read were complete: a day covered by an order of unknown MME
 * reads as a lower bound, so a "drop" there may be no drop at all.
 */
import { formatDay, type Day } from '../time/day.ts';
import { valueOn, type DailySeries } from './daily-series.ts';
import type { TrendRules } from './trend-rules.ts';
import { reaches, roundMme } from './round.ts';

export interface Escalation {
  readonly detected: boolean;
  readonly rule: string | null;
  readonly fromMme: number;
  readonly toMme: number;
  readonly sinceDate: string;
  /**
   * The first day of today's level: since then every day is at today's dose or more, but for refill gaps as long
   * as the LTOT rules bridge (today for an order that starts today); null when no escalation is detected.
   */
  readonly levelSince: string | null;
  readonly complete: boolean;
}

export interface Taper {
  readonly detected: boolean;
  readonly decreasePct: number;
  readonly pctPerMonth: number;
  readonly fasterThanRecommended: boolean;
  readonly complete: boolean;
}

/** Highest value and completeness over [from, to]. */
function highest(series: DailySeries, from: Day, to: Day): { value: number; complete: boolean } {
  let value = 0;
  let complete = true;
  for (let d = from; d <= to; d++) {
    value = Math.max(value, valueOn(series, d));
    if ((series.unknown[d - series.first] ?? 0) > 0) complete = false;
  }
  return { value, complete };
}

export function detectEscalation(
  series: DailySeries,
  asOf: Day,
  rules: TrendRules['escalation'],
  /** Days without opioid that do not end today's level: a refill collected a few days late (the LTOT rules' gap). */
  gapDays: number,
): Escalation {
  const since = asOf - rules.lookbackDays;
  const baseline = highest(series, since - rules.baselineDays + 1, since);
  const now = highest(series, asOf, asOf);
  let rule: string | null = null;
  // A baseline with days of unknown dose is a lower bound: the dose then may have been as high as now, so neither
  // a rise nor a crossing can be told (never read as a rise from 0). Now's lower bound is enough for "reaches".
  if (!baseline.complete) rule = null;
  // Starting opioids (no baseline) is initiation, not a 1.5x rise; a new crossing of 50 or 90 counts either way.
  else if (
    baseline.value > 0 &&
    reaches(now.value, baseline.value * rules.ratio) &&
    reaches(now.value - baseline.value, rules.minIncrease)
  ) {
    rule = `>= ${rules.ratio} x and >= +${rules.minIncrease} MME/day in ${rules.lookbackDays} days`;
  } else {
    const crossed = rules.thresholds.filter((t) => reaches(now.value, t) && !reaches(baseline.value, t));
    if (crossed.length > 0)
      rule = `crossed ${Math.max(...crossed)} MME/day in the last ${rules.lookbackDays} days`;
  }
  let levelSince: Day | undefined;
  // Whether the days back to the start of today's level were all known: an unknown one may hide an earlier start.
  let levelKnown = true;
  if (rule !== null) {
    levelSince = asOf;
    // Back from today while the dose is at today's level, over a refill collected a few days late (a gap of up to
    // gapDays), up to the baseline.
    let gap = 0;
    for (let d = asOf - 1; d > since; d--) {
      if ((series.unknown[d - series.first] ?? 0) > 0) {
        levelKnown = false;
        break;
      }
      const value = valueOn(series, d);
      if (reaches(value, now.value)) {
        levelSince = d;
        gap = 0;
      } else if (value === 0 && ++gap <= gapDays) continue;
      else break;
    }
  }
  return {
    detected: rule !== null,
    rule,
    levelSince: levelSince === undefined ? null : formatDay(levelSince),
    fromMme: roundMme(baseline.value),
    toMme: roundMme(now.value),
    sinceDate: formatDay(since),
    complete: baseline.complete && now.complete && levelKnown,
  };
}

/** Days of a month, for the taper's pace (CDC 2022: "10% per month"; the HHS guide: "every 4 weeks" or slower). */
const MONTH_DAYS = 30;

/**
 * The taper's pace: the largest decrease from one day to the day a month later in the look-back, as a percent of
 * the baseline dose - one cut of 25% last week is 25% in a month, not 8% spread over three. Each end is read as
 * the taper rule reads its own (the highest of the baselineDays before the first day, of the sustainDays up to the
 * second), so a refill's overlap or a day's gap is no cut; a month with a day of unknown MME is not judged.
 * undefined when no month of the look-back could be judged.
 */
function fastestMonthlyDecrease(
  series: DailySeries,
  asOf: Day,
  rules: TrendRules['taper'],
  baselineMme: number,
): number | undefined {
  let fastest: number | undefined;
  for (let from = asOf - rules.lookbackDays; from + MONTH_DAYS <= asOf; from++) {
    const before = highest(series, from - rules.baselineDays + 1, from);
    const after = highest(series, from + MONTH_DAYS - rules.sustainDays + 1, from + MONTH_DAYS);
    if (!before.complete || !after.complete) continue;
    const pct = Math.max(0, ((before.value - after.value) / baselineMme) * 100);
    fastest = fastest === undefined ? pct : Math.max(fastest, pct);
  }
  return fastest;
}

export function detectTaper(series: DailySeries, asOf: Day, rules: TrendRules['taper']): Taper {
  const since = asOf - rules.lookbackDays;
  const baseline = highest(series, since - rules.baselineDays + 1, since);
  const recent = highest(series, asOf - rules.sustainDays + 1, asOf);
  const complete = baseline.complete && recent.complete;
  const decreasePct =
    baseline.value > 0 ? Math.max(0, ((baseline.value - recent.value) / baseline.value) * 100) : 0;
  const pctPerMonth =
    baseline.value > 0
      ? (fastestMonthlyDecrease(series, asOf, rules, baseline.value) ??
        decreasePct / (rules.lookbackDays / 30))
      : 0;
  // Only known days can show a decrease: unknown MME on the recent days may hide the same dose.
  const detected = complete && baseline.value > 0 && decreasePct >= rules.minDecreasePct;
  return {
    detected,
    decreasePct: roundMme(decreasePct),
    pctPerMonth: roundMme(pctPerMonth),
    fasterThanRecommended: detected && pctPerMonth > rules.maxPctPerMonth,
    complete,
  };
}
