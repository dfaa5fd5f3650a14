/**
 * The referral decision (clinical brief 5), in order: exclusions; self-harm safety first; moderate/severe OUD
 * without MOUD (MOUD evaluation first, MORE as adjunct); misuse signals -> MORE; chronic pain or LTOT without misuse
 * -> MBT or CBT as equal options; suppression by a recent referral to the same programme; naloxone and
 * benzodiazepine safety actions independently. Every branch says why in `rationale`.
 */
import { counts } from '../opioid/prescription-status.ts';
import type { Exclusion } from './exclusions.ts';
import { medicationClasses } from './medication-class.ts';
import { coverageOf, dispensedSpan } from './spans.ts';
import type { Flag, FlagCode } from './flag.types.ts';
import { painFacts, type PainFacts } from './pain.ts';
import { priorReferrals, type Programme } from './programmes.ts';
import { flagNameList } from './flag-names.ts';
import { ordersOfClass, type RiskContext } from './risk-context.ts';
import { trialPopulation, type TrialPopulation } from './trial-population.ts';

export type Recommendation = 'MORE' | 'MBT_OR_CBT' | 'NONE';
export type SafetyAction =
  'naloxone' | 'benzodiazepine-review' | 'moud-evaluation' | 'behavioral-health-safety';
export type Branch =
  'excluded' | 'self-harm' | 'oud-moud-first' | 'misuse' | 'chronic-pain' | 'not-indicated';

export interface Referral {
  readonly recommendation: Recommendation;
  readonly branch: Branch;
  readonly suppressed: boolean;
  /** The referrals or reports that suppress it. */
  readonly suppressedBy: readonly string[];
  readonly rationale: readonly string[];
  readonly safetyActions: readonly SafetyAction[];
  readonly misuseSignals: readonly FlagCode[];
  /** Whether the patient matches the recommended programme's trial population; null when unknown or none. */
  readonly matchesTrialPopulation: boolean | null;
  readonly trialPopulation: TrialPopulation | null;
  /** The pain diagnoses behind the recommendation ("Condition/c1"), as referral reasons. */
  readonly painConditionRefs: readonly string[];
  /** Whether chronic pain (any site, or low back pain documented as chronic) is on record: what the cards may say. */
  readonly chronicPain: boolean;
}

/** Misuse signals of brief 3: dose escalation counts only together with another signal. */
function misuseSignals(flags: ReadonlyMap<FlagCode, Flag>): FlagCode[] {
  const signals: FlagCode[] = (
    ['comm-positive', 'uds-unexpected', 'multiple-prescribers', 'early-refill'] as const
  ).filter((c) => flags.has(c));
  const severity = flags.get('oud-diagnosis')?.detail?.severity;
  // Mild (or unspecified) OUD is a misuse signal; moderate/severe OUD has its own branch (MOUD first).
  if (severity === 'mild' || severity === 'unspecified') signals.push('oud-diagnosis');
  if (signals.length > 0 && flags.has('dose-escalation')) signals.push('dose-escalation');
  return signals;
}

function onOpioids(ctx: RiskContext): boolean {
  const since = ctx.asOf - ctx.rules.onOpioidsLookbackDays + 1;
  return [...ctx.opioidOrders.values()].some((o) =>
    o.segments.some((s) => s.end >= since && s.start <= ctx.asOf),
  );
}

/** MOUD in effect on the as-of date: an order covering it, or a dispense whose supply does (brief 5.3). */
function onMoud(ctx: RiskContext): boolean {
  const covers = (start: number, end: number): boolean => start <= ctx.asOf && end >= ctx.asOf;
  const ordered = ordersOfClass(ctx, 'moud').some((o) => {
    if (!counts(o)) return false;
    const analysed = ctx.opioidOrders.get(o);
    // Buprenorphine and methadone carry the coverage the MME engine computed; naltrexone is computed the same way.
    if (analysed) return analysed.segments.some((s) => covers(s.start, s.end));
    const coverage = coverageOf(o);
    return coverage !== undefined && covers(coverage.start, coverage.end);
  });
  if (ordered) return true;
  return ctx.record.dispenses.some((d) => {
    const span = dispensedSpan(d, ctx.rules.moudDispenseDays);
    return span !== undefined && covers(span.start, span.end) && medicationClasses(d.product).has('moud');
  });
}

function safetyActions(flags: ReadonlyMap<FlagCode, Flag>): SafetyAction[] {
  const actions: SafetyAction[] = [];
  if (flags.has('self-harm-risk')) actions.push('behavioral-health-safety');
  if (flags.has('naloxone-missing')) actions.push('naloxone');
  if (flags.has('benzodiazepine-overlap')) actions.push('benzodiazepine-review');
  return actions;
}

const PROGRAMMES: Record<Exclude<Recommendation, 'NONE'>, readonly Programme[]> = {
  MORE: ['more'],
  MBT_OR_CBT: ['mbt', 'cbt'],
};

function withSuppression(ctx: RiskContext, base: Unsuppressed): Referral {
  if (base.recommendation === 'NONE') return { ...base, suppressed: false, suppressedBy: [] };
  const prior = priorReferrals(ctx, PROGRAMMES[base.recommendation]);
  if (prior.length === 0) return { ...base, suppressed: false, suppressedBy: [] };
  return {
    ...base,
    suppressed: true,
    suppressedBy: prior.map((p) => p.reference ?? p.detail),
    rationale: [
      ...base.rationale,
      `suppressed: ${prior.map((p) => `${p.detail}${p.date ? ` (${p.date})` : ''}`).join('; ')} in the last ${ctx.rules.suppressionLookbackDays} days`,
    ],
  };
}

function none(
  branch: Branch,
  rationale: string[],
  safety: SafetyAction[],
  misuse: FlagCode[] = [],
): Referral {
  return {
    recommendation: 'NONE',
    branch,
    suppressed: false,
    suppressedBy: [],
    rationale,
    safetyActions: safety,
    misuseSignals: misuse,
    matchesTrialPopulation: null,
    trialPopulation: null,
    painConditionRefs: [],
    chronicPain: false,
  };
}

function painRefs(pain: PainFacts): string[] {
  return [
    ...new Set(
      [...pain.chronicPain, ...pain.lowBackPain]
        .map((e) => e.reference)
        .filter((r): r is string => r !== undefined),
    ),
  ];
}

type Unsuppressed = Omit<Referral, 'suppressed' | 'suppressedBy'>;

/** A programme recommendation with its trial-population check. */
function recommend(
  ctx: RiskContext,
  recommendation: 'MORE' | 'MBT_OR_CBT',
  branch: Branch,
  rationale: string[],
  safety: SafetyAction[],
  misuse: FlagCode[],
  pain: PainFacts,
): Unsuppressed {
  const trial = trialPopulation(ctx, recommendation, pain, misuse);
  // For MBT/CBT the match with the trial population is part of the reason (docs/referral-rules.md, step 5).
  if (recommendation === 'MBT_OR_CBT') rationale.push(trial.summary);
  return {
    recommendation,
    branch,
    rationale,
    safetyActions: safety,
    misuseSignals: misuse,
    matchesTrialPopulation: trial.matches,
    trialPopulation: trial,
    painConditionRefs: painRefs(pain),
    chronicPain: pain.chronicPain.length > 0 || pain.chronicLowBackPain,
  };
}

const MOUD_FIRST =
  'moderate/severe opioid use disorder without buprenorphine, methadone or naltrexone: evaluate for MOUD first';

/** Moderate/severe OUD with no MOUD in effect: the MOUD-evaluation action (brief 5.3). */
function untreatedSevereOud(ctx: RiskContext, flags: ReadonlyMap<FlagCode, Flag>): boolean {
  return flags.get('oud-diagnosis')?.detail?.severity === 'moderate-severe' && !onMoud(ctx);
}

function decideProgramme(
  ctx: RiskContext,
  flags: ReadonlyMap<FlagCode, Flag>,
  pain: PainFacts,
  safety: SafetyAction[],
): Unsuppressed {
  const misuse = misuseSignals(flags);
  const opioids = onOpioids(ctx);
  const ltot = flags.has('long-term-opioid-therapy');
  const hasChronicPain = pain.chronicPain.length > 0 || pain.chronicLowBackPain;
  const severity = flags.get('oud-diagnosis')?.detail?.severity;
  const rationale: string[] = [];

  if (untreatedSevereOud(ctx, flags)) {
    safety.unshift('moud-evaluation');
    rationale.push(MOUD_FIRST);
    if (opioids || hasChronicPain) {
      rationale.push('MORE is offered as an adjunct to MOUD, not instead of it');
      return recommend(ctx, 'MORE', 'oud-moud-first', rationale, safety, [...misuse, 'oud-diagnosis'], pain);
    }
    return none(
      'oud-moud-first',
      [...rationale, 'no opioid prescription or chronic pain on record: no group programme suggested'],
      safety,
      misuse,
    );
  }
  if (severity === 'moderate-severe') rationale.push('opioid use disorder treated with MOUD');

  if (misuse.length > 0 && opioids) {
    rationale.push(
      `misuse signals while on opioids (${flagNameList(misuse)}): Mindfulness-Oriented Recovery Enhancement (Garland 2022)`,
    );
    return recommend(ctx, 'MORE', 'misuse', rationale, safety, misuse, pain);
  }
  if ((hasChronicPain || ltot) && opioids) {
    const why = [hasChronicPain ? 'chronic pain' : undefined, ltot ? 'long-term opioid therapy' : undefined]
      .filter(Boolean)
      .join(' and ');
    rationale.push(
      `${why}, on opioids, without misuse signals: mindfulness-based therapy or CBT as equal options (Zgierska 2025)`,
    );
    return recommend(ctx, 'MBT_OR_CBT', 'chronic-pain', rationale, safety, misuse, pain);
  }
  const reason = !opioids
    ? `no opioid prescription in the last ${ctx.rules.onOpioidsLookbackDays} days`
    : 'no chronic pain diagnosis or long-term opioid therapy on record';
  return none('not-indicated', [...rationale, `${reason}: no programme recommended`], safety, misuse);
}

export function decideReferral(
  ctx: RiskContext,
  flagList: readonly Flag[],
  excluded: readonly Exclusion[],
): Referral {
  const flags = new Map(flagList.map((f) => [f.code, f]));
  const safety = safetyActions(flags);
  if (excluded.length > 0) {
    // The CDC IG's exclusions remove the opioid-prescribing recommendations; a self-harm signal is never silenced.
    const kept: SafetyAction[] = safety.filter((a) => a === 'behavioral-health-safety');
    return none(
      'excluded',
      excluded.map((e) => `excluded (${e.code}): ${e.rule}`),
      kept,
    );
  }
  if (flags.has('self-harm-risk')) {
    const rationale = [
      'PHQ-9 item 9 > 0: behavioural-health safety evaluation first; no group programme suggested for now',
    ];
    // MOUD evaluation is treatment, not a group programme: a patient at risk of self-harm keeps it (brief 5.2-5.3).
    if (untreatedSevereOud(ctx, flags)) {
      safety.splice(safety.indexOf('behavioral-health-safety') + 1, 0, 'moud-evaluation');
      rationale.push(MOUD_FIRST);
    }
    return none('self-harm', rationale, safety, misuseSignals(flags));
  }
  return withSuppression(ctx, decideProgramme(ctx, flags, painFacts(ctx), safety));
}
