/**
 * What the daily series says about dose over time: 60- and 90-day averages, maximum, most recent change, long-term
 * opioid therapy, escalation and tapering (clinical brief 2.3; thresholds in trend-rules.ts).
 */
import { formatDay, type Day } from '../time/day.ts';
import { valueOn, type DailySeries } from './daily-series.ts';
import { reaches, roundMme } from './round.ts';
import type { TrendRules } from './trend-rules.ts';
import { detectEscalation, detectTaper, type Escalation, type Taper } from './dose-changes.ts';

export interface Average {
  readonly days: number;
  readonly mme: number;
  /** False when an order with unknown MME covered any of these days: the average is then a lower bound. */
  readonly complete: boolean;
}

export interface TrendSummary {
  readonly averages: { readonly last60Days: Average; readonly last90Days: Average };
  readonly max: { readonly mme: number; readonly date: string | null; readonly complete: boolean };
  readonly latestChange: {
    readonly date: string;
    readonly from: number;
    readonly to: number;
    /** False when either day is covered by an order of unknown MME: the change may be in what is unknown. */
    readonly complete: boolean;
  } | null;
  /** Judged on certain days only: orders of unknown status (maybe never in effect) do not make it true. */
  readonly longTermOpioidTherapy: boolean;
  readonly longTermOpioidTherapyDetail: {
    /** Days covered by an order certainly in effect (status known), whatever its dose. */
    readonly coveredDays: number;
    /** The same with the days of orders of unknown status: when it reaches the rule and coveredDays does not, unknown. */
    readonly possiblyCoveredDays: number;
    /** Not met on certain days, but met if the orders of unknown status were in effect: LTOT is then unknown. */
    readonly possible: boolean;
    readonly windowDays: number;
    /** Days from the first to the last day at or above the trial's MME, bridging gaps of up to maxGapDays. */
    readonly longestRunAtOrAboveTrialMme: number;
    /**
     * The same run with the days covered by an order of unknown MME counted as possibly at or above: when it is
     * longer, whether the trial's criterion is met is unknown, not "no" (an unknown dose is never 0).
     */
    readonly longestRunPossiblyAtOrAboveTrialMme: number;
    readonly rulesMet: readonly string[];
  };
  readonly escalation: Escalation;
  readonly taper: Taper;
}

function average(series: DailySeries, asOf: Day, days: number): Average {
  let sum = 0;
  let complete = true;
  for (let d = asOf - days + 1; d <= asOf; d++) {
    sum += valueOn(series, d);
    if ((series.unknown[d - series.first] ?? 0) > 0) complete = false;
  }
  return { days, mme: roundMme(sum / days), complete };
}

export function summarizeTrend(series: DailySeries, asOf: Day, rules: TrendRules): TrendSummary {
  const windowStart = asOf - rules.windowDays + 1;
  let max = 0;
  let maxDay: Day | null = null;
  let maxComplete = true;
  let latestChange: TrendSummary['latestChange'] = null;
  for (let d = windowStart; d <= asOf; d++) {
    const v = valueOn(series, d);
    if (v > max) {
      max = v;
      maxDay = d;
    }
    if ((series.unknown[d - series.first] ?? 0) > 0) maxComplete = false;
    const prev = valueOn(series, d - 1);
    if (d > windowStart && roundMme(v) !== roundMme(prev)) {
      const complete =
        (series.unknown[d - series.first] ?? 0) === 0 && (series.unknown[d - 1 - series.first] ?? 0) === 0;
      latestChange = { date: formatDay(d), from: roundMme(prev), to: roundMme(v), complete };
    }
  }

  const ltotStart = asOf - rules.ltot.windowDays + 1;
  let coveredDays = 0;
  let possiblyCoveredDays = 0;
  for (let d = ltotStart; d <= asOf; d++) {
    coveredDays += series.covered[d - series.first] ?? 0;
    possiblyCoveredDays += series.possiblyCovered[d - series.first] ?? 0;
  }
  const { minMme, maxGapDays } = rules.ltotTrial;
  const atOrAbove = (d: Day): boolean => reaches(valueOn(series, d), minMme);
  const longestRun = longestStretch(ltotStart, asOf, maxGapDays, atOrAbove);
  const longestPossibleRun = longestStretch(
    ltotStart,
    asOf,
    maxGapDays,
    (d) => atOrAbove(d) || (series.unknown[d - series.first] ?? 0) > 0,
  );
  const rulesMet: string[] = [];
  if (coveredDays >= rules.ltot.minCoveredDays) {
    rulesMet.push(
      `opioid on ${coveredDays} of the last ${rules.ltot.windowDays} days (>= ${rules.ltot.minCoveredDays})`,
    );
  }
  if (longestRun >= rules.ltotTrial.minDays) {
    rulesMet.push(
      `>= ${rules.ltotTrial.minMme} MME/day for ${longestRun} days (>= ${rules.ltotTrial.minDays}; gaps of up to ${maxGapDays} days bridged)`,
    );
  }

  return {
    averages: { last60Days: average(series, asOf, 60), last90Days: average(series, asOf, 90) },
    max: { mme: roundMme(max), date: maxDay === null ? null : formatDay(maxDay), complete: maxComplete },
    latestChange,
    longTermOpioidTherapy: rulesMet.length > 0,
    longTermOpioidTherapyDetail: {
      coveredDays,
      possiblyCoveredDays,
      possible: rulesMet.length === 0 && possiblyCoveredDays >= rules.ltot.minCoveredDays,
      windowDays: rules.ltot.windowDays,
      longestRunAtOrAboveTrialMme: longestRun,
      longestRunPossiblyAtOrAboveTrialMme: longestPossibleRun,
      rulesMet,
    },
    escalation: detectEscalation(series, asOf, rules.escalation, rules.ltotTrial.maxGapDays),
    taper: detectTaper(series, asOf, rules.taper),
  };
}

/**
 * The longest stretch of days in [from, to] from a day that holds to a later one that holds, with no more than
 * maxGap days in a row that do not: its length in days, first to last inclusive.
 */
function longestStretch(from: Day, to: Day, maxGap: number, holds: (d: Day) => boolean): number {
  let longest = 0;
  let start: Day | null = null;
  let last: Day | null = null;
  for (let d = from; d <= to; d++) {
    if (!holds(d)) continue;
    if (start === null || last === null || d - last - 1 > maxGap) start = d;
    last = d;
    longest = Math.max(longest, d - start + 1);
  }
  return longest;
}
