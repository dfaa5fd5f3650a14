/**
 * Typed builders for the clinical record around the opioid orders: the patient, conditions, observations (urine
 * drug screens, COMM, PHQ-9), referrals, encounters and dispenses. Synthetic data only.
 */
import type {
  CodeableConcept,
  Condition,
  Encounter,
  MedicationDispense,
  Observation,
  Patient,
  ServiceRequest,
} from '@medplum/fhirtypes';

export const SNOMED = 'http://snomed.info/sct';
export const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
export const LOINC = 'http://loinc.org';
export const ASSESSMENT = 'https://opioid-pain-cds.org/fhir/CodeSystem/assessment';
export const PROGRAM = 'https://opioid-pain-cds.org/fhir/CodeSystem/referral-program';

export const cc = (system: string, code: string, display?: string): CodeableConcept => ({
  coding: [{ system, code, ...(display ? { display } : {}) }],
  ...(display ? { text: display } : {}),
});

export function patient(birthDate: string, id = 'p1'): Patient {
  return {
    resourceType: 'Patient',
    id,
    birthDate,
    name: [{ family: 'Synthetic', given: ['Pat'] }],
    gender: 'unknown',
  };
}

export interface ConditionSpec {
  id: string;
  code: CodeableConcept;
  status?: 'active' | 'recurrence' | 'relapse' | 'inactive' | 'remission' | 'resolved';
  onset?: string;
  recorded?: string;
  category?: 'problem-list-item' | 'encounter-diagnosis';
  encounter?: string;
  verification?: 'confirmed' | 'refuted' | 'entered-in-error';
}

export function condition(spec: ConditionSpec): Condition {
  return {
    resourceType: 'Condition',
    id: spec.id,
    subject: { reference: 'Patient/p1' },
    code: spec.code,
    clinicalStatus: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: spec.status ?? 'active' },
      ],
    },
    ...(spec.verification
      ? {
          verificationStatus: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
                code: spec.verification,
              },
            ],
          },
        }
      : {}),
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/condition-category',
            code: spec.category ?? 'problem-list-item',
          },
        ],
      },
    ],
    ...(spec.onset ? { onsetDateTime: spec.onset } : {}),
    ...(spec.recorded ? { recordedDate: spec.recorded } : {}),
    ...(spec.encounter ? { encounter: { reference: spec.encounter } } : {}),
  };
}

export const CHRONIC_LBP = cc(SNOMED, '278860009', 'Chronic low back pain');
export const LBP_ICD = cc(ICD10, 'M54.50', 'Low back pain, unspecified');
export const CHRONIC_PAIN_ICD = cc(ICD10, 'G89.29', 'Other chronic pain');
export const KNEE_OA_PAIN = cc(ICD10, 'G89.29', 'Chronic knee pain');
export const OUD_MILD = cc(ICD10, 'F11.10', 'Opioid abuse, uncomplicated');
export const OUD_SEVERE = cc(ICD10, 'F11.20', 'Opioid dependence, uncomplicated');
export const LUNG_CANCER = cc(ICD10, 'C34.90', 'Malignant neoplasm of unspecified part of bronchus or lung');
export const SICKLE_CELL = cc(ICD10, 'D57.00', 'Hb-SS disease with crisis, unspecified');
export const PALLIATIVE = cc(ICD10, 'Z51.5', 'Encounter for palliative care');
export const HEROIN_OVERDOSE = cc(ICD10, 'T40.1X1A', 'Poisoning by heroin, accidental, initial encounter');
export const OPIOID_ADVERSE = cc(ICD10, 'T40.2X5A', 'Adverse effect of other opioids, initial encounter');

export type UdsResult =
  { coded: 'positive' | 'negative' } | { text: string } | { interpretation: 'POS' | 'NEG' | 'A' | 'N' };

export function urineScreen(
  id: string,
  loinc: string,
  display: string,
  date: string,
  result: UdsResult,
): Observation {
  const base: Observation = {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
        ],
      },
    ],
    code: cc(LOINC, loinc, display),
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: date,
  };
  if ('coded' in result) {
    return {
      ...base,
      valueCodeableConcept:
        result.coded === 'positive'
          ? cc(SNOMED, '10828004', 'Positive')
          : cc(SNOMED, '260385009', 'Negative'),
    };
  }
  if ('text' in result) return { ...base, valueString: result.text };
  return {
    ...base,
    valueQuantity: {
      value: result.interpretation === 'POS' || result.interpretation === 'A' ? 450 : 10,
      unit: 'ng/mL',
    },
    interpretation: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
            code: result.interpretation,
          },
        ],
      },
    ],
  };
}

/** LOINC codes of urine screens by substance (members of the CDC value sets). */
export const UDS = {
  opiates: ['19295-5', 'Opiates [Presence] in Urine by Screen method'],
  oxycodone: ['19642-8', 'oxyCODONE [Presence] in Urine by Screen method'],
  fentanyl: ['59673-4', 'fentaNYL [Presence] in Urine by Screen method'],
  cocaine: ['14314-9', 'Benzoylecgonine [Presence] in Urine by Screen method'],
  heroin: ['19321-9', '6-Monoacetylmorphine [Presence] in Urine by Screen method'],
} as const;

export function commScore(
  id: string,
  score: number,
  date: string,
  by: 'code' | 'text' = 'code',
): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code:
      by === 'code'
        ? cc(ASSESSMENT, 'comm-total', 'COMM total score')
        : { text: 'Current Opioid Misuse Measure (COMM) total' },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: date,
    valueInteger: score,
  };
}

export function phq9Item9(id: string, score: number, date: string, asComponent = false): Observation {
  const answer = { valueInteger: score };
  const item = cc(
    LOINC,
    '44260-8',
    'Thoughts that you would be better off dead, or of hurting yourself in some way',
  );
  return asComponent
    ? {
        resourceType: 'Observation',
        id,
        status: 'final',
        code: cc(LOINC, '44249-1', 'PHQ-9 quick depression assessment panel'),
        subject: { reference: 'Patient/p1' },
        effectiveDateTime: date,
        component: [
          { code: cc(LOINC, '44261-6', 'PHQ-9 total score'), valueInteger: 12 },
          { code: item, ...answer },
        ],
      }
    : {
        resourceType: 'Observation',
        id,
        status: 'final',
        code: item,
        subject: { reference: 'Patient/p1' },
        effectiveDateTime: date,
        ...answer,
      };
}

export function referral(
  id: string,
  programme: 'more' | 'mbt' | 'cbt',
  authoredOn: string,
  status: ServiceRequest['status'] = 'active',
): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id,
    status,
    intent: 'order',
    code: cc(PROGRAM, programme, programme.toUpperCase()),
    subject: { reference: 'Patient/p1' },
    authoredOn,
  };
}

export function encounter(id: string, date: string, extra: Partial<Encounter> = {}): Encounter {
  return {
    resourceType: 'Encounter',
    id,
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: 'Patient/p1' },
    period: { start: date },
    ...extra,
  };
}

export function dispense(id: string, rxcui: string, date: string, pharmacy: string): MedicationDispense {
  return {
    resourceType: 'MedicationDispense',
    id,
    status: 'completed',
    medicationCodeableConcept: {
      coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: rxcui }],
    },
    subject: { reference: 'Patient/p1' },
    performer: [{ actor: { reference: pharmacy } }],
    whenHandedOver: date,
  };
}
