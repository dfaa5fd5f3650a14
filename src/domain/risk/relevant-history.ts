/**
 * Which medication orders of a long history can change what the CDS Hooks cards say at an as-of date (ADR 0011).
 *
 * Every rule that reads orders looks back a bounded number of days: the daily series and its trend, naloxone in 12
 * months, urine screens of 12 months against the 7 days before each test, prescribers and early refills in 180
 * days, "on opioids" in 30 days; MOUD, benzodiazepines and the current dose read the as-of date. An order whose
 * every date (written, valid from, valid to, last day supplied) lies before the longest of these look-backs is seen
 * by none of them - with one more condition, which keeps the answer exact: some rules read a kept order over its
 * whole coverage (a benzodiazepine taken for years overlapping old opioid orders) or compare it with the order
 * before it (early refills), so an order is left out only when it also ends before every kept order starts.
 *
 * Observations are simpler: every rule that reads one (urine screens, COMM, PHQ-9 item 9, a reported programme
 * completion) reads it only on its own day, within its look-back; an Observation outside the longest of these is
 * read by none.
 *
 * The analysis report (POST /analysis, the trend page) reads the whole history; only the hooks use this.
 */
import type { Day } from '../time/day.ts';
import type { TrendRules } from '../trend/trend-rules.ts';
import type { RiskRules } from './risk-rules.ts';
import { within } from './risk-context.ts';

export interface OrderDates {
  /** First covered day (validity start, else the day written); undefined when the order has neither. */
  readonly start: Day | undefined;
  /**
   * The latest day the order names or covers; undefined when that cannot be known without its dose (no stated
   * supply duration): such an order is always read.
   */
  readonly latest: Day | undefined;
}

/** Days before the as-of date that some rule reading orders can reach, plus one. */
export function orderLookbackDays(trend: TrendRules, risk: RiskRules): number {
  return (
    Math.max(
      trend.windowDays,
      trend.ltot.windowDays,
      trend.escalation.lookbackDays + trend.escalation.baselineDays,
      trend.taper.lookbackDays + trend.taper.baselineDays,
      risk.naloxoneLookbackDays,
      risk.multiplePrescribers.days,
      risk.earlyRefill.lookbackDays,
      risk.udsLookbackDays + risk.udsDetectionDays,
      risk.onOpioidsLookbackDays,
    ) + 1
  );
}

/**
 * For each order (in input order), whether the analysis must read it. Orders are taken from the latest back: each
 * kept order may move the cut-off back to its own start; the first order that ends before the cut-off, and every
 * order after it, are left out.
 */
export function relevantOrders(dates: readonly OrderDates[], asOf: Day, lookbackDays: number): boolean[] {
  let cutoff = asOf - lookbackDays;
  const keep = new Array<boolean>(dates.length).fill(true);
  const dated: { readonly index: number; readonly start: Day; readonly latest: Day }[] = [];
  for (const [index, { start, latest }] of dates.entries()) {
    // An order without a start may be in effect at any time: read the whole history.
    if (start === undefined) return keep;
    if (latest === undefined) cutoff = Math.min(cutoff, start);
    else dated.push({ index, start, latest });
  }
  dated.sort((a, b) => b.latest - a.latest);
  for (const d of dated) {
    if (d.latest < cutoff) keep[d.index] = false;
    else cutoff = Math.min(cutoff, d.start);
  }
  return keep;
}

/** Days before the as-of date that some rule reading observations can reach. */
export function observationLookbackDays(risk: RiskRules): number {
  return Math.max(
    risk.udsLookbackDays,
    risk.comm.lookbackDays,
    risk.selfHarmLookbackDays,
    risk.suppressionLookbackDays,
  );
}

/**
 * Whether some rule can read an Observation of this day: the same window every such rule applies. One without a full
 * day is kept: the rules say whether its partial date (or none) can fall within their window.
 */
export function isRelevantObservation(effective: Day | undefined, asOf: Day, lookbackDays: number): boolean {
  return effective === undefined || within(effective, asOf, lookbackDays);
}
