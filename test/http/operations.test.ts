/**
 * Running it: Prometheus metrics (hook latency per service and hook, cards by type, FHIR reads and their errors,
 * authentication failures, shed requests), load shedding with 503 and Retry-After at the in-flight limit, and a
 * graceful shutdown that finishes the request in flight, within a deadline.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeFhirServer, type FakeFhirServer } from '../fakes/fake-fhir-server.ts';
import { SCENARIOS } from '../fixtures/synthetic-patients.ts';
import { build } from '../helpers/build-app.ts';
import { hookRequest, prefetchFor } from '../helpers/hooks.ts';
import { freePort } from '../helpers/free-port.ts';
import { postgresDatabase } from '../helpers/stores.ts';
import { startStallingProxy } from '../fakes/stalling-proxy.ts';

const ROOT = join(import.meta.dirname, '../..');
const HOOK = '/cds-services/opioid-pain-patient-view';
const misuse = SCENARIOS.find((s) => s.expect.branch === 'misuse')!;
let fhir: FakeFhirServer;

beforeAll(async () => {
  fhir = await startFakeFhirServer(misuse.resources);
});
afterAll(async () => {
  await fhir.close();
});

describe('metrics', () => {
  it('exposes hook latency, cards by type, FHIR reads and auth failures, without patient data', async () => {
    const app = build({ FHIR_ALLOWED_BASE_URLS: fhir.baseUrl, FHIR_DEADLINE_MS: '5000' });
    const hook = await app.inject({
      method: 'POST',
      url: HOOK,
      payload: hookRequest('patient-view', 'p1', { fhirServer: fhir.baseUrl }),
    });
    expect(hook.statusCode).toBe(200);
    await app.inject({ method: 'POST', url: HOOK, payload: { hook: 'patient-view' } });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /cds_hook_duration_seconds_count\{service="opioid-pain-patient-view",hook="patient-view",status="200"\} 1/,
    );
    expect(metrics).toMatch(/cds_hook_duration_seconds_count\{[^}]*status="400"\} 1/);
    expect(metrics).toMatch(/cds_cards_total\{type="referralmore"\} 1/);
    expect(metrics).toMatch(/cds_fhir_request_duration_seconds_count\{outcome="ok"\} [1-9]/);
    expect(metrics).not.toContain('p1');

    const secured = build({ CDS_AUTH: 'on' });
    await secured.inject({ method: 'GET', url: '/cds-services', headers: { authorization: 'Bearer x.y.z' } });
    await secured.inject({ method: 'GET', url: '/cds-services' });
    const authMetrics = (await secured.inject({ method: 'GET', url: '/metrics' })).body;
    expect(authMetrics).toMatch(/cds_auth_failures_total\{reason="missing-token"\} 1/);
    expect(authMetrics).toMatch(/cds_auth_failures_total\{reason="malformed"\} 1/);
  });

  it('counts FHIR read errors by kind', async () => {
    fhir.failures.push({ pattern: /Condition/, status: 500 });
    try {
      const app = build({ FHIR_ALLOWED_BASE_URLS: fhir.baseUrl, FHIR_DEADLINE_MS: '5000' });
      const res = await app.inject({
        method: 'POST',
        url: HOOK,
        payload: hookRequest('patient-view', 'p1', { fhirServer: fhir.baseUrl }),
      });
      expect(res.statusCode).toBe(412);
      expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(
        /cds_fhir_request_errors_total\{kind="status"\} 1/,
      );
    } finally {
      fhir.failures.length = 0;
    }
  });
});

describe('load shedding', () => {
  it('answers 503 with Retry-After beyond MAX_IN_FLIGHT, and serves again once below it', async () => {
    fhir.delayMs = 400;
    try {
      const app = build({
        FHIR_ALLOWED_BASE_URLS: fhir.baseUrl,
        FHIR_DEADLINE_MS: '5000',
        MAX_IN_FLIGHT: '1',
        CORS_ALLOWED_ORIGINS: 'https://sandbox.cds-hooks.org',
      });
      const slow = app.inject({
        method: 'POST',
        url: HOOK,
        payload: hookRequest('patient-view', 'p1', { fhirServer: fhir.baseUrl }),
      });
      await new Promise((r) => setTimeout(r, 100));
      const shed = await app.inject({
        method: 'POST',
        url: HOOK,
        headers: { origin: 'https://sandbox.cds-hooks.org' },
        payload: hookRequest('patient-view', 'p1', { prefetch: prefetchFor(misuse.resources) }),
      });
      expect(shed.statusCode).toBe(503);
      expect(shed.headers['retry-after']).toBe('1');
      // A browser client reads the 503 (and can retry), rather than a CORS failure.
      expect(shed.headers['access-control-allow-origin']).toBe('https://sandbox.cds-hooks.org');
      // The same route, its path spelled with a percent-encoded letter, is shed too.
      const encoded = await app.inject({
        method: 'POST',
        url: HOOK.replace('/cds-services/', '/%63ds-services/'),
        payload: hookRequest('patient-view', 'p1', { prefetch: prefetchFor(misuse.resources) }),
      });
      expect(encoded.statusCode).toBe(503);
      expect((await app.inject({ method: 'GET', url: '/cds-services' })).statusCode).toBe(200);
      expect((await slow).statusCode).toBe(200);
      const after = await app.inject({
        method: 'POST',
        url: HOOK,
        payload: hookRequest('patient-view', 'p1', { prefetch: prefetchFor(misuse.resources) }),
      });
      expect(after.statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(
        /cds_requests_shed_total 2/,
      );
    } finally {
      fhir.delayMs = 0;
    }
  });
});

/** A patient-view call with its prefetch, over HTTP to the app listening on `port`. */
const prefetchedCall = (port: number): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}${HOOK}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(hookRequest('patient-view', 'p1', { prefetch: prefetchFor(misuse.resources) })),
  });

describe('clients that leave', () => {
  it('a call whose client left holds its place while its work goes on, and frees it once answered', async () => {
    fhir.delayMs = 300;
    const app = build({ FHIR_ALLOWED_BASE_URLS: fhir.baseUrl, FHIR_DEADLINE_MS: '5000', MAX_IN_FLIGHT: '1' });
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    try {
      // A whole request, whose answer waits for the FHIR server; its client leaves before it comes.
      const body = JSON.stringify(hookRequest('patient-view', 'p1', { fhirServer: fhir.baseUrl }));
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(
        `POST ${HOOK} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      await new Promise((r) => setTimeout(r, 100));
      socket.destroy();
      // While its work goes on, it holds its place: a call now is shed.
      await new Promise((r) => setTimeout(r, 50));
      const during = await prefetchedCall(port);
      expect(during.status).toBe(503);
      // Once the FHIR server has answered (and the answer found nobody to take it), the place is free again.
      await new Promise((r) => setTimeout(r, 600));
      const res = await prefetchedCall(port);
      expect(res.status).toBe(200);
    } finally {
      fhir.delayMs = 0;
      await app.close();
    }
  });
});

describe('slow senders', () => {
  it('hold no place while their bodies trickle in: other calls are served, not shed', async () => {
    const app = build({ MAX_IN_FLIGHT: '1' });
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    const sockets = Array.from({ length: 3 }, () => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(
        `POST ${HOOK} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`,
      );
      return socket;
    });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const res = await prefetchedCall(port);
      expect(res.status).toBe(200);
    } finally {
      for (const s of sockets) s.destroy();
      await app.close();
    }
  });
});

/**
 * The app listening on a loopback port with `env`, and one raw connection to it: `send` writes what the test
 * gives (optionally trickling a space every 100 ms), `closed` resolves with everything received and when the
 * server closed the connection.
 */
async function rawConnection(env: Record<string, string> = {}) {
  const app = build(env);
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const started = Date.now();
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  let trickle: NodeJS.Timeout | undefined;
  const closed = new Promise<{ text: string; closedAfterMs: number }>((resolve) => {
    socket.on('close', () => {
      resolve({ text, closedAfterMs: Date.now() - started });
    });
  });
  return {
    send: (data: string, options: { trickle?: boolean } = {}): void => {
      socket.write(data);
      if (options.trickle) trickle = setInterval(() => socket.write(' '), 100);
    },
    received: (): string => text,
    clear: (): void => {
      text = '';
    },
    closed,
    async end(): Promise<void> {
      clearInterval(trickle);
      socket.destroy();
      await app.close();
    },
  };
}

const bodyOf = (text: string): unknown => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

describe('request timeout', () => {
  it('cuts off a request whose body has not arrived within REQUEST_TIMEOUT_MS, with 408', async () => {
    const c = await rawConnection({ REQUEST_TIMEOUT_MS: '1000' });
    try {
      c.send(
        `POST ${HOOK} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`,
      );
      const { text, closedAfterMs } = await c.closed;
      expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(bodyOf(text)).toEqual({
        statusCode: 408,
        error: 'Request Timeout',
        message: 'the request did not arrive in time (REQUEST_TIMEOUT_MS)',
      });
      expect(closedAfterMs).toBeGreaterThanOrEqual(900);
      expect(closedAfterMs).toBeLessThan(5_000);
    } finally {
      await c.end();
    }
  });

  it('cuts off a request refused before its body arrived, whose body then trickles in', async () => {
    const c = await rawConnection({ REQUEST_TIMEOUT_MS: '1000' });
    try {
      // A compressed body is refused (415) as soon as the headers are in.
      c.send(
        `POST ${HOOK} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: 100000\r\n\r\n`,
        { trickle: true },
      );
      const { text, closedAfterMs } = await c.closed;
      expect(text).toMatch(/^HTTP\/1\.1 415 /);
      // One answer only: nothing is written after it when the connection is cut.
      expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
      expect(closedAfterMs).toBeLessThan(5_000);
    } finally {
      await c.end();
    }
  });

  it('cuts off a request whose headers have not arrived in time (checked every half-timeout, not every 30 s)', async () => {
    const c = await rawConnection({ REQUEST_TIMEOUT_MS: '1000' });
    try {
      c.send(`POST ${HOOK} HTTP/1.1\r\nhost: 127.0.0.1\r\n`);
      const { text, closedAfterMs } = await c.closed;
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAfterMs).toBeLessThan(5_000);
    } finally {
      await c.end();
    }
  });

  it('a request whose body arrives in time leaves its connection open past the deadline', async () => {
    const c = await rawConnection({ REQUEST_TIMEOUT_MS: '1000' });
    const until = async (pattern: RegExp): Promise<void> => {
      for (let i = 0; i < 100 && !pattern.test(c.received()); i++)
        await new Promise((r) => setTimeout(r, 20));
    };
    try {
      c.send(
        `POST ${HOOK} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`,
      );
      await until(/^HTTP\/1\.1 400 /);
      expect(c.received()).toMatch(/^HTTP\/1\.1 400 /);
      // Past the deadline, the same connection answers the next request.
      await new Promise((r) => setTimeout(r, 1_300));
      c.clear();
      c.send('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
      await until(/^HTTP\/1\.1 200 /);
      expect(c.received()).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      await c.end();
    }
  });
});

describe('what the HTTP parser refuses', () => {
  it('answers headers too large with 431 in the service error shape', async () => {
    const c = await rawConnection();
    try {
      c.send(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
      const { text } = await c.closed;
      expect(text).toMatch(/^HTTP\/1\.1 431 /);
      expect(bodyOf(text)).toEqual({
        statusCode: 431,
        error: 'Request Header Fields Too Large',
        message: 'the request headers are larger than this service accepts',
      });
    } finally {
      await c.end();
    }
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'src/server.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        CDS_AUTH: 'off',
        LOG_LEVEL: process.env.DEBUG_SHUTDOWN ? 'info' : 'silent',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'cds-shutdown-')),
        FHIR_ALLOWED_BASE_URLS: fhir.baseUrl,
        FHIR_DEADLINE_MS: '10000',
      },
      stdio: process.env.DEBUG_SHUTDOWN ? 'inherit' : 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    let ready = false;
    for (let i = 0; i < 200 && !ready; i++) {
      try {
        ready = (await fetch(`${url}/readyz`)).ok;
      } catch {
        // starting
      }
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready, 'the server did not become ready within 20 s').toBe(true);
    fhir.delayMs = 1000;
    try {
      const asked = fhir.requests.length;
      const inFlight = fetch(`${url}${HOOK}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hookRequest('patient-view', 'p1', { fhirServer: fhir.baseUrl })),
      });
      // In flight once it has asked the FHIR server, which answers a second later (not a guess of how long the
      // request takes to arrive on a busy machine).
      for (let i = 0; i < 400 && fhir.requests.length === asked; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(fhir.requests.length, 'the hook call never reached the FHIR server').toBeGreaterThan(asked);
      child.kill('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(200);
      // (The child's clock is today's, months after the scenario: the answer is valid, whatever its cards.)
      expect(await res.json()).toHaveProperty('cards');
      expect(await exited).toBe(0);
    } finally {
      fhir.delayMs = 0;
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('exits 1 after SHUTDOWN_TIMEOUT_MS, saying why, when a stalled database holds a request', async () => {
    const db = await postgresDatabase();
    const target = new URL(db.env.DATABASE_URL!);
    const proxy = await startStallingProxy(Number(target.port || 5432), target.hostname);
    target.port = String(proxy.port);
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'src/server.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        CDS_AUTH: 'off',
        LOG_LEVEL: 'info',
        DATABASE_URL: target.toString(),
        SHUTDOWN_TIMEOUT_MS: '1000',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; i < 100; i++) {
        try {
          if ((await fetch(`${url}/readyz`)).ok) break;
        } catch {
          // starting
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      proxy.stall();
      // Held by the database (its statement would give up only after the query timeout, 10 s).
      void fetch(`${url}/cds-services/opioid-pain-patient-view/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ feedback: [{ card: 'held', outcome: 'accepted' }] }),
      }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      const signalled = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(1);
      expect(Date.now() - signalled).toBeLessThan(5_000);
      expect(log).toMatch(/shutdown did not finish in time/);
    } finally {
      child.kill('SIGKILL');
      await proxy.close();
      await db.drop();
    }
  }, 30_000);
});
