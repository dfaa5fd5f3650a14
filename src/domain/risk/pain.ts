/**
 * Chronic pain and chronic low back pain from the patient's conditions (codes of clinical brief 6). Chronic low back
 * pain: the SNOMED CT chronic low back pain concept, or a low back pain diagnosis that is at least 90 days old
 * ("> 3 months", project choice) or recorded together with a chronic pain diagnosis.
 */
import { CHRONIC_LOW_BACK_PAIN_SNOMED, isChronicPain, isLowBackPain } from '../terminology/clinical-codes.ts';
import { isSystem } from '../terminology/code-systems.ts';
import type { Evidence } from './flag.types.ts';
import { conditionText, dayText, isActiveCondition, type RiskContext } from './risk-context.ts';

export interface PainFacts {
  readonly chronicPain: readonly Evidence[];
  readonly lowBackPain: readonly Evidence[];
  readonly chronicLowBackPain: boolean;
}

export function painFacts(ctx: RiskContext): PainFacts {
  const chronicPain: Evidence[] = [];
  const lowBackPain: Evidence[] = [];
  let explicitChronicLbp = false;
  let oldLbp = false;
  for (const c of ctx.record.conditions) {
    if (!isActiveCondition(c, ctx.asOf)) continue;
    const e = { reference: c.ref, date: dayText(c.onset ?? c.recorded), detail: conditionText(c) };
    if (c.code.codings.some(isChronicPain)) chronicPain.push(e);
    if (c.code.codings.some(isLowBackPain)) {
      lowBackPain.push(e);
      if (c.code.codings.some((x) => isSystem(x, 'snomed') && x.code === CHRONIC_LOW_BACK_PAIN_SNOMED))
        explicitChronicLbp = true;
      const since = c.onset ?? c.recorded;
      if (since !== undefined && ctx.asOf - since >= ctx.rules.chronicPainMinDays) oldLbp = true;
    }
  }
  const chronicLowBackPain =
    explicitChronicLbp || (lowBackPain.length > 0 && (oldLbp || chronicPain.length > 0));
  return { chronicPain, lowBackPain, chronicLowBackPain };
}
