/**
 * A small in-memory FHIR R4 repository for the demo: read, create, and the searches this service issues (by patient
 * or subject, `_id`, `_count` with paging, `_sort` by date, `_include` of medications). Anything else is refused with
 * an OperationOutcome rather than silently ignored. Synthetic data only; nothing is persisted.
 */
import { randomUUID } from 'node:crypto';
import { obj, str, type Json } from '../fhir/json-read.ts';
import { FHIR_ID } from '../fhir/reference-target.ts';

export interface FhirResource extends Json {
  readonly resourceType: string;
  readonly id: string;
}

export class FhirStoreError extends Error {
  readonly status: 400 | 404 | 413 | 507;
  constructor(status: 400 | 404 | 413 | 507, message: string) {
    super(message);
    this.status = status;
  }
}

/** Page size when `_count` is absent, and the largest page served (larger counts are cut to it, as HAPI does). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 50;

const SORT_FIELDS: Record<string, readonly string[]> = {
  authoredon: ['authoredOn'],
  date: [
    'effectiveDateTime',
    'effectivePeriod.start',
    'issued',
    'authoredOn',
    'recordedDate',
    'onsetDateTime',
  ],
};
const INCLUDES = new Set(['MedicationRequest:medication', 'MedicationDispense:medication']);
const TYPE = /^[A-Z][A-Za-z]{1,63}$/;
/** The resource types the demo holds and the service reads; others are refused, not answered with nothing. */
export const SERVED_TYPES: ReadonlySet<string> = new Set([
  'Patient',
  'Practitioner',
  'Organization',
  'MedicationRequest',
  'Medication',
  'MedicationDispense',
  'Condition',
  'Observation',
  'ServiceRequest',
  'Encounter',
]);

/** A type name, and one this store serves. */
function checkType(type: string): void {
  if (!TYPE.test(type)) throw new FhirStoreError(400, `${type.slice(0, 64)} is not a resource type`);
  if (!SERVED_TYPES.has(type))
    throw new FhirStoreError(404, `${type} is not a resource type the demo store serves`);
}

function at(resource: Json, path: string): unknown {
  let value: unknown = resource;
  for (const part of path.split('.')) value = obj(value)?.[part];
  return value;
}

function sortKey(resource: Json, field: string): string {
  for (const path of SORT_FIELDS[field] ?? []) {
    const v = str(at(resource, path));
    if (v) return v;
  }
  return '';
}

/** The patient a resource belongs to ("Patient/x" -> "x"), from `subject` or `patient`. */
function patientOf(resource: Json): string | undefined {
  if (resource.resourceType === 'Patient') return str(resource.id);
  const ref = str(obj(resource.subject)?.reference) ?? str(obj(resource.patient)?.reference);
  return ref?.startsWith('Patient/') ? ref.slice('Patient/'.length) : undefined;
}

/** The size of a resource as UTF-8 JSON; one too deeply nested to serialise counts as too large. */
function byteSize(resource: Json): number {
  try {
    return Buffer.byteLength(JSON.stringify(resource));
  } catch (error) {
    if (error instanceof RangeError) return Number.POSITIVE_INFINITY;
    throw error;
  }
}

/** What the demo's users may add (its referrals): enough for any demonstration, bounded in memory. */
const CREATE_LIMITS = { resources: 1000, bytesEach: 64 * 1024 } as const;

export class MemoryFhirStore {
  private readonly byType = new Map<string, Map<string, FhirResource>>();
  private readonly limits: { readonly resources: number; readonly bytesEach: number };
  private created = 0;

  constructor(resources: Iterable<Json> = [], limits: MemoryFhirStore['limits'] = CREATE_LIMITS) {
    this.limits = limits;
    for (const r of resources) this.put(r);
  }

  /** Stores a resource under its own id; one that replaces another is its next version. */
  put(resource: Json): FhirResource {
    const type = str(resource.resourceType);
    const id = str(resource.id);
    if (!type) throw new FhirStoreError(400, 'resourceType is missing or invalid');
    checkType(type);
    if (!id || !FHIR_ID.test(id)) throw new FhirStoreError(400, `${type}: id is missing or invalid`);
    let table = this.byType.get(type);
    if (!table) this.byType.set(type, (table = new Map<string, FhirResource>()));
    const previous = Number(str(obj(table.get(id)?.meta)?.versionId) ?? '0');
    const stored = {
      ...structuredClone(resource),
      resourceType: type,
      id,
      meta: {
        ...obj(resource.meta),
        versionId: String(previous + 1),
        lastUpdated: new Date().toISOString(),
      },
    } as FhirResource;
    table.set(id, stored);
    return stored;
  }

  /** Creates a resource under a new id (POST [type]). */
  create(type: string, resource: unknown): FhirResource {
    const body = obj(resource);
    if (!body) throw new FhirStoreError(400, 'the body must be a FHIR resource (a JSON object)');
    if (body.resourceType !== type) throw new FhirStoreError(400, `the body's resourceType must be ${type}`);
    if (byteSize(body) > this.limits.bytesEach)
      throw new FhirStoreError(
        413,
        `the demo store keeps resources of at most ${this.limits.bytesEach} bytes`,
      );
    if (this.created >= this.limits.resources)
      throw new FhirStoreError(
        507,
        `the demo store keeps at most ${this.limits.resources} created resources; restart the demo to start afresh`,
      );
    const stored = this.put({ ...body, id: randomUUID() });
    this.created++;
    return stored;
  }

  read(type: string, id: string): FhirResource {
    checkType(type);
    const found = this.byType.get(type)?.get(id);
    if (!found) throw new FhirStoreError(404, `${type}/${id} is not known`);
    return found;
  }

  /** All resources of one type (for the demo's patient list). */
  all(type: string): FhirResource[] {
    return [...(this.byType.get(type)?.values() ?? [])];
  }

  /**
   * A search: `params` as received, `baseUrl` the store's absolute base (for full URLs and page links). Pages are
   * addressed by `_offset`, and every match is counted in `total`.
   */
  search(type: string, params: URLSearchParams, baseUrl: string): Json {
    const selfUrl = (p: URLSearchParams): string => `${baseUrl}/${type}?${p.toString()}`;
    checkType(type);
    let patient: string | undefined;
    let ids: Set<string> | undefined;
    let count = DEFAULT_PAGE_SIZE;
    let offset = 0;
    let sort: { field: string; descending: boolean } | undefined;
    const includes: string[] = [];
    for (const [name, value] of params) {
      switch (name) {
        case 'patient':
        case 'subject': {
          const ref = value.startsWith('Patient/') ? value.slice('Patient/'.length) : value;
          if (!FHIR_ID.test(ref)) throw new FhirStoreError(400, `${name}: not a patient reference`);
          if (patient !== undefined && patient !== ref)
            throw new FhirStoreError(400, 'patient and subject name more than one patient');
          patient = ref;
          break;
        }
        case '_id':
          ids = new Set(value.split(','));
          break;
        case '_count':
          count = Number(value);
          if (!Number.isInteger(count) || count < 0) throw new FhirStoreError(400, '_count: not a count');
          count = Math.min(count, MAX_PAGE_SIZE);
          break;
        case '_offset':
          offset = Number(value);
          if (!Number.isInteger(offset) || offset < 0)
            throw new FhirStoreError(400, '_offset: not an offset');
          break;
        case '_sort': {
          const descending = value.startsWith('-');
          const field = descending ? value.slice(1) : value;
          if (!(field in SORT_FIELDS)) throw new FhirStoreError(400, `_sort: ${field} is not supported here`);
          sort = { field, descending };
          break;
        }
        case '_include':
          if (!INCLUDES.has(value)) throw new FhirStoreError(400, `_include: ${value} is not supported here`);
          if (value.startsWith(`${type}:`)) includes.push(value);
          break;
        case '_format':
          break;
        default:
          throw new FhirStoreError(400, `search parameter ${name} is not supported by this demo store`);
      }
    }
    let matches = [...(this.byType.get(type)?.values() ?? [])].filter(
      (r) => (patient === undefined || patientOf(r) === patient) && (ids === undefined || ids.has(r.id)),
    );
    if (sort) {
      const { field, descending } = sort;
      matches = matches.sort((a, b) => {
        const c = sortKey(a, field).localeCompare(sortKey(b, field));
        return descending ? -c : c;
      });
    }
    const page = matches.slice(offset, offset + count);
    const included = new Map<string, FhirResource>();
    if (includes.length > 0)
      for (const r of page) {
        const ref = str(obj(r.medicationReference)?.reference);
        const id = ref?.startsWith('Medication/') ? ref.slice('Medication/'.length) : undefined;
        const medication = id === undefined ? undefined : this.byType.get('Medication')?.get(id);
        if (medication) included.set(medication.id, medication);
      }
    const link = [{ relation: 'self', url: selfUrl(params) }];
    if (offset + count < matches.length && count > 0) {
      const next = new URLSearchParams(params);
      next.set('_offset', String(offset + count));
      next.set('_count', String(count));
      link.push({ relation: 'next', url: selfUrl(next) });
    }
    return {
      resourceType: 'Bundle',
      id: randomUUID(),
      type: 'searchset',
      total: matches.length,
      link,
      entry: [
        ...page.map((resource) => ({
          fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`,
          resource,
          search: { mode: 'match' },
        })),
        ...[...included.values()].map((resource) => ({
          fullUrl: `${baseUrl}/Medication/${resource.id}`,
          resource,
          search: { mode: 'include' },
        })),
      ],
    };
  }
}
