/**
 * Code system URIs, normalised so an EHR's spelling (https, trailing slash, OID) still matches.
 */
import type { CodingInput } from '../opioid/order.types.ts';
import { trimTrailing } from '../text.ts';

export type SystemKey = 'rxnorm' | 'loinc' | 'snomed' | 'icd10cm' | 'other';

export const SYSTEMS = {
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
} as const;

/** The project's own code systems (canonical base https://opioid-pain-cds.org/fhir; defined in fhir-profiles/). */
export const PROJECT_SYSTEMS = {
  assessment: 'https://opioid-pain-cds.org/fhir/CodeSystem/assessment',
  referralProgram: 'https://opioid-pain-cds.org/fhir/CodeSystem/referral-program',
} as const;

const ALIASES = new Map<string, SystemKey>([
  ['http://www.nlm.nih.gov/research/umls/rxnorm', 'rxnorm'],
  ['urn:oid:2.16.840.1.113883.6.88', 'rxnorm'],
  ['http://loinc.org', 'loinc'],
  ['urn:oid:2.16.840.1.113883.6.1', 'loinc'],
  ['http://snomed.info/sct', 'snomed'],
  ['urn:oid:2.16.840.1.113883.6.96', 'snomed'],
  ['http://hl7.org/fhir/sid/icd-10-cm', 'icd10cm'],
  ['urn:oid:2.16.840.1.113883.6.90', 'icd10cm'],
  // WHO ICD-10 codes are the parents of ICD-10-CM's; matched the same way, by prefix ancestry.
  ['http://hl7.org/fhir/sid/icd-10', 'icd10cm'],
]);

const CACHE = new Map<string, SystemKey>();

/** A system URI as compared: trimmed, lower case, http for https, no trailing slash. */
export function normalSystemUri(system: string): string {
  return trimTrailing(
    system
      .trim()
      .toLowerCase()
      .replace(/^https:/, 'http:'),
    '/',
  );
}

export function systemKey(system: string | undefined): SystemKey {
  if (system === undefined) return 'other';
  let key = CACHE.get(system);
  if (key === undefined) {
    const normal = normalSystemUri(system);
    key = ALIASES.get(normal) ?? 'other';
    if (CACHE.size < 1000 && system.length <= 512) CACHE.set(system, key);
  }
  return key;
}

export function isSystem(coding: CodingInput, key: SystemKey): boolean {
  return coding.code !== undefined && systemKey(coding.system) === key;
}

/** ICD-10 codes compare without the dot and case-insensitively ("f11.20" = "F1120"). */
const NORMAL_ICD = new Map<string, string>();

export function normalIcd10(code: string): string {
  let normal = NORMAL_ICD.get(code);
  if (normal === undefined) {
    normal = code.replace(/\./g, '').trim().toUpperCase();
    if (NORMAL_ICD.size < 50_000 && code.length <= 16) NORMAL_ICD.set(code, normal);
  }
  return normal;
}
