/**
 * Single codes and small code lists the rules use, each from the clinical brief section 6 (which cites LOINC,
 * SNOMED CT and ICD-10-CM). Larger lists come from the CDC value sets (value-sets.ts).
 */
import type { CodingInput } from '../opioid/order.types.ts';
import { normalIcd10, systemKey } from './code-systems.ts';
import { trimTrailing } from '../text.ts';

/** LOINC 44260-8: PHQ-9 item 9, thoughts that you would be better off dead or of hurting yourself. */
export const PHQ9_ITEM9_LOINC = '44260-8';
/** LOINC answers of PHQ-9 items (LL358-3): not at all 0, several days 1, more than half the days 2, nearly every day 3. */
export const PHQ_ANSWER_SCORES: ReadonlyMap<string, number> = new Map([
  ['LA6568-5', 0],
  ['LA6569-3', 1],
  ['LA6570-1', 2],
  ['LA6571-9', 3],
]);

/** Urine drug screen results: SNOMED CT positive 10828004, negative 260385009; also detected/not detected. */
export const SNOMED_POSITIVE = new Set(['10828004', '260373001']);
export const SNOMED_NEGATIVE = new Set(['260385009', '260415000']);

/** Chronic pain, brief section 6: SNOMED CT and ICD-10-CM. */
const CHRONIC_PAIN_SNOMED = new Set(['82423001', '373621006', '278860009']);
const CHRONIC_PAIN_ICD = ['G8921', 'G8922', 'G8928', 'G8929', 'G894'];
/** Low back pain, brief section 6: SNOMED CT 278860009 (chronic) and 279039007; ICD-10-CM M54.5x, M54.4x, M54.16/.17. */
const LOW_BACK_SNOMED = new Set(['278860009', '279039007']);
const LOW_BACK_ICD = ['M545', 'M5440', 'M5441', 'M5442', 'M5416', 'M5417'];
export const CHRONIC_LOW_BACK_PAIN_SNOMED = '278860009';

/** ICD-10-CM G89.3, neoplasm-related pain: a cancer exclusion (brief section 6). */
export const NEOPLASM_PAIN_ICD = 'G893';
/** ICD-10-CM Z51.5, encounter for palliative care (brief section 4). */
export const PALLIATIVE_ICD = 'Z515';

/**
 * Discharged to hospice, as EHRs code an encounter's discharge disposition besides the CDC value set's SNOMED CT
 * codes: HL7 discharge-disposition "hosp" (FHIR R4, the US Core example binding) and NUBC patient discharge status
 * 50 (hospice - home) and 51 (hospice - medical facility), the codes UB-04 claims carry.
 */
const HOSPICE_DISPOSITIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['http://terminology.hl7.org/CodeSystem/discharge-disposition', new Set(['hosp'])],
  ['https://www.nubc.org/CodeSystem/PatDischargeStatus', new Set(['50', '51'])],
]);

export function isHospiceDisposition(coding: CodingInput): boolean {
  const system = coding.system === undefined ? undefined : trimTrailing(coding.system.trim(), '/');
  const code = coding.code?.trim();
  return system !== undefined && code !== undefined && (HOSPICE_DISPOSITIONS.get(system)?.has(code) ?? false);
}

function icdStartsWith(coding: CodingInput, prefixes: readonly string[]): boolean {
  if (coding.code === undefined || systemKey(coding.system) !== 'icd10cm') return false;
  const code = normalIcd10(coding.code);
  return prefixes.some((p) => code.startsWith(p));
}

function snomedIn(coding: CodingInput, codes: ReadonlySet<string>): boolean {
  return coding.code !== undefined && systemKey(coding.system) === 'snomed' && codes.has(coding.code.trim());
}

export function isChronicPain(coding: CodingInput): boolean {
  return snomedIn(coding, CHRONIC_PAIN_SNOMED) || icdStartsWith(coding, CHRONIC_PAIN_ICD);
}

export function isLowBackPain(coding: CodingInput): boolean {
  return snomedIn(coding, LOW_BACK_SNOMED) || icdStartsWith(coding, LOW_BACK_ICD);
}

export function isIcd(coding: CodingInput, prefix: string): boolean {
  return icdStartsWith(coding, [prefix]);
}

/**
 * Opioid poisoning, brief section 3 (Vivolo-Kantor, Inj Prev 2020): ICD-10-CM T40.0X-T40.4X, T40.60, T40.69 with
 * 6th character 1-4 (accidental, intentional, assault, undetermined), not 5 (adverse effect) or 6 (underdosing).
 * Since FY2021 ICD-10-CM splits T40.4 into T40.41 fentanyl, T40.42 tramadol, T40.49 other synthetic narcotics
 * (T40.411A = fentanyl, accidental): those count the same.
 */
export function isOpioidOverdose(coding: CodingInput): boolean {
  if (coding.code === undefined || systemKey(coding.system) !== 'icd10cm') return false;
  return /^T40(?:[0-3]X|4[X129]|60|69)[1-4]/.test(normalIcd10(coding.code));
}
