/**
 * Typed builders for synthetic FHIR test data. Tests say what matters ("oxycodone 5 mg, 1 tab 4x/day") and the
 * builders fill in the FHIR shape, so no test is a wall of hand-written JSON.
 */
import type {
  Bundle,
  BundleEntry,
  Dosage,
  Medication,
  MedicationRequest,
  OperationOutcomeIssue,
  Quantity,
  Resource,
  Timing,
} from '@medplum/fhirtypes';

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const UCUM = 'http://unitsofmeasure.org';

export function qty(value: number, unit: string, code?: string): Quantity {
  return { value, unit, ...(code ? { system: UCUM, code } : {}) };
}
export const mg = (value: number): Quantity => qty(value, 'mg', 'mg');
export const tab = (value: number): Quantity => qty(value, 'tablet', '{tbl}');
export const patch = (value: number): Quantity => qty(value, 'patch', '{patch}');
export const ml = (value: number): Quantity => qty(value, 'mL', 'mL');

export function every(
  period: number,
  periodUnit: 'h' | 'd' | 'wk' | 'mo',
  frequency = 1,
  frequencyMax?: number,
): Timing {
  return { repeat: { frequency, period, periodUnit, ...(frequencyMax ? { frequencyMax } : {}) } };
}
export function timesOfDay(...times: string[]): Timing {
  return { repeat: { timeOfDay: times } };
}

export interface DosageSpec {
  dose?: Quantity;
  doseRange?: [Quantity, Quantity];
  timing?: Timing;
  prn?: boolean;
  sequence?: number;
  boundsDays?: number;
  /** Extra doseAndRate entries, e.g. Epic's "calculated" alongside "ordered". */
  doseAndRate?: Dosage['doseAndRate'];
}

export function dosage(spec: DosageSpec): Dosage {
  const timing: Timing | undefined = spec.timing
    ? spec.boundsDays
      ? {
          ...spec.timing,
          repeat: {
            ...spec.timing.repeat,
            boundsDuration: { value: spec.boundsDays, unit: 'd', system: UCUM, code: 'd' },
          },
        }
      : spec.timing
    : undefined;
  return {
    ...(spec.sequence !== undefined ? { sequence: spec.sequence } : {}),
    ...(timing ? { timing } : {}),
    ...(spec.prn ? { asNeededBoolean: true } : {}),
    ...(spec.doseAndRate
      ? { doseAndRate: spec.doseAndRate }
      : spec.dose
        ? { doseAndRate: [{ doseQuantity: spec.dose }] }
        : spec.doseRange
          ? { doseAndRate: [{ doseRange: { low: spec.doseRange[0], high: spec.doseRange[1] } }] }
          : {}),
  };
}

export interface OrderSpec {
  id: string;
  rxcui?: string;
  display?: string;
  text?: string;
  /** Extra codings placed before the RxNorm one (NDC, local...). */
  otherCodings?: { system: string; code: string; display?: string }[];
  medicationReference?: string;
  dosages?: DosageSpec[];
  authoredOn?: string;
  status?: MedicationRequest['status'];
  intent?: MedicationRequest['intent'];
  supply?: { quantity?: Quantity; days?: number };
  requester?: string;
  contained?: Medication[];
}

export function medicationRequest(spec: OrderSpec): MedicationRequest {
  const coding = [
    ...(spec.otherCodings ?? []),
    ...(spec.rxcui
      ? [{ system: RXNORM, code: spec.rxcui, ...(spec.display ? { display: spec.display } : {}) }]
      : []),
  ];
  const medication: Pick<MedicationRequest, 'medicationCodeableConcept' | 'medicationReference'> =
    spec.medicationReference
      ? { medicationReference: { reference: spec.medicationReference } }
      : {
          medicationCodeableConcept: {
            ...(coding.length ? { coding } : {}),
            ...(spec.text ? { text: spec.text } : {}),
          },
        };
  const supply = spec.supply;
  return {
    resourceType: 'MedicationRequest',
    id: spec.id,
    status: spec.status ?? 'active',
    intent: spec.intent ?? 'order',
    subject: { reference: 'Patient/p1' },
    authoredOn: spec.authoredOn ?? '2026-01-01',
    ...medication,
    ...(spec.contained ? { contained: spec.contained } : {}),
    ...(spec.requester ? { requester: { reference: spec.requester } } : {}),
    ...(spec.dosages ? { dosageInstruction: spec.dosages.map(dosage) } : {}),
    ...(supply
      ? {
          dispenseRequest: {
            ...(supply.quantity ? { quantity: supply.quantity } : {}),
            ...(supply.days !== undefined
              ? { expectedSupplyDuration: { value: supply.days, unit: 'days', system: UCUM, code: 'd' } }
              : {}),
          },
        }
      : {}),
  };
}

export function medication(
  id: string,
  spec: {
    rxcui?: string;
    display?: string;
    text?: string;
    form?: string;
    ingredients?: { name: string; rxcui?: string; numerator: Quantity; denominator: Quantity }[];
  },
): Medication {
  return {
    resourceType: 'Medication',
    id,
    code: {
      ...(spec.rxcui
        ? {
            coding: [
              { system: RXNORM, code: spec.rxcui, ...(spec.display ? { display: spec.display } : {}) },
            ],
          }
        : {}),
      ...(spec.text ? { text: spec.text } : {}),
    },
    ...(spec.form ? { form: { text: spec.form } } : {}),
    ...(spec.ingredients
      ? {
          ingredient: spec.ingredients.map((i) => ({
            itemCodeableConcept: {
              ...(i.rxcui ? { coding: [{ system: RXNORM, code: i.rxcui, display: i.name }] } : {}),
              text: i.name,
            },
            strength: { numerator: i.numerator, denominator: i.denominator },
          })),
        }
      : {}),
  };
}

export function bundle(...resources: Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: resources.map((resource) => ({
      fullUrl: `urn:uuid:${resource.resourceType}-${resource.id ?? 'x'}`,
      resource,
    })),
  };
}

/** A searchset entry that reports a problem (search mode "outcome"), as FHIR servers add to cut-short searches. */
export function outcomeEntry(
  severity: OperationOutcomeIssue['severity'],
  code: OperationOutcomeIssue['code'],
  diagnostics?: string,
): BundleEntry {
  return {
    resource: {
      resourceType: 'OperationOutcome',
      issue: [{ severity, code, ...(diagnostics === undefined ? {} : { diagnostics }) }],
    },
    search: { mode: 'outcome' },
  };
}
