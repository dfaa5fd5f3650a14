/**
 * Hook threads (HOOK_THREADS, ADR 0019): calls that arrive together are answered on worker threads as well as on
 * the event loop, and a call answered on a thread is answered as on the event loop - cards, refusals (400, 404,
 * 412), FHIR reads with their metrics, the log facts and the audit record.
 */
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { localDate, systemClock } from '../../src/platform/clock.ts';
import { loggerOptions } from '../../src/platform/logger.ts';
import { commScore } from '../builders/record-builders.ts';
import { startFakeFhirServer, type FakeFhirServer } from '../fakes/fake-fhir-server.ts';
import { AS_OF, syntheticPatient } from '../fixtures/synthetic-patients.ts';
import { exampleRequest } from '../fixtures/hook-examples.ts';
import { build } from '../helpers/build-app.ts';
import { FHIR_AUTHORIZATION, HOOK_INSTANCE, hookRequest } from '../helpers/hooks.ts';

const servers: FakeFhirServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const PV = '/cds-services/opioid-pain-patient-view';

interface Call {
  readonly url: string;
  readonly payload: string;
}

/** Status and body, with every uuid the same: ids are made where the call is answered. */
function comparable(status: number, body: string): { status: number; body: string } {
  return { status, body: body.replace(/"uuid":"[^"]+"/g, '"uuid":"-"').replace(/"id-\d+"/g, '"-"') };
}

async function answer(app: FastifyInstance, call: Call): Promise<{ status: number; body: string }> {
  const res = await app.inject({
    method: 'POST',
    url: call.url,
    headers: { 'content-type': 'application/json' },
    payload: call.payload,
  });
  return comparable(res.statusCode, res.body);
}

async function callsAnswered(app: FastifyInstance): Promise<Record<string, number>> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^cds_hook_calls_total\{where="([^"]+)"\} (\d+)$/gm))
    counts[m[1] ?? ''] = Number(m[2]);
  return counts;
}

/** The call over HTTP (calls arrive together only on connections of their own). */
async function answerOverHttp(base: string, call: Call): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}${call.url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: call.payload,
  });
  return comparable(res.status, await res.text());
}

async function listening(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  return `http://127.0.0.1:${address.port}`;
}

/** The same calls sent together over HTTP, batch after batch, until the threads have answered some of them. */
async function together(
  app: FastifyInstance,
  calls: readonly Call[],
): Promise<{ status: number; body: string }[]> {
  const base = await listening(app);
  for (let batch = 0; batch < 100; batch++) {
    const before = (await callsAnswered(app)).thread ?? 0;
    const answers = await Promise.all(calls.map((c) => answerOverHttp(base, c)));
    if (((await callsAnswered(app)).thread ?? 0) > before) return answers;
    // The threads start with the first calls that arrive together, and take calls once they have loaded.
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no call was answered on a hook thread');
}

describe('hook threads', () => {
  it('answers calls that arrive together on threads, as the event loop answers them', async () => {
    const server = await startFakeFhirServer(
      syntheticPatient({ extra: [commScore('comm', 11, '2026-01-01')] }),
    );
    servers.push(server);
    const env = { FHIR_ALLOWED_BASE_URLS: server.baseUrl, FHIR_DEADLINE_MS: '5000' };
    const examples = ['patient-view-misuse', 'patient-view-chronic-pain', 'order-sign-past-90'].map(
      (name) => {
        const example = exampleRequest(name, AS_OF);
        return { url: `/cds-services/${example.service}`, payload: JSON.stringify(example.request) };
      },
    );
    const calls: Call[] = [
      ...examples,
      // FHIR fallback: every key read from the EHR's server.
      {
        url: PV,
        payload: JSON.stringify(
          hookRequest('patient-view', 'p1', {
            fhirServer: server.baseUrl,
            fhirAuthorization: FHIR_AUTHORIZATION,
          }),
        ),
      },
      { url: PV, payload: '{"hook": "patient-view",' },
      { url: PV, payload: JSON.stringify(hookRequest('order-sign', 'p1')) },
      { url: '/cds-services/no-such-service', payload: JSON.stringify(hookRequest('patient-view', 'p1')) },
      // An unknown service is the first problem, before the body is read.
      { url: '/cds-services/no-such-service', payload: '{"hook":' },
      // Nothing prefetched and no FHIR server: 412.
      { url: PV, payload: JSON.stringify(hookRequest('patient-view', 'p1')) },
      ...examples,
    ];
    const alone = build(env);
    const expected = [];
    for (const call of calls) expected.push(await answer(alone, call));
    expect(expected.map((e) => e.status)).toEqual([
      200, 200, 200, 200, 400, 400, 404, 404, 412, 200, 200, 200,
    ]);

    const threaded = build({ ...env, HOOK_THREADS: '1' }, { randomIds: true });
    const readBefore = server.requests.length;
    expect(await together(threaded, calls)).toEqual(expected);
    // Both places answered.
    const answered = await callsAnswered(threaded);
    expect(answered['event-loop']).toBeGreaterThan(0);
    expect(answered.thread).toBeGreaterThan(0);
    const metrics = (await threaded.inject({ method: 'GET', url: '/metrics' })).body;
    const reads = Number(
      /^cds_fhir_request_duration_seconds_count\{outcome="ok"\} (\d+)$/m.exec(metrics)?.[1],
    );
    // Every read of the EHR's server, wherever it was made, is in the process's metrics.
    expect(reads).toBe(server.requests.length - readBefore);
  });

  it('logs the facts of a call answered on a thread, as of one answered on the event loop', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // Dated relative to today: this app keeps the real clock.
    const example = exampleRequest('patient-view-misuse', localDate(systemClock));
    const instance = (example.request as { hookInstance: string }).hookInstance;
    const app = buildApp({
      config: loadConfig({ CDS_AUTH: 'off', HOOK_THREADS: '1' }),
      logger: pino(loggerOptions('info'), sink),
    });
    try {
      const good = { url: `/cds-services/${example.service}`, payload: JSON.stringify(example.request) };
      const refused = { url: PV, payload: JSON.stringify(hookRequest('patient-view', 'p1')) };
      await together(app, [good, refused, good, refused, good, refused]);
    } finally {
      await app.close();
    }
    const hookLines = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request' && l.route === '/cds-services/:id');
    const answered = hookLines.filter((l) => l.statusCode === 200);
    const unavailable = hookLines.filter((l) => l.statusCode === 412);
    expect(answered.length).toBeGreaterThan(3);
    expect(unavailable.length).toBeGreaterThan(3);
    for (const line of answered)
      expect(line).toMatchObject({
        hookInstance: instance,
        cdsService: 'opioid-pain-patient-view',
        cards: 1,
        partial: 0,
        sources: { medications: 'prefetch' },
      });
    // Refused after the request was read: its hookInstance is known.
    for (const line of unavailable) expect(line).toMatchObject({ hookInstance: HOOK_INSTANCE });
  });

  it('answers one call at a time on the event loop, and never starts a thread for it', async () => {
    const app = build({ HOOK_THREADS: '2' }, { randomIds: true });
    const base = await listening(app);
    const example = exampleRequest('patient-view-chronic-pain', AS_OF);
    const call = { url: `/cds-services/${example.service}`, payload: JSON.stringify(example.request) };
    // One after the other: over HTTP (one connection or a new one each time) and in process.
    for (let i = 0; i < 3; i++) expect((await answerOverHttp(base, call)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await answer(app, call)).status).toBe(200);
    expect(await callsAnswered(app)).toEqual({ 'event-loop': 6 });
  });

  it('unknown values of HOOK_THREADS are refused', () => {
    expect(() => build({ HOOK_THREADS: 'many' })).toThrow(/HOOK_THREADS/);
    expect(() => build({ HOOK_THREADS: '-1' })).toThrow(/HOOK_THREADS/);
  });
});
