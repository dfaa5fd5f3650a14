/**
 * Who gets no referral recommendation at all (clinical brief 4, the CDC opioid CDS IG's general inclusion
 * criteria): children, active cancer, palliative/hospice/end of life, sickle cell disease.
 */
import type { Concept } from '../record/record.types.ts';
import {
  isHospiceDisposition,
  isIcd,
  NEOPLASM_PAIN_ICD,
  PALLIATIVE_ICD,
} from '../terminology/clinical-codes.ts';
import { inValueSet, type ValueSetId } from '../terminology/value-sets.ts';
import { formatDay, yearsBetween } from '../time/day.ts';
import type { Evidence } from './flag.types.ts';
import {
  conditionText,
  dayText,
  isActiveCondition,
  isRecordedCondition,
  within,
  type RiskContext,
} from './risk-context.ts';

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

/**
 * Above this age a birth date is a data error, not a patient: the oldest verified age is 122 years (Jeanne Calment,
 * 1875-1997; Robine & Allard, Science 1998;279:1834), and placeholder birth years such as 1850 or 1900 give more.
 */
const MAX_PLAUSIBLE_AGE = 120;

function ageRange(ctx: RiskContext): { readonly min: number; readonly max: number } | undefined {
  const birth = ctx.record.patient?.birth;
  return birth === undefined
    ? undefined
    : { min: yearsBetween(birth.latest, ctx.asOf), max: yearsBetween(birth.earliest, ctx.asOf) };
}

/** Whether some day the birth date allows gives an age of 0 to 120 (a partial date allows a range of days). */
const plausible = (years: { readonly min: number; readonly max: number }): boolean =>
  years.max >= 0 && years.min <= MAX_PLAUSIBLE_AGE;

/**
 * Age on the as-of date as a range (one value for a full birth date; "2026" on 2026-01-15 is 0); undefined without
 * a birth date, or with one that cannot be right (certainly after the as-of date, or more than 120 years before it).
 */
export function ageInYears(ctx: RiskContext): { readonly min: number; readonly max: number } | undefined {
  const years = ageRange(ctx);
  return years && plausible(years) ? clamped(years) : undefined;
}

const clamped = (years: { readonly min: number; readonly max: number }): { min: number; max: number } => ({
  min: Math.max(0, years.min),
  max: Math.min(MAX_PLAUSIBLE_AGE, years.max),
});

/** Under the minimum age - or possibly under it, when a partial birth date leaves it open (children are excluded). */
function age(ctx: RiskContext): Exclusion | undefined {
  const range = ageRange(ctx);
  if (range === undefined) {
    // Unknown is said, not read as "an adult".
    const why = ctx.record.patient
      ? 'the patient has no birth date that can be read'
      : 'the record holds no Patient';
    ctx.unread.push({
      rule: 'age',
      text: `${why}: the age is unknown (the age exclusion and the trials' age criteria are not assessed)`,
    });
    return undefined;
  }
  if (!plausible(range)) {
    ctx.unread.push({
      rule: 'age',
      text: `the patient's birth date ${range.max < 0 ? 'lies after' : `is more than ${MAX_PLAUSIBLE_AGE} years before`} ${formatDay(ctx.asOf)}: the age is unknown (the age exclusion and the trials' age criteria are not assessed)`,
    });
    return undefined;
  }
  const years = clamped(range);
  const min = ctx.rules.exclusion.minAge;
  if (years.min >= min) return undefined;
  const text =
    years.min === years.max
      ? `${years.min} years old`
      : `${years.min} to ${years.max} years old (partial birth date)`;
  return {
    code: 'excluded-age',
    rule: `age under ${min} (the MBT/CBT trial enrolled adults >= 21)`,
    source: IG,
    evidence: [
      { reference: ctx.record.patient?.ref, value: years.min, detail: `${text} on ${formatDay(ctx.asOf)}` },
    ],
  };
}

const isCancer = (code: Concept): boolean =>
  inAny(['cdc-malignant-cancer-conditions'], code) || code.codings.some((c) => isIcd(c, NEOPLASM_PAIN_ICD));

/** Active malignant cancer (or neoplasm-related pain G89.3), or 2+ encounters with such a diagnosis in 12 months. */
function cancer(ctx: RiskContext): Exclusion | undefined {
  const evidence = activeConditions(ctx, isCancer);
  const { cancerEncounters, cancerLookbackDays } = ctx.rules.exclusion;
  const diagnoses = ctx.record.conditions.filter((c) => isRecordedCondition(c) && isCancer(c.code));
  const diagnosisRefs = new Set(diagnoses.map((c) => c.ref));
  const held = ctx.record.encounters.filter(
    (e) => e.status !== 'cancelled' && e.status !== 'entered-in-error',
  );
  const encounters = new Set<string>();
  for (const e of held) {
    if (!within(e.start, ctx.asOf, cancerLookbackDays)) continue;
    if (e.diagnosisRefs.some((r) => diagnosisRefs.has(r)) || e.reasons.some(isCancer)) encounters.add(e.ref);
  }
  // Encounter diagnoses that point at their encounter (references are canonical "Encounter/id" after mapping).
  const voided = new Set(ctx.record.encounters.filter((e) => !held.includes(e)).map((e) => e.ref));
  for (const c of diagnoses) {
    if (
      c.encounterRef &&
      !voided.has(c.encounterRef) &&
      within(c.recorded ?? c.onset, ctx.asOf, cancerLookbackDays)
    ) {
      encounters.add(c.encounterRef);
    }
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
  const recent = ctx.rules.palliativeLookbackDays;
  for (const e of ctx.record.encounters) {
    if (e.status === 'entered-in-error' || e.status === 'cancelled' || !within(e.start, ctx.asOf, recent))
      continue;
    const disposition = e.dischargeDisposition;
    if (
      disposition &&
      (inAny(['valueset-hospice-disposition'], disposition) || disposition.codings.some(isHospiceDisposition))
    ) {
      evidence.push({ reference: e.ref, date: dayText(e.start), detail: 'discharged to hospice' });
    } else if (e.reasons.some(isPalliativeEncounterCode)) {
      evidence.push({
        reference: e.ref,
        date: dayText(e.start),
        detail: 'palliative care encounter (Z51.5)',
      });
    }
  }
  for (const s of ctx.record.serviceRequests) {
    if (!inAny(HOSPICE_SERVICE_SETS, s.code)) continue;
    const date = s.authored ?? s.occurrence;
    // In hospice now: an active request already made, or one completed in the last year.
    const inEffect =
      (s.status === 'active' && (date ?? ctx.asOf) <= ctx.asOf) ||
      (s.status === 'completed' && within(date, ctx.asOf, recent));
    if (inEffect)
      evidence.push({
        reference: s.ref,
        date: dayText(date),
        detail: s.code.text ?? 'hospice or end-of-life care',
      });
  }
  if (evidence.length === 0) return undefined;
  return {
    code: 'excluded-palliative',
    rule: `hospice, palliative or end-of-life care (encounters and completed services of the last ${recent} days), or a condition likely terminal / limiting life expectancy`,
    source: `${IG}; CDC value sets conditions-likely-terminal-for-opioid-prescribing, limited-life-expectancy-conditions, hospice-*, therapies-indicating-end-of-life-care; ICD-10-CM Z51.5; discharge to hospice (HL7 discharge-disposition hosp, NUBC 50/51)`,
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
