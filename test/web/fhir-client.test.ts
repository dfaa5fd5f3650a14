/**
 * The trend app's FHIR client (src/web/trend/fhir-client.ts; it runs in Node as in the browser) against the
 * in-process FHIR server: OperationOutcome entries in search results are never resources of the record and an error
 * among them is reported, a server that wants a category for Observations is asked again with one, and Medications
 * referred to by absolute URLs are read once each.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { readRecord } from '../../src/web/trend/fhir-client.ts';
import { every, medication, medicationRequest, mg } from '../builders/fhir-builders.ts';
import { commScore, patient, urineScreen } from '../builders/record-builders.ts';
import { startFakeFhirServer, type FakeFhirServer } from '../fakes/fake-fhir-server.ts';
import { analyze } from '../helpers/analyze.ts';

let server: FakeFhirServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const oxycodone = medication('oxy-5', {
  rxcui: '1049621',
  display: 'oxycodone hydrochloride 5 MG Oral Tablet',
  form: 'Oral Tablet',
  ingredients: [{ name: 'oxycodone hydrochloride', numerator: mg(5), denominator: mg(1) }],
});

const order = (id: string, medicationReference: string): Resource =>
  medicationRequest({
    id,
    medicationReference,
    authoredOn: '2026-01-01',
    dosages: [{ dose: mg(5), timing: every(6, 'h') }],
    supply: { days: 30 },
  });

const types = (bundle: Record<string, unknown>): string[] =>
  ((bundle.entry ?? []) as { resource: { resourceType: string; id?: string } }[]).map(
    (e) => `${e.resource.resourceType}/${e.resource.id ?? ''}`,
  );

describe('readRecord', () => {
  it('reports an error OperationOutcome in a search once and keeps no OperationOutcome as a resource', async () => {
    server = await startFakeFhirServer([
      patient('1960-01-01'),
      urineScreen('uds-1', '19659-2', 'Oxycodone [Presence] in Urine', '2025-12-01', { coded: 'negative' }),
    ]);
    server.outcomes.push({ pattern: /^\/fhir\/Observation\?/, severity: 'error' });
    server.maxPageSize = 1;
    const { bundle, problems } = await readRecord(server.baseUrl, 'p1');
    expect(problems).toEqual(['Observations: the FHIR server reported an error in its results']);
    expect(types(bundle)).toEqual(expect.arrayContaining(['Patient/p1', 'Observation/uds-1']));
    expect(types(bundle).some((t) => t.startsWith('OperationOutcome'))).toBe(false);
  });

  it('passes over warnings and information in search results, except those saying results were left out', async () => {
    server = await startFakeFhirServer([patient('1960-01-01')]);
    server.outcomes.push({ pattern: /^\/fhir\/Condition\?/, severity: 'warning', code: 'informational' });
    server.outcomes.push({
      pattern: /^\/fhir\/Observation\?/,
      severity: 'information',
      code: 'informational',
    });
    const { bundle, problems } = await readRecord(server.baseUrl, 'p1');
    expect(problems).toEqual([]);
    expect(types(bundle)).toEqual(['Patient/p1']);
    server.outcomes.push({
      pattern: /^\/fhir\/MedicationRequest\?/,
      severity: 'warning',
      code: 'incomplete',
    });
    const cut = await readRecord(server.baseUrl, 'p1');
    expect(cut.problems).toEqual([expect.stringMatching(/reported an error in its results/)]);
  });

  it('reads a Medication its own server’s absolute URL names once; another server’s is neither read nor taken for it', async () => {
    const resources: Resource[] = [patient('1960-01-01'), oxycodone];
    server = await startFakeFhirServer(resources);
    // The server's search does not include the Medication (its _include follows relative references only).
    resources.push(
      order('rx-1', `${server.baseUrl}/Medication/oxy-5`),
      order('rx-3', 'https://other.example/fhir/Medication/oxy-5'),
    );
    const { bundle, problems } = await readRecord(server.baseUrl, 'p1');
    expect(problems).toEqual([
      '1 Medication reference points to another FHIR server than the FHIR server the app was launched from: not read from it',
    ]);
    expect(types(bundle)).toEqual(
      expect.arrayContaining(['MedicationRequest/rx-1', 'MedicationRequest/rx-3', 'Medication/oxy-5']),
    );
    expect(server.requests.filter((r) => r.url.startsWith('/fhir/Medication/')).map((r) => r.url)).toEqual([
      '/fhir/Medication/oxy-5',
    ]);
    // The analysis counts rx-1 with our oxy-5; rx-3's product is unknown, not our oxy-5.
    const report = analyze(bundle as unknown as Bundle);
    const byId = new Map(report.orders.map((o) => [o.id, o]));
    expect(byId.get('rx-1')?.product.name).toBe(oxycodone.code?.coding?.[0]?.display);
    expect(byId.get('rx-3')?.product.name ?? null).toBeNull();
  });

  it('leaves out resources of another patient that a faulty server returns, and says so', async () => {
    const other = {
      ...order('rx-other', 'Medication/oxy-5'),
      subject: { reference: 'Patient/p2' },
    } as Resource;
    server = await startFakeFhirServer([
      patient('1960-01-01'),
      oxycodone,
      order('rx-1', 'Medication/oxy-5'),
      other,
    ]);
    server.ignoresPatient = true;
    const { bundle, problems } = await readRecord(server.baseUrl, 'p1');
    expect(types(bundle)).toContain('MedicationRequest/rx-1');
    expect(types(bundle)).not.toContain('MedicationRequest/rx-other');
    expect(problems).toEqual(['1 resource naming another patient than the one in context was left out']);
  });

  it('asks for laboratory and survey observations when the server refuses a search without a category', async () => {
    const survey = [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' }] },
    ];
    const uds = urineScreen('uds-1', '19659-2', 'Oxycodone [Presence] in Urine', '2025-12-01', {
      coded: 'negative',
    });
    const comm = { ...commScore('comm-1', 11, '2025-12-01'), category: survey };
    server = await startFakeFhirServer([
      patient('1960-01-01'),
      uds,
      comm,
      commScore('comm-2', 3, '2025-11-01'),
    ]);
    server.categoryRequired.push('Observation');
    const { bundle, problems } = await readRecord(server.baseUrl, 'p1');
    expect(problems).toEqual([
      'Observations: the FHIR server requires a category, so only laboratory and survey observations were read (a score recorded without one is not seen)',
    ]);
    expect(types(bundle)).toEqual(expect.arrayContaining(['Observation/uds-1', 'Observation/comm-1']));
    expect(types(bundle)).not.toContain('Observation/comm-2');
    expect(server.requests.filter((r) => r.url.startsWith('/fhir/Observation')).map((r) => r.url)).toEqual([
      '/fhir/Observation?patient=p1&_count=50',
      '/fhir/Observation?patient=p1&category=laboratory,survey&_count=50',
    ]);
  });

  it('asks for the orders again without _include when the server refuses it, and reads their Medications one by one', async () => {
    server = await startFakeFhirServer([patient('1960-01-01'), order('o1', 'Medication/oxy-5'), oxycodone]);
    server.failures.push({ pattern: /_include=/, status: 400 });
    const { bundle, problems } = await readRecord(server.baseUrl, 'p1');
    expect(problems).toEqual([]);
    expect(types(bundle)).toEqual(expect.arrayContaining(['MedicationRequest/o1', 'Medication/oxy-5']));
    expect(server.requests.map((r) => r.url)).toEqual(
      expect.arrayContaining(['/fhir/MedicationRequest?patient=p1&_count=50', '/fhir/Medication/oxy-5']),
    );
    expect(analyze(bundle as unknown as Bundle).totalMme).toBe(30);
  });

  it.each([
    [
      'an OperationOutcome answered with 200 for a search',
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'too-costly' }] },
      /Medication orders could not be read: the FHIR server answered with OperationOutcome instead of a Bundle/,
    ],
    [
      'a search entry without a resource',
      { resourceType: 'Bundle', type: 'searchset', entry: [{ fullUrl: 'x', search: { mode: 'match' } }] },
      /Medication orders: 1 Bundle entry has no resource and could not be read/,
    ],
  ])('reports %s, never reads it as no orders', async (_, answer, problem) => {
    const page = createServer((req, res) => {
      const body = req.url?.startsWith('/fhir/Patient/')
        ? patient('1960-01-01')
        : req.url?.startsWith('/fhir/MedicationRequest')
          ? answer
          : { resourceType: 'Bundle', type: 'searchset', entry: [] };
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    try {
      const { problems } = await readRecord(
        `http://127.0.0.1:${(page.address() as AddressInfo).port}/fhir`,
        'p1',
      );
      expect(problems.join(' ')).toMatch(problem);
    } finally {
      page.close();
    }
  });

  it('says which Medication it could not read', async () => {
    const resources: Resource[] = [patient('1960-01-01')];
    server = await startFakeFhirServer(resources);
    resources.push(order('rx-1', `${server.baseUrl}/Medication/gone`));
    const { problems } = await readRecord(server.baseUrl, 'p1');
    expect(problems).toEqual([
      'Medication/gone could not be read (/fhir/Medication/gone: HTTP 404): its orders are reported as unknown',
    ]);
  });

  it('does not take an OperationOutcome answered with 200 for the Medication it read', async () => {
    const resources: Resource[] = [patient('1960-01-01'), oxycodone];
    server = await startFakeFhirServer(resources);
    // An absolute reference, which the search's _include does not follow: the Medication is read on its own.
    resources.push(order('rx-1', `${server.baseUrl}/Medication/oxy-5`));
    server.failures.push({ pattern: /^\/fhir\/Medication\/oxy-5$/, status: 200 });
    const { bundle, problems } = await readRecord(server.baseUrl, 'p1');
    expect(problems).toEqual([
      'Medication/oxy-5 could not be read (the server answered no Medication): its orders are reported as unknown',
    ]);
    expect(types(bundle).some((t) => t.startsWith('OperationOutcome'))).toBe(false);
  });
});
