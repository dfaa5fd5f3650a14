/**
 * The trend app as a SMART on FHIR app (public client, PKCE): launched by an EHR (iss and launch), and standalone
 * (iss only), against an EHR's FHIR server that needs the access token; refused for a FHIR server it is not set up
 * for. The figures are those of POST /analysis for the same record.
 */
import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.ts';
import { launchBrowser, screenshot, strictPage } from './browser.ts';
import { startFakeEhr, type FakeEhr } from './fake-smart-ehr.ts';

const CLIENT_ID = 'opioid-pain-cds-trend';
let ehr: FakeEhr;
let demo: DemoServer;
let browser: Browser;

beforeAll(async () => {
  ehr = await startFakeEhr({ clientId: CLIENT_ID, launch: 'launch-123', patient: 'escalating' });
  demo = await startDemoServer({ FHIR_ALLOWED_BASE_URLS: ehr.fhirBase });
  ehr.target = `${demo.url}/demo/fhir`;
  ehr.redirectUri = `${demo.url}/trend`;
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (demo as DemoServer | undefined)?.close();
  (ehr as FakeEhr | undefined)?.close();
});

async function analysisOf(
  patientId: string,
): Promise<{ totalMme: number; series: { date: string; mme: number }[] }> {
  // The same record, read from the store the fake EHR serves, analysed by the service.
  const read = async (query: string) =>
    (await (await fetch(`${demo.url}/demo/fhir/${query}`)).json()) as { entry?: unknown[] };
  const entries = [
    { resource: await read(`Patient/${patientId}`) },
    ...((await read(`MedicationRequest?patient=${patientId}&_count=50`)).entry ?? []),
    ...((await read(`Observation?patient=${patientId}&_count=50`)).entry ?? []),
    ...((await read(`Condition?patient=${patientId}&_count=50`)).entry ?? []),
  ];
  const path = '/analysis';
  const res = await fetch(`${demo.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await demo.token(path)}` },
    body: JSON.stringify({ bundle: { resourceType: 'Bundle', type: 'collection', entry: entries } }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { totalMme: number; series: { date: string; mme: number }[] };
}

/** What the app reads: the patient's record, read-only (SMART v2 scopes). */
const RESOURCE_SCOPES =
  'openid fhirUser patient/Patient.rs patient/MedicationRequest.rs patient/Medication.rs ' +
  'patient/Observation.rs patient/Condition.rs patient/ServiceRequest.rs';

/** What the page keeps in its storage once launched: nothing (a pending launch is used once; no token is kept). */
const storageOf = (page: Page) =>
  page.evaluate(() => ({
    session: Object.keys(sessionStorage),
    local: Object.keys(localStorage),
  }));

describe('SMART on FHIR launch of the trend app', () => {
  it('EHR launch: authorizes with PKCE, reads the FHIR server with the token, and shows the patient in context', async () => {
    const { page, errors } = await strictPage(browser);
    await page.goto(`${demo.url}/trend?iss=${encodeURIComponent(ehr.fhirBase)}&launch=launch-123`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
    // The code and state are gone from the address bar.
    expect(page.url()).toBe(`${demo.url}/trend`);
    expect(ehr.seen.authorize).toHaveLength(1);
    const authorize = Object.fromEntries(ehr.seen.authorize[0]!);
    expect(authorize).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${demo.url}/trend`,
      scope: `launch ${RESOURCE_SCOPES}`,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      aud: ehr.fhirBase,
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
      launch: 'launch-123',
    });
    // The code is traded once, with the verifier whose S256 hash the authorization request carried.
    expect(ehr.seen.token).toHaveLength(1);
    const token = Object.fromEntries(ehr.seen.token[0]!);
    expect(token).toEqual({
      grant_type: 'authorization_code',
      code: ehr.seen.codes[0],
      redirect_uri: `${demo.url}/trend`,
      client_id: CLIENT_ID,
      code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(createHash('sha256').update(token.code_verifier!).digest('base64url')).toBe(
      authorize.code_challenge,
    );
    expect(await storageOf(page)).toEqual({ session: [], local: [] });
    // Patient, MedicationRequest, Observation and Condition at least, every one with the token.
    expect(ehr.seen.fhirWithToken).toBeGreaterThanOrEqual(4);
    expect(ehr.seen.fhirWithoutToken).toBe(0);
    expect(await page.textContent('#patient-line')).toMatch(/^Priya Raman, born /);
    const analysis = await analysisOf('escalating');
    expect(Number(await page.getAttribute('dd[data-figure="current"]', 'data-value'))).toBe(
      analysis.totalMme,
    );
    const shown = await page.$$eval('#daily-table tbody tr', (rows) =>
      rows.map((r) => ({
        date: r.getAttribute('data-date'),
        mme: Number(r.querySelectorAll('td')[0]?.textContent),
      })),
    );
    expect(shown).toEqual(analysis.series.map((p) => ({ date: p.date, mme: p.mme })));
    await screenshot(page, 'trend-smart-ehr-launch');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('standalone launch: asks for a patient-context scope without a launch id', async () => {
    const before = ehr.seen.fhirWithToken;
    const { page, errors } = await strictPage(browser);
    await page.goto(`${demo.url}/trend?iss=${encodeURIComponent(ehr.fhirBase)}`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
    const authorize = ehr.seen.authorize.at(-1)!;
    expect(authorize.get('scope')).toBe(`launch/patient ${RESOURCE_SCOPES}`);
    expect(authorize.get('redirect_uri')).toBe(`${demo.url}/trend`);
    expect(authorize.has('launch')).toBe(false);
    expect(await storageOf(page)).toEqual({ session: [], local: [] });
    expect(ehr.seen.fhirWithToken).toBeGreaterThan(before);
    expect(await page.textContent('#patient-line')).toMatch(/^Priya Raman/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses to launch from a FHIR server it is not set up for, without contacting it', async () => {
    const { page } = await strictPage(browser);
    const authorizations = ehr.seen.authorize.length;
    await page.goto(`${demo.url}/trend?iss=${encodeURIComponent('http://127.0.0.1:9/fhir')}&launch=x`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.getAttribute('body', 'data-ready')).toBe('error');
    expect(await page.textContent('#trend-status')).toMatch(
      /not set up for the FHIR server http:\/\/127\.0\.0\.1:9\/fhir/,
    );
    expect(ehr.seen.authorize.length).toBe(authorizations);
    await page.close();
  });

  it('uses an authorization response once: the same code and state again start nothing', async () => {
    const { page } = await strictPage(browser);
    await page.goto(`${demo.url}/trend?iss=${encodeURIComponent(ehr.fhirBase)}&launch=launch-123`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
    const state = ehr.seen.authorize.at(-1)?.get('state') ?? '';
    const code = ehr.seen.codes.at(-1) ?? '';
    const trades = ehr.seen.token.length;
    await page.goto(`${demo.url}/trend?code=${code}&state=${state}`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.getAttribute('body', 'data-ready')).toBe('error');
    expect(await page.textContent('#trend-status')).toMatch(/does not match a launch started here/);
    expect(ehr.seen.token.length).toBe(trades);
    await page.close();
  });

  it('refuses an authorization response that does not match a launch started here', async () => {
    const { page } = await strictPage(browser);
    await page.goto(`${demo.url}/trend?code=stolen&state=unknown`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.textContent('#trend-status')).toMatch(/does not match a launch started here/);
    await page.close();
  });
});
