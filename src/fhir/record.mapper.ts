/**
 * A Bundle's resources -> the patient record the analysis reads. MedicationRequests appear once each (repeats are
 * reported), other resources as they come.
 */
import type { PatientRecord } from '../domain/record/record.types.ts';
import { isRelevantObservation, relevantOrders } from '../domain/risk/relevant-history.ts';
import type { Day } from '../domain/time/day.ts';
import { onAnotherServer } from './allowed-base.ts';
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

/**
 * An absolute reference "https://ehr.example.org/fhir/Practitioner/7(/_history/2)" as "Practitioner/7" - when it is
 * on `server`, the server the record comes from, or when that is not known. "Practitioner/7" of another server is
 * someone else, and stays absolute.
 */
function serverRelative(ref: string, server: string | undefined): string {
  if (!/^https?:\/\//i.test(ref)) return ref;
  if (server !== undefined && onAnotherServer(ref, server)) return ref;
  const match = /\/([A-Z][A-Za-z]{1,63}\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(
    ref,
  );
  return match?.[1] ?? ref;
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
  return {
    patient: patients[0],
    medicationRequests: (at ? relevant(requests, at) : requests).map(({ resource, fullUrl, position }) => {
      // A colon cannot be in a FHIR id: an order without id or fullUrl never takes the id of another.
      const order = mapMedicationRequest(resource, fullUrl ?? `entry:${position}`, lookup);
      // Prescribers are counted by reference: one practitioner written as "Practitioner/x" and as the urn:uuid or
      // absolute URL of the same resource is one prescriber; "Practitioner/x" of two servers are two.
      const requester =
        order.requester === undefined ? undefined : serverRelative(canonical(order.requester), index.server);
      return requester === order.requester ? order : { ...order, requester };
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
    dispenses: each('MedicationDispense', (resource, ref) => mapDispense(resource, ref, lookup)).map((d) => {
      const pharmacy =
        d.pharmacy === undefined ? undefined : serverRelative(canonical(d.pharmacy), index.server);
      return pharmacy === d.pharmacy ? d : { ...d, pharmacy };
    }),
  };
}
