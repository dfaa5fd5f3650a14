/**
 * One patient's data only: resources whose subject or patient names another patient than the one in context (or a
 * Patient of another id) are left out, so that one patient's cards never count another's orders. A reference that
 * does not say which patient (urn:uuid, none) is kept. Pure: the trend app shares it.
 */
import { obj, str, type Json } from './json-read.ts';
import { referenceTarget } from './reference-target.ts';

function namesAnotherPatient(resource: Json, patientId: string, own: string): boolean {
  if (resource.resourceType === 'Patient') return str(resource.id) !== undefined && resource.id !== patientId;
  const reference = str(obj(resource.subject)?.reference) ?? str(obj(resource.patient)?.reference);
  // The usual reference is compared as a string before any parsing.
  if (reference === undefined || reference === own) return false;
  const target = referenceTarget(reference);
  return target?.type === 'Patient' && target.id !== patientId;
}

/** The resources of `patientId` (all of them when there is no patient in context), and how many were left out. */
export function withoutOtherPatients(
  resources: readonly Json[],
  patientId: string | undefined,
): { kept: Json[]; leftOut: number } {
  if (patientId === undefined) return { kept: [...resources], leftOut: 0 };
  const own = `Patient/${patientId}`;
  const kept = resources.filter((r) => !namesAnotherPatient(r, patientId, own));
  return { kept, leftOut: resources.length - kept.length };
}

/** What a reader says of the resources it left out. */
export function otherPatientsLeftOut(n: number): string {
  return `${n} resource${n === 1 ? '' : 's'} naming another patient than the one in context ${n === 1 ? 'was' : 'were'} left out`;
}
