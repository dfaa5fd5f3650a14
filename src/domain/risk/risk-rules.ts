/**
 * Thresholds of the risk flags, exclusions and referral decision (clinical brief sections 3-5), as data with their
 * sources. Values marked "project choice" are this project's decisions, configurable without code changes.
 */
export interface RiskRules {
  /** CDC 2022 (Dowell, MMWR 2022;71(3)): at >= 50 MME/day reassess and offer naloxone; >= 90 avoid or justify. */
  readonly highDose: { readonly reassess: number; readonly avoid: number };
  /** Look-back for a naloxone order (brief 3, CDC Rec 8): 12 months. */
  readonly naloxoneLookbackDays: number;
  /** PQA / PDMP "multiple provider episodes": >= 4 prescribers (or pharmacies) of opioids in 180 days. */
  readonly multiplePrescribers: { readonly min: number; readonly days: number };
  /** Project choice (brief 3): a new order for the same ingredient while > 25% of the previous supply remains. */
  readonly earlyRefill: { readonly remainingShare: number; readonly lookbackDays: number };
  /** CDC Rec 10: urine drug screens of the last 12 months. */
  readonly udsLookbackDays: number;
  /**
   * Project choice: a prescription explains a positive screen when it covered any of the 7 days before the test
   * (typical urine detection windows are 1-4 days, longer for methadone and buprenorphine); a negative screen is
   * unexpected only for a drug whose prescription covers the test day.
   */
  readonly udsDetectionDays: number;
  /**
   * COMM (Butler et al., Pain 2007;130:144-156): total >= 9 screens positive; >= 13 is the higher-specificity cut
   * (brief 3). Looked for in the last 12 months.
   */
  readonly comm: {
    readonly positive: number;
    readonly highSpecificity: number;
    readonly lookbackDays: number;
  };
  /** Safety pathway (brief 3): PHQ-9 item 9 > 0 in the last 90 days. */
  readonly selfHarmLookbackDays: number;
  /** CDC IG inclusion criteria (brief 4): adults only; cancer by 2+ encounters with the diagnosis in 12 months. */
  readonly exclusion: {
    readonly minAge: number;
    readonly cancerEncounters: number;
    readonly cancerLookbackDays: number;
  };
  /** Brief 5.6: a referral to the same programme active or completed in the last 12 months suppresses the card. */
  readonly suppressionLookbackDays: number;
  /** Project choice: a MOUD dispense without daysSupply is taken to cover 30 days (the usual supply). */
  readonly moudDispenseDays: number;
  /** Project choice: hospice discharges and completed hospice services count for 12 months. */
  readonly palliativeLookbackDays: number;
  /** Project choice: "on opioids" = an opioid order covers any of the last 30 days (a refill gap is not a stop). */
  readonly onOpioidsLookbackDays: number;
  /** Project choice: chronic = a (low back) pain condition first noted at least 90 days ago ("> 3 months"). */
  readonly chronicPainMinDays: number;
  /** Zgierska, JAMA Netw Open 2025;8(4):e253204: adults >= 21 with chronic low back pain, >= 15 MME/day for >= 90 days. */
  readonly mbtCbtTrial: { readonly minAge: number; readonly minMme: number; readonly minDays: number };
  /** Garland, JAMA Intern Med 2022;182(4):407: adults (>= 18) with chronic pain on long-term opioids who misuse them. */
  readonly moreTrial: { readonly minAge: number };
}

export const DEFAULT_RISK_RULES: RiskRules = {
  highDose: { reassess: 50, avoid: 90 },
  naloxoneLookbackDays: 365,
  multiplePrescribers: { min: 4, days: 180 },
  earlyRefill: { remainingShare: 0.25, lookbackDays: 180 },
  udsLookbackDays: 365,
  udsDetectionDays: 7,
  comm: { positive: 9, highSpecificity: 13, lookbackDays: 365 },
  selfHarmLookbackDays: 90,
  exclusion: { minAge: 18, cancerEncounters: 2, cancerLookbackDays: 365 },
  suppressionLookbackDays: 365,
  moudDispenseDays: 30,
  palliativeLookbackDays: 365,
  onOpioidsLookbackDays: 30,
  chronicPainMinDays: 90,
  mbtCbtTrial: { minAge: 21, minMme: 15, minDays: 90 },
  moreTrial: { minAge: 18 },
};
