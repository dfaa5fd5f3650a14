/**
 * End to end against a real FHIR server (HAPI FHIR; see setup/fhir-server.ts) loaded with the project's profiles and
 * the synthetic population: the service fetching everything itself, partly, or nothing (full prefetch) gives the
 * same cards; paging, Medications only reachable by reference, a patient without opioids; the analysis from the
 * server equals the analysis of the same resources sent directly; the profiles' examples and every ServiceRequest
 * the service suggests pass the server's $validate; and, last, the server stopped gives 412, not a hang or a 500.
 */
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, inject, it } from 'vitest';
import { analysisReport } from '../../src/analysis/analysis-report.ts';
import { analyzeBundle, analyzeResources } from '../../src/analysis/analyze-bundle.ts';
import { PREFETCH } from '../../src/cds-services/prefetch.ts';
import { parseIsoDate } from '../../src/domain/time/day.ts';
import { gather } from '../../src/fhir/fhir-gateway.ts';
import type { Json } from '../../src/fhir/json-read.ts';
import { bundle } from '../builders/fhir-builders.ts';
import { AS_OF } from '../fixtures/synthetic-patients.ts';
import { build } from '../helpers/build-app.ts';
import { expectCdsHooksResponse, type CardJson } from '../helpers/cds-contract.ts';
import { FHIR_AUTHORIZATION, hookRequest, prefetchFor } from '../helpers/hooks.ts';
import { profileExamples } from '../synthetic/profile-package.ts';
import { syntheticPopulation, type SyntheticPatient } from '../synthetic/population.ts';

const base = inject('fhirBaseUrl');
const population = syntheticPopulation();
const patient = (key: string): SyntheticPatient => {
  const found = population.find((p) => p.key === key);
  if (!found) throw new Error(`no synthetic patient ${key}`);
  return found;
};
const PATIENT_VIEW = '/cds-services/opioid-pain-patient-view';
const ORDER_SIGN = '/cds-services/opioid-pain-order-sign';
/** Generous: a JVM server's first searches are slow; the default deadline is for warm production servers. */
const ENV = { FHIR_ALLOWED_BASE_URLS: base, FHIR_DEADLINE_MS: '20000', FHIR_MAX_PAGES: '20' };
const fhirOptions = { allowedBaseUrls: [base], deadlineMs: 20_000, maxPages: 20 };
/** The token an EHR passes with fhirServer (the test server does not check it; the service sends one). */
const TOKEN = FHIR_AUTHORIZATION.access_token;

interface Issue {
  severity: string;
  diagnostics?: string;
  expression?: string[];
}

async function validate(resource: unknown, profile: string): Promise<Issue[]> {
  const type = (resource as { resourceType: string }).resourceType;
  const response = await fetch(`${base}/${type}/$validate?profile=${encodeURIComponent(profile)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    body: JSON.stringify(resource),
  });
  const outcome = (await response.json()) as { resourceType: string; issue?: Issue[] };
  expect(outcome.resourceType).toBe('OperationOutcome');
  return outcome.issue ?? [];
}
const errorsOf = (issues: Issue[]): string[] =>
  issues
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => `${i.expression?.join(',') ?? ''}: ${i.diagnostics ?? ''}`);

/** Cards without their random parts (uuids), for comparing two answers. */
function comparable(cards: CardJson[]): unknown {
  return JSON.parse(
    JSON.stringify(cards, (key, value: unknown) => (key === 'uuid' ? '(uuid)' : value)),
  ) as unknown;
}

async function callHook(
  path: string,
  body: Record<string, unknown>,
  env: Record<string, string> = ENV,
): Promise<{ status: number; json: unknown; ms: number }> {
  const app = build(env);
  const started = Date.now();
  const response = await app.inject({ method: 'POST', url: path, payload: body });
  return { status: response.statusCode, json: response.json(), ms: Date.now() - started };
}

async function patientView(p: SyntheticPatient, extra: Record<string, unknown>): Promise<CardJson[]> {
  const result = await callHook(PATIENT_VIEW, hookRequest('patient-view', p.key, extra));
  expect(result.status, JSON.stringify(result.json)).toBe(200);
  return expectCdsHooksResponse(result.json);
}

function directReport(p: SyntheticPatient): Record<string, unknown> {
  return analysisReport(
    analyzeBundle(bundle(...p.resources) as unknown as Json, parseIsoDate(AS_OF)!, 'cdc-2022'),
  );
}

async function reportFromServer(
  p: SyntheticPatient,
): Promise<{ report: Record<string, unknown>; partial: readonly string[] }> {
  const data = await gather(
    PREFETCH,
    { fhirServer: base, accessToken: TOKEN, context: { patientId: p.key } },
    fhirOptions,
  );
  return {
    report: analysisReport(analyzeResources(data.resources, parseIsoDate(AS_OF)!, 'cdc-2022')),
    partial: data.partial,
  };
}

/** Orders come back newest first from the server and in generation order directly: compare them by id. */
function byOrderId(report: Record<string, unknown>): Record<string, unknown> {
  const orders = [...(report.orders as { id: string }[])].sort((a, b) => a.id.localeCompare(b.id));
  const flags = (report.flags as { code: string; evidence: { reference?: string }[] }[]).map((f) => ({
    ...f,
    evidence: [...f.evidence].sort((a, b) => (a.reference ?? '').localeCompare(b.reference ?? '')),
  }));
  return { ...report, orders, flags };
}

describe(`against a real FHIR server (${inject('fhirServerKind')})`, () => {
  describe('profiles', () => {
    it.each(profileExamples().map((e) => [e.file, e.resource] as const))(
      '%s passes $validate against its profile with no errors',
      async (_file, resource) => {
        const profile = resource.meta?.profile?.[0];
        expect(profile).toBeDefined();
        expect(errorsOf(await validate(resource, profile!))).toEqual([]);
      },
    );

    it('enforces them: a referral without a programme code, with the wrong intent, is refused', async () => {
      const example = profileExamples().find((e) => e.resource.resourceType === 'ServiceRequest')!;
      const bad = { ...example.resource, intent: 'filler-order', code: undefined };
      const errors = errorsOf(
        await validate(bad, 'https://opioid-pain-cds.org/fhir/StructureDefinition/referral-servicerequest'),
      );
      expect(errors.some((e) => /intent/i.test(e))).toBe(true);
      expect(errors.some((e) => /code/i.test(e))).toBe(true);
    });

    it('enforces the computable-dose invariant and the COMM range', async () => {
      const examples = profileExamples();
      const oxycodone = examples.find((e) => e.file.includes('oxycodone'))!.resource as unknown as Json;
      const noDose = {
        ...oxycodone,
        dosageInstruction: [{ text: 'as directed' }],
        dispenseRequest: undefined,
      };
      expect(
        errorsOf(
          await validate(
            noDose,
            'https://opioid-pain-cds.org/fhir/StructureDefinition/opioid-medicationrequest',
          ),
        ).join(' '),
      ).toMatch(/opc-mr-1/);
      const comm = examples.find((e) => e.file.includes('comm'))!.resource as unknown as Json;
      expect(
        errorsOf(
          await validate(
            { ...comm, valueInteger: 80 },
            'https://opioid-pain-cds.org/fhir/StructureDefinition/comm-score-observation',
          ),
        ).join(' '),
      ).toMatch(/opc-comm-1/);
    });
  });

  describe('the analysis of each synthetic patient from the server equals that of its resources sent directly', () => {
    it.each(population.map((p) => [p.key, p] as const))('%s', async (_key, p) => {
      const { report, partial } = await reportFromServer(p);
      expect(partial).toEqual([]);
      expect(byOrderId(report)).toEqual(byOrderId(directReport(p)));
      expect((report.orders as unknown[]).length).toBe((directReport(p).orders as unknown[]).length);
    });
  });

  describe('hooks: no prefetch, partial prefetch and full prefetch give the same cards', () => {
    it.each(population.map((p) => [p.key, p] as const))('%s', async (_key, p) => {
      const full = await patientView(p, { prefetch: prefetchFor(p.resources) });
      const none = await patientView(p, { fhirServer: base });
      const partial = await patientView(p, {
        fhirServer: base,
        prefetch: prefetchFor(p.resources, ['patient', 'conditions']),
      });
      expect(comparable(none)).toEqual(comparable(full));
      expect(comparable(partial)).toEqual(comparable(full));
      if (p.expect?.recommendation === 'MORE')
        expect(full.map((c) => c.summary).join(' ')).toMatch(/Offer MORE/);
      if (p.expect?.recommendation === 'MBT_OR_CBT' && !p.expect.suppressed)
        expect(full.map((c) => c.summary).join(' ')).toMatch(/mindfulness-based therapy or CBT/);
    });
  });

  it('follows next links across several pages: 364 weekly orders, all analysed; a page cap makes it partial', async () => {
    const p = patient('weekly-seven-years');
    const { report } = await reportFromServer(p);
    expect((report.orders as unknown[]).length).toBe(p.medicationRequests);
    expect(p.medicationRequests).toBeGreaterThan(3 * 100);
    const capped = await gather(
      PREFETCH,
      { fhirServer: base, accessToken: TOKEN, context: { patientId: p.key } },
      { ...fhirOptions, maxPages: 2 },
    );
    expect(capped.partial.join(' ')).toMatch(/medication orders/);
  });

  it('a patient treated without opioids gets no cards', async () => {
    const cards = await patientView(patient('no-opioids'), { fhirServer: base });
    expect(cards).toEqual([]);
  });

  it('reads a Medication only reachable by reference (prefetch without _include) from the server', async () => {
    const p = patient('epic-multicoded');
    const medications = p.resources.filter((r) => r.resourceType === 'Medication');
    expect(medications.length).toBeGreaterThan(5);
    const prefetch = prefetchFor(p.resources.filter((r) => r.resourceType !== 'Medication'));
    const data = await gather(
      PREFETCH,
      { prefetch, fhirServer: base, accessToken: TOKEN, context: { patientId: p.key } },
      fhirOptions,
    );
    expect(data.sources.medications).toBe('prefetch');
    expect(data.partial).toEqual([]);
    const read = data.resources
      .filter((r) => r.resourceType === 'Medication')
      .map((r) => String(r.id))
      .sort();
    expect(read).toEqual(medications.map((r) => r.id).sort());
    const report = analysisReport(analyzeResources(data.resources, parseIsoDate(AS_OF)!, 'cdc-2022'));
    expect(byOrderId(report)).toEqual(byOrderId(directReport(p)));
    // The current order names its product only through its Medication: read from the server, its RxNorm code
    // identifies it; without the server only the reference's display text does.
    const current = (r: Record<string, unknown>): unknown =>
      (r.orders as { status: string; product: { identifiedBy: string } }[]).find(
        (o) => o.status === 'counted',
      )?.product.identifiedBy;
    expect(current(report)).toBe('product-table');
    const offline = await gather(PREFETCH, { prefetch, context: { patientId: p.key } }, fhirOptions);
    expect(
      current(analysisReport(analyzeResources(offline.resources, parseIsoDate(AS_OF)!, 'cdc-2022'))),
    ).not.toBe('product-table');
    const withReads = await patientView(p, { fhirServer: base, prefetch });
    const full = await patientView(p, { prefetch: prefetchFor(p.resources) });
    expect(comparable(withReads)).toEqual(comparable(full));
  });

  it('every ServiceRequest the service suggests passes $validate against the referral profile', async () => {
    const suggested: unknown[] = [];
    for (const p of population) {
      const cards = await patientView(p, { fhirServer: base });
      for (const card of cards)
        for (const s of card.suggestions ?? [])
          for (const a of s.actions ?? []) if (a.resource) suggested.push(a.resource);
    }
    const order = await callHook(
      ORDER_SIGN,
      hookRequest('order-sign', 'branch-chronic-pain', {
        fhirServer: base,
        context: {
          draftOrders: {
            resourceType: 'Bundle',
            type: 'collection',
            entry: [
              {
                resource: {
                  resourceType: 'MedicationRequest',
                  id: 'draft-1',
                  status: 'draft',
                  intent: 'order',
                  subject: { reference: 'Patient/branch-chronic-pain' },
                  medicationCodeableConcept: {
                    coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1049621' }],
                  },
                  dosageInstruction: [
                    {
                      timing: { repeat: { frequency: 1, period: 6, periodUnit: 'h' } },
                      doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablet' } }],
                    },
                  ],
                },
              },
            ],
          },
        },
      }),
    );
    expect(order.status).toBe(200);
    for (const card of expectCdsHooksResponse(order.json))
      for (const s of card.suggestions ?? [])
        for (const a of s.actions ?? []) if (a.resource) suggested.push(a.resource);
    const referrals = suggested.filter((r) => (r as Resource).resourceType === 'ServiceRequest');
    const programmes = new Set(
      referrals.map((r) => (r as { code: { coding: { code: string }[] } }).code.coding[0]!.code),
    );
    expect([...programmes].sort()).toEqual(['cbt', 'mbt', 'more']);
    for (const resource of referrals) {
      expect(
        errorsOf(
          await validate(
            resource,
            'https://opioid-pain-cds.org/fhir/StructureDefinition/referral-servicerequest',
          ),
        ),
      ).toEqual([]);
    }
  });

  // Last: stops the server for the rest of the run.
  it('with the FHIR server stopped, a hook that needs it answers 412 promptly (no hang, no 500)', async () => {
    const stop = await fetch(inject('fhirStopUrl'), { method: 'POST' });
    const p = patient('branch-chronic-pain');
    const target = stop.status === 200 ? base : 'http://127.0.0.1:9/fhir'; // an external server is not ours to stop
    const result = await callHook(PATIENT_VIEW, hookRequest('patient-view', p.key, { fhirServer: target }), {
      ...ENV,
      FHIR_ALLOWED_BASE_URLS: target,
      FHIR_DEADLINE_MS: '2000',
    });
    expect(result.status).toBe(412);
    expect(JSON.stringify(result.json)).toMatch(/required data unavailable/);
    expect(result.ms).toBeLessThan(5_000);
  });
});
