/**
 * Logs carry structure, never patients: a request full of identifying data leaves no name, id, birth date or
 * token in the captured log lines.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { loggerOptions } from '../../src/platform/logger.ts';
import { devToken } from '../../src/security/dev-issuer.ts';
import { bundle, every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import { exampleNames, exampleRequest } from '../fixtures/hook-examples.ts';

/** A log destination that keeps every line. */
function captureLines(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, sink };
}

describe('request logging', () => {
  it('logs no patient data or credentials', async () => {
    const { lines, sink } = captureLines();
    // Authentication on, as in production, with the development issuer's tokens.
    const dataDir = mkdtempSync(join(tmpdir(), 'cds-log-'));
    const app = buildApp({
      config: loadConfig({ CDS_DEV_ISSUER: 'on', DATA_DIR: dataDir }),
      logger: pino(loggerOptions('trace'), sink),
    });
    const base = 'http://127.0.0.1:8080';
    const tokens = [
      await devToken(dataDir, `${base}/analysis`),
      await devToken(dataDir, `${base}/analysis`),
      await devToken(dataDir, `${base}/cds-services/opioid-pain-patient-view`),
    ];
    const order = medicationRequest({
      id: 'mr-SECRET-ORDER',
      rxcui: '1049621',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
    });
    order.subject = { reference: 'Patient/pat-SECRET-ID', display: 'Jane Q Verysecret' };
    const patient = {
      resourceType: 'Patient' as const,
      id: 'pat-SECRET-ID',
      name: [{ family: 'Verysecret', given: ['Jane'] }],
      birthDate: '1961-07-04',
    };
    const res = await app.inject({
      method: 'POST',
      url: '/analysis',
      headers: { authorization: `Bearer ${tokens[0]!}`, 'x-request-id': 'req-abc' },
      payload: { bundle: bundle(patient, order), asOf: '2026-01-15' },
    });
    const bad = await app.inject({
      method: 'POST',
      url: '/analysis',
      headers: { authorization: `Bearer ${tokens[1]!}` },
      payload: { bundle: { resourceType: 'Patient', id: 'pat-SECRET-ID' } },
    });
    const hook = await app.inject({
      method: 'POST',
      url: '/cds-services/opioid-pain-patient-view',
      headers: { authorization: `Bearer ${tokens[2]!}` },
      payload: {
        hook: 'patient-view',
        hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
        fhirServer: 'https://ehr.example.org/fhir',
        fhirAuthorization: {
          access_token: 'SECRET-TOKEN-456',
          token_type: 'Bearer',
          expires_in: 300,
          scope: 'patient/*.read',
          subject: 'cds-service',
        },
        context: { patientId: 'pat-SECRET-ID', userId: 'Practitioner/dr-1' },
        prefetch: {
          patient,
          medications: bundle(order),
          conditions: bundle(),
        },
      },
    });
    const forged = await app.inject({
      method: 'GET',
      url: '/cds-services',
      // A request id that is not a short token is not logged (a new one is made).
      headers: {
        authorization: 'Bearer SECRET-TOKEN-123',
        'x-request-id': 'Patient/pat-SECRET-ID Jane Q Verysecret',
      },
    });
    const missing = await app.inject({ method: 'GET', url: '/nowhere?patient=pat-SECRET-ID' });
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(bad.statusCode).toBe(400);
    expect(hook.statusCode).toBe(200);
    expect(forged.statusCode).toBe(401);
    expect(missing.statusCode).toBe(404);
    // One line per request, each with its status.
    const requestLines = lines.map((l) => JSON.parse(l) as { msg: string; statusCode?: number });
    expect(requestLines.filter((l) => l.msg === 'request').map((l) => l.statusCode)).toEqual([
      200, 400, 200, 401, 404,
    ]);
    const log = lines.join('');
    expect(log).toContain('req-abc'); // the request id is there to correlate
    expect(log).toContain('"route":"/analysis"');
    expect(log).toContain('"orders":1');
    expect(log).toContain('"hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"');
    expect(log).toContain('"authFailure":"malformed"');
    for (const secret of [
      ...tokens,
      ...tokens.map((t) => t.split('.')[2]!),
      'SECRET-TOKEN-123',
      'SECRET-TOKEN-456',
      'pat-SECRET-ID',
      'Verysecret',
      '1961-07-04',
      'mr-SECRET-ORDER',
      'oxycodone',
    ]) {
      expect(log).not.toContain(secret);
    }
  });

  it('runs the whole example suite, authenticated, and logs no token, patient id, name or birth date', async () => {
    const { lines, sink } = captureLines();
    const dataDir = mkdtempSync(join(tmpdir(), 'cds-log-'));
    const app = buildApp({
      config: loadConfig({ CDS_DEV_ISSUER: 'on', DATA_DIR: dataDir, LOG_LEVEL: 'trace' }),
      logger: pino(loggerOptions('trace'), sink),
    });
    const secrets = ['pat-EXAMPLE-7731', 'Synthetic', 'Pat"', '1971-03-10', 'SECRET-FHIR-TOKEN-789'];
    const tokens: string[] = [];
    for (const name of exampleNames()) {
      const example = exampleRequest(name, '2026-01-15');
      const body = JSON.parse(
        JSON.stringify(example.request).replaceAll('Patient/p1', 'Patient/pat-EXAMPLE-7731'),
      ) as Record<string, unknown> & { context: Record<string, unknown> };
      body.context.patientId = 'pat-EXAMPLE-7731';
      // A token is always for a server: the full prefetch leaves nothing to fetch from it.
      body.fhirServer = 'https://ehr.example.org/fhir';
      body.fhirAuthorization = {
        access_token: 'SECRET-FHIR-TOKEN-789',
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'patient/*.read',
        subject: 'cds',
      };
      const url = `/cds-services/${example.service}`;
      const token = await devToken(dataDir, `http://127.0.0.1:8080${url}`);
      tokens.push(token);
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token}` },
        payload: body,
      });
      expect(res.statusCode, name).toBe(200);
      // Feedback on each card, as an EHR would send it.
      const cards = res.json<{ cards: { uuid: string }[] }>().cards;
      const feedbackToken = await devToken(dataDir, `http://127.0.0.1:8080${url}/feedback`);
      tokens.push(feedbackToken);
      await app.inject({
        method: 'POST',
        url: `${url}/feedback`,
        headers: { authorization: `Bearer ${feedbackToken}` },
        payload: {
          feedback: cards.map((c) => ({
            card: c.uuid,
            outcome: 'overridden',
            overrideReason: { userComment: 'pat-EXAMPLE-7731 declined' },
          })),
        },
      });
    }
    await app.close();
    expect(lines.length).toBeGreaterThan(exampleNames().length);
    const log = lines.join('');
    for (const secret of [...secrets, ...tokens, ...tokens.map((t) => t.split('.')[2]!)])
      expect(log).not.toContain(secret);
  });
  it("writes a request's own lines with its id, and makes its logger only when it logs", async () => {
    const { lines, sink } = captureLines();
    const logger = pino(loggerOptions('info'), sink);
    const app = buildApp({
      config: loadConfig({ CDS_AUTH: 'off', DATA_DIR: mkdtempSync(join(tmpdir(), 'cds-log-')) }),
      logger,
    });
    const call = (payload: unknown, requestId: string) =>
      app.inject({
        method: 'POST',
        url: '/cds-services/opioid-pain-patient-view',
        headers: { 'x-request-id': requestId },
        payload: payload as Record<string, unknown>,
      });
    const good = {
      hook: 'patient-view',
      hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
      context: { patientId: 'p1' },
      prefetch: {
        patient: { resourceType: 'Patient', id: 'p1' },
        medications: bundle(),
        conditions: bundle(),
      },
    };
    expect((await call(good, 'warm-up')).statusCode).toBe(200);
    const children = vi.spyOn(logger, 'child');
    expect((await call(good, 'req-quiet')).statusCode).toBe(200);
    expect(children).not.toHaveBeenCalled();
    expect((await call({ ...good, hookInstance: 'not-a-uuid' }, 'req-rejected')).statusCode).toBe(400);
    expect(children).toHaveBeenCalledTimes(1);
    await app.close();
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string; reqId?: string; statusCode?: number });
    // The rejection's own line (through the request's logger) and the request line both carry its id.
    expect(parsed.filter((l) => l.reqId === 'req-rejected').map((l) => l.msg)).toEqual([
      'request rejected',
      'request',
    ]);
    expect(parsed.filter((l) => l.reqId === 'req-quiet').map((l) => l.msg)).toEqual(['request']);
  });
});
