/**
 * The patient's record as the risk rules need it, in plain data (mapped from FHIR by src/fhir/). Dates are calendar
 * days; `ref` is how evidence cites the source resource ("Condition/c1").
 */
import type { CodingInput, OrderInput, ProductInput } from '../opioid/order.types.ts';
import type { Day } from '../time/day.ts';
import type { Party } from './party.types.ts';

export interface Concept {
  readonly codings: readonly CodingInput[];
  readonly text?: string;
}

export interface PatientInput {
  readonly ref: string;
  /** Birth date as a range: one day for a full date, a month or a year for a partial one. */
  readonly birth?: { readonly earliest: Day; readonly latest: Day };
}

export interface ConditionInput {
  readonly ref: string;
  readonly code: Concept;
  /** Condition.clinicalStatus code (active, recurrence, relapse, inactive, remission, resolved), if given. */
  readonly clinicalStatus?: string;
  /** Condition.verificationStatus code; refuted and entered-in-error conditions are ignored. */
  readonly verificationStatus?: string;
  readonly categories: readonly string[];
  readonly onset?: Day;
  readonly abatement?: Day;
  readonly recorded?: Day;
  readonly encounterRef?: string;
}

export type ObservationValue =
  | { readonly kind: 'number'; readonly value: number; readonly unit?: string }
  | { readonly kind: 'concept'; readonly concept: Concept }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean };

export interface ObservationComponentInput {
  readonly code: Concept;
  readonly value?: ObservationValue;
  readonly interpretation: readonly CodingInput[];
}

export interface ObservationInput {
  readonly ref: string;
  readonly status?: string;
  readonly code: Concept;
  readonly effective?: Day;
  /** The date as written when it is not a full day ("2026-03"); absent with `effective`, or when there is none. */
  readonly effectiveText?: string;
  readonly value?: ObservationValue;
  /** Observation.interpretation codings (and text as a display-only coding). */
  readonly interpretation: readonly CodingInput[];
  readonly components: readonly ObservationComponentInput[];
}

export interface ServiceRequestInput {
  readonly ref: string;
  readonly status?: string;
  readonly intent?: string;
  readonly code: Concept;
  readonly authored?: Day;
  readonly occurrence?: Day;
}

export interface EncounterInput {
  readonly ref: string;
  readonly status?: string;
  readonly start?: Day;
  readonly reasons: readonly Concept[];
  /** Encounter.diagnosis[].condition references. */
  readonly diagnosisRefs: readonly string[];
  readonly dischargeDisposition?: Concept;
}

export interface DispenseInput {
  readonly ref: string;
  readonly status?: string;
  readonly product: ProductInput;
  readonly handedOver?: Day;
  /** MedicationDispense.daysSupply in days. */
  readonly supplyDays?: number;
  /** The dispensing pharmacy: the location, or an Organization performer (never a pharmacist). */
  readonly pharmacy?: Party;
}

export interface PatientRecord {
  readonly patient?: PatientInput;
  /** Every MedicationRequest: opioids, benzodiazepines, naloxone, MOUD and the rest. */
  readonly medicationRequests: readonly OrderInput[];
  readonly conditions: readonly ConditionInput[];
  readonly observations: readonly ObservationInput[];
  readonly serviceRequests: readonly ServiceRequestInput[];
  readonly encounters: readonly EncounterInput[];
  readonly dispenses: readonly DispenseInput[];
}
