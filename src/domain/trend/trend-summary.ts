/**
 * What the daily series says about dose over time: 60- and 90-day averages, maximum, most recent change, long-term
 * opioid therapy, escalation and tapering (clinical brief 2.3; thresholds in trend-rules.ts).
 */
import { formatDay, type Day } from '../time/day.ts';
import { valueOn, type DailySeries } from './daily-series.ts';
import type { TrendRules } from './trend-rules.ts';

export function roundMme(value: number): number {
  return Math.round(value * 10 + 1e-7) / 10;
}

export interface Average {
  readonly days: number;
  readonly mme: number;
  /** False when an order with unknown MME covered any of these days: the average is then a lower bound. */
  readonly complete: boolean;
}

export interface TrendSummary {
  readonly averages: { readonly last60Days: Average; readonly last90Days: Average };
  readonly max: { readonly mme: number; readonly date: string | null; readonly complete: boolean };
  readonly latestChange: { readonly date: string; readonly from: number; readonly to: number } | null;
  readonly longTermOpioidTherapy: boolean;
  readonly longTermOpioidTherapyDetail: {
    readonly coveredDays: number;
    readonly windowDays: number;
    readonly longestRunAtOrAboveTrialMme: number;
    readonly rulesMet: readonly string[];
  };
  readonly escalation: {
    readonly detected: boolean;
    readonly rule: string | null;
    readonly fromMme: number;
    readonly toMme: number;
    readonly sinceDate: string;
  };
  readonly taper: {
    readonly detected: boolean;
    readonly decreasePct: number;
    readonly pctPerMonth: number;
    readonly fasterThanRecommended: boolean;
  };
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
    if (d > windowStart && roundMme(v) !== roundMme(prev))
      latestChange = { date: formatDay(d), from: roundMme(prev), to: roundMme(v) };
  }

  let coveredDays = 0;
  let run = 0;
  let longestRun = 0;
  for (let d = asOf - rules.ltot.windowDays + 1; d <= asOf; d++) {
    coveredDays += series.covered[d - series.first] ?? 0;
    run = valueOn(series, d) >= rules.ltotTrial.minMme ? run + 1 : 0;
    longestRun = Math.max(longestRun, run);
  }
  const rulesMet: string[] = [];
  if (coveredDays >= rules.ltot.minCoveredDays) {
    rulesMet.push(
      `opioid on ${coveredDays} of the last ${rules.ltot.windowDays} days (>= ${rules.ltot.minCoveredDays})`,
    );
  }
  if (longestRun >= rules.ltotTrial.minDays) {
    rulesMet.push(
      `>= ${rules.ltotTrial.minMme} MME/day for ${longestRun} consecutive days (>= ${rules.ltotTrial.minDays})`,
    );
  }

  const now = valueOn(series, asOf);
  const escalationFrom = asOf - rules.escalation.lookbackDays;
  const before = valueOn(series, escalationFrom);
  let escalationRule: string | null = null;
  // Starting opioids is initiation, not escalation: both rules need a dose lookbackDays ago.
  if (before <= 0) escalationRule = null;
  else if (now >= before * rules.escalation.ratio && now - before >= rules.escalation.minIncrease) {
    escalationRule = `>= ${rules.escalation.ratio} x and >= +${rules.escalation.minIncrease} MME/day in ${rules.escalation.lookbackDays} days`;
  } else {
    const crossed = rules.escalation.thresholds.filter((t) => now >= t && before < t);
    if (crossed.length > 0)
      escalationRule = `crossed ${Math.max(...crossed)} MME/day in the last ${rules.escalation.lookbackDays} days`;
  }

  const taperFrom = valueOn(series, asOf - rules.taper.lookbackDays);
  const limit = taperFrom * (1 - rules.taper.minDecreasePct / 100);
  let sustained = taperFrom > 0;
  for (let d = asOf - rules.taper.sustainDays + 1; d <= asOf && sustained; d++) {
    if (valueOn(series, d) > limit) sustained = false;
  }
  const decreasePct = taperFrom > 0 ? Math.max(0, ((taperFrom - now) / taperFrom) * 100) : 0;
  const pctPerMonth = decreasePct / (rules.taper.lookbackDays / 30);

  return {
    averages: { last60Days: average(series, asOf, 60), last90Days: average(series, asOf, 90) },
    max: { mme: roundMme(max), date: maxDay === null ? null : formatDay(maxDay), complete: maxComplete },
    latestChange,
    longTermOpioidTherapy: rulesMet.length > 0,
    longTermOpioidTherapyDetail: {
      coveredDays,
      windowDays: rules.ltot.windowDays,
      longestRunAtOrAboveTrialMme: longestRun,
      rulesMet,
    },
    escalation: {
      detected: escalationRule !== null,
      rule: escalationRule,
      fromMme: roundMme(before),
      toMme: roundMme(now),
      sinceDate: formatDay(escalationFrom),
    },
    taper: {
      detected: sustained,
      decreasePct: roundMme(decreasePct),
      pctPerMonth: roundMme(pctPerMonth),
      fasterThanRecommended: sustained && pctPerMonth > rules.taper.maxPctPerMonth,
    },
  };
}
