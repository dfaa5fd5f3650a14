/**
 * Medication (contained, in the Bundle, or inline as a CodeableConcept) -> the engine's ProductInput, shared by the
 * MedicationRequest and MedicationDispense mappers.
 */
import type { IngredientInput, ProductInput } from '../domain/opioid/order.types.ts';
import { amount, codings, conceptText, containedResource } from './fhir-values.ts';
import { obj, objs, str, type Json } from './json-read.ts';

export type MedicationLookup = (reference: string) => Json | undefined;

// Optional fields are assigned as undefined rather than spread in: this runs for every order of a long history.

function ingredient(raw: Json): IngredientInput {
  const strength = obj(raw.strength);
  const item = raw.itemCodeableConcept;
  return {
    codings: codings(item),
    text: conceptText(item) ?? str(obj(raw.itemReference)?.display),
    numerator: amount(strength?.numerator),
    denominator: amount(strength?.denominator),
  };
}

export function productFromMedication(medication: Json): ProductInput {
  return {
    codings: codings(medication.code),
    text: conceptText(medication.code),
    form: conceptText(medication.form),
    ingredients: objs(medication.ingredient).map(ingredient),
  };
}

/** The product of a resource with medication[x] (MedicationRequest, MedicationDispense). */
export function medicationProduct(request: Json, lookup: MedicationLookup): ProductInput {
  const concept = obj(request.medicationCodeableConcept);
  if (concept) {
    return {
      codings: codings(concept),
      text: conceptText(concept),
      ingredients: [],
    };
  }
  const ref = obj(request.medicationReference);
  const reference = str(ref?.reference);
  if (reference?.startsWith('#')) {
    const contained = containedResource(request, reference);
    if (contained?.resourceType === 'Medication') return productFromMedication(contained);
  } else if (reference) {
    const found = lookup(reference);
    if (found && found.resourceType === 'Medication') return productFromMedication(found);
  }
  return {
    codings: [],
    text: str(ref?.display),
    ingredients: [],
    unresolvedReference: reference
      ? reference.startsWith('Medication/')
        ? reference
        : `Medication ${reference}`
      : 'the medication (no medicationCodeableConcept or medicationReference)',
  };
}
