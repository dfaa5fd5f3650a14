/**
 * The CDS Hooks service over HTTP (app.inject) against an in-process fake FHIR server: discovery, the three hooks,
 * every card type, prefetch (full, partial, null, paged, with OperationOutcome entries) and FHIR fallback,
 * medication resolution, and 400 / 404 / 412. Every response is checked against the CDS Hooks rules.
 */
import type { Bundle, MedicationRequest, Resource } from '@medplum/fhirtypes';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isAllowedToken, tokensOf } from '../../src/fhir/prefetch-template.ts';
import {
  every,
  medication,
  medicationRequest,
  mg,
  outcomeEntry,
  qty,
  RXNORM,
  tab,
} from '../builders/fhir-builders.ts';
import { commScore, condition, LUNG_CANCER, OUD_SEVERE, phq9Item9 } from '../builders/record-builders.ts';
import { startFakeFhirServer, type FakeFhirServer } from '../fakes/fake-fhir-server.ts';
import { syntheticPatient } from '../fixtures/synthetic-patients.ts';
import { build } from '../helpers/build-app.ts';
import { expectCdsHooksResponse } from '../helpers/cds-contract.ts';
import { ALL_KEYS, hookRequest, prefetchFor } from '../helpers/hooks.ts';

const servers: FakeFhirServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function fhir(resources: Resource[]): Promise<FakeFhirServer> {
  const server = await startFakeFhirServer(resources);
  servers.push(server);
  return server;
}

const PV = '/cds-services/opioid-pain-patient-view';
const SELECT = '/cds-services/opioid-pain-order-select';
const SIGN = '/cds-services/opioid-pain-order-sign';
const AUTH = {
  access_token: 'secret-token',
  token_type: 'Bearer',
  expires_in: 300,
  scope: 'patient/*.read',
  subject: 'cds',
};

/** A patient-view request whose FHIR token is `accessToken`, and the 400 message a malformed one gets. */
const withToken = (accessToken: string): string =>
  JSON.stringify(
    hookRequest('patient-view', 'p1', {
      fhirServer: 'https://ehr.example.org/fhir',
      fhirAuthorization: { ...AUTH, access_token: accessToken },
    }),
  );
const NOT_A_TOKEN = /fhirAuthorization.access_token: must be visible ASCII without spaces \(RFC 6750\)$/;

const misuse = () => syntheticPatient({ extra: [commScore('comm', 11, '2026-01-01')] });
const chronicPain = () => syntheticPatient();

async function call(url: string, body: Record<string, unknown>, env: Record<string, string> = {}) {
  const res = await build(env).inject({ method: 'POST', url, payload: body });
  return { status: res.statusCode, body: res.json() };
}

const summaries = (cards: { summary: string }[]) => cards.map((c) => c.summary);

describe('the source label', () => {
  it("links to a page that says what the cards are, under the service's public path", async () => {
    const app = build({ PUBLIC_BASE_URL: 'https://cds.example.org/opioid' });
    const hook = await app.inject({
      method: 'POST',
      url: PV,
      payload: hookRequest('patient-view', 'p1', { prefetch: prefetchFor(chronicPain()) }),
    });
    const url = new URL(hook.json().cards[0].source.url as string);
    expect(url.href).toBe('https://cds.example.org/opioid/');
    const page = await app.inject({ method: 'GET', url: url.pathname.replace('/opioid', '') });
    expect([page.statusCode, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.body).toContain('mindfulness-based therapy or CBT');
    expect(page.body).toContain('https://doi.org/10.1001/jamainternmed.2022.0033');
    // Links and assets are relative: the page works behind a proxy that serves the service under a path.
    expect(page.body).not.toMatch(/(?:href|src)="\//);
    for (const [, link] of page.body.matchAll(/href="((?!https?:|data:)[^"]+)"/g))
      expect((await app.inject({ method: 'GET', url: `/${link}` })).statusCode, link).toBe(200);
  });
});

describe('discovery', () => {
  it('lists one entry per registered service with CDS Hooks 2.0 prefetch tokens only', async () => {
    const res = await build().inject({ method: 'GET', url: '/cds-services' });
    expect(res.statusCode).toBe(200);
    const { services } = res.json();
    expect(services.map((s: { hook: string }) => s.hook)).toEqual([
      'patient-view',
      'order-select',
      'order-sign',
    ]);
    for (const s of services) {
      expect(s).toMatchObject({
        id: expect.any(String),
        title: expect.any(String),
        description: expect.any(String),
      });
      for (const template of Object.values(s.prefetch as Record<string, string>)) {
        for (const token of tokensOf(template)) expect(isAllowedToken(token)).toBe(true);
      }
      expect(Object.keys(s.prefetch)).toEqual(ALL_KEYS);
    }
    // What each service needs of the EHR, the order hooks' context included.
    const needs = Object.fromEntries(
      services.map((s: { hook: string; usageRequirements?: string }) => [s.hook, s.usageRequirements]),
    );
    expect(needs['patient-view']).toMatch(/^Needs the patient/);
    expect(needs['order-sign']).toMatch(/^Needs context\.draftOrders/);
    expect(needs['order-select']).toMatch(/^Needs context\.draftOrders and context\.selections/);
  });
});

describe('patient-view', () => {
  it('misuse signals: a MORE referral card with one suggestion creating a draft referral', async () => {
    const resources = misuse();
    const { status, body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }),
    );
    expect(status).toBe(200);
    const [card] = expectCdsHooksResponse(body);
    expect(card).toMatchObject({ indicator: 'info', source: { topic: { code: 'referralmore' } } });
    expect(body.cards[0].summary).toMatch(/MORE/);
    expect(body.cards[0].detail).toMatch(/COMM total 11/);
    expect(body.cards[0].detail).toMatch(/doi\.org\/10\.1001\/jamainternmed\.2022\.0033/);
    // The decision in plain words: flag names, never codes.
    expect(body.cards[0].detail).toMatch(
      /\*\*Decision:\*\* misuse signals while on opioids \(positive Current Opioid Misuse Measure \(COMM\)/,
    );
    expect(body.cards[0].detail).not.toMatch(/comm-positive|uds-unexpected|early-refill|->/);
    expect(body.cards[0].suggestions).toHaveLength(1);
    expect(body.cards[0].suggestions[0].actions[0].resource).toMatchObject({
      resourceType: 'ServiceRequest',
      status: 'draft',
      intent: 'proposal',
      subject: { reference: 'Patient/p1' },
      requester: { reference: 'Practitioner/dr-1' },
      code: {
        coding: [{ system: 'https://opioid-pain-cds.org/fhir/CodeSystem/referral-program', code: 'more' }],
      },
    });
  });

  it('chronic pain without misuse: MBT and CBT as two equal suggestions, neither recommended over the other', async () => {
    const { body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { prefetch: prefetchFor(chronicPain()) }),
    );
    const [card] = expectCdsHooksResponse(body);
    expect(card?.source.topic?.code).toBe('referralmbtcbt');
    const suggestions = body.cards[0].suggestions as {
      label: string;
      isRecommended?: boolean;
      actions: { resource: { code: { coding: { code: string }[] } } }[];
    }[];
    expect(suggestions.map((s) => s.actions[0]!.resource.code.coding[0]!.code)).toEqual(['mbt', 'cbt']);
    expect(suggestions.every((s) => s.isRecommended === undefined)).toBe(true);
    expect(body.cards[0].detail).toMatch(/matches the population of Zgierska 2025/);
    expect(body.cards[0].detail).toMatch(/equal options/);
  });

  it('safety cards: behavioural-health (critical) first, no group referral', async () => {
    const resources = syntheticPatient({ extra: [phq9Item9('phq', 2, '2026-01-05')] });
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => [c.source.topic?.code, c.indicator])).toEqual([['bhsafety', 'critical']]);
  });

  it('safety cards: MOUD evaluation (critical), naloxone (warning, with a naloxone suggestion), and MORE as adjunct', async () => {
    const resources = syntheticPatient({
      extra: [condition({ id: 'oud', code: OUD_SEVERE, onset: '2025-01-01' })],
    });
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => [c.source.topic?.code, c.indicator])).toEqual([
      ['moudevaluation', 'critical'],
      ['naloxone', 'warning'],
      ['referralmore', 'info'],
    ]);
    expect(body.cards[1].suggestions[0].actions[0].resource).toMatchObject({
      resourceType: 'MedicationRequest',
      medicationCodeableConcept: { coding: [{ system: RXNORM, code: '1725059' }] },
    });
  });

  it('benzodiazepine co-prescribing card (warning)', async () => {
    const benzo = medicationRequest({
      id: 'benzo',
      rxcui: '198241',
      authoredOn: '2026-01-01',
      dosages: [{ dose: tab(1), timing: every(1, 'd') }],
      supply: { days: 30 },
    });
    const { body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { prefetch: prefetchFor(syntheticPatient({ extra: [benzo] })) }),
    );
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => c.source.topic?.code)).toEqual(['naloxone', 'benzoreview', 'referralmbtcbt']);
  });

  it('an excluded patient gets no cards', async () => {
    const { body } = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        prefetch: prefetchFor(syntheticPatient({ birthDate: '2010-01-01' })),
      }),
    );
    expect(body).toEqual({ cards: [] });
  });

  it('says the opioid check is incomplete, instead of nothing, when a current order cannot be identified', async () => {
    // The only current order names a Medication the FHIR server does not have: whether it is an opioid is unknown.
    const server = await fhir([]);
    const order = medicationRequest({
      id: 'unread',
      medicationReference: 'Medication/gone',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(6, 'h') }],
      supply: { days: 30 },
    });
    const resources = [...syntheticPatient({ fills: [] }), order];
    const request = hookRequest('patient-view', 'p1', {
      prefetch: prefetchFor(resources),
      fhirServer: server.baseUrl,
      fhirAuthorization: AUTH,
    });
    const { body } = await call(PV, request, { FHIR_ALLOWED_BASE_URLS: server.baseUrl });
    const cards = expectCdsHooksResponse(body);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({
      summary: 'Opioid check incomplete: 1 medication order could not be identified',
      indicator: 'info',
      source: { topic: { code: 'datagap' } },
    });
    expect(cards[0]!.detail).toMatch(
      /^- MedicationRequest\/unread: MME unknown - Medication\/gone is not available/m,
    );
    expect(cards[0]!.detail).toMatch(/An unknown dose is not counted as 0/);
    expect(cards[0]!.detail).toMatch(/\*\*Data not complete:\*\* Medication\/gone could not be read/);
    expect(server.requests.map((r) => r.url)).toEqual(['/fhir/Medication/gone']);

    // The same order is ended: nothing current is unknown, and there is nothing to say.
    const ended: MedicationRequest = { ...order, status: 'stopped' };
    const after = await call(
      PV,
      { ...request, prefetch: prefetchFor([...syntheticPatient({ fills: [] }), ended]) },
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl },
    );
    expect(after.body).toEqual({ cards: [] });
  });

  it('says so when a current opioid dose cannot be computed and no other card is due', async () => {
    // An opioid named only in text, for a patient without chronic pain: no referral, and the dose is unknown.
    const textOnly = medicationRequest({
      id: 'text-only',
      text: 'OxyContin 20 mg',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(12, 'h') }],
      supply: { days: 14 },
    });
    const resources = [...syntheticPatient({ fills: [], pain: 'none' }), textOnly];
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => [c.summary, c.indicator, c.source.topic?.code])).toEqual([
      ['Opioid check incomplete: the dose of 1 opioid order is unknown', 'info', 'datagap'],
    ]);
    expect(cards[0]!.detail).toMatch(
      /^- OxyContin 20 mg: MME unknown - .*the product is named only in text/m,
    );
    // With an order whose Medication could not be read as well, the summary counts both, each line says why.
    const unread = medicationRequest({
      id: 'unread',
      medicationReference: 'Medication/gone',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(6, 'h') }],
      supply: { days: 30 },
    });
    const both = await call(
      PV,
      hookRequest('patient-view', 'p1', { prefetch: prefetchFor([...resources, unread]) }),
    );
    expect(both.body.cards.map((c: { summary: string }) => c.summary)).toEqual([
      'Opioid check incomplete: 1 medication order could not be identified; the dose of 1 opioid order is unknown',
    ]);
    // An excluded patient (under 18) still gets no cards.
    const child = [...syntheticPatient({ fills: [], pain: 'none', birthDate: '2010-01-01' }), textOnly];
    const excluded = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(child) }));
    expect(excluded.body).toEqual({ cards: [] });
  });

  it('gives the same cards with full prefetch, partial prefetch and no prefetch (all fetched from the FHIR server)', async () => {
    const resources = misuse();
    const server = await fhir(resources);
    const env = { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' };
    const withServer = { fhirServer: server.baseUrl, fhirAuthorization: AUTH };
    const full = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }), env);
    const partial = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        ...withServer,
        prefetch: prefetchFor(resources, ['patient', 'medications']),
      }),
      env,
    );
    const none = await call(PV, hookRequest('patient-view', 'p1', withServer), env);
    expectCdsHooksResponse(none.body);
    expect(partial.body).toEqual(full.body);
    expect(none.body).toEqual(full.body);
    expect(server.requests.every((r) => r.authorization === 'Bearer secret-token')).toBe(true);
    expect(server.requests.filter((r) => r.url.startsWith('/fhir/MedicationRequest'))).toHaveLength(1);
  });

  it('a null prefetch key means "no data": nothing is fetched for it', async () => {
    const resources = misuse();
    const server = await fhir(resources);
    const prefetch = { ...prefetchFor(resources), observations: null };
    const { body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl, prefetch }),
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl },
    );
    expect(server.requests).toEqual([]);
    expect(summaries(body.cards)).toEqual([expect.stringMatching(/mindfulness-based therapy or CBT/)]);
  });

  it('skips OperationOutcome entries in a prefetched Bundle and says the data was partial', async () => {
    const resources = chronicPain();
    const prefetch = prefetchFor(resources) as Record<string, Bundle>;
    prefetch.observations = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [outcomeEntry('error', 'too-costly')],
    };
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch }));
    expectCdsHooksResponse(body);
    expect(body.cards[0].detail).toMatch(/Data not complete:.*observations.*reported an error/);
  });

  it.each(['incomplete', 'suppressed', 'too-costly', 'throttled'] as const)(
    'reads a warning that results were left out (%s) as partial data, not as "no data"',
    async (code) => {
      const prefetch = prefetchFor(chronicPain()) as Record<string, Bundle>;
      prefetch.medications = {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [outcomeEntry('warning', code)],
      };
      const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch }));
      const cards = expectCdsHooksResponse(body);
      expect(cards.map((c) => c.source.topic?.code)).toContain('datagap');
    },
  );

  it.each([
    ['null', null],
    ['a text', 'x'],
    ['a list', [{ resource: { resourceType: 'MedicationRequest', id: 'x' } }]],
  ])('says an entry that is %s could not be read, never an all-clear', async (_, entry) => {
    const prefetch = prefetchFor(chronicPain());
    prefetch.medications = { resourceType: 'Bundle', type: 'searchset', entry: [entry] };
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch }));
    const cards = expectCdsHooksResponse(body);
    expect(cards[0]?.source.topic?.code).toBe('datagap');
    expect(cards[0]?.detail).toMatch(/1 Bundle entry has no resource and could not be read/);
  });

  it('says "no current opioid order (only past ones)" only when past ones could be read', async () => {
    const past = medicationRequest({
      id: 'past',
      rxcui: '1049621',
      status: 'completed',
      authoredOn: '2025-11-01',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
      supply: { days: 30 },
    });
    const detail = async (orders: MedicationRequest[]) => {
      const prefetch = prefetchFor(syntheticPatient({ fills: [], pain: 'none' }));
      prefetch.medications = {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [...orders.map((resource) => ({ resource })), null],
      };
      const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch }));
      return expectCdsHooksResponse(body)[0]?.detail ?? '';
    };
    expect(await detail([past])).toMatch(
      /^No current opioid order \(only past ones\) was found in what could be read/,
    );
    expect(await detail([])).toMatch(/^No opioid order in effect today was found in what could be read/);
    // One to be filled from a later day is no past one.
    const future = { ...past, id: 'future', status: 'active' as const, authoredOn: '2026-02-01' };
    expect(await detail([future])).toMatch(/^No opioid order in effect today was found/);
  });

  it('says so when part of the record could not be read, for a patient on opioids who gets no other card', async () => {
    const current = medicationRequest({
      id: 'oxy',
      rxcui: '1049621',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
      supply: { days: 30 },
    });
    const onOpioids = [...syntheticPatient({ fills: [], pain: 'none' }), current];
    // An absent key (undefined is left out of the JSON), and no fhirServer to read it from.
    const prefetch = { ...prefetchFor(onOpioids), observations: undefined };
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch }));
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => [c.summary, c.indicator, c.source.topic?.code])).toEqual([
      ['Opioid check incomplete: part of the record could not be read or checked', 'info', 'datagap'],
    ]);
    expect(cards[0]!.detail).toMatch(
      /on opioids \(current dose \*\*30 MME\/day\*\*.*this is not an all-clear/s,
    );
    expect(cards[0]!.detail).toMatch(
      /\*\*Data not complete:\*\* observations .*not checked: not in prefetch/,
    );
    // Not on opioids: nothing the service checks depends on what is missing.
    const without = {
      ...prefetchFor(syntheticPatient({ fills: [], pain: 'none' })),
      observations: undefined,
    };
    expect((await call(PV, hookRequest('patient-view', 'p1', { prefetch: without }))).body).toEqual({
      cards: [],
    });
  });

  it('says so when a PHQ-9 item 9 answer cannot be read, for a patient who gets no other card', async () => {
    const unanswered = { ...phq9Item9('phq', 0, '2026-01-10'), valueInteger: undefined };
    const resources = [...syntheticPatient({ fills: [], pain: 'none' }), unanswered as never];
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => [c.summary, c.indicator, c.source.topic?.code])).toEqual([
      ['Safety check incomplete: a PHQ-9 item 9 answer could not be read', 'warning', 'datagap'],
    ]);
    expect(cards[0]!.detail).toBe(
      'Whether the patient reported thoughts of self-harm is unknown: read the answer in the chart.\n' +
        '- PHQ-9 item 9 of 2026-01-10 (Observation/phq) has no answer that can be read: whether it reports thoughts of self-harm is unknown',
    );
  });

  it('says so when a self-harm answer is not dated to the day (the hooks keep undated Observations)', async () => {
    const undated = { ...phq9Item9('phq', 2, '2026-01-10'), effectiveDateTime: '2025' };
    const resources = [...syntheticPatient({ fills: [], pain: 'none' }), undated as never];
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => [c.summary, c.indicator])).toEqual([
      ['Safety check incomplete: a PHQ-9 item 9 answer could not be read', 'warning'],
    ]);
    expect(cards[0]!.detail).toContain(
      '- PHQ-9 item 9 answered 2 (Observation/phq) is dated only "2025": whether it reports thoughts of self-harm in the last 90 days is unknown',
    );
  });

  it('with thoughts of self-harm and untreated OUD: the safety card, then the MOUD card, which offers no group programme', async () => {
    const resources = syntheticPatient({
      extra: [
        condition({ id: 'oud', code: OUD_SEVERE, onset: '2025-01-01' }),
        phq9Item9('phq', 2, '2026-01-10'),
      ],
    });
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => c.source.topic?.code).slice(0, 2)).toEqual(['bhsafety', 'moudevaluation']);
    expect(cards.filter((c) => String(c.source.topic?.code).startsWith('referral'))).toEqual([]);
    expect(cards[1]!.detail).not.toMatch(/Mindfulness-Oriented Recovery Enhancement/);
  });

  it('says so for an excluded patient and beside other cards too: the self-harm pathway is never silenced', async () => {
    const unanswered = { ...phq9Item9('phq', 0, '2026-01-10'), valueInteger: undefined } as never;
    const cancer = condition({ id: 'ca', code: LUNG_CANCER, onset: '2025-06-01' });
    const excluded = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        prefetch: prefetchFor(syntheticPatient({ extra: [cancer, unanswered] })),
      }),
    );
    expect(expectCdsHooksResponse(excluded.body).map((c) => c.summary)).toEqual([
      'Safety check incomplete: a PHQ-9 item 9 answer could not be read',
    ]);
    const onOpioids = await call(
      PV,
      hookRequest('patient-view', 'p1', { prefetch: prefetchFor(syntheticPatient({ extra: [unanswered] })) }),
    );
    expect(expectCdsHooksResponse(onOpioids.body).map((c) => [c.source.topic?.code, c.indicator])).toEqual([
      ['datagap', 'warning'],
      ['referralmbtcbt', 'info'],
    ]);
    // A readable answer above 0 gives the critical card; another unreadable one is then not a separate card.
    const answered = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        prefetch: prefetchFor(syntheticPatient({ extra: [unanswered, phq9Item9('phq2', 2, '2026-01-12')] })),
      }),
    );
    expect(expectCdsHooksResponse(answered.body).map((c) => c.source.topic?.code)).toEqual(['bhsafety']);
  });

  it('says in the cards that a result the rules need could not be read (a COMM total given as text)', async () => {
    const unreadable = { ...commScore('comm', 11, '2026-01-01'), valueInteger: '11' };
    const { body } = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        prefetch: prefetchFor(syntheticPatient({ extra: [unreadable as never] })),
      }),
    );
    const cards = expectCdsHooksResponse(body);
    // Not read as a positive screen (MORE), nor silently as a negative one: MBT/CBT, with the gap said.
    expect(cards.map((c) => c.source.topic?.code)).toEqual(['referralmbtcbt']);
    expect(cards[0]!.detail).toMatch(
      /\*\*Data not complete:\*\* COMM result of 2026-01-01 \(Observation\/comm\) has no numeric total: whether it is positive is unknown\.$/,
    );
  });

  it('a prefetch key answered with an OperationOutcome is not data: it is fetched, or reported, or a 412', async () => {
    const resources = misuse();
    const refusedByEhr = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'too-costly' }],
    };
    // No server to ask: an optional key is reported as not checked (the COMM score is not silently lost) ...
    const noServer = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        prefetch: { ...prefetchFor(resources), observations: refusedByEhr },
      }),
    );
    expect(noServer.status).toBe(200);
    expect(noServer.body.cards[0].detail).toMatch(
      /observations .* not checked: the EHR could not prefetch it \(OperationOutcome: too-costly\)/,
    );
    // ... a required one is a 412 ...
    const required = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        prefetch: { ...prefetchFor(resources), medications: refusedByEhr },
      }),
    );
    expect(required.status).toBe(412);
    expect(required.body.message).toMatch(/medication orders: the EHR could not prefetch it/);
    // ... and with a server to ask, it is read from there: the same cards as with the full prefetch.
    const server = await fhir(resources);
    const fetched = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        fhirServer: server.baseUrl,
        prefetch: { ...prefetchFor(resources), observations: refusedByEhr },
      }),
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' },
    );
    expect(server.requests.map((r) => r.url)).toEqual([expect.stringMatching(/^\/fhir\/Observation\?/)]);
    const full = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    expect(summaries(fetched.body.cards)).toEqual(summaries(full.body.cards));
    expect(summaries(full.body.cards)).toEqual([expect.stringMatching(/MORE/)]);
  });

  it('a prefetch value that is not what its template asks for is not data either', async () => {
    const resources = misuse();
    const patient = resources.find((r) => r.resourceType === 'Patient');
    for (const [key, value, problem] of [
      [
        'medications',
        patient,
        /medication orders: the prefetch value is a Patient, not the Bundle its template asks for/,
      ],
      [
        'patient',
        resources.find((r) => r.resourceType === 'Condition'),
        /the prefetch value is a Condition, not the Patient its template asks for/,
      ],
      [
        'conditions',
        { resourceType: 'Bundle', type: 'searchset', entry: { resource: patient } },
        /conditions: the prefetch value is a Bundle whose entries are not a list/,
      ],
    ] as const) {
      const { status, body } = await call(
        PV,
        hookRequest('patient-view', 'p1', { prefetch: { ...prefetchFor(resources), [key]: value } }),
      );
      expect(status, key).toBe(412);
      expect(body.message, key).toMatch(problem);
    }
    // A read answered as a search would be (a Bundle holding the Patient) is the Patient.
    const asSearch = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        prefetch: {
          ...prefetchFor(resources),
          patient: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: patient }] },
        },
      }),
    );
    const plain = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    expect(asSearch.status).toBe(200);
    expect(summaries(asSearch.body.cards)).toEqual(summaries(plain.body.cards));
  });

  it('keeps the pages of a paged prefetch it read when a later page fails, and says so', async () => {
    const resources = misuse();
    const server = await fhir(resources);
    const orders = resources.filter((r) => r.resourceType === 'MedicationRequest');
    const pagedFrom = (next: string) => ({
      ...prefetchFor(resources),
      medications: {
        resourceType: 'Bundle',
        type: 'searchset',
        link: [{ relation: 'next', url: next }],
        entry: orders.map((resource) => ({ resource })),
      },
    });
    const env = { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' };
    server.failures = [{ pattern: /_offset=6/, status: 404 }];
    for (const [next, problem] of [
      [`${server.baseUrl}/MedicationRequest?patient=p1&_count=6&_offset=6`, /answered 404/],
      ['http://elsewhere.example/fhir/MedicationRequest?page=2', /outside the allowed FHIR server/],
    ] as const) {
      const { status, body } = await call(
        PV,
        hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl, prefetch: pagedFrom(next) }),
        env,
      );
      expect(status, next).toBe(200);
      expectCdsHooksResponse(body);
      expect(body.cards[0].detail).toMatch(/medication orders: only the first page was read; the next: /);
      expect(body.cards[0].detail).toMatch(problem);
      expect(body.cards[0].detail).toMatch(/opioids on 180 of the last 180 days/);
    }
  });

  it('leaves out prefetched resources that name another patient, and says so', async () => {
    const resources = chronicPain();
    const stranger: MedicationRequest = {
      ...medicationRequest({
        id: 'not-ours',
        rxcui: '1049621',
        authoredOn: '2026-01-01',
        dosages: [{ dose: tab(4), timing: every(4, 'h') }],
        supply: { days: 30 },
      }),
      subject: { reference: 'https://ehr.example.org/fhir/Patient/someone-else' },
    };
    const prefetch = prefetchFor([...resources, stranger]);
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch }));
    const own = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    expect(summaries(body.cards)).toEqual(summaries(own.body.cards));
    expect(body.cards[0].detail).toMatch(
      /1 resource naming another patient than the one in context was left out/,
    );
    expect(body.cards[0].detail).not.toMatch(/not-ours/);
  });

  it('reads the next pages of a paged prefetch from the FHIR server', async () => {
    const resources = misuse();
    const server = await fhir(resources);
    const prefetch = prefetchFor(resources) as Record<string, Bundle>;
    const orders = resources.filter((r) => r.resourceType === 'MedicationRequest');
    prefetch.medications = {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'next', url: `${server.baseUrl}/MedicationRequest?patient=p1&_count=2&_offset=2` }],
      entry: orders.slice(0, 2).map((resource) => ({ resource })),
    };
    const { body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl, prefetch }),
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' },
    );
    expect(server.requests.map((r) => r.url)).toEqual([
      '/fhir/MedicationRequest?patient=p1&_count=2&_offset=2',
      '/fhir/MedicationRequest?patient=p1&_count=2&_offset=4',
    ]);
    expect(body.cards[0].detail).toMatch(/opioids on 180 of the last 180 days/);
  });

  it('follows next links when fetching a long history, and reports the cap', async () => {
    const resources = misuse();
    const server = await fhir(resources);
    server.maxPageSize = 2; // 6 orders: 3 pages
    const env = { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' };
    const rest = prefetchFor(resources);
    delete rest.medications;
    const request = hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl, prefetch: rest });
    const all = await call(PV, request, env);
    expect(server.requests.filter((r) => r.url.startsWith('/fhir/MedicationRequest'))).toHaveLength(3);
    const full = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    expect(all.body).toEqual(full.body);
    const capped = await call(PV, request, { ...env, FHIR_MAX_PAGES: '2' });
    expect(capped.status).toBe(200);
    expect(capped.body.cards[0].detail).toMatch(
      /medication orders: more than 2 pages; only the first 2 were read/,
    );
  });

  it('stops paging where a next link leads back to a page already read, and says so', async () => {
    const resources = misuse();
    const server = await fhir(resources);
    server.maxPageSize = 2;
    server.nextLoops = true;
    const rest = prefetchFor(resources);
    delete rest.medications;
    const { body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl, prefetch: rest }),
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' },
    );
    // Pages 1 and 2, then page 1 again under another URL (_offset=0), whose next link is page 2's: stopped there.
    expect(server.requests.filter((r) => r.url.startsWith('/fhir/MedicationRequest'))).toHaveLength(3);
    expect(body.cards[0].detail).toMatch(
      /medication orders: the FHIR server's next link leads back to a page already read; paging stopped/,
    );
  });

  it('asks for laboratory and survey observations when the server refuses a search without a category (Epic), and says what that leaves out', async () => {
    const survey = [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' }] },
    ];
    // A positive COMM recorded as a survey is found; one recorded without a category could not be.
    const resources = syntheticPatient({
      extra: [{ ...commScore('comm', 11, '2026-01-01'), category: survey }],
    });
    const server = await fhir(resources);
    server.categoryRequired.push('Observation');
    const env = { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' };
    const rest = prefetchFor(resources);
    delete rest.observations;
    const request = hookRequest('patient-view', 'p1', {
      fhirServer: server.baseUrl,
      fhirAuthorization: AUTH,
      prefetch: rest,
    });
    const { status, body } = await call(PV, request, env);
    expect(status).toBe(200);
    expectCdsHooksResponse(body);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/fhir/Observation?patient=p1&_sort=-date&_count=100',
      '/fhir/Observation?patient=p1&category=laboratory,survey&_sort=-date&_count=100',
    ]);
    const referral = body.cards.find((c: { source: { topic: { code: string } } }) =>
      c.source.topic.code.startsWith('referral'),
    );
    expect(referral.source.topic.code).toBe('referralmore');
    expect(referral.detail).toMatch(
      /observations \(urine drug screens, COMM, PHQ-9\): the FHIR server requires a category, so only laboratory and survey observations were read/,
    );
    // A server that refuses the narrower search too: the observations are not checked, and the cards say so.
    server.failures.push({ pattern: /category=/, status: 400 });
    const refused = await call(PV, request, env);
    expect(refused.status).toBe(200);
    expect(refused.body.cards[0].detail).toMatch(/observations .* not checked: the FHIR server answered 400/);
  });

  it.each([
    ['_include', /_include=/, 2],
    ['_include and _sort', /_include=|_sort=/, 3],
  ])(
    'asks again without %s when the server refuses them (optional in FHIR): the same cards, no 412',
    async (_, pattern, searches) => {
      const resources = misuse();
      const rest = prefetchFor(resources);
      delete rest.medications;
      const env = { FHIR_ALLOWED_BASE_URLS: '', FHIR_DEADLINE_MS: '5000' };
      const server = await fhir(resources);
      server.failures.push({ pattern, status: 400 });
      const request = hookRequest('patient-view', 'p1', {
        fhirServer: server.baseUrl,
        fhirAuthorization: AUTH,
        prefetch: rest,
      });
      const { status, body } = await call(PV, request, { ...env, FHIR_ALLOWED_BASE_URLS: server.baseUrl });
      expect(status).toBe(200);
      expectCdsHooksResponse(body);
      const searched = server.requests.filter((r) => r.url.startsWith('/fhir/MedicationRequest?'));
      expect(searched).toHaveLength(searches);
      expect(searched.at(-1)?.url).not.toMatch(pattern);
      // The Medications the search no longer includes are read one by one: the same cards as from prefetch.
      const prefetched = await call(
        PV,
        hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }),
      );
      expect(summaries(body.cards)).toEqual(summaries(prefetched.body.cards));
      expect(summaries(body.cards)).toContain(
        summaries(prefetched.body.cards).find((s: string) => /MORE|Mindfulness-Oriented/.test(s)),
      );
    },
  );

  it('reads a prefetched batch-response that holds the searchset, and says when one of its entries failed', async () => {
    const pf = prefetchFor(misuse());
    const batch = (status: string) => ({
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: [{ resource: pf.medications, response: { status: '200 OK' } }, { response: { status } }],
    });
    const ok = await call(
      PV,
      hookRequest('patient-view', 'p1', { prefetch: { ...pf, medications: batch('200 OK') } }),
    );
    expect(ok.status).toBe(200);
    expectCdsHooksResponse(ok.body);
    const direct = await call(PV, hookRequest('patient-view', 'p1', { prefetch: pf }));
    expect(summaries(ok.body.cards)).toEqual(summaries(direct.body.cards));
    expect(ok.body.cards.map((c: { source: { topic: { code: string } } }) => c.source.topic.code)).toContain(
      'referralmore',
    );
    const failed = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        prefetch: { ...pf, medications: batch('500 Internal Server Error') },
      }),
    );
    expect(JSON.stringify(failed.body.cards)).toMatch(
      /medication orders: the FHIR server reported an error in its results/,
    );
  });

  it('says when prefetched orders were left out for naming another patient, even when none is left', async () => {
    const resources = misuse().map((r) =>
      r.resourceType === 'MedicationRequest' ? { ...r, subject: { reference: 'Patient/p2' } } : r,
    );
    const { status, body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }),
    );
    expect(status).toBe(200);
    expectCdsHooksResponse(body);
    expect(body.cards).not.toEqual([]);
    expect(JSON.stringify(body.cards)).toMatch(
      /medication orders: \d+ resources naming another patient than the one in context were left out/,
    );
  });

  it('reads a FHIR server that starts its JSON with a byte-order mark', async () => {
    const resources = chronicPain();
    const patient = resources.find((r) => r.resourceType === 'Patient');
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json; charset=utf-8' });
      res.end(`\uFEFF${JSON.stringify(patient)}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
    try {
      const rest = prefetchFor(resources);
      delete rest.patient;
      const request = hookRequest('patient-view', 'p1', {
        fhirServer: base,
        fhirAuthorization: AUTH,
        prefetch: rest,
      });
      const { status, body } = await call(PV, request, {
        FHIR_ALLOWED_BASE_URLS: base,
        FHIR_DEADLINE_MS: '5000',
      });
      expect(status).toBe(200);
      expectCdsHooksResponse(body);
    } finally {
      server.close();
    }
  });

  it('suggests referrals whose reasons name only conditions the EHR can resolve (not an entry without an id)', async () => {
    interface Suggested {
      suggestions?: { actions: { resource?: { reasonReference?: { reference: string }[] } }[] }[];
    }
    const reasonsOf = (cards: Suggested[]) =>
      cards.flatMap((c) =>
        (c.suggestions ?? []).flatMap((s) => s.actions.flatMap((a) => a.resource?.reasonReference ?? [])),
      );
    const resources = chronicPain();
    const withId = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    const named = reasonsOf(withId.body.cards).map((r) => r.reference);
    expect(named.length).toBeGreaterThan(0);
    // The pain condition the suggestions name, without its id.
    const withoutId = resources.map((r) =>
      r.resourceType === 'Condition' && named.includes(`Condition/${r.id}`) ? { ...r, id: undefined } : r,
    );
    const { body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(withoutId) }));
    expectCdsHooksResponse(body);
    expect(body.cards.some((c: Suggested) => (c.suggestions ?? []).length > 0)).toBe(true);
    for (const r of reasonsOf(body.cards)) expect(r.reference).toMatch(/^Condition\/[A-Za-z0-9\-.]{1,64}$/);
    expect(JSON.stringify(body.cards)).not.toMatch(/Condition entry/);
  });
});

describe('medications by reference', () => {
  const epicOrder = (id: string, medRef: string): MedicationRequest =>
    medicationRequest({
      id,
      medicationReference: medRef,
      authoredOn: '2026-01-01',
      dosages: [{ dose: tab(1), timing: every(6, 'h') }],
      supply: { days: 30 },
    });
  const epicMedication = () => {
    const med = medication('epic-oxy', {
      rxcui: '1049621',
      display: 'oxycodone hydrochloride 5 MG Oral Tablet',
    });
    med.code!.coding!.unshift(
      { system: 'urn:oid:1.2.840.114350.1.13.0.1.7.2.698288', code: '5678', display: 'OXYCODONE 5 MG TAB' },
      { system: 'http://hl7.org/fhir/sid/ndc', code: '0406-0552-01' },
    );
    return med;
  };
  const base = () => syntheticPatient({ fills: [] });

  it('resolves a Medication in the prefetched Bundle (Epic: multi-coded, separate entry)', async () => {
    const resources = [...base(), epicOrder('e1', 'Medication/epic-oxy'), epicMedication()];
    const order = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(resources),
        context: {
          draftOrders: {
            resourceType: 'Bundle',
            entry: [{ resource: epicOrder('new', 'Medication/epic-oxy') }],
          },
        },
      }),
    );
    expect(order.body.cards[0].summary).toBe(
      'This order brings the total from 30 to 60 MME/day (crosses 50)',
    );
  });

  it('resolves a Medication that the prefetched searchset names by its entry fullUrl (urn:uuid), in every hook', async () => {
    const urn = 'urn:uuid:0f0f0f0f-0000-4000-8000-000000000009';
    const pf = prefetchFor(base());
    pf.medications = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: epicOrder('by-urn', urn), search: { mode: 'match' } },
        { fullUrl: urn, resource: epicMedication(), search: { mode: 'include' } },
      ],
    };
    const view = await call(PV, hookRequest('patient-view', 'p1', { prefetch: pf }));
    expectCdsHooksResponse(view.body);
    expect(JSON.stringify(view.body.cards)).not.toMatch(/could not be identified|unknown/i);
    const order = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: pf,
        context: {
          draftOrders: {
            resourceType: 'Bundle',
            entry: [{ resource: epicOrder('new', 'Medication/epic-oxy') }],
          },
        },
      }),
    );
    // 30 MME/day before (the order by urn:uuid), 60 with the draft of the same product.
    expect(order.body.cards[0].summary).toBe(
      'This order brings the total from 30 to 60 MME/day (crosses 50)',
    );
  });

  /** A patient-view call whose prefetch leaves the Medications to be read from the server. */
  const withServer = (server: FakeFhirServer, resources: Resource[]) =>
    call(
      PV,
      hookRequest('patient-view', 'p1', {
        fhirServer: server.baseUrl,
        prefetch: prefetchFor(resources.filter((r) => r.resourceType !== 'Medication')),
      }),
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' },
    );

  it.each<[string, string, (base: string) => string]>([
    ['twice the same reference', 'Medication/epic-oxy', () => 'Medication/epic-oxy'],
    [
      'versioned references, relative and absolute',
      'Medication/epic-oxy/_history/2',
      (base) => `${base}/Medication/epic-oxy/_history/3`,
    ],
    [
      'the same server written with another scheme and port (behind a TLS proxy)',
      'Medication/epic-oxy',
      (base) => `${base.replace(/^http:\/\/([^/:]+):\d+/, 'https://$1')}/Medication/epic-oxy`,
    ],
  ])(
    'fetches a Medication only reachable by reference once, as its current version (%s)',
    async (_, first, second) => {
      const e2 = epicOrder('e2', 'Medication/epic-oxy');
      const resources = [...base(), epicOrder('e1', first), e2, epicMedication()];
      const server = await fhir(resources);
      e2.medicationReference = { reference: second(server.baseUrl) };
      const { body } = await withServer(server, resources);
      expect(server.requests.map((r) => r.url)).toEqual(['/fhir/Medication/epic-oxy']);
      // Two orders of the fetched product, 30 MME/day each.
      expect(body.cards[0].detail).toMatch(/current dose \*\*60 MME\/day\*\*/);
    },
  );

  it('reads at most 32 Medications at once and 100 per call, and lists only the first few it could not read', async () => {
    const products = Array.from({ length: 105 }, (_, i) => i);
    const orders = products.map((i) => ({
      ...epicOrder(`o${i}`, `Medication/m${i}`),
      authoredOn: '2026-01-01',
    }));
    // Only the first 12 Medications exist on the server.
    const meds = products.slice(0, 12).map((i) => ({ ...epicMedication(), id: `m${i}` }));
    const server = await fhir([...base(), ...meds]);
    server.delayMs = 20;
    const prefetch = prefetchFor([...base(), ...orders]);
    const { status, body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl, prefetch }),
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '20000' },
    );
    expect(status).toBe(200);
    expect(server.requests.filter((r) => r.url.startsWith('/fhir/Medication/'))).toHaveLength(100);
    expect(server.maxConcurrent).toBeLessThanOrEqual(32);
    expect(server.maxConcurrent).toBeGreaterThan(1);
    const detail: string = body.cards[0].detail;
    // 5 Medications not read and 88 not found: 89 gaps, the first 5 listed and the rest counted.
    expect(detail).toMatch(
      /\*\*Data not complete:\*\* 5 more referenced Medications were not read \(at most 100 per call\)[^]*; and 84 more\.$/,
    );
    expect(detail.match(/could not be read/g)).toHaveLength(4);
    // The dose is a lower bound, in the summary too.
    expect(body.cards[0].summary).toMatch(/^Offer naloxone: overdose risk \(at least 360 MME\/day\)/);
  });

  it('does not read from fhirServer a Medication that an absolute reference places on another server', async () => {
    const resources = [
      ...chronicPain(),
      epicOrder('far', 'https://other.example.org/fhir/Medication/epic-oxy'),
    ];
    const server = await fhir([...resources, epicMedication()]);
    const { body } = await withServer(server, resources);
    expect(server.requests).toEqual([]);
    expect(body.cards[0].detail).toMatch(
      /1 Medication reference points to another FHIR server than fhirServer: not read from it/,
    );
    expect(body.cards[0].detail).toMatch(/at least/);
  });

  it('does not take another server’s Medication for one of ours with the same id', async () => {
    // Our server's epic-oxy is prefetched; the order names epic-oxy on another server: a different product.
    const resources = [
      ...chronicPain(),
      epicOrder('far', 'https://other.example.org/fhir/Medication/epic-oxy'),
      epicMedication(),
    ];
    const server = await fhir(resources);
    const request = hookRequest('patient-view', 'p1', {
      fhirServer: server.baseUrl,
      prefetch: prefetchFor(resources),
    });
    const env = { FHIR_ALLOWED_BASE_URLS: server.baseUrl };
    const { body } = await call(PV, request, env);
    expect(server.requests).toEqual([]);
    const detail: string = body.cards[0].detail;
    expect(detail).toMatch(
      /1 Medication reference points to another FHIR server than fhirServer: not read from it/,
    );
    // Not counted as our epic-oxy (30 MME/day): the dose is a lower bound.
    expect(detail).toMatch(
      /current dose \*\*at least 30 MME\/day\*\* \(an active order has an unknown dose\)/,
    );
    // The same reference to our own server (another scheme, as behind a TLS proxy) is our Medication.
    const ours = server.baseUrl.replace(/^http:\/\/([^/:]+):\d+/, 'https://$1');
    const same = resources.map((r) =>
      r.id === 'far' ? { ...r, medicationReference: { reference: `${ours}/Medication/epic-oxy` } } : r,
    );
    const local = await call(PV, { ...request, prefetch: prefetchFor(same) }, env);
    expect(local.body.cards[0].detail).toMatch(/current dose \*\*60 MME\/day\*\*;/);
    // A fhirServer that is not allow-listed is not read, but still tells which references name another server.
    const notAllowed = await call(PV, request);
    expect(notAllowed.body.cards[0].detail).toMatch(
      /1 Medication reference points to another FHIR server than fhirServer: not read from it/,
    );
  });

  it('does not take an OperationOutcome answered with 200 for the Medication it read', async () => {
    const resources = [...chronicPain(), epicOrder('e1', 'Medication/epic-oxy'), epicMedication()];
    const server = await fhir(resources);
    server.failures.push({ pattern: /^\/fhir\/Medication\/epic-oxy$/, status: 200 });
    const { body } = await withServer(server, resources);
    expect(body.cards[0].detail).toMatch(
      /Medication\/epic-oxy could not be read: its orders are reported as unknown/,
    );
  });

  it('a contained Medication needs no lookup', async () => {
    const contained = medicationRequest({
      id: 'c1',
      medicationReference: '#m',
      contained: [medication('m', { rxcui: '1049683' })],
      authoredOn: '2026-01-01',
      dosages: [{ dose: tab(1), timing: every(6, 'h') }],
      supply: { days: 30 },
    });
    const { body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { prefetch: prefetchFor([...base(), contained]) }),
    );
    expect(body.cards.length).toBeGreaterThan(0);
    expect(body.cards.some((c: { detail: string }) => /60 MME\/day/.test(c.detail))).toBe(true);
  });
});

describe('order-select and order-sign', () => {
  const draft = (id: string, dose = tab(2), rxcui = '1049621'): MedicationRequest =>
    medicationRequest({
      id,
      rxcui,
      status: 'draft',
      authoredOn: '2026-01-15',
      dosages: [{ dose, timing: every(4, 'h') }],
      supply: { days: 30 },
    });
  const drafts = (...orders: Resource[]) => ({
    resourceType: 'Bundle',
    type: 'collection',
    entry: orders.map((resource) => ({ resource })),
  });

  it('raising a total already at or above 90 is a warning, with the 2016 advice credited to CDC 2016', async () => {
    // 12 tablets of oxycodone 5 mg a day: 90 MME/day; the draft adds 6 a day (45).
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(
          syntheticPatient({ fills: Array.from({ length: 6 }, () => ({ tabsPerDay: 12 })) }),
        ),
        context: { draftOrders: drafts(draft('more', tab(1))) },
      }),
    );
    expectCdsHooksResponse(body);
    expect(body.cards[0]).toMatchObject({
      summary: 'This order brings the total from 90 to 135 MME/day (90 or more)',
      indicator: 'warning',
    });
    expect(body.cards[0].detail).toContain(
      'The new total is at or above 90 MME/day: avoid, or carefully justify (CDC 2016 Recommendation 5;',
    );
  });

  it('order-select analyses only the selected draft: crossing 90 is a warning', async () => {
    const { body } = await call(
      SELECT,
      hookRequest('order-select', 'p1', {
        prefetch: prefetchFor(chronicPain()),
        context: {
          selections: ['MedicationRequest/sel'],
          draftOrders: drafts(draft('sel'), draft('other', tab(10))),
        },
      }),
    );
    const cards = expectCdsHooksResponse(body);
    expect(cards).toHaveLength(1);
    expect(body.cards[0]).toMatchObject({
      summary: 'This order brings the total from 30 to 120 MME/day (crosses 90)',
      indicator: 'warning',
    });
    expect(body.cards[0].detail).toMatch(/12 tab\/d|6\/d x 2 tab x 5 mg = 60 mg\/d x 1.5 = 90 MME\/d/);
  });

  it('order-sign past 90 MME/day: the dose warning, naloxone, and the referral card', async () => {
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(chronicPain()),
        context: { draftOrders: drafts(draft('new')) },
      }),
    );
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => c.source.topic?.code)).toEqual(['ordermme', 'naloxone', 'referralmbtcbt']);
    expect(body.cards[0].indicator).toBe('warning');
    // The rise is this order's, today: said so, not as a rise "since" the day 90 days ago it is compared with.
    expect(body.cards[2].detail).toContain(
      'rising: from 30 MME/day on 2025-10-17 to 120, at that level since 2026-01-15',
    );
  });

  describe('with a current order of 30 MME/day', () => {
    const cur = medicationRequest({
      id: 'cur',
      rxcui: '1049621',
      authoredOn: '2026-01-05',
      dosages: [{ dose: tab(1), timing: every(6, 'h') }],
      supply: { days: 30 },
    });
    const record = () => [...syntheticPatient({ fills: [] }), cur];
    const topics = (body: { cards: { source: { topic: { code: string } } }[] }) =>
      body.cards.map((c) => c.source.topic.code);

    it('a renewal naming the order it replaces (priorPrescription) replaces it: stays at 30; 20 of 30 days early, it is an early refill', async () => {
      const renewal = {
        ...draft('renewal'),
        dosageInstruction: cur.dosageInstruction,
        priorPrescription: { reference: 'MedicationRequest/cur' },
      };
      const { body } = await call(
        SIGN,
        hookRequest('order-sign', 'p1', {
          prefetch: prefetchFor(record()),
          context: { draftOrders: drafts(renewal) },
        }),
      );
      expectCdsHooksResponse(body);
      expect(body.cards[0].summary).toBe(
        'This order renews the current supply: the total stays at 30 MME/day',
      );
      expect(body.cards[0].detail).toContain(
        'This order replaces MedicationRequest/cur from 2026-01-15: that order counts until 2026-01-14.',
      );
      expect(topics(body)).not.toContain('naloxone');
      // The supply it replaces was handed over all the same: the early-refill rule reads it whole (as patient-view
      // will once the renewal is in the record), a misuse signal.
      expect(topics(body)).toContain('referralmore');
    });

    it('re-signing the current order part-way through its supply is no early refill of itself', async () => {
      const { body } = await call(
        SIGN,
        hookRequest('order-sign', 'p1', {
          prefetch: prefetchFor(record()),
          context: { draftOrders: drafts({ ...cur, status: 'active' }) },
        }),
      );
      expectCdsHooksResponse(body);
      expect(body.cards[0].summary).toBe(
        'This order renews the current supply: the total stays at 30 MME/day',
      );
      expect(topics(body)).not.toContain('referralmore');
      // The revision is the order it revises, wherever it is named.
      expect(JSON.stringify(body)).not.toContain(':revision');
      // A draft whose id is not a FHIR id is not taken for a revision of cur.
      const odd = await call(
        SIGN,
        hookRequest('order-sign', 'p1', {
          prefetch: prefetchFor(record()),
          context: { draftOrders: drafts({ ...cur, id: 'cur:revision', status: 'active' }) },
        }),
      );
      expect(odd.body.cards[0].detail).not.toContain('revises');
    });

    describe('priorPrescription that does not replace an order of the record, or not today', () => {
      const sign = async (resources: Resource[], ...orders: Resource[]) =>
        (
          await call(
            SIGN,
            hookRequest('order-sign', 'p1', {
              prefetch: prefetchFor(resources),
              context: { draftOrders: drafts(...orders) },
            }),
          )
        ).body as { cards: { summary: string; detail: string; source: { topic: { code: string } } }[] };
      // cur's dose (30 MME/day) unless another is given (every 4 h).
      const naming = (id: string, target: string, dose?: ReturnType<typeof tab>) => ({
        ...draft(id, dose),
        ...(dose === undefined ? { dosageInstruction: cur.dosageInstruction } : {}),
        priorPrescription: { reference: `MedicationRequest/${target}` },
      });

      it('a post-dated order is judged on the day it starts: 30 today, 120 from then', async () => {
        const postDated = draft('post', tab(2));
        const body = await sign(record(), {
          ...postDated,
          dispenseRequest: { ...postDated.dispenseRequest, validityPeriod: { start: '2026-01-25' } },
        });
        expect(body.cards[0]).toMatchObject({
          summary: 'This order brings the total from 30 to 120 MME/day from 2026-01-25 (crosses 90)',
          indicator: 'warning',
        });
        expect(body.cards[0]!.detail).toContain('with it: 120 MME/day from 2026-01-25.');
      });

      it.each([
        ['2026-02', 'is not a full date', 'Enter the full'],
        ['2026-02-30', 'is not a valid date', 'Enter a valid'],
      ])(
        'a validity start that is not a day (%s) is counted from the signing day, and the card says so',
        async (start, what, fix) => {
          const postDated = draft('post', tab(2));
          const body = await sign(record(), {
            ...postDated,
            dispenseRequest: { ...postDated.dispenseRequest, validityPeriod: { start } },
          });
          expect(body.cards[0]).toMatchObject({
            summary:
              'This order brings the total from 30 to 120 MME/day (crosses 90) (start date unreadable)',
            indicator: 'warning',
          });
          expect(body.cards[0]!.detail).toContain(
            `The validity start of this order ("${start}") ${what}: it is counted from 2026-01-15, the day it is signed. ${fix} date to have the total of a later start checked.`,
          );
        },
      );

      it('a draft without an id never takes the place of an order of the record', async () => {
        const noId: Record<string, unknown> = { ...draft('x', tab(2)) };
        delete noId.id;
        // The record holds cur and the same order again under the id "draft-0" (a legal FHIR id).
        const body = await sign(
          [...record(), { ...cur, id: 'draft-0' }],
          noId as unknown as MedicationRequest,
        );
        expect(body.cards[0]!.summary).toBe(
          'This order brings the total from 60 to 150 MME/day (crosses 90)',
        );
      });

      it('a readable validity start gets no such line', async () => {
        const postDated = draft('post', tab(2));
        const body = await sign(record(), {
          ...postDated,
          dispenseRequest: { ...postDated.dispenseRequest, validityPeriod: { start: '2026-01-15' } },
        });
        expect(body.cards[0]!.summary).toBe(
          'This order brings the total from 30 to 120 MME/day (crosses 90)',
        );
        expect(body.cards[0]!.detail).not.toContain('validity start');
      });

      const from = (order: MedicationRequest, start: string): MedicationRequest => ({
        ...order,
        dispenseRequest: { ...order.dispenseRequest, validityPeriod: { start } },
      });

      it('order-sign offers naloxone when the dose reaches 50 only from the post-dated order on', async () => {
        const body = await sign(record(), from(draft('post', tab(2)), '2026-01-25'));
        expect(body.cards.map((c) => c.source.topic.code)).toContain('naloxone');
      });

      it('the total is taken on the day it is highest, also when another order starts then', async () => {
        // The record already holds a 45 MME/day order from 2026-02-01; the draft (30) runs from 2026-01-25.
        const signedLater = from(
          medicationRequest({
            id: 'later-45',
            rxcui: '1049621',
            authoredOn: '2026-01-14',
            dosages: [{ dose: tab(1), timing: every(4, 'h') }],
            supply: { days: 30 },
          }),
          '2026-02-01',
        );
        const body = await sign([...record(), signedLater], from(naming('d30', 'none'), '2026-01-25'));
        expect(body.cards[0]!.summary).toBe(
          'This order brings the total from 75 to 105 MME/day from 2026-02-01 (crosses 90)',
        );
      });

      it('a post-dated benzodiazepine that will overlap the opioid gets the co-prescribing card', async () => {
        const diazepam = medicationRequest({
          id: 'benzo-later',
          rxcui: '197589',
          status: 'draft',
          dosages: [{ dose: tab(1), timing: every(1, 'd') }],
          supply: { days: 30 },
        });
        const body = await sign(record(), from(diazepam, '2026-01-20'));
        expect(body.cards.map((c) => c.source.topic.code)).toEqual(['benzoreview']);
        // After the opioid's supply ends (2026-02-03), it overlaps nothing: no card.
        const afterwards = await sign(record(), from(diazepam, '2026-02-10'));
        expect(afterwards.cards).toEqual([]);
      });

      it('other post-dated drafts signed with it do not keep a post-dated benzodiazepine from being checked', async () => {
        const ibuprofen = (id: string) =>
          medicationRequest({
            id,
            rxcui: '197806',
            display: 'ibuprofen 600 MG Oral Tablet',
            status: 'draft',
            dosages: [{ dose: tab(1), timing: every(8, 'h') }],
            supply: { days: 10 },
          });
        const diazepam = medicationRequest({
          id: 'benzo-third',
          rxcui: '197589',
          status: 'draft',
          dosages: [{ dose: tab(1), timing: every(1, 'd') }],
          supply: { days: 30 },
        });
        const body = await sign(
          record(),
          from(ibuprofen('nsaid-1'), '2026-01-16'),
          from(ibuprofen('nsaid-2'), '2026-01-17'),
          from(ibuprofen('nsaid-3'), '2026-01-18'),
          from(diazepam, '2026-01-20'),
        );
        expect(body.cards.map((c) => c.source.topic.code)).toEqual(['benzoreview']);
      });

      it('the next fill from the day the current supply has ended keeps the total, crossing nothing', async () => {
        const next = { ...draft('next-fill'), dosageInstruction: cur.dosageInstruction };
        const body = await sign(record(), from(next, '2026-02-04'));
        expect(body.cards[0]).toMatchObject({
          summary: 'This order starts 2026-02-04 and keeps the total at 30 MME/day',
          indicator: 'info',
        });
      });

      it('a renewal from today is judged today, whatever another order of the record does later', async () => {
        const recorded45 = from(
          medicationRequest({
            id: 'rec-45',
            rxcui: '1049621',
            authoredOn: '2026-01-14',
            dosages: [{ dose: tab(1), timing: every(4, 'h') }],
            supply: { days: 30 },
          }),
          '2026-01-25',
        );
        const body = await sign([...record(), recorded45], naming('renew-today', 'cur'));
        expect(body.cards[0]!.summary).toBe(
          'This order renews the current supply: the total stays at 30 MME/day',
        );
      });

      it('order-sign keeps the card of a post-dated benzodiazepine beside an opioid ordered today', async () => {
        const diazepam = medicationRequest({
          id: 'benzo-later-2',
          rxcui: '197589',
          status: 'draft',
          dosages: [{ dose: tab(1), timing: every(1, 'd') }],
          supply: { days: 30 },
        });
        const body = await sign(record(), draft('today-opioid'), from(diazepam, '2026-01-20'));
        expect(body.cards.map((c) => c.source.topic.code)).toContain('benzoreview');
      });

      it('a post-dated renewal a few days before the supply ends still renews it', async () => {
        const renewal = { ...draft('pre-renewal'), dosageInstruction: cur.dosageInstruction };
        const body = await sign(record(), from(renewal, '2026-02-01'));
        expect(body.cards[0]!.summary).toBe(
          'This order renews the current supply: the total stays at 30 MME/day',
        );
      });

      it('a post-dated order of unknown dose after the current supply ends: the total then is unknown', async () => {
        const unknown = from(
          medicationRequest({
            id: 'unknown-later',
            text: 'OxyContin 20 mg',
            status: 'draft',
            authoredOn: '2026-01-15',
            dosages: [{ dose: tab(1), timing: every(12, 'h') }],
            supply: { days: 30 },
          }),
          '2026-02-10',
        );
        const body = await sign(record(), unknown);
        expect(body.cards[0]!.summary).toBe(
          'The MME of this order cannot be computed: the total from 2026-02-10 is unknown',
        );
      });

      it('a renewal dated just after midnight at +02:00 (the evening before, UTC) is signed today', async () => {
        const body = await sign(record(), from(naming('early', 'cur'), '2026-01-15T00:30:00+02:00'));
        expect(body.cards[0]!.detail).toContain(
          'This order replaces MedicationRequest/cur from 2026-01-15: that order counts until 2026-01-14.',
        );
      });

      it('a draft naming another draft replaces nothing: both drafts count', async () => {
        // 90 MME/day (2 tablets every 4 h) and a 30 MME/day draft naming it: 30 + 90 + 30.
        const body = await sign(record(), draft('a', tab(2)), naming('b', 'a'));
        expectCdsHooksResponse(body);
        expect(body.cards[0]!.summary).toBe(
          'This order brings the total from 30 to 150 MME/day (crosses 90)',
        );
        expect(body.cards[0]!.detail).not.toContain('replaces');
      });

      it('a draft naming an order the record does not hold is a new order', async () => {
        const body = await sign(record(), naming('n', 'ghost'));
        expect(body.cards[0]!.summary).toBe('This order brings the total from 30 to 60 MME/day (crosses 50)');
        expect(body.cards[0]!.detail).not.toContain('replaces');
      });

      it('a replacement that starts later at another dose is not called a renewal; the order it replaces counts until then', async () => {
        const later = naming('later', 'cur', tab(2));
        const body = await sign(record(), {
          ...later,
          dispenseRequest: { ...later.dispenseRequest, validityPeriod: { start: '2026-01-25' } },
        });
        expect(body.cards[0]!.summary).toBe(
          'This order brings the total from 30 to 90 MME/day from 2026-01-25 (crosses 90)',
        );
        expect(body.cards[0]!.detail).toContain(
          'This order replaces MedicationRequest/cur from 2026-01-25: that order counts until 2026-01-24.',
        );
      });

      it('a replacement dated with a UTC offset starts on the day the record dates are read in', async () => {
        // 20:00 at -08:00 is 04:00 UTC on the 16th: the renewal starts tomorrow, the order it replaces counts today.
        const tomorrow = naming('tomorrow', 'cur');
        const body = await sign(record(), {
          ...tomorrow,
          dispenseRequest: {
            ...tomorrow.dispenseRequest,
            validityPeriod: { start: '2026-01-15T20:00:00-08:00' },
          },
        });
        expect(body.cards[0]!.summary).toBe('This order starts 2026-01-16 and keeps the total at 30 MME/day');
        expect(body.cards[0]!.detail).toContain('from 2026-01-16: that order counts until 2026-01-15.');
      });

      it('a replaced order with no date is not counted beside its renewal', async () => {
        const undated = { ...cur, id: 'undated' } as MedicationRequest;
        delete undated.authoredOn;
        const body = await sign([...syntheticPatient({ fills: [] }), undated], naming('r', 'undated'));
        expectCdsHooksResponse(body);
        expect(body.cards[0]!.summary).not.toMatch(/to (at least )?60/);
        expect(body.cards.map((c) => c.source.topic.code)).not.toContain('naloxone');
      });

      it('buprenorphine replacing the opioid: the total of the other opioids goes from 30 to 0', async () => {
        const bup = {
          ...medicationRequest({
            id: 'bup',
            rxcui: '1010606',
            status: 'draft',
            authoredOn: '2026-01-15',
            dosages: [{ dose: qty(1, 'film'), timing: every(1, 'd') }],
            supply: { days: 30 },
          }),
          priorPrescription: { reference: 'MedicationRequest/cur' },
        };
        const body = await sign(record(), bup);
        expect(body.cards[0]!.summary).toBe(
          'Buprenorphine is not converted to MME: the total of the other opioids goes from 30 to 0 MME/day',
        );
        // Not converted is not unknown: no "why unknown" for it.
        expect(body.cards[0]!.detail).toMatch(/buprenorphine/i);
        expect(body.cards[0]!.detail).not.toContain('Why unknown');
        // Nor when it is to be filled from a later day.
        const later = await sign(record(), {
          ...bup,
          dispenseRequest: { ...bup.dispenseRequest, validityPeriod: { start: '2026-01-25' } },
        });
        expect(later.cards[0]!.summary).toMatch(/^Buprenorphine is not converted to MME/);
        expect(later.cards[0]!.detail).not.toContain('Why unknown');
      });
    });

    it('a renewal keeps the history of the order it replaces: the referral gives the same reasons as patient-view', async () => {
      // Six monthly fills; the last (m5) still covers today. Its renewal, signed today, replaces it.
      const history = chronicPain();
      const last = history.find(
        (r) => r.resourceType === 'MedicationRequest' && r.id === 'm5',
      ) as MedicationRequest;
      const renewal = {
        ...draft('renewal-m5'),
        dosageInstruction: last.dosageInstruction,
        priorPrescription: { reference: 'MedicationRequest/m5' },
      };
      const view = await call(
        '/cds-services/opioid-pain-patient-view',
        hookRequest('patient-view', 'p1', { prefetch: prefetchFor(history) }),
      );
      const sign = await call(
        SIGN,
        hookRequest('order-sign', 'p1', {
          prefetch: prefetchFor(history),
          context: { draftOrders: drafts(renewal) },
        }),
      );
      expectCdsHooksResponse(sign.body);
      const why = (body: {
        cards: { summary: string; detail?: string; source: { topic: { code: string } } }[];
      }) => body.cards.find((c) => c.source.topic.code === 'referralmbtcbt')?.detail?.split('\n')[0];
      // Dropping the replaced order lost its month: "opioids on 151 of the last 180 days", a lower average.
      expect(why(view.body)).toMatch(/^\*\*Why:\*\* current dose \*\*30 MME\/day\*\*/);
      expect(why(sign.body)).toBe(why(view.body));
      expect(sign.body.cards[0].summary).toBe(
        'This order renews the current supply: the total stays at 30 MME/day',
      );
    });

    it('a current order of unknown dose: the totals are lower bounds, and no crossing is claimed', async () => {
      const unknown = medicationRequest({
        id: 'cur-unknown',
        text: 'OxyContin 20 mg',
        authoredOn: '2026-01-10',
        dosages: [{ dose: tab(1), timing: every(12, 'h') }],
        supply: { days: 30 },
      });
      const { body } = await call(
        SELECT,
        hookRequest('order-select', 'p1', {
          prefetch: prefetchFor([...record(), unknown]),
          context: { selections: ['MedicationRequest/new'], draftOrders: drafts(draft('new', tab(1))) },
        }),
      );
      expectCdsHooksResponse(body);
      expect(body.cards[0]).toMatchObject({
        summary: 'This order brings the total from at least 30 to at least 75 MME/day (50 or more)',
        indicator: 'warning',
      });
    });

    it('medication orders read in part: the totals are lower bounds', async () => {
      const prefetch = prefetchFor(record()) as Record<string, Record<string, unknown>>;
      prefetch.medications!.link = [
        { relation: 'next', url: 'https://ehr.example/fhir/MedicationRequest?page=2' },
      ];
      const { body } = await call(
        SIGN,
        hookRequest('order-sign', 'p1', { prefetch, context: { draftOrders: drafts(draft('new', tab(1))) } }),
      );
      expect(body.cards[0].summary).toBe(
        'This order brings the total from at least 30 to at least 75 MME/day (50 or more)',
      );
      expect(body.cards[0].detail).toMatch(
        /Total before this order: at least 30 MME\/day; with it: at least 75 MME\/day\./,
      );
    });

    it('order-select: a benzodiazepine selected with an opioid keeps the co-prescribing card', async () => {
      const benzo = medicationRequest({
        id: 'bz',
        rxcui: '197589',
        status: 'draft',
        dosages: [{ dose: tab(1), timing: every(1, 'd') }],
        supply: { days: 30 },
      });
      const select = (selections: string[]) =>
        call(
          SELECT,
          hookRequest('order-select', 'p1', {
            prefetch: prefetchFor(record()),
            context: { selections, draftOrders: drafts(draft('new', tab(1)), benzo) },
          }),
        );
      expect(topics((await select(['MedicationRequest/bz'])).body)).toEqual(['benzoreview']);
      expect(topics((await select(['MedicationRequest/new', 'MedicationRequest/bz'])).body)).toEqual([
        'ordermme',
        'benzoreview',
      ]);
    });

    it('order-select: a selection may name the draft by its entry fullUrl; one that names nothing is a 400', async () => {
      const urn = 'urn:uuid:11111111-2222-4333-8444-555555555555';
      const select = (selections: string[]) =>
        call(
          SELECT,
          hookRequest('order-select', 'p1', {
            prefetch: prefetchFor(record()),
            context: {
              selections,
              draftOrders: {
                resourceType: 'Bundle',
                type: 'collection',
                entry: [{ fullUrl: urn, resource: draft('new', tab(1)) }],
              },
            },
          }),
        );
      const byUrn = await select([urn]);
      expect(topics(byUrn.body)).toEqual(['ordermme']);
      const nothing = await select(['MedicationRequest/nope']);
      expect(nothing.status).toBe(400);
      expect(nothing.body.message).toBe(
        'context.selections: "MedicationRequest/nope" names no entry of context.draftOrders',
      );
    });

    it('a selection of "MedicationRequest/" names no draft, not the drafts without an id', async () => {
      const noId: Record<string, unknown> = { ...draft('x', tab(1)) };
      delete noId.id;
      const { status, body } = await call(
        SELECT,
        hookRequest('order-select', 'p1', {
          prefetch: prefetchFor(record()),
          context: {
            selections: ['MedicationRequest/'],
            draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: noId }] },
          },
        }),
      );
      expect(status).toBe(400);
      expect(body.message).toBe(
        'context.selections: "MedicationRequest/" names no entry of context.draftOrders',
      );
    });
  });

  it.each([
    [
      'one entry object instead of a list',
      (r: unknown) => ({ resource: r }),
      /context.draftOrders.entry: must be a list/,
    ],
    [
      'a list inside the list',
      (r: unknown) => [[{ resource: r }]],
      /context.draftOrders.entry.0: must be an object/,
    ],
    [
      'a list as the resource',
      (r: unknown) => [{ resource: [r] }],
      /context.draftOrders.entry.0.resource: must be a FHIR resource/,
    ],
    ['an entry that is not an object', () => [null], /context.draftOrders.entry.0: must be an object/],
  ])(
    '400 for draftOrders entries that cannot be read (%s): never a signed opioid without a card',
    async (_, entry, message) => {
      for (const [url, hook] of [
        [SIGN, 'order-sign'],
        [SELECT, 'order-select'],
      ] as const) {
        const { status, body } = await call(
          url,
          hookRequest(hook, 'p1', {
            prefetch: prefetchFor(chronicPain()),
            context: {
              draftOrders: { resourceType: 'Bundle', type: 'collection', entry: entry(draft('new', tab(8))) },
              ...(hook === 'order-select' ? { selections: ['MedicationRequest/new'] } : {}),
            },
          }),
        );
        expect(status, hook).toBe(400);
        expect(body.message, hook).toMatch(message);
      }
    },
  );

  it('400 for a draft order that names another patient than context.patientId (it would count with this one)', async () => {
    const elsewhere = { ...draft('new'), subject: { reference: 'Patient/p2' } };
    const { status, body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(chronicPain()),
        context: { draftOrders: drafts(elsewhere) },
      }),
    );
    expect(status).toBe(400);
    expect(body.message).toBe(
      'context.draftOrders: 1 draft resource names another patient than context.patientId',
    );
  });

  it('order-sign says an unreadable PHQ-9 item 9 beside the other cards, as patient-view does', async () => {
    const unanswered = { ...phq9Item9('phq', 0, '2026-01-10'), valueInteger: undefined } as never;
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(syntheticPatient({ extra: [unanswered] })),
        context: { draftOrders: drafts(draft('new')) },
      }),
    );
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => c.source.topic?.code)).toEqual([
      'ordermme',
      'datagap',
      'naloxone',
      'referralmbtcbt',
    ]);
    // The dose is the order card's business: the gap card speaks of the answer only.
    expect(cards[1]!.summary).toBe('Safety check incomplete: a PHQ-9 item 9 answer could not be read');
  });

  it('an order below the thresholds is information', async () => {
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(syntheticPatient({ fills: [] })),
        context: { draftOrders: drafts(draft('new', mg(5))) },
      }),
    );
    expect(body.cards[0]).toMatchObject({
      summary: 'This order brings the total from 0 to 45 MME/day',
      indicator: 'info',
    });
  });

  it('reads the Medication a draft order refers to from the FHIR server when the EHR did not send it', async () => {
    const oxycodone = medication('med-remote', {
      rxcui: '1049621',
      display: 'oxycodone hydrochloride 5 MG Oral Tablet',
    });
    const server = await fhir([...chronicPain(), oxycodone]);
    const order = medicationRequest({
      id: 'by-ref',
      medicationReference: 'Medication/med-remote',
      status: 'draft',
      dosages: [{ dose: tab(2), timing: every(4, 'h') }],
      supply: { days: 30 },
    });
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        fhirServer: server.baseUrl,
        prefetch: prefetchFor(chronicPain()),
        context: { draftOrders: drafts(order) },
      }),
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' },
    );
    expect(server.requests.map((r) => r.url)).toEqual(['/fhir/Medication/med-remote']);
    expect(body.cards[0].summary).toBe('This order brings the total from 30 to 120 MME/day (crosses 90)');
  });

  it('reads the Medication a draft order names by the urn:uuid of its entry in draftOrders', async () => {
    const urn = 'urn:uuid:0f0f0f0f-0000-4000-8000-000000000001';
    // A Medication entry without a server id yet: only its fullUrl names it.
    const oxycodone: Resource = {
      ...medication('unused', { rxcui: '1049621', display: 'oxycodone hydrochloride 5 MG Oral Tablet' }),
      id: undefined,
    };
    const order = medicationRequest({
      id: 'by-urn',
      medicationReference: urn,
      status: 'draft',
      dosages: [{ dose: tab(2), timing: every(4, 'h') }],
      supply: { days: 30 },
    });
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(chronicPain()),
        context: {
          draftOrders: {
            resourceType: 'Bundle',
            type: 'collection',
            entry: [{ resource: order }, { fullUrl: urn, resource: oxycodone }],
          },
        },
      }),
    );
    expect(body.cards[0].summary).toBe('This order brings the total from 30 to 120 MME/day (crosses 90)');
  });

  it('says when the MME of the order cannot be computed, with the reason', async () => {
    const unknown = medicationRequest({
      id: 'u',
      text: 'OxyContin 20 mg',
      status: 'draft',
      dosages: [{ dose: tab(1), timing: every(12, 'h') }],
    });
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(chronicPain()),
        context: { draftOrders: drafts(unknown) },
      }),
    );
    expect(body.cards[0]).toMatchObject({
      summary: 'The MME of this order cannot be computed: the total is at least 30 MME/day',
      indicator: 'warning',
    });
    expect(body.cards[0].detail).toMatch(/Why unknown:/);
  });

  it('a non-opioid draft gets no cards', async () => {
    const ibuprofen = medicationRequest({
      id: 'i',
      rxcui: '197806',
      display: 'ibuprofen 600 MG Oral Tablet',
      status: 'draft',
      dosages: [{ dose: tab(1), timing: every(8, 'h') }],
    });
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(chronicPain()),
        context: { draftOrders: drafts(ibuprofen) },
      }),
    );
    expect(body).toEqual({ cards: [] });
  });

  it('counts a draft from today, whatever date it carries: a draft started long ago keeps its cards', async () => {
    const request = (authoredOn: string) =>
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(chronicPain()),
        context: { draftOrders: drafts({ ...draft('new'), authoredOn }) },
      });
    const today = await call(SIGN, request('2026-01-15'));
    expect(today.body.cards.map((c: { source: { topic: { code: string } } }) => c.source.topic.code)).toEqual(
      ['ordermme', 'naloxone', 'referralmbtcbt'],
    );
    for (const authoredOn of ['2025-06-01', '2025-12-01T09:30:00Z', '2030-01-01']) {
      const { body } = await call(SIGN, request(authoredOn));
      expect(summaries(body.cards), authoredOn).toEqual(summaries(today.body.cards));
    }
    // A renewal that kept the first order's validity start is signed now too.
    const renewal = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(chronicPain()),
        context: {
          draftOrders: drafts({
            ...draft('new'),
            dispenseRequest: {
              ...draft('new').dispenseRequest,
              validityPeriod: { start: '2025-06-01', end: '2026-06-01' },
            },
          }),
        },
      }),
    );
    expect(summaries(renewal.body.cards)).toEqual(summaries(today.body.cards));
  });

  it('a benzodiazepine ordered for a patient on opioids gets the co-prescribing card, and only it', async () => {
    const diazepam = medicationRequest({
      id: 'benzo-draft',
      rxcui: '197589',
      status: 'draft',
      dosages: [{ dose: tab(1), timing: every(1, 'd') }],
      supply: { days: 30 },
    });
    for (const [url, hook, context] of [
      [SIGN, 'order-sign', { draftOrders: drafts(diazepam) }],
      [
        SELECT,
        'order-select',
        { selections: ['MedicationRequest/benzo-draft'], draftOrders: drafts(diazepam) },
      ],
    ] as const) {
      const { body } = await call(
        url,
        hookRequest(hook, 'p1', { prefetch: prefetchFor(chronicPain()), context }),
      );
      const cards = expectCdsHooksResponse(body);
      expect(
        cards.map((c) => c.source.topic?.code),
        hook,
      ).toEqual(['benzoreview']);
      expect(body.cards[0].indicator).toBe('warning');
      expect(body.cards[0].detail).toMatch(
        /Benzodiazepine with opioids: .* overlaps opioid orders on 1 day$/m,
      );
    }
    // An excluded patient (here under 18) gets no safety card on patient-view, nor here.
    const excluded = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(syntheticPatient({ birthDate: '2010-01-01' })),
        context: { draftOrders: drafts(diazepam) },
      }),
    );
    expect(excluded.body).toEqual({ cards: [] });
    // Without opioids, a benzodiazepine order is none of this service's business.
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(syntheticPatient({ fills: [] })),
        context: { draftOrders: drafts(diazepam) },
      }),
    );
    expect(body).toEqual({ cards: [] });
  });

  it('a renewal of the same order signed a few days before the supply ends continues the dose, not doubles it', async () => {
    const resources = chronicPain();
    const last = resources
      .filter((r): r is MedicationRequest => r.resourceType === 'MedicationRequest')
      .at(-1)!;
    const renewal: MedicationRequest = { ...last, id: 'renewal', status: 'draft' };
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(resources),
        context: { draftOrders: drafts(renewal) },
      }),
    );
    const card = body.cards[0];
    expect(card.summary).toBe('This order renews the current supply: the total stays at 30 MME/day');
    expect(card.indicator).toBe('info');
    expect(card.detail).toMatch(/renews MedicationRequest\/m5 \d+ days? before its supply ends/);
    // Control: the same order with another dose adds to the total.
    const doubled = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(resources),
        context: {
          draftOrders: drafts({
            ...renewal,
            dosageInstruction: [{ timing: every(1, 'd', 8), doseAndRate: [{ doseQuantity: tab(1) }] }],
          }),
        },
      }),
    );
    expect(doubled.body.cards[0].summary).toBe(
      'This order brings the total from 30 to 90 MME/day (crosses 90)',
    );
  });

  it('a revision of an existing order replaces it rather than adding to it', async () => {
    const resources = chronicPain();
    const last = resources
      .filter((r): r is MedicationRequest => r.resourceType === 'MedicationRequest')
      .at(-1)!;
    const revised: MedicationRequest = {
      ...last,
      status: 'active',
      dosageInstruction: [{ timing: every(1, 'd', 2), doseAndRate: [{ doseQuantity: tab(1) }] }],
    };
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(resources),
        context: { draftOrders: drafts(revised) },
      }),
    );
    expect(body.cards[0].summary).toBe('This order brings the total from 30 to 15 MME/day');
  });

  it('lists at most ten of many drafts, those of unknown MME first, and counts them all', async () => {
    const many = Array.from({ length: 30 }, (_, i) => draft(`d${i}`, tab(1)));
    const unknown = { ...draft('unknown'), dosageInstruction: [{ text: 'as directed' }] };
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(chronicPain()),
        context: { draftOrders: drafts(...many, unknown) },
      }),
    );
    const detail: string = body.cards[0].detail;
    const lines = detail.split('\n').filter((l) => l.startsWith('- '));
    expect(lines).toHaveLength(11);
    expect(lines[0]).toMatch(/MME unknown/);
    expect(lines[10]).toBe('- and 21 more orders (in the totals below)');
    // 30 drafts of 45 MME/day each, and one of unknown dose: a lower bound.
    expect(detail).toContain('with it: at least 1380 MME/day');
  });

  it("a revision keeps the past days of the order it revises: the history is patient-view's", async () => {
    const resources = chronicPain();
    const last = resources
      .filter((r): r is MedicationRequest => r.resourceType === 'MedicationRequest')
      .at(-1)!;
    const why = (cards: { detail: string; source: { topic: { code: string } } }[]) =>
      cards.find((c) => c.source.topic.code === 'referralmbtcbt')?.detail.split('\n')[0];
    const view = await call(PV, hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }));
    const { body } = await call(
      SIGN,
      hookRequest('order-sign', 'p1', {
        prefetch: prefetchFor(resources),
        context: { draftOrders: drafts({ ...last, status: 'active' }) },
      }),
    );
    expect(why(body.cards)).toMatch(/90-day average 30 MME\/day; opioids on 1\d\d of the last 180 days/);
    expect(why(body.cards)).toBe(why(view.body.cards));
    expect(body.cards[0].detail).toContain(
      `This order revises MedicationRequest/${last.id} from 2026-01-15: the order as it was counts until 2026-01-14.`,
    );
  });
});

describe('errors', () => {
  it.each([
    ['malformed JSON', '{"hook": ', /not valid JSON/],
    [
      'no hookInstance',
      JSON.stringify({ hook: 'patient-view', context: { patientId: 'p1' } }),
      /hookInstance: is required/,
    ],
    [
      'a hookInstance that is not a UUID',
      JSON.stringify({ hook: 'patient-view', hookInstance: 'abc', context: { patientId: 'p1' } }),
      /hookInstance: must be a UUID/,
    ],
    [
      'no patientId',
      JSON.stringify({
        hook: 'patient-view',
        hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
        context: {},
      }),
      /context.patientId: is required/,
    ],
    ...['../../x', '..', '.', 'a b&c=<script>', 'p1\n', 'x'.repeat(65)].map((patientId) => [
      `a patientId that is not a FHIR id (${JSON.stringify(patientId.slice(0, 12))})`,
      JSON.stringify(hookRequest('patient-view', patientId)),
      /context.patientId: must be a FHIR id/,
    ]),
    [
      'another hook',
      JSON.stringify(hookRequest('order-sign', 'p1')),
      /answers "patient-view", not "order-sign"/,
    ],
    [
      'a FHIR Bundle instead of a hook request',
      JSON.stringify({ resourceType: 'Bundle', type: 'collection' }),
      /^(?!.*wrap it).*hook: is required/,
    ],
    [
      'a prefetch value that is a list',
      JSON.stringify(hookRequest('patient-view', 'p1', { prefetch: { medications: [] } })),
      /prefetch.medications: must be a FHIR resource \(an object with a resourceType\) or null/,
    ],
    [
      'a prefetch value that is not a resource',
      JSON.stringify(hookRequest('patient-view', 'p1', { prefetch: { patient: 'x' } })),
      /prefetch/,
    ],
    [
      'a fhirAuthorization without the fhirServer it is for',
      JSON.stringify(hookRequest('patient-view', 'p1', { fhirAuthorization: AUTH, prefetch: {} })),
      /fhirServer: is required when fhirAuthorization is given/,
    ],
    [
      'a token that expired before it was sent (expires_in < 0)',
      JSON.stringify(
        hookRequest('patient-view', 'p1', {
          fhirServer: 'https://ehr.example.org/fhir',
          fhirAuthorization: { ...AUTH, expires_in: -1 },
        }),
      ),
      /fhirAuthorization.expires_in: must be a number of seconds, not negative/,
    ],
    [
      'an access token with a line break (it could not be sent as a header)',
      withToken('abc\r\nX-Injected: 1'),
      NOT_A_TOKEN,
    ],
    ['an access token with a character no HTTP header can carry', withToken('token\u20ac'), NOT_A_TOKEN],
    ['an access token with a space', withToken('two words'), NOT_A_TOKEN],
  ])('400 for %s', async (_, payload, message) => {
    const res = await build().inject({
      method: 'POST',
      url: PV,
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
  });

  it('never repeats a patient id or a prefetched value in a 400 message', async () => {
    const patient = await build().inject({
      method: 'POST',
      url: PV,
      payload: hookRequest('patient-view', 'Jane Doe 1985-03-10', {
        prefetch: { patient: 'Jane Doe, DOB 1985' },
      }),
    });
    expect(patient.statusCode).toBe(400);
    expect(patient.json().message).toMatch(/context.patientId: must be a FHIR id/);
    expect(patient.body).not.toMatch(/Jane|1985/);
  });

  it('400 for order-select without selections', async () => {
    const res = await build().inject({
      method: 'POST',
      url: SELECT,
      payload: hookRequest('order-select', 'p1', { context: { draftOrders: { resourceType: 'Bundle' } } }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/selections/);
    // Every issue of the context is named by its place in the request.
    const two = await build().inject({
      method: 'POST',
      url: SELECT,
      payload: hookRequest('order-select', 'p1', {
        context: { selections: [1, 2], draftOrders: { resourceType: 'Bundle' } },
      }),
    });
    expect(two.json().message).toMatch(/^context\.selections\.0: .*; context\.selections\.1: /);
  });

  it("answers the router's own refusals in the same shape as every error, without echoing the URL", async () => {
    const app = build();
    for (const [url, status] of [
      ['/app/%ff', 400],
      [`/cds-services/${'x'.repeat(200)}`, 414],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, payload: {} });
      expect(res.statusCode, url).toBe(status);
      expect(Object.keys(res.json<object>()).sort()).toEqual(['error', 'message', 'statusCode']);
      expect(res.body).not.toMatch(/FST_|%ff|xxxx/);
    }
  });

  it('404 for an unknown service', async () => {
    const res = await build().inject({
      method: 'POST',
      url: '/cds-services/nope',
      payload: hookRequest('patient-view', 'p1'),
    });
    expect(res.statusCode).toBe(404);
  });

  it('405 with Allow for a method a route does not answer; 404 where no route is', async () => {
    const app = build();
    const cases = [
      ['GET', PV, 'POST'],
      ['DELETE', '/cds-services', 'GET, HEAD'],
      ['PUT', '/analysis', 'POST'],
      ['GET', '/cds-services/opioid-pain-patient-view/feedback', 'POST'],
      // Percent-encoded, as the router reads it.
      ['POST', '/cds-servic%65s?x=1', 'GET, HEAD'],
    ] as const;
    for (const [method, url, allow] of cases) {
      const res = await app.inject({ method, url });
      expect([url, res.statusCode, res.headers.allow]).toEqual([url, 405, allow]);
      expect(res.json()).toEqual({
        statusCode: 405,
        error: 'Method Not Allowed',
        message: `${method} is not allowed here; use ${allow.replace(', ', ' or ')}`,
      });
    }
    const none = await app.inject({ method: 'GET', url: '/nothing-here' });
    expect([none.statusCode, none.headers.allow]).toEqual([404, undefined]);
  });

  it('412 without prefetch or fhirServer', async () => {
    const { status, body } = await call(PV, hookRequest('patient-view', 'p1'));
    expect(status).toBe(412);
    expect(body.message).toMatch(/no fhirServer given/);
  });

  it('412 for a fhirServer not on the allow-list, without a single request to it', async () => {
    const server = await fhir(chronicPain());
    const { status, body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl }),
    );
    expect(status).toBe(412);
    expect(body.message).toMatch(/not one this service may call/);
    expect(server.requests).toEqual([]);
  });

  it('412 for an allow-listed fhirServer without fhirAuthorization, without a single request to it', async () => {
    const server = await fhir(chronicPain());
    const env = { FHIR_ALLOWED_BASE_URLS: server.baseUrl };
    const { status, body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl, fhirAuthorization: undefined }),
      env,
    );
    expect(status).toBe(412);
    expect(body.message).toMatch(/no fhirAuthorization given/);
    // A paged prefetch is read as far as it goes; its next pages are not fetched without a token either.
    const resources = chronicPain();
    const paged = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        fhirServer: server.baseUrl,
        fhirAuthorization: undefined,
        prefetch: {
          ...prefetchFor(resources),
          medications: {
            resourceType: 'Bundle',
            type: 'searchset',
            link: [{ relation: 'next', url: `${server.baseUrl}/MedicationRequest?patient=p1&_offset=6` }],
            entry: resources
              .filter((r) => r.resourceType === 'MedicationRequest')
              .map((resource) => ({ resource })),
          },
        },
      }),
      env,
    );
    expect(paged.status).toBe(200);
    expect(JSON.stringify(paged.body)).toMatch(/medication orders: prefetch holds only the first page/);
    expect(server.requests).toEqual([]);
  });

  it('a prefetched search holding fewer matches than its total, with no next link, is partial; its includes do not count', async () => {
    const resources = chronicPain();
    const orders = resources.filter((r) => r.resourceType === 'MedicationRequest');
    const medications = (total: number, extra: unknown[] = []) => ({
      resourceType: 'Bundle',
      type: 'searchset',
      total,
      entry: [...orders.map((resource) => ({ resource, search: { mode: 'match' } })), ...extra],
    });
    const withMedications = async (value: unknown) =>
      JSON.stringify(
        (
          await call(
            PV,
            hookRequest('patient-view', 'p1', {
              prefetch: { ...prefetchFor(resources), medications: value },
            }),
          )
        ).body,
      );
    const cut = await withMedications(medications(250));
    expect(cut).toContain(
      `medication orders: the search counts 250 results but ${orders.length} were sent, with no link to the rest`,
    );
    expect(cut).toContain('Data not complete');
    // As many matches as counted, with Medications the search included and an outcome: complete.
    const included = [
      { resource: { resourceType: 'Medication', id: 'med-x' }, search: { mode: 'include' } },
      {
        resource: {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'information', code: 'informational' }],
        },
        search: { mode: 'outcome' },
      },
    ];
    const complete = await withMedications(medications(orders.length, included));
    expect(complete).not.toContain('the search counts');
    expect(complete).not.toContain('Data not complete');
  });

  it('412 when the FHIR server is stopped, not a hang or a 500', async () => {
    const server = await fhir(chronicPain());
    const url = server.baseUrl;
    await server.close();
    const started = Date.now();
    const { status } = await call(PV, hookRequest('patient-view', 'p1', { fhirServer: url }), {
      FHIR_ALLOWED_BASE_URLS: url,
    });
    expect(status).toBe(412);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('412 when a required search fails; an optional one makes the data partial', async () => {
    const resources = chronicPain();
    const server = await fhir(resources);
    const env = { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' };
    server.failures = [{ pattern: /^\/fhir\/Condition/, status: 500 }];
    expect(
      (await call(PV, hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl }), env)).status,
    ).toBe(412);
    server.failures = [{ pattern: /^\/fhir\/Observation/, status: 500 }];
    const partial = await call(PV, hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl }), env);
    expect(partial.status).toBe(200);
    expect(partial.body.cards[0].detail).toMatch(/observations .* not checked: the FHIR server answered 500/);
  });

  it('412 when a required search is answered with an OperationOutcome (or another resource) and status 200', async () => {
    const resources = chronicPain();
    const server = await fhir(resources);
    const env = { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' };
    server.failures = [{ pattern: /^\/fhir\/MedicationRequest/, status: 200 }];
    const outcome = await call(PV, hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl }), env);
    expect([outcome.status, outcome.body.message]).toEqual([
      412,
      expect.stringMatching(/medication orders: the FHIR server answered an OperationOutcome \(exception\)/),
    ]);
    server.failures = [{ pattern: /^\/fhir\/Observation/, status: 200 }];
    const partial = await call(PV, hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl }), env);
    expect(partial.status).toBe(200);
    expect(partial.body.cards[0].detail).toMatch(
      /observations .* not checked: the FHIR server answered an OperationOutcome/,
    );
  });

  it('fetches a prefetched search whose results report an error again from the server', async () => {
    const resources = chronicPain();
    const server = await fhir(resources);
    const prefetch = prefetchFor(resources);
    prefetch.medications = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [outcomeEntry('fatal', 'exception')],
    };
    const { status, body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { prefetch, fhirServer: server.baseUrl, fhirAuthorization: AUTH }),
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' },
    );
    expect(status).toBe(200);
    expect(server.requests.map((r) => r.url.split('?')[0])).toEqual(['/fhir/MedicationRequest']);
    const cards = expectCdsHooksResponse(body);
    expect(cards.map((c) => c.source.topic?.code)).toEqual(['referralmbtcbt']);
    expect(cards[0]!.detail).not.toMatch(/Data not complete/);
  });

  it('keeps a prefetched search that reported an error when reading it again fails too', async () => {
    const resources = chronicPain();
    const server = await fhir(resources);
    server.failures = [{ pattern: /^\/fhir\/MedicationRequest/, status: 500 }];
    const prefetch = prefetchFor(resources) as Record<string, Bundle>;
    prefetch.medications = {
      ...prefetch.medications!,
      entry: [...(prefetch.medications!.entry ?? []), outcomeEntry('error', 'too-costly')],
    };
    const { status, body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { prefetch, fhirServer: server.baseUrl, fhirAuthorization: AUTH }),
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' },
    );
    expect(status).toBe(200);
    expect(body.cards[0].source.topic.code).toBe('referralmbtcbt');
    expect(body.cards[0].detail).toMatch(
      /medication orders: reading it again from the FHIR server failed \(the FHIR server answered 500\); the prefetch is used/,
    );
  });

  it('says so when the medication orders search failed, even with no opioid order read', async () => {
    const resources = syntheticPatient({ fills: [] });
    const server = await fhir(resources);
    server.failures = [{ pattern: /^\/fhir\/MedicationRequest/, status: 500 }];
    const failedSearch = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [outcomeEntry('error', 'timeout')],
    };
    const env = { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' };
    for (const extra of [{}, { fhirServer: server.baseUrl }]) {
      const prefetch = { ...prefetchFor(resources), medications: failedSearch };
      const { status, body } = await call(PV, hookRequest('patient-view', 'p1', { prefetch, ...extra }), env);
      expect(status).toBe(200);
      const cards = expectCdsHooksResponse(body);
      expect(cards.map((c) => c.summary)).toEqual([
        expect.stringMatching(/^Opioid check incomplete: part of the record could not be read or checked/),
      ]);
      expect(cards[0]!.detail).toMatch(/medication orders: .*reported an error in its results/);
    }
    // Control: the same failure of an optional search, for a patient with no opioid order, says nothing.
    const prefetch = { ...prefetchFor(resources), observations: failedSearch };
    const quiet = await call(PV, hookRequest('patient-view', 'p1', { prefetch }));
    expect(quiet.body).toEqual({ cards: [] });
  });

  it('412 when the server does not answer before the deadline', async () => {
    const server = await fhir(chronicPain());
    server.delayMs = 2000;
    const started = Date.now();
    const { status, body } = await call(
      PV,
      hookRequest('patient-view', 'p1', { fhirServer: server.baseUrl }),
      { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '200' },
    );
    expect(status).toBe(412);
    expect(body.message).toMatch(/deadline/);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('quantities in prefetch', () => {
  it('reads a supply-only order (quantity over duration) through the hook', async () => {
    const supply = medicationRequest({
      id: 's',
      rxcui: '857005',
      authoredOn: '2026-01-01',
      supply: { quantity: qty(240, 'tablet'), days: 30 },
    });
    const { body } = await call(
      PV,
      hookRequest('patient-view', 'p1', {
        prefetch: prefetchFor([...syntheticPatient({ fills: [] }), supply]),
      }),
    );
    expect(
      body.cards.some((c: { detail: string }) => /current dose \*\*60 MME\/day\*\*/.test(c.detail)),
    ).toBe(true);
  });
});
