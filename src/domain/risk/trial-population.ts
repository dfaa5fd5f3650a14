/**
 * Whether the patient matches the population of the trial behind the recommended programme:
 * - MBT/CBT: Zgierska et al., JAMA Netw Open 2025;8(4):e253204 - adults >= 21, chronic low back pain, on
 *   >= 15 MME/day for >= 90 days.
 * - MORE: Garland et al., JAMA Intern Med 2022;182(4):407 - adults with chronic pain (any site) on long-term opioid
 *   therapy who misuse opioids.
 * `matches` is null when a criterion cannot be judged (e.g. no birth date).
 */
import { ageInYears } from './exclusions.ts';
import type { FlagCode } from './flag.types.ts';
import type { PainFacts } from './pain.ts';
import type { RiskContext } from './risk-context.ts';

export interface Criterion {
  readonly criterion: string;
  readonly met: boolean | null;
}

export interface TrialPopulation {
  readonly trial: string;
  readonly matches: boolean | null;
  readonly criteria: readonly Criterion[];
  readonly summary: string;
}

/** An age criterion: met when certainly old enough, not met when certainly too young, else unknown. */
function atLeast(age: { min: number; max: number } | undefined, years: number): boolean | null {
  if (age === undefined) return null;
  if (age.min >= years) return true;
  return age.max < years ? false : null;
}

function verdict(criteria: readonly Criterion[]): boolean | null {
  if (criteria.some((c) => c.met === false)) return false;
  return criteria.every((c) => c.met === true) ? true : null;
}

export function trialPopulation(
  ctx: RiskContext,
  programme: 'MORE' | 'MBT_OR_CBT',
  pain: PainFacts,
  misuse: readonly FlagCode[],
): TrialPopulation {
  const age = ageInYears(ctx);
  const ltot = ctx.mme.trend.longTermOpioidTherapyDetail;
  if (programme === 'MBT_OR_CBT') {
    const { minAge, minMme, minDays } = ctx.rules.mbtCbtTrial;
    const criteria: Criterion[] = [
      { criterion: `age >= ${minAge}`, met: atLeast(age, minAge) },
      { criterion: 'chronic low back pain', met: pain.chronicLowBackPain },
      {
        criterion: `>= ${minMme} MME/day for >= ${minDays} days`,
        // Days of unknown MME may be at or above: met, not met, or unknown.
        met:
          ltot.longestRunAtOrAboveTrialMme >= minDays
            ? true
            : ltot.longestRunPossiblyAtOrAboveTrialMme >= minDays
              ? null
              : false,
      },
    ];
    const matches = verdict(criteria);
    const unmet = unmetCriteria(criteria);
    let summary: string;
    if (matches === true) {
      summary =
        'matches the population of Zgierska 2025 (chronic low back pain, >= 15 MME/day for >= 90 days, age >= 21)';
    } else if (pain.chronicLowBackPain) {
      summary = `partly matches the population of Zgierska 2025: ${unmet}`;
    } else if (pain.lowBackPain.length > 0) {
      summary =
        'low back pain not documented as chronic (>= 3 months): the Zgierska 2025 population had chronic low back pain';
    } else if (pain.chronicPain.length > 0) {
      summary =
        'pain site other than the low back: the evidence (Zgierska 2025, chronic low back pain) is indirect';
    } else {
      summary =
        'no pain diagnosis on record (long-term opioid therapy): the evidence (Zgierska 2025, chronic low back pain) is indirect';
    }
    return { trial: 'Zgierska 2025 (MBT vs CBT, JAMA Netw Open)', matches, criteria, summary };
  }
  // The trial enrolled adults with chronic pain who were on long-term opioid therapy and misusing opioids: both.
  const criteria: Criterion[] = [
    { criterion: `age >= ${ctx.rules.moreTrial.minAge}`, met: atLeast(age, ctx.rules.moreTrial.minAge) },
    { criterion: 'chronic pain', met: pain.chronicPain.length > 0 || pain.chronicLowBackPain },
    { criterion: 'long-term opioid therapy', met: ltotMet(ctx) },
    { criterion: 'opioid misuse signal', met: misuse.length > 0 },
  ];
  const matches = verdict(criteria);
  return {
    trial: 'Garland 2022 (MORE, JAMA Intern Med)',
    matches,
    criteria,
    summary:
      matches === true
        ? 'matches the population of Garland 2022 (chronic pain, long-term opioid therapy, opioid misuse)'
        : `${matches === false ? 'does not match' : 'may match'} the population of Garland 2022: ${unmetCriteria(criteria)}`,
  };
}

/** LTOT: met, not met, or unknown when only orders of unknown status would make up the covered days. */
function ltotMet(ctx: RiskContext): boolean | null {
  if (ctx.mme.trend.longTermOpioidTherapy) return true;
  return ctx.mme.trend.longTermOpioidTherapyDetail.possible ? null : false;
}

/** The criteria not met, or not known to be: "age >= 21 unknown, chronic low back pain not met". */
function unmetCriteria(criteria: readonly Criterion[]): string {
  return criteria
    .filter((c) => c.met !== true)
    .map((c) => `${c.criterion} ${c.met === null ? 'unknown' : 'not met'}`)
    .join(', ');
}
