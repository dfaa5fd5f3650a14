/**
 * Gives one synthetic patient's resources ids of their own, so that many patients can live on one FHIR server:
 * every id becomes `<key>-<id>` (the Patient's becomes `<key>`), every reference to one of them follows, resources
 * of the patient compartment that lack a subject get one, and every Practitioner or Organization referred to but
 * not supplied is created (an EHR has them; a server that checks references on write refuses dangling ones).
 */
import type { Resource } from '@medplum/fhirtypes';

const SUBJECT_TYPES = new Set([
  'Condition',
  'Encounter',
  'MedicationDispense',
  'MedicationRequest',
  'Observation',
  'ServiceRequest',
]);
const SUPPORT_TYPES = new Set(['Practitioner', 'Organization']);

/** FHIR ids: [A-Za-z0-9\-.]{1,64}. Keys are short slugs, so prefixed ids stay within 64 characters. */
const KEY = /^[a-z][a-z0-9-]{0,39}$/;

type Json = Record<string, unknown>;

function walk(value: unknown, visit: (holder: Json) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (value !== null && typeof value === 'object') {
    visit(value as Json);
    for (const child of Object.values(value)) walk(child, visit);
  }
}

export function withIdentity(key: string, resources: readonly Resource[]): Resource[] {
  if (!KEY.test(key))
    throw new Error(`patient key "${key}" must be a lower-case slug of at most 40 characters`);
  const copy = structuredClone(resources) as Resource[];
  const patient = copy.find((r) => r.resourceType === 'Patient');
  if (!patient?.id) throw new Error(`synthetic patient "${key}" has no Patient with an id`);
  const renamed = new Map<string, string>();
  for (const r of copy) {
    if (!r.id) throw new Error(`synthetic patient "${key}": a ${r.resourceType} has no id`);
    renamed.set(`${r.resourceType}/${r.id}`, r.resourceType === 'Patient' ? key : `${key}-${r.id}`);
  }
  const needed = new Map<string, string>();
  for (const r of copy) {
    walk(r, (holder) => {
      const ref = holder.reference;
      if (typeof ref !== 'string' || ref.startsWith('#')) return;
      const known = renamed.get(ref);
      if (known !== undefined) {
        holder.reference = `${ref.split('/')[0]!}/${known}`;
        return;
      }
      const [type, id] = ref.split('/');
      if (type && id && SUPPORT_TYPES.has(type)) {
        const newId = `${key}-${id}`;
        needed.set(`${type}/${newId}`, type);
        holder.reference = `${type}/${newId}`;
      }
    });
  }
  for (const r of copy) {
    r.id = renamed.get(`${r.resourceType}/${r.id!}`)!;
    const holder = r as unknown as Json;
    if (SUBJECT_TYPES.has(r.resourceType) && holder.subject === undefined)
      holder.subject = { reference: `Patient/${key}` };
  }
  const support: Resource[] = [...needed].map(([ref, type]) => {
    const id = ref.split('/')[1]!;
    return type === 'Practitioner'
      ? { resourceType: 'Practitioner', id, name: [{ family: 'Synthetic', given: [id] }] }
      : { resourceType: 'Organization', id, name: `Synthetic pharmacy ${id}` };
  });
  return [...support, ...copy];
}
