/** Building CDS Hooks requests from synthetic patients: prefetch Bundles per key, or none (fetch from a server). */
import type { Bundle, Resource } from '@medplum/fhirtypes';

const KEY_OF: Readonly<Record<string, string>> = {
  Patient: 'patient',
  MedicationRequest: 'medications',
  Medication: 'medications',
  Condition: 'conditions',
  Observation: 'observations',
  ServiceRequest: 'serviceRequests',
  Encounter: 'encounters',
  MedicationDispense: 'dispenses',
};

export const ALL_KEYS = [
  'patient',
  'medications',
  'conditions',
  'observations',
  'serviceRequests',
  'encounters',
  'dispenses',
];

/** The prefetch an EHR would send: searchset Bundles per key and the Patient resource itself. */
export function prefetchFor(
  resources: Resource[],
  keys: readonly string[] = ALL_KEYS,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const matching = resources.filter((r) => KEY_OF[r.resourceType] === key);
    if (key === 'patient') {
      if (matching[0]) out.patient = matching[0];
      continue;
    }
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matching.length,
      entry: matching.map((resource) => ({ resource })),
    };
    out[key] = bundle;
  }
  return out;
}

export const HOOK_INSTANCE = 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea';

/** The token an EHR passes with its fhirServer (the service reads a FHIR server only with one). */
export const FHIR_AUTHORIZATION = {
  access_token: 'secret-token',
  token_type: 'Bearer',
  expires_in: 300,
  scope: 'patient/*.read',
  subject: 'opioid-pain-cds',
} as const;

/**
 * A hook request. With a fhirServer it carries FHIR_AUTHORIZATION, as an EHR's does, unless `extra` names
 * fhirAuthorization itself (undefined: a request without a token).
 */
export function hookRequest(
  hook: string,
  patientId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const { context, ...rest } = extra as { context?: Record<string, unknown>; fhirServer?: unknown };
  return {
    hook,
    hookInstance: HOOK_INSTANCE,
    context: { patientId, userId: 'Practitioner/dr-1', ...(context ?? {}) },
    ...(rest.fhirServer !== undefined && !('fhirAuthorization' in rest)
      ? { fhirAuthorization: FHIR_AUTHORIZATION }
      : {}),
    ...rest,
  };
}
