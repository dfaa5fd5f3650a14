/**
 * A Bundle's resources -> the patient record the analysis reads. MedicationRequests appear once each (repeats are
 * reported), other resources as they come.
 */
import type { PatientRecord } from '../domain/record/record.types.ts';
import { isRelevantObservation, relevantOrders } from '../domain/risk/relevant-history.ts';
import type { Day } from '../domain/time/day.ts';
import { onSameServer } from './allowed-base.ts';
import { referenceBase, referenceTarget } from './reference-target.ts';
import type { BundleIndex, IndexedResource } from './bundle-index.ts';
import {
  mapCondition,
  mapDispense,
  mapEncounter,
  mapObservation,
  mapPatient,
  observationEffective,
  mapServiceRequest,
  refOf,
} from './clinical.mappers.ts';
import type { Json } from './json-read.ts';
import { mapMedicationRequest, medicationRequestDates } from './medication-request.mapper.ts';

/**
 * The MedicationRequests of the Bundle, each once: a search with _include, a paged result re-read, or a history
 * may repeat a resource, and counting it twice would double the dose.
 */
function distinct(items: readonly IndexedResource[], reasons: string[]): IndexedResource[] {
  const seen = new Map<string, number>();
  const out: IndexedResource[] = [];
  for (const item of items) {
    const id = typeof item.resource.id === 'string' ? item.resource.id : undefined;
    if (id === undefined) {
      out.push(item);
      continue;
    }
    const count = seen.get(id) ?? 0;
    seen.set(id, count + 1);
    if (count === 0) out.push(item);
  }
  for (const [id, count] of seen) {
    if (count > 1) reasons.push(`MedicationRequest/${id} appears ${count} times in the Bundle: counted once`);
  }
  return out;
}

export interface MapOptions {
  /**
   * Map only the MedicationRequests and Observations the rules can see at this date
   * (src/domain/risk/relevant-history.ts): the hooks' analysis of a long history. Without it everything is mapped
   * (the analysis report).
   */
  readonly relevantAt?: {
    readonly asOf: Day;
    readonly lookbackDays: number;
    readonly observationLookbackDays: number;
  };
}

function relevant(requests: IndexedResource[], at: NonNullable<MapOptions['relevantAt']>): IndexedResource[] {
  const keep = relevantOrders(
    requests.map((r) => medicationRequestDates(r.resource)),
    at.asOf,
    at.lookbackDays,
  );
  return requests.filter((_, i) => keep[i]);
}

/** The path of a URL's base without its trailing slash; undefined when it is not a URL. */
function basePath(url: string): string | undefined {
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/**
 * One key per party - a prescriber, a pharmacy - however its reference is written: "Type/id" for a reference on the
 * record's server (relative, with or without a version; the urn:uuid of a resource in the Bundle; the server's own
 * absolute URL), or for any absolute URL when the server is not known; an absolute URL of another server, or of a
 * deeper base of the same host ("{server}/t2/Type/id"), as it is written ("Practitioner/7" there is someone else); a
 * contained "#x" by its container ("MedicationRequest/m1#p"), for one that says nothing of itself (party.mapper.ts).
 */
function partyKeys(
  canonical: (ref: string) => string,
  server: string | undefined,
): (reference: string, owner: string) => string {
  const serverPath = server === undefined ? undefined : basePath(server);
  const onOtherServer = (ref: string): boolean => {
    if (server === undefined || !/^https?:\/\//i.test(ref)) return false;
    if (!onSameServer(ref, server)) return true;
    const base = referenceBase(ref);
    return base === undefined || basePath(base) !== serverPath;
  };
  return (reference, owner) => {
    if (reference.startsWith('#')) return `${owner}${reference}`;
    // Another server's reference is decided as written, before a Bundle entry of the same Type/id can stand for it.
    if (onOtherServer(reference)) return reference;
    const resolved = canonical(reference);
    const target = referenceTarget(resolved);
    if (!target || onOtherServer(resolved)) return resolved;
    return `${target.type}/${target.id}`;
  };
}

export function mapRecord(index: BundleIndex, reasons: string[], options: MapOptions = {}): PatientRecord {
  const lookup = (ref: string): Json | undefined => index.resolve(ref);
  // References compare as "Type/id" whichever way they were written (urn:uuid, absolute URL).
  const canonical = (ref: string): string => {
    const target = index.resolve(ref);
    return target ? refOf(target, ref) : ref;
  };
  const mapAll = <T>(
    type: string,
    items: readonly IndexedResource[],
    map: (resource: Json, ref: string) => T,
  ): T[] =>
    items.map(({ resource, fullUrl, position }) =>
      map(resource, refOf(resource, fullUrl ?? `${type} entry ${position}`)),
    );
  const each = <T>(type: string, map: (resource: Json, ref: string) => T): T[] =>
    mapAll(type, index.byType.get(type) ?? [], map);
  const at = options.relevantAt;
  // Each Observation's day is read once: for the relevance cut, then for the record.
  const observations = (index.byType.get('Observation') ?? []).flatMap((entry) => {
    const day = observationEffective(entry.resource);
    return !at || isRelevantObservation(day, at.asOf, at.observationLookbackDays) ? [{ entry, day }] : [];
  });
  const patients = each('Patient', mapPatient);
  if (patients.length > 1) reasons.push(`the Bundle holds ${patients.length} Patients: the first is used`);
  // Repeats are removed before the relevance cut, so that the copy counted is the same either way.
  const requests = distinct(index.byType.get('MedicationRequest') ?? [], reasons);
  const partyKey = partyKeys(canonical, index.server);
  return {
    patient: patients[0],
    medicationRequests: (at ? relevant(requests, at) : requests).map(({ resource, fullUrl, position }) => {
      // A colon cannot be in a FHIR id: an order without id or fullUrl never takes the id of another.
      // Prescribers are counted by reference (partyKey): one practitioner however the reference is written.
      const owner = refOf(resource, fullUrl ?? `MedicationRequest entry ${position}`);
      return mapMedicationRequest(resource, fullUrl ?? `entry:${position}`, lookup, (reference) =>
        partyKey(reference, owner),
      );
    }),
    conditions: each('Condition', mapCondition).map((c) =>
      c.encounterRef === undefined ? c : { ...c, encounterRef: canonical(c.encounterRef) },
    ),
    observations: observations.map(({ entry: { resource, fullUrl, position }, day }) =>
      mapObservation(resource, refOf(resource, fullUrl ?? `Observation entry ${position}`), day),
    ),
    serviceRequests: each('ServiceRequest', mapServiceRequest),
    encounters: each('Encounter', mapEncounter).map((e) => ({
      ...e,
      diagnosisRefs: e.diagnosisRefs.map(canonical),
    })),
    // Pharmacies as prescribers: one Organization or Location however its reference is written is one pharmacy.
    dispenses: each('MedicationDispense', (resource, ref) =>
      mapDispense(resource, ref, lookup, (reference) => partyKey(reference, ref)),
    ),
  };
}
