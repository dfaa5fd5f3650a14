/**
 * Who gets no referral recommendation at all (clinical brief 4, the CDC opioid CDS IG's general inclusion
 * criteria): children, active cancer, palliative/hospice/end of life, sickle cell disease.
 */
import type { Concept } from '../record/record.types.ts';
import { isIcd, NEOPLASM_PAIN_ICD, PALLIATIVE_ICD } from '../terminology/clinical-codes.ts';
import { inValueSet, type ValueSetId } from '../terminology/value-sets.ts';
import { formatDay, yearsBetween } from '../time/day.ts';
import type { Evidence } from './flag.types.ts';
import { conditionText, dayText, isActiveCondition, within, type RiskContext } from './risk-context.ts';

export const EXCLUSION_CODES = [
  'excluded-age',
  'excluded-cancer',
  'excluded-palliative',
  'excluded-sickle-cell',
] as const;
export type ExclusionCode = (typeof EXCLUSION_CODES)[number];

export interface Exclusion {
  readonly code: ExclusionCode;
  readonly rule: string;
  readonly source: string;
  readonly evidence: readonly Evidence[];
}

const IG = 'CDC Opioid Prescribing Guideline CDS IG general inclusion criteria (clinical brief 4)';

const inAny = (sets: readonly ValueSetId[], concept: Concept): boolean =>
  concept.codings.some((c) => sets.some((s) => inValueSet(s, c)));

function activeConditions(ctx: RiskContext, match: (code: Concept) => boolean): Evidence[] {
  return ctx.record.conditions
    .filter((c) => isActiveCondition(c, ctx.asOf) && match(c.code))
    .map((c) => ({ reference: c.ref, date: dayText(c.onset ?? c.recorded), detail: conditionText(c) }));
}

export function ageInYears(ctx: RiskContext): number | undefined {
  const birth = ctx.record.patient?.birthDate;
  return birth === undefined ? undefined : yearsBetween(birth, ctx.asOf);
}

function age(ctx: RiskContext): Exclusion | undefined {
  const years = ageInYears(ctx);
  const min = ctx.rules.exclusion.minAge;
  if (years === undefined || years >= min) return undefined;
  return {
    code: 'excluded-age',
    rule: `age under ${min} (the MBT/CBT trial enrolled adults >= 21)`,
    source: IG,
    evidence: [
      {
        reference: ctx.record.patient?.ref,
        value: years,
        detail: `${years} years old on ${formatDay(ctx.asOf)}`,
      },
    ],
  };
}

const isCancer = (code: Concept): boolean =>
  inAny(['cdc-malignant-cancer-conditions'], code) || code.codings.some((c) => isIcd(c, NEOPLASM_PAIN_ICD));

/** Active malignant cancer (or neoplasm-related pain G89.3), or 2+ encounters with such a diagnosis in 12 months. */
function cancer(ctx: RiskContext): Exclusion | undefined {
  const evidence = activeConditions(ctx, isCancer);
  const { cancerEncounters, cancerLookbackDays } = ctx.rules.exclusion;
  const cancerConditionRefs = new Set(
    ctx.record.conditions.filter((c) => isCancer(c.code)).map((c) => c.ref),
  );
  const encounters = new Set<string>();
  for (const e of ctx.record.encounters) {
    if (!within(e.start, ctx.asOf, cancerLookbackDays)) continue;
    if (e.diagnosisRefs.some((r) => cancerConditionRefs.has(r)) || e.reasons.some(isCancer))
      encounters.add(e.ref);
  }
  for (const c of ctx.record.conditions) {
    if (c.encounterRef && isCancer(c.code) && within(c.recorded ?? c.onset, ctx.asOf, cancerLookbackDays))
      encounters.add(c.encounterRef);
  }
  if (encounters.size >= cancerEncounters) {
    evidence.push(
      ...[...encounters].map((ref) => ({
        reference: ref,
        detail: 'encounter with a malignant cancer diagnosis',
      })),
    );
  }
  if (evidence.length === 0) return undefined;
  return {
    code: 'excluded-cancer',
    rule: `active malignant cancer, or ${cancerEncounters}+ encounters with such a diagnosis in ${cancerLookbackDays} days`,
    source: `${IG}; CDC value set cdc-malignant-cancer-conditions; ICD-10-CM G89.3`,
    evidence,
  };
}

const TERMINAL_SETS: readonly ValueSetId[] = [
  'conditions-likely-terminal-for-opioid-prescribing',
  'limited-life-expectancy-conditions',
  'hospice-finding',
];
const HOSPICE_SERVICE_SETS: readonly ValueSetId[] = [
  'hospice-procedure',
  'therapies-indicating-end-of-life-care',
];
const isPalliativeEncounterCode = (code: Concept): boolean =>
  code.codings.some((c) => isIcd(c, PALLIATIVE_ICD));

/** Terminal or limited-life-expectancy conditions, hospice, end-of-life care, palliative encounters (Z51.5). */
function palliative(ctx: RiskContext): Exclusion | undefined {
  const evidence = activeConditions(
    ctx,
    (code) => inAny(TERMINAL_SETS, code) || isPalliativeEncounterCode(code),
  );
  for (const e of ctx.record.encounters) {
    if (e.status === 'entered-in-error' || e.status === 'cancelled') continue;
    if (e.dischargeDisposition && inAny(['valueset-hospice-disposition'], e.dischargeDisposition)) {
      evidence.push({ reference: e.ref, date: dayText(e.start), detail: 'discharged to hospice' });
    } else if (
      e.reasons.some(isPalliativeEncounterCode) &&
      within(e.start, ctx.asOf, ctx.rules.exclusion.cancerLookbackDays)
    ) {
      evidence.push({
        reference: e.ref,
        date: dayText(e.start),
        detail: 'palliative care encounter (Z51.5)',
      });
    }
  }
  for (const s of ctx.record.serviceRequests) {
    if ((s.status === 'active' || s.status === 'completed') && inAny(HOSPICE_SERVICE_SETS, s.code)) {
      evidence.push({
        reference: s.ref,
        date: dayText(s.authored),
        detail: s.code.text ?? 'hospice or end-of-life care',
      });
    }
  }
  if (evidence.length === 0) return undefined;
  return {
    code: 'excluded-palliative',
    rule: 'hospice, palliative or end-of-life care, or a condition likely terminal / limiting life expectancy',
    source: `${IG}; CDC value sets conditions-likely-terminal-for-opioid-prescribing, limited-life-expectancy-conditions, hospice-*, therapies-indicating-end-of-life-care; ICD-10-CM Z51.5`,
    evidence,
  };
}

function sickleCell(ctx: RiskContext): Exclusion | undefined {
  const evidence = activeConditions(ctx, (code) => inAny(['sickle-cell-diseases'], code));
  if (evidence.length === 0) return undefined;
  return {
    code: 'excluded-sickle-cell',
    rule: 'sickle cell disease',
    source: `${IG}; CDC value set sickle-cell-diseases`,
    evidence,
  };
}

export function exclusions(ctx: RiskContext): Exclusion[] {
  return [age(ctx), cancer(ctx), palliative(ctx), sickleCell(ctx)].filter(
    (e): e is Exclusion => e !== undefined,
  );
}
