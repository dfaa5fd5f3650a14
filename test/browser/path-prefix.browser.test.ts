/**
 * Behind a reverse proxy that serves the service under a path (PUBLIC_BASE_URL https://host/cds, the proxy
 * stripping /cds): the demo page and the trend page load their scripts, styles and data through that path, and the
 * demo's hook calls reach the service with tokens for the public URL. Nothing may address the host's root.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.ts';
import { freePort } from '../helpers/free-port.ts';
import { launchBrowser, strictPage } from './browser.ts';

const PREFIX = '/cds';
let proxy: { server: Server; url: string; forwarded: string[]; refused: string[] };
let demo: DemoServer;
let browser: Browser;

/** Forwards PREFIX/... to the service as /...; anything else is refused with 404 (and noted). */
async function prefixProxy(port: number, target: () => string): Promise<typeof proxy> {
  const forwarded: string[] = [];
  const refused: string[] = [];
  const server = createServer((incoming, outgoing) => {
    const url = incoming.url ?? '/';
    if (!url.startsWith(`${PREFIX}/`)) {
      refused.push(url);
      outgoing.writeHead(404).end();
      return;
    }
    const path = url.slice(PREFIX.length);
    forwarded.push(path.split('?')[0] ?? path);
    const upstream = httpRequest(
      `${target()}${path}`,
      { method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, forwarded, refused };
}

beforeAll(async () => {
  const port = await freePort();
  proxy = await prefixProxy(port, () => demo.url);
  demo = await startDemoServer({ PUBLIC_BASE_URL: `http://127.0.0.1:${port}${PREFIX}` });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (demo as DemoServer | undefined)?.close();
  (proxy as typeof proxy | undefined)?.server.close();
});

describe('under a path behind a reverse proxy', () => {
  it('the demo page loads and its hook calls reach the service through the path', async () => {
    const { page, errors } = await strictPage(browser);
    await page.goto(`${proxy.url}${PREFIX}/demo`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.selectOption('#patient', 'branch-misuse');
    await page.click('#fire-patient-view');
    await page.waitForSelector('#cards .card, #cards .no-cards');
    const topics = await page.$$eval('#cards .card', (cards) =>
      cards.map((c) => c.getAttribute('data-topic')),
    );
    expect(topics).toContain('referralmore');
    expect(await page.getAttribute('#trend-link', 'href')).toBe('trend?patient=branch-misuse');
    expect(proxy.forwarded).toEqual(
      expect.arrayContaining([
        '/demo',
        '/app/web/demo/demo.ts',
        '/app/web/shared/style.css',
        '/demo/api/session',
        '/cds-services/opioid-pain-patient-view',
        // The service reads the demo's FHIR store at its public URL, through the proxy too.
        '/demo/fhir/MedicationRequest',
      ]),
    );
    expect(proxy.refused).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the trend page loads its configuration and shows the patient', async () => {
    const { page, errors } = await strictPage(browser);
    await page.goto(`${proxy.url}${PREFIX}/trend?patient=branch-misuse`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
    expect(proxy.forwarded).toEqual(
      expect.arrayContaining(['/trend', '/app/web/trend/trend.ts', '/trend/config.json']),
    );
    expect(proxy.refused).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
