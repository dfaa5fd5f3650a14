/**
 * The demo as `npm start` runs it: the service reads synthetic patients from its embedded FHIR store over HTTP with
 * no prefetch (as from an EHR's FHIR server), with the same cards as with full prefetch; calls are signed with the
 * development key the demo page uses; the pages and the browser modules are served, and nothing else under src/.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { ORDER_OPTIONS } from '../../src/demo/order-options.ts';
import { DEMO_FHIR_AUTHORIZATION } from '../../src/demo/demo.routes.ts';
import { localDate, systemClock } from '../../src/platform/clock.ts';
import { demoPatientsFile } from '../synthetic/demo-population.ts';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.ts';

const PATIENT_VIEW = '/cds-services/opioid-pain-patient-view';
const ORDER_SIGN = '/cds-services/opioid-pain-order-sign';
let demo: DemoServer;

beforeAll(async () => {
  demo = await startDemoServer();
}, 60_000);
afterAll(async () => {
  await demo.close();
});

interface CardJson {
  summary: string;
  detail: string;
  indicator: string;
  source: { topic: { code: string } };
  suggestions?: { label: string }[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
async function call(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${demo.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await demo.token(path)}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const hook = (patientId: string, extra: Record<string, unknown> = {}) => ({
  hook: 'patient-view',
  hookInstance: crypto.randomUUID(),
  fhirServer: `${demo.url}/demo/fhir`,
  fhirAuthorization: DEMO_FHIR_AUTHORIZATION,
  context: { userId: 'Practitioner/demo-clinician', patientId },
  ...extra,
});

/** Cards without what differs between two calls (uuids, links carry the same patient). */
const comparable = (cards: CardJson[]) =>
  cards.map((c) => ({
    summary: c.summary,
    detail: c.detail,
    indicator: c.indicator,
    topic: c.source.topic.code,
  }));

describe('demo data', () => {
  it('is what the synthetic population generator gives (npm run demo:build)', () => {
    const file = join(import.meta.dirname, '../../src/demo/data/demo-patients.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(demoPatientsFile())));
  });

  it("offers in the order form only products of the project's product table, under their RxNorm names", () => {
    const table = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '../../src/domain/opioid/data/rxnorm-opioid-products.json'),
        'utf8',
      ),
    ) as { rows: [string, string][] };
    const names = new Map(table.rows.map((r) => [r[0], r[1]]));
    for (const option of ORDER_OPTIONS) expect(names.get(option.rxcui), option.rxcui).toBe(option.name);
  });
});

describe('the demo service', () => {
  it('lists the synthetic patients with age, pain condition and current dose, dated to today', async () => {
    const patients = (await (await fetch(`${demo.url}/demo/api/patients`)).json()) as {
      id: string;
      name: string;
      age: number;
      currentMme: number;
      mmeComplete: boolean;
      painConditions: string[];
    }[];
    expect(patients).toHaveLength(14);
    const dana = patients.find((p) => p.id === 'branch-chronic-pain');
    expect(dana).toMatchObject({ name: 'Dana Whitfield', age: 55, currentMme: 30, mmeComplete: true });
    expect(dana?.painConditions).toEqual(['Chronic low back pain']);
    expect(patients.find((p) => p.id === 'no-opioids')?.currentMme).toBe(0);
    // An order of unknown dose: the total is a lower bound, and says so.
    expect(patients.find((p) => p.id === 'unknown-dose')).toMatchObject({
      currentMme: 30,
      mmeComplete: false,
    });
  });

  it('answers patient-view from the embedded FHIR store with no prefetch: MORE for misuse, MBT and CBT otherwise', async () => {
    const misuse = await call(PATIENT_VIEW, hook('branch-misuse'));
    expect(misuse.status).toBe(200);
    expect(misuse.body.cards.map((c: CardJson) => c.source.topic.code)).toContain('referralmore');
    const pain = await call(PATIENT_VIEW, hook('branch-chronic-pain'));
    const referral = pain.body.cards.find((c: CardJson) => c.source.topic.code === 'referralmbtcbt');
    expect(referral.suggestions.map((s: { label: string }) => s.label)).toEqual([
      expect.stringMatching(/mindfulness-based/i),
      expect.stringMatching(/cognitive behavioural/i),
    ]);
  });

  it('gives the same cards with no prefetch (several search pages read) as with the whole record prefetched', async () => {
    const key = 'five-year-monthly';
    const patient = demoPatientsFile().patients.find((p) => p.key === key);
    expect(patient).toBeDefined();
    const fetched = await call(PATIENT_VIEW, hook(key));
    // The same record, prefetched: read from the store as the service's prefetch templates would have it.
    const read = async (query: string) => (await fetch(`${demo.url}/demo/fhir/${query}`)).json();
    const all = async (query: string) => {
      const entries: unknown[] = [];
      let url: string | undefined = `${demo.url}/demo/fhir/${query}`;
      while (url) {
        const page = (await (await fetch(url)).json()) as {
          entry?: unknown[];
          link: { relation: string; url: string }[];
        };
        entries.push(...(page.entry ?? []));
        url = page.link.find((l) => l.relation === 'next')?.url;
      }
      return { resourceType: 'Bundle', type: 'searchset', entry: entries };
    };
    const prefetch = {
      patient: await read(`Patient/${key}`),
      medications: await all(
        `MedicationRequest?patient=${key}&_include=MedicationRequest:medication&_count=50`,
      ),
      conditions: await all(`Condition?patient=${key}&_count=50`),
      observations: await all(`Observation?patient=${key}&_count=50`),
      serviceRequests: await all(`ServiceRequest?patient=${key}&_count=50`),
      encounters: null,
      dispenses: null,
    };
    expect(prefetch.medications.entry.length).toBeGreaterThan(50);
    const prefetched = await call(PATIENT_VIEW, { ...hook(key), prefetch });
    expect(prefetched.status).toBe(200);
    expect(comparable(fetched.body.cards)).toEqual(comparable(prefetched.body.cards));
    expect(fetched.body.cards.length).toBeGreaterThan(0);
  });

  it('answers order-sign for a drafted order with the new total', async () => {
    const draft = {
      resourceType: 'MedicationRequest',
      id: 'draft-1',
      status: 'draft',
      intent: 'order',
      subject: { reference: 'Patient/branch-chronic-pain' },
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1049683' }],
      },
      dosageInstruction: [
        {
          timing: { repeat: { frequency: 1, period: 6, periodUnit: 'h' } },
          doseAndRate: [{ doseQuantity: { value: 2, unit: 'tablet' } }],
        },
      ],
    };
    const res = await call(ORDER_SIGN, {
      ...hook('branch-chronic-pain'),
      hook: 'order-sign',
      context: {
        userId: 'Practitioner/demo-clinician',
        patientId: 'branch-chronic-pain',
        draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] },
      },
    });
    expect(res.status).toBe(200);
    // 2 x 10 mg every 6 hours = 80 mg oxycodone = 120 MME/day on top of 30.
    expect(res.body.cards.map((c: CardJson) => c.summary).join(' ')).toMatch(/30 to 150 MME\/day/);
  });

  it('stops offering a referral once the drafted ServiceRequest is signed into the record', async () => {
    const before = await call(PATIENT_VIEW, hook('escalating'));
    const card = before.body.cards.find((c: CardJson) => c.source.topic.code === 'referralmbtcbt');
    expect(card).toBeDefined();
    const resource = card.suggestions[0].actions[0].resource;
    const created = await fetch(`${demo.url}/demo/fhir/ServiceRequest`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        ...resource,
        status: 'active',
        intent: 'order',
        authoredOn: new Date().toISOString(),
      }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(/\/demo\/fhir\/ServiceRequest\/[0-9a-f-]{36}$/);
    const after = await call(PATIENT_VIEW, hook('escalating'));
    expect(after.body.cards.map((c: CardJson) => c.source.topic.code)).not.toContain('referralmbtcbt');
  });

  it('answers FHIR errors as OperationOutcomes', async () => {
    const unknown = await fetch(`${demo.url}/demo/fhir/Patient/nobody`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    const unsupported = await fetch(`${demo.url}/demo/fhir/Observation?patient=branch-misuse&code=x`);
    expect(unsupported.status).toBe(400);
    expect(JSON.stringify(await unsupported.json())).toMatch(/code is not supported/);
    const patientWrite = await fetch(`${demo.url}/demo/fhir/Patient`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect([patientWrite.status, patientWrite.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    // Methods it does not serve, bodies that are not JSON, types and paths it does not know: OperationOutcomes too.
    const outcomeOf = async (response: Response) => ({
      status: response.status,
      allow: response.headers.get('allow'),
      type: response.headers.get('content-type'),
      body: (await response.json()) as {
        resourceType: string;
        issue: { code: string; diagnostics: string }[];
      },
    });
    const put = await outcomeOf(
      await fetch(`${demo.url}/demo/fhir/Patient/branch-misuse`, { method: 'PUT' }),
    );
    expect(put).toMatchObject({
      status: 405,
      allow: 'GET, HEAD',
      type: 'application/fhir+json; charset=utf-8',
    });
    expect(put.body.issue[0]).toMatchObject({ code: 'not-supported' });
    const remove = await outcomeOf(await fetch(`${demo.url}/demo/fhir/ServiceRequest`, { method: 'DELETE' }));
    expect(remove).toMatchObject({ status: 405, allow: 'GET, HEAD, POST' });
    // POST is named only where the store creates: /metadata and /Patient match the create route, which refuses them.
    for (const where of ['metadata', 'Patient', 'Patient?name=x']) {
      const other = await outcomeOf(await fetch(`${demo.url}/demo/fhir/${where}`, { method: 'DELETE' }));
      expect({ where, ...other }).toMatchObject({ where, status: 405, allow: 'GET, HEAD' });
    }
    const badJson = await outcomeOf(
      await fetch(`${demo.url}/demo/fhir/ServiceRequest`, {
        method: 'POST',
        body: '{"resourceType":',
        headers: { 'content-type': 'application/fhir+json' },
      }),
    );
    expect(badJson).toMatchObject({ status: 400, body: { resourceType: 'OperationOutcome' } });
    expect(badJson.body.issue[0]!.diagnostics).toMatch(/not valid JSON/);
    const foreignType = await outcomeOf(
      await fetch(`${demo.url}/demo/fhir/Appointment?patient=branch-misuse`),
    );
    expect(foreignType).toMatchObject({ status: 404, body: { resourceType: 'OperationOutcome' } });
    expect(foreignType.body.issue[0]!.diagnostics).toBe(
      'Appointment is not a resource type the demo store serves',
    );
    const deep = await outcomeOf(await fetch(`${demo.url}/demo/fhir/Patient/branch-misuse/_history/1`));
    expect(deep).toMatchObject({ status: 404, body: { resourceType: 'OperationOutcome' } });
    // A type it serves but holds nothing of is an empty result, as on any FHIR server.
    const encounters = await fetch(`${demo.url}/demo/fhir/Encounter?patient=branch-misuse`);
    expect(encounters.status).toBe(200);
    expect(await encounters.json()).toMatchObject({ resourceType: 'Bundle', total: 0 });
  });

  it("hands the page a key of its own, made in memory - never the development issuer's stored key", async () => {
    const session = (await (await fetch(`${demo.url}/demo/api/session`)).json()) as {
      issuer: string;
      signingKey: { d: string };
    };
    expect(session.issuer).toBe('urn:opioid-pain-cds:demo-page');
    const stored = JSON.parse(readFileSync(join(demo.dataDir, 'dev-issuer', 'private.jwk.json'), 'utf8')) as {
      d: string;
    };
    expect(session.signingKey.d).not.toBe(stored.d);
  });

  it('answers only requests addressed to this machine (a rebound DNS name cannot read the key or the patients)', async () => {
    const get = (path: string, host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${demo.url}${path}`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    const port = new URL(demo.url).port;
    for (const path of ['/demo/api/session', '/demo/api/patients', '/demo/fhir/Patient/branch-misuse']) {
      expect(await get(path, `attacker.example:${port}`), path).toBe(403);
      expect(await get(path, `127.0.0.1:${port}`), path).toBe(200);
      expect(await get(path, `localhost:${port}`), path).toBe(200);
    }
  });

  it('still refuses unsigned hook calls', async () => {
    const res = await fetch(`${demo.url}${PATIENT_VIEW}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(hook('branch-misuse')),
    });
    expect(res.status).toBe(401);
  });
});

describe('pages and browser modules', () => {
  it('serves the pages with a strict content security policy', async () => {
    for (const page of ['/demo', '/trend']) {
      const res = await fetch(`${demo.url}${page}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await res.text()).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
    }
  });

  it("gives the trend app the service's date, so that the page computes for the day of the cards", async () => {
    // Just before midnight on the service's clock: a browser elsewhere may already be in the next day.
    const app = buildApp({
      config: loadConfig({ DATA_DIR: demo.dataDir }),
      clock: () => new Date(2026, 0, 15, 23, 59, 0),
    });
    const res = await app.inject({ url: '/trend/config.json' });
    expect(res.json()).toMatchObject({ today: '2026-01-15' });
    expect(res.headers['cache-control']).toBe('no-store');
    await app.close();
  });

  it('lets the EHRs named in TREND_FRAME_ANCESTORS frame the trend page, and no one the demo page', async () => {
    const frameAncestors = (headers: Record<string, unknown>): string | undefined =>
      /frame-ancestors ([^;]*)/.exec(String(headers['content-security-policy']))?.[1];
    // By default only the service's own pages.
    expect(frameAncestors(Object.fromEntries((await fetch(`${demo.url}/trend`)).headers))).toBe("'self'");
    const app = buildApp({
      config: loadConfig({
        DEMO: 'on',
        TREND_FRAME_ANCESTORS: 'https://ehr.example.org, http://localhost:3000',
        DATA_DIR: demo.dataDir,
      }),
    });
    const trend = await app.inject({ url: '/trend' });
    expect(frameAncestors(trend.headers)).toBe("'self' https://ehr.example.org http://localhost:3000");
    expect(frameAncestors((await app.inject({ url: '/demo' })).headers)).toBe("'self'");
    await app.close();
    for (const bad of [
      'https://ehr.example.org/path',
      "https://ehr.example.org; script-src 'unsafe-inline'",
      '*',
    ])
      expect(() => loadConfig({ TREND_FRAME_ANCESTORS: bad }), bad).toThrow(/TREND_FRAME_ANCESTORS/);
  });

  it('serves browser modules as JavaScript with the types stripped, the clinical core included', async () => {
    const demoJs = await fetch(`${demo.url}/app/web/demo/demo.ts`);
    expect(demoJs.headers.get('content-type')).toMatch(/text\/javascript/);
    const text = await demoJs.text();
    expect(text).not.toMatch(/interface Session|: Promise<void>/);
    // A shared module of the pages, its type parameters and annotations gone.
    const util = await (await fetch(`${demo.url}/app/web/shared/browser-util.ts`)).text();
    expect(util).toMatch(/function byId\s*\(id\s*,\s*kind\s*\)/);
    expect((await fetch(`${demo.url}/app/domain/opioid/conversion.ts`)).status).toBe(200);
    const json = await fetch(`${demo.url}/app/domain/opioid/data/rxnorm-opioid-products.json`);
    expect(json.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('serves nothing else under src/ and nothing outside it', async () => {
    for (const path of [
      '/app/config/load-config.ts',
      '/app/security/dev-issuer.ts',
      '/app/server.ts',
      '/app/../package.json',
      '/app/%2e%2e/package.json',
      '/app/web/../../package.json',
      '/app/web/tsconfig.json',
    ]) {
      const res = await fetch(`${demo.url}${path}`);
      expect(res.status, path).toBe(404);
    }
    // Spellings a client sends as they are (fetch would normalise dot segments before sending).
    for (const url of [
      '/app/web%2f..%2f..%2fpackage.json',
      '/app/%2e%2e%2fpackage.json',
      '/app/web%5c..%5c..%5cpackage.json',
      '/app/web/demo/demo.ts%00',
      '/app/config%2fload-config.ts',
    ]) {
      const res = await demo.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
    }
  });

  it('tells the trend app where the demo store is and how to compute as the service does', async () => {
    const before = localDate(systemClock);
    const config = (await (await fetch(`${demo.url}/trend/config.json`)).json()) as { today?: string };
    // The service's date (a run across midnight may see either).
    expect([before, localDate(systemClock)]).toContain(config.today);
    expect(config).toEqual({
      clientId: 'opioid-pain-cds-trend',
      factorSet: 'cdc-2022',
      windowDays: 180,
      demoFhirServer: `${demo.url}/demo/fhir`,
      today: config.today,
    });
  });

  it("says which allow-listed FHIR server a launch's iss names, without listing them to whoever asks", async () => {
    const app = buildApp({
      config: loadConfig({
        CDS_AUTH: 'off',
        DATA_DIR: demo.dataDir,
        FHIR_ALLOWED_BASE_URLS: 'https://ehr.example.org/fhir/R4,https://other.example.org/fhir',
      }),
    });
    const settings = async (query: string) => {
      const res = await app.inject({ url: `/trend/config.json${query}` });
      return { status: res.statusCode, body: res.json<Record<string, unknown>>(), text: res.body };
    };
    const plain = await settings('');
    expect(plain.body).not.toHaveProperty('launchFrom');
    expect(plain.text).not.toMatch(/example\.org/);
    // Compared as URLs; the allow-listed spelling is the one to launch from.
    const named = await settings(`?iss=${encodeURIComponent('HTTPS://EHR.example.org:443/fhir/R4/')}`);
    expect(named.body.launchFrom).toBe('https://ehr.example.org/fhir/R4');
    expect(named.text).not.toMatch(/other\.example\.org/);
    expect(
      (await settings(`?iss=${encodeURIComponent('https://evil.example.com/fhir')}`)).body,
    ).toMatchObject({
      launchFrom: null,
    });
    for (const query of ['?iss=a&iss=b', `?iss=${'x'.repeat(2049)}`]) {
      const refused = await settings(query);
      expect(refused.status, query).toBe(400);
      expect(refused.body.message).toMatch(/^iss: /);
    }
    await app.close();
  });
});

describe('a demo left running', () => {
  it('dates its synthetic patients again each new day; what users created keeps its dates', async () => {
    let now = new Date(2026, 2, 10, 9, 0, 0);
    const app = buildApp({
      config: loadConfig({ DEMO: 'on', CDS_AUTH: 'off', DATA_DIR: demo.dataDir, LOG_LEVEL: 'silent' }),
      clock: () => now,
    });
    const dana = async () =>
      (await app.inject({ url: '/demo/api/patients' }))
        .json<{ id: string; currentMme: number }[]>()
        .find((p) => p.id === 'branch-chronic-pain');
    const latestOrder = async () => {
      const bundle = (
        await app.inject({
          url: '/demo/fhir/MedicationRequest?patient=branch-chronic-pain&_sort=-authoredon',
        })
      ).json<{ entry: { resource: { authoredOn: string; meta: { versionId: string } } }[] }>();
      return bundle.entry[0]?.resource;
    };
    const created = await app.inject({
      method: 'POST',
      url: '/demo/fhir/ServiceRequest',
      payload: {
        resourceType: 'ServiceRequest',
        status: 'draft',
        intent: 'proposal',
        subject: { reference: 'Patient/branch-chronic-pain' },
        authoredOn: '2026-03-10',
      },
    });
    const referral = created.json<{ id: string }>().id;
    expect(await dana()).toMatchObject({ currentMme: 30 });
    const first = await latestOrder();
    expect(first?.meta.versionId).toBe('1');

    now = new Date(2026, 4, 9, 9, 0, 0); // 60 days later: the orders of 10 March have run out
    expect(await dana()).toMatchObject({ currentMme: 30 });
    const moved = await latestOrder();
    expect(moved?.meta.versionId).toBe('2');
    const shift = (Date.parse(moved?.authoredOn ?? '') - Date.parse(first?.authoredOn ?? '')) / 86_400_000;
    expect(shift).toBe(60);
    const kept = (await app.inject({ url: `/demo/fhir/ServiceRequest/${referral}` })).json<{
      authoredOn: string;
    }>();
    expect(kept.authoredOn).toBe('2026-03-10');
    await app.close();
  });
});

describe('without the demo', () => {
  it('serves neither the demo page nor its store nor its key; the trend app stays', async () => {
    const app = buildApp({ config: loadConfig({ CDS_AUTH: 'off' }) });
    for (const url of [
      '/demo',
      '/demo/api/session',
      '/demo/api/patients',
      '/demo/fhir/Patient/branch-misuse',
    ])
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    expect((await app.inject({ url: '/trend' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/trend/config.json' })).json()).not.toHaveProperty('demoFhirServer');
    await app.close();
  });

  it('refuses the demo in production and off loopback', () => {
    expect(() => loadConfig({ DEMO: 'on', NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ DEMO: 'on', HOST: '0.0.0.0' })).toThrow(/loopback only/);
  });
});
