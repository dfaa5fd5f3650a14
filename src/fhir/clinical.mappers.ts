/**
 * Patient, Condition, Observation, ServiceRequest, Encounter and MedicationDispense -> the record types the risk
 * rules read. Pure and defensive: a field of the wrong type reads as absent.
 */
import type { CodingInput } from '../domain/opioid/order.types.ts';
import type { Party } from '../domain/record/party.types.ts';
import type {
  ConditionInput,
  DispenseInput,
  EncounterInput,
  ObservationComponentInput,
  ObservationInput,
  ObservationValue,
  PatientInput,
  ServiceRequestInput,
} from '../domain/record/record.types.ts';
import { fhirDateRange, type Day } from '../domain/time/day.ts';
import { codings, concept, durationDays, firstCode, optionalDate } from './fhir-values.ts';
import { arr, num, obj, objs, str, type Json } from './json-read.ts';
import { medicationProduct, type MedicationLookup } from './medication.mapper.ts';
import { namedBy, partyOf, type PartyKey } from './party.mapper.ts';

export function refOf(resource: Json, fallback: string): string {
  const type = str(resource.resourceType) ?? 'Resource';
  const id = str(resource.id);
  return id === undefined ? fallback : `${type}/${id}`;
}

export function mapPatient(resource: Json, ref: string): PatientInput {
  const birthDate = str(resource.birthDate);
  return { ref, birth: birthDate === undefined ? undefined : fhirDateRange(birthDate) };
}

function categoryCodes(value: unknown): string[] {
  const out: string[] = [];
  for (const category of objs(value)) {
    for (const coding of codings(category)) if (coding.code !== undefined) out.push(coding.code);
  }
  return out;
}

export function mapCondition(resource: Json, ref: string): ConditionInput {
  return {
    ref,
    code: concept(resource.code),
    clinicalStatus: firstCode(resource.clinicalStatus),
    verificationStatus: firstCode(resource.verificationStatus),
    categories: categoryCodes(resource.category),
    onset: optionalDate(resource.onsetDateTime) ?? optionalDate(obj(resource.onsetPeriod)?.start),
    abatement: optionalDate(resource.abatementDateTime) ?? optionalDate(obj(resource.abatementPeriod)?.start),
    recorded: optionalDate(resource.recordedDate),
    encounterRef: str(obj(resource.encounter)?.reference),
  };
}

function observationValue(holder: Json): ObservationValue | undefined {
  const quantity = obj(holder.valueQuantity);
  const qv = num(quantity?.value);
  if (qv !== undefined) return { kind: 'number', value: qv, unit: str(quantity?.unit) };
  const integer = num(holder.valueInteger);
  if (integer !== undefined) return { kind: 'number', value: integer };
  if (obj(holder.valueCodeableConcept))
    return { kind: 'concept', concept: concept(holder.valueCodeableConcept) };
  const text = str(holder.valueString);
  if (text !== undefined) return { kind: 'string', text };
  if (typeof holder.valueBoolean === 'boolean') return { kind: 'boolean', value: holder.valueBoolean };
  return undefined;
}

/** Interpretation codes, plus its text as a display-only coding ("Positive"). */
function interpretation(holder: Json): CodingInput[] {
  const out: CodingInput[] = [];
  for (const c of objs(holder.interpretation)) {
    out.push(...codings(c));
    const text = str(c.text);
    if (text !== undefined) out.push({ display: text });
  }
  return out;
}

/** The day an Observation is about: effective[x], else when it was issued. */
export function observationEffective(resource: Json): Day | undefined {
  return (
    optionalDate(resource.effectiveDateTime) ??
    optionalDate(obj(resource.effectivePeriod)?.start) ??
    optionalDate(resource.effectiveInstant) ??
    optionalDate(resource.issued)
  );
}

const withText = (text: string | undefined): { effectiveText?: string } =>
  text === undefined ? {} : { effectiveText: text.trim().slice(0, 40) };

/** The Observation's date as written (effective[x], else issued), whether or not it is a full day. */
function observationDateText(resource: Json): string | undefined {
  return (
    str(resource.effectiveDateTime) ??
    str(obj(resource.effectivePeriod)?.start) ??
    str(resource.effectiveInstant) ??
    str(resource.issued)
  );
}

/** `effective`: the Observation's day when the caller has read it already. */
export function mapObservation(
  resource: Json,
  ref: string,
  effective: Day | undefined = observationEffective(resource),
): ObservationInput {
  const components: ObservationComponentInput[] = objs(resource.component).map((c) => ({
    code: concept(c.code),
    value: observationValue(c),
    interpretation: interpretation(c),
  }));
  return {
    ref,
    status: str(resource.status),
    code: concept(resource.code),
    effective,
    ...(effective === undefined ? withText(observationDateText(resource)) : {}),
    value: observationValue(resource),
    interpretation: interpretation(resource),
    components,
  };
}

export function mapServiceRequest(resource: Json, ref: string): ServiceRequestInput {
  return {
    ref,
    status: str(resource.status),
    intent: str(resource.intent),
    code: concept(resource.code),
    authored: optionalDate(resource.authoredOn),
    occurrence:
      optionalDate(resource.occurrenceDateTime) ?? optionalDate(obj(resource.occurrencePeriod)?.start),
  };
}

export function mapEncounter(resource: Json, ref: string): EncounterInput {
  const disposition = obj(obj(resource.hospitalization)?.dischargeDisposition);
  return {
    ref,
    status: str(resource.status),
    start: optionalDate(obj(resource.period)?.start),
    reasons: arr(resource.reasonCode).map(concept),
    diagnosisRefs: objs(resource.diagnosis)
      .map((d) => str(obj(d.condition)?.reference))
      .filter((r): r is string => r !== undefined),
    dischargeDisposition: disposition ? concept(disposition) : undefined,
  };
}

/**
 * The pharmacy: the dispense location, else a performer that is an Organization - by its reference (the urn:uuid of
 * one in the Bundle too) or its declared type - never a pharmacist.
 */
function pharmacyOf(resource: Json, lookup: MedicationLookup, party: PartyKey): Party | undefined {
  const named = namedBy(resource, lookup);
  const byLocation = partyOf(obj(resource.location), party, named);
  if (byLocation !== undefined) return byLocation;
  for (const performer of objs(resource.performer)) {
    const actor = obj(performer.actor);
    const reference = str(actor?.reference);
    const type =
      str(actor?.type) ?? (reference === undefined ? undefined : str(named(reference)?.resourceType));
    if (type === 'Organization' || (reference !== undefined && /(^|\/)Organization\//.test(reference)))
      return partyOf(actor, party, named);
  }
  return undefined;
}

export function mapDispense(
  resource: Json,
  ref: string,
  lookup: MedicationLookup,
  party: PartyKey = (reference) => reference,
): DispenseInput {
  return {
    ref,
    status: str(resource.status),
    product: medicationProduct(resource, lookup),
    handedOver: optionalDate(resource.whenHandedOver) ?? optionalDate(resource.whenPrepared),
    supplyDays: durationDays(resource.daysSupply),
    pharmacy: pharmacyOf(resource, lookup, party),
  };
}
