/**
 * Thresholds for dose-over-time judgements. Guideline-derived values cite their source; the rest are this
 * project's choices (clinical brief 2.3), kept as data so a deployment can change them without touching code.
 */
export interface TrendRules {
  /** Days of history in the reported daily series. */
  readonly windowDays: number;
  /** LTOT, project rule: opioid on >= minCoveredDays of the last windowDays ("most days for > 3 months", CDC 2022). */
  readonly ltot: { readonly windowDays: number; readonly minCoveredDays: number };
  /**
   * LTOT, trial rule: >= minMme MME/day for >= minDays (Zgierska 2025 inclusion criterion: "for >= 3 months"). The
   * days are counted from the first to the last day at or above; a gap of up to maxGapDays below it (a refill
   * collected a few days late) does not end the stretch - project rule, as pharmacoepidemiology bridges refill gaps
   * with a grace period.
   */
  readonly ltotTrial: { readonly minMme: number; readonly minDays: number; readonly maxGapDays: number };
  /**
   * Renewals, project rule (opioid/renewals.ts): an order of the same product at the same MME/day that starts while
   * at most maxShare of the previous supply remains continues it (counted after it, not twice) - the share the
   * early-refill rule tolerates (clinical brief 3: > 25% left is an early refill).
   */
  readonly renewalOverlap: { readonly maxShare: number };
  /**
   * Escalation, project rule: now >= ratio x the baseline and >= +minIncrease, or a new crossing of a threshold.
   * The baseline is the highest daily MME in the baselineDays ending lookbackDays ago, so a one-day gap between
   * refills on that day does not read as "no opioid then".
   */
  readonly escalation: {
    readonly lookbackDays: number;
    readonly baselineDays: number;
    readonly ratio: number;
    readonly minIncrease: number;
    /** CDC 2022 thresholds (50: reassess, offer naloxone; 90: avoid or justify). */
    readonly thresholds: readonly number[];
  };
  /**
   * Taper, project rule: the highest daily MME of the last sustainDays is >= minDecreasePct below the baseline
   * (highest of the baselineDays ending lookbackDays ago).
   */
  readonly taper: {
    readonly lookbackDays: number;
    readonly baselineDays: number;
    readonly minDecreasePct: number;
    readonly sustainDays: number;
    /** CDC 2022: a decrease of 10% per month or slower is a common starting pace; never abrupt. */
    readonly maxPctPerMonth: number;
  };
}

export const DEFAULT_TREND_RULES: TrendRules = {
  windowDays: 180,
  ltot: { windowDays: 180, minCoveredDays: 90 },
  ltotTrial: { minMme: 15, minDays: 90, maxGapDays: 7 },
  renewalOverlap: { maxShare: 0.25 },
  escalation: { lookbackDays: 90, baselineDays: 7, ratio: 1.5, minIncrease: 20, thresholds: [50, 90] },
  taper: { lookbackDays: 90, baselineDays: 7, minDecreasePct: 10, sustainDays: 14, maxPctPerMonth: 10 },
};
