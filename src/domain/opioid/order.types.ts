/**
 * What the MME engine needs to know about one medication order, in plain data. The FHIR mapper
 * (src/fhir/medication-request.mapper.ts) builds it from a MedicationRequest and its Medication; the engine never
 * sees FHIR JSON. Optional fields are absent when the source did not say; `problems` carries what the mapper could
 * not read so the engine can report it.
 */
import type { Party } from '../record/party.types.ts';
import type { Day } from '../time/day.ts';

export interface Amount {
  readonly value: number;
  readonly unit?: string;
  readonly code?: string;
}

export interface CodingInput {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}

/** An ingredient as a Medication resource states it: its code/name and strength ratio (e.g. 5 mg / 1 TAB). */
export interface IngredientInput {
  readonly codings: readonly CodingInput[];
  readonly text?: string;
  readonly numerator?: Amount;
  readonly denominator?: Amount;
}

export interface ProductInput {
  /** All codings of the medication concept, in the order the EHR sent them. */
  readonly codings: readonly CodingInput[];
  readonly text?: string;
  /** Medication.form as text (display or text), when a Medication resource was available. */
  readonly form?: string;
  readonly ingredients: readonly IngredientInput[];
  /** Set when medicationReference could not be resolved: nothing is known about the product. */
  readonly unresolvedReference?: string;
}

export type DoseAndRateType = 'ordered' | 'calculated' | 'other' | 'unspecified';

export interface DoseInput {
  readonly type: DoseAndRateType;
  readonly dose?: Amount;
  /** doseRange.high; counted as the dose (the maximum) when no single dose is given. */
  readonly doseRangeHigh?: Amount;
  readonly doseRangeLow?: Amount;
  readonly rate?: Amount;
}

export interface TimingInput {
  readonly frequency?: number;
  readonly frequencyMax?: number;
  readonly period?: number;
  readonly periodUnit?: string;
  readonly timeOfDayCount: number;
  readonly whenCount: number;
  /** repeat.dayOfWeek entries (0 = every day). */
  readonly dayOfWeekCount: number;
  /** Timing.code (BID, TID, Q6H...), when repeat gives nothing. */
  readonly code?: string;
  /** repeat.boundsDuration in days, used for sequential (tapering) steps. */
  readonly boundsDays?: number;
}

export interface SigInput {
  /** Fields of this dosage instruction that are present but unreadable: the sig is then not used. */
  readonly problems: readonly string[];
  readonly sequence?: number;
  readonly asNeeded: boolean;
  readonly doses: readonly DoseInput[];
  readonly timing?: TimingInput;
  /** Dosage.maxDosePerPeriod: at most `amount` per `periodDays` (the numerator, and the denominator in days). */
  readonly maxPerPeriod?: { readonly amount: Amount; readonly periodDays: number };
  /** Dosage.route (codings and text), when the instruction names one. */
  readonly route?: { readonly codings: readonly CodingInput[]; readonly text?: string };
}

export interface OrderInput {
  readonly id: string;
  readonly status: string;
  readonly intent?: string;
  /** MedicationRequest.doNotPerform: an order NOT to give the drug. */
  readonly doNotPerform?: boolean;
  readonly authoredOn?: Day;
  readonly validityStart?: Day;
  readonly validityEnd?: Day;
  /** dispenseRequest.expectedSupplyDuration converted to days. */
  readonly supplyDays?: number;
  readonly quantity?: Amount;
  /** Who wrote it. */
  readonly requester?: Party;
  readonly product: ProductInput;
  readonly sigs: readonly SigInput[];
  readonly problems: readonly string[];
  /**
   * The first day of the order that replaces this one, when that order names it (MedicationRequest.
   * priorPrescription) and is being signed: this order's supply counts until the day before, its past days stay.
   */
  readonly replacedFrom?: Day;
}
