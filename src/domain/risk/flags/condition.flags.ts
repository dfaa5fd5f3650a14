/** Flags read from diagnoses: opioid use disorder and opioid overdose history (brief 3). */
import type { CodingInput } from '../../opioid/order.types.ts';
import { isOpioidOverdose } from '../../terminology/clinical-codes.ts';
import { normalIcd10, systemKey } from '../../terminology/code-systems.ts';
import { inValueSet, snomedOudSeverity } from '../../terminology/value-sets.ts';
import type { Evidence, Flag } from '../flag.types.ts';
import {
  conditionText,
  dayText,
  isActiveCondition,
  isRecordedCondition,
  type RiskContext,
} from '../risk-context.ts';

export type OudSeverity = 'mild' | 'moderate-severe' | 'unspecified';

const RANK: Record<OudSeverity, number> = { unspecified: 0, mild: 1, 'moderate-severe': 2 };

/** ICD-10-CM F11.1x is abuse (mild), F11.2x dependence (moderate/severe); SNOMED from the code's display. */
function severityOf(coding: CodingInput): OudSeverity {
  if (coding.code === undefined) return 'unspecified';
  if (systemKey(coding.system) === 'icd10cm') {
    const code = normalIcd10(coding.code);
    if (code.startsWith('F111')) return 'mild';
    if (code.startsWith('F112')) return 'moderate-severe';
    return 'unspecified';
  }
  const s = snomedOudSeverity(coding.code);
  return s === 'mild' || s === 'moderate-severe' ? s : 'unspecified';
}

/** CDC Rec 12: an active Condition in the CDC opioid-misuse-disorders value set (ICD-10-CM F11.x and SNOMED). */
/** A SNOMED opioid poisoning or overdose: in the CDC misuse list, but an overdose, not a use disorder. */
function isSnomedPoisoning(coding: CodingInput): boolean {
  return (
    coding.code !== undefined &&
    systemKey(coding.system) === 'snomed' &&
    snomedOudSeverity(coding.code) === 'overdose'
  );
}

export function oudDiagnosis(ctx: RiskContext): Flag | undefined {
  const evidence: Evidence[] = [];
  let severity: OudSeverity | undefined;
  for (const c of ctx.record.conditions) {
    if (!isActiveCondition(c, ctx.asOf)) continue;
    const coding = c.code.codings.find(
      (x) => inValueSet('opioid-misuse-disorders', x) && !isSnomedPoisoning(x),
    );
    if (!coding) continue;
    const s = severityOf(coding);
    if (severity === undefined || RANK[s] > RANK[severity]) severity = s;
    evidence.push({
      reference: c.ref,
      date: dayText(c.onset ?? c.recorded),
      value: s,
      detail: `${conditionText(c)}: ${s} OUD`,
    });
  }
  if (!severity) return undefined;
  return {
    code: 'oud-diagnosis',
    rule: 'active opioid use disorder diagnosis (F11.1x mild, F11.2x moderate/severe)',
    source: 'CDC 2022 Recommendation 12; CDC value set opioid-misuse-disorders',
    evidence,
    detail: { severity },
  };
}

/**
 * Opioid overdose ever recorded: a Condition or an encounter reason coded T40.0X-T40.4X, T40.60, T40.69 with 6th
 * character 1-4 (Vivolo-Kantor et al., Inj Prev 2020).
 */
export function overdoseHistory(ctx: RiskContext): Flag | undefined {
  const evidence: Evidence[] = [];
  for (const c of ctx.record.conditions) {
    if (!isRecordedCondition(c) || (c.onset ?? c.recorded ?? ctx.asOf) > ctx.asOf) continue;
    const coding = c.code.codings.find((x) => isOpioidOverdose(x) || isSnomedPoisoning(x));
    if (coding)
      evidence.push({
        reference: c.ref,
        date: dayText(c.onset ?? c.recorded),
        value: coding.code,
        detail: conditionText(c),
      });
  }
  for (const e of ctx.record.encounters) {
    if (e.status === 'entered-in-error' || e.status === 'cancelled' || (e.start ?? ctx.asOf) > ctx.asOf)
      continue;
    const coding = e.reasons
      .flatMap((r) => r.codings)
      .find((x) => isOpioidOverdose(x) || isSnomedPoisoning(x));
    if (coding)
      evidence.push({
        reference: e.ref,
        date: dayText(e.start),
        value: coding.code,
        detail: `encounter for ${coding.display ?? coding.code ?? 'opioid overdose'}`,
      });
  }
  if (evidence.length === 0) return undefined;
  return {
    code: 'overdose-history',
    rule: 'opioid poisoning ICD-10-CM T40.0X-T40.4X (T40.41/.42/.49 since 2020), T40.60, T40.69 with 6th character 1-4 (not adverse effect or underdosing), or a SNOMED CT opioid poisoning/overdose',
    source: 'Vivolo-Kantor AM et al., Inj Prev 2020 (ICD-10-CM opioid overdose definition)',
    evidence,
  };
}
