/**
 * The resource a literal FHIR reference names: "Type/id", relative or as the tail of an absolute URL, with or
 * without a version ("/_history/2", not kept: the current version is read). The type is a resource type's name
 * and the id a FHIR id (1-64 of A-Z a-z 0-9 - .); a contained ("#x") or logical reference, or anything with a
 * query, names none. One reading for resolving references in a Bundle and for reading the Medications a record
 * refers to (the service's gathering and the trend app's FHIR client).
 */
/**
 * A FHIR resource id (R4 2.24.0.1: 1-64 letters, digits, "-" and "."), but not dots alone: "Patient/.." is a path
 * segment, and read from a server it names the server's root (with the EHR's token), not a patient.
 */
const ID = String.raw`(?!\.+(?:$|\/))[A-Za-z0-9\-.]{1,64}`;
export const FHIR_ID = new RegExp(`^${ID}$`);
const TARGET = new RegExp(String.raw`(?:^|\/)([A-Z][A-Za-z]{1,63})\/(${ID})(?:\/_history\/${ID})?$`);

export interface ReferenceTarget {
  readonly type: string;
  readonly id: string;
}

export function referenceTarget(reference: string): ReferenceTarget | undefined {
  const m = TARGET.exec(reference);
  return m?.[1] !== undefined && m[2] !== undefined ? { type: m[1], id: m[2] } : undefined;
}

/**
 * What comes before the "Type/id" (and version) that ends an absolute reference: its server's base
 * ("https://h/fhir/Practitioner/7/_history/2" -> "https://h/fhir"); "" for a relative one, undefined when it names
 * no resource.
 */
export function referenceBase(reference: string): string | undefined {
  const m = TARGET.exec(reference);
  return m === null ? undefined : reference.slice(0, m.index);
}

/** "Medication/{id}" when the reference names a Medication. */
export function medicationPath(reference: string): string | undefined {
  const target = referenceTarget(reference);
  return target?.type === 'Medication' ? `Medication/${target.id}` : undefined;
}
