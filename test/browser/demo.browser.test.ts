/**
 * The demo as a clinician sees it, in a real browser (Debian's Chromium through Playwright): the MORE card for a
 * patient with misuse signals, MBT and CBT as equal suggestions otherwise, accepting and dismissing with real
 * feedback stored, an order that raises the dose, the trend page's figures against POST /analysis, keyboard use,
 * and a page on another origin calling the service (CORS). Screenshots go to test-results/screenshots/.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPatients } from '../../src/demo/demo-data.ts';
import { parseIsoDate } from '../../src/domain/time/day.ts';
import { localDate, systemClock } from '../../src/platform/clock.ts';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.ts';
import { launchBrowser, screenshot, strictPage } from './browser.ts';
import { lowContrastTexts } from './contrast.ts';

let demo: DemoServer;
let browser: Browser;
let otherOrigin: { server: Server; origin: string };
let strangerOrigin: { server: Server; origin: string };

/** A page of another web application (as the CDS Hooks sandbox is) that calls the service from the browser. */
async function foreignSite(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<!doctype html><html><body><p>another origin</p><script>
      window.discover = async (url, token) => {
        try {
          const r = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
          return { status: r.status, services: (await r.json()).services.map((s) => s.id) };
        } catch (e) { return { blocked: String(e) }; }
      };
    </script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  otherOrigin = await foreignSite();
  strangerOrigin = await foreignSite();
  demo = await startDemoServer({ CORS_ALLOWED_ORIGINS: otherOrigin.origin });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  // Each may be missing when beforeAll failed (the failure says why).
  await (browser as Browser | undefined)?.close();
  await (demo as DemoServer | undefined)?.close();
  (otherOrigin as typeof otherOrigin | undefined)?.server.close();
  (strangerOrigin as typeof strangerOrigin | undefined)?.server.close();
});

/** Reads until `ok` holds or 5 s have passed; returns the last value read (the assertion after it tells). */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openDemo(): Promise<{ page: Page; errors: string[] }> {
  const opened = await strictPage(browser);
  await opened.page.goto(`${demo.url}/demo`);
  await opened.page.waitForSelector('body[data-ready="true"]');
  return opened;
}

async function patientView(page: Page, patientId: string): Promise<void> {
  await page.selectOption('#patient', patientId);
  await page.click('#fire-patient-view');
  await page.waitForSelector('#cards .card, #cards .no-cards');
}

const topics = (page: Page): Promise<string[]> =>
  page.$$eval('#cards .card', (cards) => cards.map((c) => c.getAttribute('data-topic') ?? ''));

describe('demo EHR page', () => {
  it('shows the MORE card for a patient with misuse signals', async () => {
    const { page, errors } = await openDemo();
    await patientView(page, 'branch-misuse');
    expect(await topics(page)).toContain('referralmore');
    const card = page.locator('.card[data-topic="referralmore"]');
    await expect(card.locator('.badge').textContent()).resolves.toBe('Info');
    await expect(card.locator('.card-summary').textContent()).resolves.toMatch(/MORE/);
    // The detail's Markdown is rendered: bold text and evidence links to the trial.
    expect(await card.locator('.card-detail strong').count()).toBeGreaterThan(2);
    expect(
      await card.locator('.card-detail a[href="https://doi.org/10.1001/jamainternmed.2022.0033"]').count(),
    ).toBe(1);
    expect(await card.locator('button.suggestion').allTextContents()).toEqual([
      'Refer to Mindfulness-Oriented Recovery Enhancement (MORE)',
    ]);
    await screenshot(page, 'demo-misuse-more-card');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("never shows a patient's cards after the clinician moved to another patient", async () => {
    const { page, errors } = await openDemo();
    // The answer for the first patient arrives only after the clinician has moved on.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let answered: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (answered = resolve));
    await page.route('**/cds-services/opioid-pain-patient-view', async (route) => {
      await held;
      await route.continue();
      answered();
    });
    await page.selectOption('#patient', 'branch-misuse');
    await page.click('#fire-patient-view');
    await page.selectOption('#patient', 'branch-chronic-pain');
    release();
    await done;
    // The page has the late answer; give it time to (not) show it. There is nothing to wait for: ignoring it
    // changes nothing on the page.
    await page.waitForTimeout(300);
    expect(await page.locator('#cards .card').count()).toBe(0);
    expect(await page.textContent('#call-status')).toMatch(/^Open the chart/);
    expect(await page.getAttribute('#cards', 'aria-busy')).toBeNull();
    await page.unroute('**/cds-services/opioid-pain-patient-view');
    await patientView(page, 'branch-chronic-pain');
    expect(await topics(page)).toContain('referralmbtcbt');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers MBT and CBT as two equal suggestions for chronic pain on opioids', async () => {
    const { page, errors } = await openDemo();
    await patientView(page, 'branch-chronic-pain');
    const card = page.locator('.card[data-topic="referralmbtcbt"]');
    const buttons = card.locator('button.suggestion');
    expect(await buttons.count()).toBe(2);
    const labels = await buttons.allTextContents();
    expect(labels[0]).toMatch(/mindfulness-based/i);
    expect(labels[1]).toMatch(/cognitive behavioural/i);
    // Equal: the same markup and the same size on screen - neither is presented as the preferred one.
    const [a, b] = await buttons.evaluateAll((nodes) =>
      nodes.map((n) => ({
        cls: n.getAttribute('class'),
        h: n.getBoundingClientRect().height,
        w: getComputedStyle(n).fontWeight,
      })),
    );
    expect(a).toEqual(b);
    await screenshot(page, 'demo-chronic-pain-mbt-cbt-card');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sends feedback when a suggestion is accepted, and signs the referral into the record', async () => {
    const before = await demo.store.feedbackStats();
    const acceptedBefore = before.find((s) => s.cardType === 'referralmbtcbt')?.accepted ?? 0;
    const feedbackBefore = await demo.store.feedbackCount();
    const { page, errors } = await openDemo();
    await patientView(page, 'tapering');
    const card = page.locator('.card[data-topic="referralmbtcbt"]');
    await card.locator('button.suggestion').first().click();
    await page.waitForFunction(() =>
      /Feedback sent/.test(
        document.querySelector('.card[data-topic="referralmbtcbt"] .card-status')?.textContent ?? '',
      ),
    );
    expect(await card.locator('.card-status').textContent()).toMatch(/Referral ordered: ServiceRequest\//);
    await screenshot(page, 'demo-accepted-suggestion');
    // Acknowledged means stored: the item is there as soon as the page says so.
    expect(await demo.store.feedbackCount()).toBe(feedbackBefore + 1);
    const referrals = (await (
      await fetch(`${demo.url}/demo/fhir/ServiceRequest?patient=tapering`)
    ).json()) as { total: number };
    expect(referrals.total).toBe(1);
    await page.close();
    // The rates join feedback with the audit of the cards shown, which is written in batches (every 100 ms).
    const accepted = await eventually(
      async () => (await demo.store.feedbackStats()).find((s) => s.cardType === 'referralmbtcbt')?.accepted,
      (n) => n === acceptedBefore + 1,
    );
    expect(accepted).toBe(acceptedBefore + 1);
    expect(errors).toEqual([]);
  });

  it('sends feedback with the reason when a card is dismissed', async () => {
    const { page, errors } = await openDemo();
    await patientView(page, 'escalating');
    const card = page.locator('.card[data-topic="referralmbtcbt"]');
    await card.locator('select').selectOption({ label: 'Patient declined' });
    await card.locator('button.dismiss').click();
    await page.waitForFunction(() =>
      /Dismissed/.test(
        document.querySelector('.card[data-topic="referralmbtcbt"] .card-status')?.textContent ?? '',
      ),
    );
    expect(await card.locator('.card-status').textContent()).toBe(
      'Dismissed (Patient declined). Feedback sent.',
    );
    expect(
      await card.locator('button').evaluateAll((b) => b.every((x) => (x as HTMLButtonElement).disabled)),
    ).toBe(true);
    await screenshot(page, 'demo-dismissed-with-reason');
    await page.close();
    const declined = await eventually(
      async () =>
        (await demo.store.feedbackStats()).find((s) => s.cardType === 'referralmbtcbt')?.overrideReasons[
          'patient-declined'
        ],
      (n) => n === 1,
    );
    expect(declined).toBe(1);
    expect(errors).toEqual([]);
  });

  it('warns when a new order brings the total past 90 MME/day', async () => {
    const { page, errors } = await openDemo();
    await page.selectOption('#patient', 'branch-chronic-pain');
    await page.selectOption('#order-drug', '1049683'); // oxycodone 10 mg
    await page.fill('#order-tablets', '1');
    await page.selectOption('#order-every', '4'); // 60 mg/day = 90 MME/day on top of 30
    await page.click('#fire-order-sign');
    await page.waitForSelector('#cards .card');
    const summaries = await page.locator('.card-summary').allTextContents();
    expect(summaries.join(' ')).toMatch(/30 to 120 MME\/day/);
    const orderCard = page.locator('.card', {
      has: page.locator('.card-summary', { hasText: /30 to 120 MME\/day/ }),
    });
    expect(await orderCard.getAttribute('data-indicator')).toMatch(/warning|critical/);
    // Text contrast (WCAG AA, 4.5:1), with warning and info cards on the page; the check itself does find text
    // below an impossible threshold.
    expect(await lowContrastTexts(page)).toEqual([]);
    expect((await lowContrastTexts(page, 21.1)).length).toBeGreaterThan(10);
    await screenshot(page, 'demo-order-sign-past-90');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('can be used with the keyboard alone, and labels every control', async () => {
    const { page, errors } = await openDemo();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('patient');
    await page.keyboard.press('ArrowDown');
    const chosen = await page.$eval('#patient', (s) => (s as HTMLSelectElement).value);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('fire-patient-view');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#cards .card, #cards .no-cards');
    expect(await page.locator('#call-status').textContent()).toMatch(new RegExp(`patient-view: \\d+ cards?`));
    expect(chosen).not.toBe('branch-chronic-pain');
    const unlabelled = await page.$$eval('select, input', (controls) =>
      controls
        .filter((c) => !c.id || !document.querySelector(`label[for="${c.id}"]`))
        .map((c) => c.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('MME trend page', () => {
  it("opens from the card's link and shows the figures POST /analysis gives for the same record", async () => {
    const { page, errors } = await openDemo();
    await patientView(page, 'five-year-monthly');
    const [trend] = await Promise.all([
      page.context().waitForEvent('page'),
      page.locator('.card a.card-link', { hasText: 'MME trend' }).first().click(),
    ]);
    await trend.waitForSelector('body[data-ready]');
    expect(await trend.getAttribute('body', 'data-ready')).toBe('true');
    const today = parseIsoDate(localDate(systemClock)) ?? 0;
    const record = demoPatients(today).find((p) => p.key === 'five-year-monthly');
    const path = '/analysis';
    const response = await fetch(`${demo.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await demo.token(path)}` },
      body: JSON.stringify({
        bundle: {
          resourceType: 'Bundle',
          type: 'collection',
          entry: record!.resources.map((resource) => ({ resource })),
        },
      }),
    });
    expect(response.status).toBe(200);
    const analysis = (await response.json()) as {
      totalMme: number;
      series: { date: string; mme: number }[];
      averages: { last60Days: number; last90Days: number };
      orders: { period: { start: string; end: string } | null; status: string }[];
    };
    const shown = await trend.$$eval('#daily-table tbody tr', (rows) =>
      rows.map((r) => ({
        date: r.getAttribute('data-date'),
        mme: Number(r.querySelectorAll('td')[0]?.textContent),
      })),
    );
    expect(shown).toEqual(analysis.series.map((p) => ({ date: p.date, mme: p.mme })));
    expect(shown).toHaveLength(180);
    const figure = (key: string) => trend.getAttribute(`dd[data-figure="${key}"]`, 'data-value');
    expect(Number(await figure('current'))).toBe(analysis.totalMme);
    expect(Number(await figure('average-60'))).toBe(analysis.averages.last60Days);
    expect(Number(await figure('average-90'))).toBe(analysis.averages.last90Days);
    // The chart: the 50 and 90 lines, the averages, and the orders in the window as bars.
    expect(await trend.getAttribute('svg.chart line.threshold-50', 'data-value')).toBe('50');
    expect(await trend.getAttribute('svg.chart line.threshold-90', 'data-value')).toBe('90');
    expect(await trend.getAttribute('svg.chart line.average-60', 'data-value')).toBe(
      String(analysis.averages.last60Days),
    );
    const first = analysis.series[0]!.date;
    // Bars are days covered: orders that never counted (inactive) or are not converted (excluded) have none.
    const inWindow = analysis.orders.filter(
      (o) => o.period && o.period.end >= first && o.status !== 'inactive' && o.status !== 'excluded',
    ).length;
    expect(await trend.locator('svg.chart rect.order-bar').count()).toBe(inWindow);
    expect(await trend.locator('#orders-table tbody tr').count()).toBe(analysis.orders.length);
    expect(await lowContrastTexts(trend)).toEqual([]);
    await screenshot(trend, 'trend-five-year-history');
    expect(errors).toEqual([]);
    await trend.close();
    await page.close();
  });

  it('says why when an order has an unknown dose, and never shows it as 0', async () => {
    const { page, errors } = await strictPage(browser);
    await page.goto(`${demo.url}/trend?patient=unknown-dose`);
    await page.waitForSelector('body[data-ready]');
    const rows = await page.$$eval('#orders-table tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)),
    );
    const unknown = rows.filter((row) => row[3] === 'unknown');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]![0]).toMatch(/hydromorphone/);
    expect(unknown[0]![5]).toMatch(/dose/i);
    expect(await page.textContent('dd[data-figure="current"]')).toMatch(/^unknown \(at least 30\)$/);
    expect(await page.textContent('#trend-status')).toMatch(/figures are lower bounds/);
    expect(await page.textContent('dd[data-figure="max"]')).toMatch(/\(at least: some days unknown\)$/);
    expect(await page.textContent('svg.chart desc')).toMatch(/today at least 30 MME\/day/);
    expect(await page.locator('svg.chart rect.order-bar--incomplete').count()).toBe(1);
    await screenshot(page, 'trend-unknown-dose');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('called from another origin', () => {
  it('answers a page of an allow-listed origin (CORS), and a page of any other origin cannot read the answer', async () => {
    const page = await browser.newPage();
    const discover = async (origin: string) => {
      await page.goto(origin);
      const url = `${demo.url}/cds-services`;
      return page.evaluate(
        ([u, t]) =>
          (window as unknown as { discover: (u: string, t: string) => Promise<unknown> }).discover(u!, t!),
        [url, await demo.token('/cds-services')],
      );
    };
    expect(await discover(otherOrigin.origin)).toEqual({
      status: 200,
      services: ['opioid-pain-patient-view', 'opioid-pain-order-select', 'opioid-pain-order-sign'],
    });
    expect(await discover(strangerOrigin.origin)).toEqual({
      blocked: expect.stringMatching(/Failed to fetch/),
    });
    await page.close();
  });
});
