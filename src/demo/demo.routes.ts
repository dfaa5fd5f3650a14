/**
 * The demo (DEMO=on, `npm start`): the embedded FHIR store of synthetic patients, the list of those patients with
 * their current dose, the opioid products the demo's order form offers, and the session a demo page needs (where
 * the FHIR store is, and the development key it signs hook calls with - demo only).
 */
import type { FastifyInstance } from 'fastify';
import { analyzeBundle } from '../analysis/analyze-bundle.ts';
import { DEMO_FHIR_PATH, type Config } from '../config/load-config.ts';
import { isLoopbackHost } from '../config/loopback.ts';
import { parseIsoDate, type Day } from '../domain/time/day.ts';
import { arr, obj, str, type Json } from '../fhir/json-read.ts';
import { HttpError } from '../http/http-error.ts';
import { localDate, type Clock } from '../platform/clock.ts';
import type { DemoIssuer } from './demo-issuer.ts';
import { demoPatients } from './demo-data.ts';
import { fhirStoreRoutes } from './fhir-store.routes.ts';
import { MemoryFhirStore, type FhirResource } from './memory-fhir-store.ts';
import { ORDER_OPTIONS } from './order-options.ts';

export interface DemoPatientSummary {
  readonly id: string;
  readonly name: string;
  readonly age: number | null;
  readonly gender: string | null;
  readonly painConditions: readonly string[];
  /** MME/day of the current orders whose dose is known; the total when mmeComplete, else a lower bound. */
  readonly currentMme: number;
  readonly mmeComplete: boolean;
  readonly title: string;
}

function ageOn(birthDate: string | undefined, today: Day): number | null {
  const born = birthDate === undefined ? undefined : parseIsoDate(birthDate.slice(0, 10));
  if (born === undefined) return null;
  return Math.floor((today - born) / 365.25);
}

function patientOf(r: FhirResource): string | undefined {
  const ref = str(obj(r.subject)?.reference) ?? str(obj(r.patient)?.reference);
  return ref?.startsWith('Patient/') ? ref.slice('Patient/'.length) : undefined;
}

/** The patient's record as one Bundle (their resources and the Medications they refer to). */
function recordBundle(store: MemoryFhirStore, patient: FhirResource): Json {
  const resources: Json[] = [patient];
  for (const type of ['MedicationRequest', 'Observation', 'Condition', 'ServiceRequest', 'Encounter'])
    for (const r of store.all(type)) if (patientOf(r) === patient.id) resources.push(r);
  const medications = new Set<string>();
  for (const r of resources) {
    const ref = str(obj(r.medicationReference)?.reference);
    if (ref?.startsWith('Medication/')) medications.add(ref.slice('Medication/'.length));
  }
  for (const m of store.all('Medication')) if (medications.has(m.id)) resources.push(m);
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) };
}

function painConditions(store: MemoryFhirStore, patientId: string): string[] {
  const out: string[] = [];
  for (const c of store.all('Condition')) {
    if (patientOf(c) !== patientId) continue;
    const code = obj(c.code);
    const text = str(code?.text) ?? str(obj(arr(code?.coding)[0])?.display);
    if (text && /pain/i.test(text)) out.push(text);
  }
  return out;
}

/** The fhirAuthorization the demo page sends: a placeholder token for the demo's open store. */
export const DEMO_FHIR_AUTHORIZATION = {
  access_token: 'demo-open-store',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'patient/*.read',
  subject: 'opioid-pain-cds',
} as const;

/** The host name of a Host header ("127.0.0.1:8080", "[::1]:8080", "localhost"), lower-cased; undefined if none. */
function hostnameOf(host: string): string | undefined {
  try {
    const name = new URL(`http://${host}`).hostname.toLowerCase();
    return name === '' ? undefined : name.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

export function demoRoutes(
  app: FastifyInstance,
  deps: { readonly config: Config; readonly clock: Clock; readonly issuer: Promise<DemoIssuer> },
): void {
  const { config, clock } = deps;
  const today = (): Day => {
    const day = parseIsoDate(localDate(clock));
    if (day === undefined) throw new Error(`the clock gave no calendar date (${localDate(clock)})`);
    return day;
  };
  let datedFor = today();
  const patients = demoPatients(datedFor);
  const store = new MemoryFhirStore(patients.flatMap((p) => p.resources));
  const titles = new Map(patients.map((p) => [p.key, p.title]));
  // A demo left running keeps histories that end today: on the first demo request of a new day, the synthetic
  // patients' resources are dated again (as new versions, same ids); what users created keeps its own dates.
  // The demo listens on loopback only, but a page of another site whose name is re-pointed at 127.0.0.1 (DNS
  // rebinding) would reach it as its own origin and read the signing key: only requests addressed to this machine,
  // or to PUBLIC_BASE_URL's host, are answered.
  const ownHost = hostnameOf(new URL(config.publicBaseUrl).host);
  app.addHook('onRequest', (request, _reply, done) => {
    if (!request.url.startsWith('/demo')) {
      done();
      return;
    }
    const host = hostnameOf(request.headers.host ?? '');
    if (host === undefined || (!isLoopbackHost(host) && host !== ownHost)) {
      done(new HttpError(403, 'the demo answers only requests addressed to this machine (Host header)'));
      return;
    }
    done();
  });
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.url?.startsWith('/demo/')) {
      const day = today();
      if (day !== datedFor) {
        for (const resource of demoPatients(day).flatMap((p) => p.resources)) store.put(resource);
        datedFor = day;
      }
    }
    done();
  });
  const fhirServer = `${config.publicBaseUrl}${DEMO_FHIR_PATH}`;
  fhirStoreRoutes(app, store, DEMO_FHIR_PATH, fhirServer);

  app.get('/demo/api/session', async () => ({
    fhirServer,
    // The service calls a FHIR server only with the EHR's token (CDS Hooks 2.0): the page passes this one with
    // each hook call. The demo's store is open (synthetic patients) and does not check it.
    fhirAuthorization: DEMO_FHIR_AUTHORIZATION,
    // Demo only: the page's own key (in memory, made at start-up), so that it can sign hook calls as an EHR would.
    issuer: (await deps.issuer).trusted.iss,
    signingKey: (await deps.issuer).privateJwk,
    userId: 'Practitioner/demo-clinician',
    services: {
      patientView: 'opioid-pain-patient-view',
      orderSign: 'opioid-pain-order-sign',
    },
  }));

  app.get('/demo/api/patients', (): DemoPatientSummary[] =>
    store.all('Patient').map((patient) => {
      const analysis = analyzeBundle(recordBundle(store, patient), today(), config.defaultFactorSet, {
        trend: config.trendRules,
      });
      const name = obj(arr(patient.name)[0]);
      return {
        id: patient.id,
        name: [...arr(name?.given).map(str), str(name?.family)].filter(Boolean).join(' ') || patient.id,
        age: ageOn(str(patient.birthDate), today()),
        gender: str(patient.gender) ?? null,
        painConditions: painConditions(store, patient.id),
        currentMme: analysis.mme.totalMme,
        mmeComplete: analysis.mme.complete,
        title: titles.get(patient.id) ?? '',
      };
    }),
  );

  app.get('/demo/api/order-options', () => ORDER_OPTIONS);
}
