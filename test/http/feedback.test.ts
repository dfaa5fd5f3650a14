/**
 * CDS Hooks feedback and the audit, through HTTP with the embedded store: feedback acknowledged after it is stored,
 * stored once, Epic's variants accepted, bad input named; an audit record per hook call without patient data; and
 * the governance API's rates, behind its own token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { openStore, type AuditRecord, type Store } from '../../src/storage/store.ts';
import { build } from '../helpers/build-app.ts';
import { hookRequest, prefetchFor } from '../helpers/hooks.ts';
import { embeddedDatabase } from '../helpers/stores.ts';
import { commScore } from '../builders/record-builders.ts';
import { SCENARIOS, syntheticPatient } from '../fixtures/synthetic-patients.ts';

const FEEDBACK = '/cds-services/opioid-pain-patient-view/feedback';
const GOVERNANCE_TOKEN = 'g'.repeat(40);
let store: Store;

beforeAll(async () => {
  store = await openStore(await embeddedDatabase().open());
}, 60_000);
afterAll(async () => {
  await store.close();
});

function app(env: Record<string, string> = {}) {
  const a = buildApp({
    config: loadConfig({ CDS_AUTH: 'off', GOVERNANCE_TOKEN, ...env }),
    clock: () => new Date(2026, 0, 15, 12, 0, 0),
    store,
  });
  return a;
}

describe('feedback', () => {
  it('acknowledges with 200 {} once stored, and stores a repeated item once', async () => {
    const a = app();
    const before = await store.feedbackCount();
    const payload = {
      feedback: [
        {
          card: '9f2c1a8e-7b4d-4c3e-9a1f-2b3c4d5e6f70',
          outcome: 'accepted',
          acceptedSuggestions: [{ id: 'b1f0c0a2-1111-4222-8333-444455556666' }],
          outcomeTimestamp: '2026-01-15T10:00:00Z',
        },
      ],
    };
    const first = await a.inject({ method: 'POST', url: FEEDBACK, payload });
    const second = await a.inject({ method: 'POST', url: FEEDBACK, payload });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({});
    expect(second.statusCode).toBe(200);
    expect((await store.feedbackCount()) - before).toBe(1);
    await a.close();
  });

  it('accepts Epic variants: overrideReasons (plural) and card ids that are not UUIDs', async () => {
    const a = app();
    const before = await store.feedbackCount();
    const res = await a.inject({
      method: 'POST',
      url: FEEDBACK,
      payload: {
        feedback: [
          {
            card: 'EPIC-CARD-12345',
            outcome: 'overridden',
            overrideReasons: [
              {
                code: 'patient-declined',
                system: 'https://opioid-pain-cds.org/fhir/CodeSystem/override-reason',
              },
              { reason: { code: 'not-available' }, userComment: 'no group nearby' },
            ],
            outcomeTimestamp: '2026-01-15T10:05:00-05:00',
          },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    expect((await store.feedbackCount()) - before).toBe(2);
    await a.close();
  });

  it('reads an outcomeTimestamp without an offset as UTC (as the spec defines it) instead of refusing the batch', async () => {
    const a = app();
    const before = await store.feedbackCount();
    const item = (outcomeTimestamp: string) => ({
      feedback: [{ card: 'card-local-time', outcome: 'accepted', outcomeTimestamp }],
    });
    const local = await a.inject({ method: 'POST', url: FEEDBACK, payload: item('2026-01-15T15:05:00') });
    const utc = await a.inject({ method: 'POST', url: FEEDBACK, payload: item('2026-01-15T15:05:00Z') });
    expect([local.statusCode, utc.statusCode]).toEqual([200, 200]);
    // The same outcome at the same instant: stored once.
    expect((await store.feedbackCount()) - before).toBe(1);
    await a.close();
  });

  it.each([
    [{}, /feedback/],
    [{ feedback: [] }, /at least one/],
    [{ feedback: [{ card: 'x', outcome: 'maybe' }] }, /outcome/],
    [{ feedback: [{ outcome: 'accepted' }] }, /card/],
    [{ feedback: [{ card: 'x', outcome: 'accepted', outcomeTimestamp: 'yesterday' }] }, /outcomeTimestamp/],
  ])('answers 400 naming the problem: %j', async (payload, message) => {
    const a = app();
    const res = await a.inject({ method: 'POST', url: FEEDBACK, payload });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(message);
    await a.close();
  });

  it.each([
    ['a year before 1900', { outcomeTimestamp: '0000-01-01T00:00:00Z' }, /outcomeTimestamp: .*1900/],
    [
      'an offset beyond 14 hours',
      { outcomeTimestamp: '2026-01-01T00:00:00-23:59' },
      /outcomeTimestamp: .*14:00/,
    ],
    ['a NUL in the card id', { card: 'card\u0000x' }, /card: must not contain NUL/],
    [
      'a NUL in a suggestion id',
      { acceptedSuggestions: [{ id: 's\u0000' }] },
      /acceptedSuggestions\.0\.id: must not/,
    ],
    [
      'a NUL in a reason code',
      { outcome: 'overridden', overrideReason: { reason: { code: 'r\u0000' } } },
      /overrideReason\.reason\.code: must not/,
    ],
    [
      'a NUL in a reason system',
      { outcome: 'overridden', overrideReasons: [{ code: 'r', system: 'https://x\u0000' }] },
      /overrideReasons\.0\.system: must not/,
    ],
  ])(
    'answers 400 for what the database cannot keep (%s), and stores nothing of the batch',
    async (_, bad, message) => {
      const a = app();
      const before = await store.feedbackCount();
      const good = { card: 'card-kept-only-with-its-batch', outcome: 'accepted' };
      const res = await a.inject({
        method: 'POST',
        url: FEEDBACK,
        payload: { feedback: [good, { ...good, card: 'card-with-a-bad-field', ...bad }] },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(message);
      expect(await store.feedbackCount()).toBe(before);
      await a.close();
    },
  );

  it('bounds what one request may store, and stores nothing of a request beyond the bounds', async () => {
    const a = app();
    const before = await store.feedbackCount();
    const reason = (i: number) => ({ reason: { code: `r${i}`, system: 'https://ehr.example.org/reasons' } });
    const item = (card: string, reasons: number) => ({
      card,
      outcome: 'overridden',
      overrideReasons: Array.from({ length: reasons }, (_, i) => reason(i)),
    });
    const tooManyReasons = await a.inject({
      method: 'POST',
      url: FEEDBACK,
      payload: { feedback: [item('card-1', 21)] },
    });
    expect(tooManyReasons.statusCode).toBe(400);
    // Codes and systems are bounded in both of Epic's shapes.
    for (const entry of [{ reason: { code: 'x'.repeat(201) } }, { code: 'x'.repeat(201), system: 'y' }]) {
      const long = await a.inject({
        method: 'POST',
        url: FEEDBACK,
        payload: { feedback: [{ card: 'c', outcome: 'overridden', overrideReasons: [entry] }] },
      });
      expect(long.statusCode, JSON.stringify(entry).slice(0, 30)).toBe(400);
    }
    expect(tooManyReasons.json().message).toMatch(/overrideReasons: holds at most 20 reasons per card/);
    // 1,000 items of 20 reasons: 20,000 rows asked for.
    const tooMany = await a.inject({
      method: 'POST',
      url: FEEDBACK,
      payload: { feedback: Array.from({ length: 1000 }, (_, i) => item(`card-${i}`, 20)) },
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().message).toMatch(/at most 2000 card outcomes and override reasons per request/);
    expect(await store.feedbackCount()).toBe(before);
    const within = await a.inject({
      method: 'POST',
      url: FEEDBACK,
      payload: { feedback: Array.from({ length: 100 }, (_, i) => item(`bounded-${i}`, 20)) },
    });
    expect(within.statusCode).toBe(200);
    expect((await store.feedbackCount()) - before).toBe(2000);
    await a.close();
  });

  it('answers 404 for an unknown service and 503 without a store', async () => {
    const a = app();
    expect(
      (await a.inject({ method: 'POST', url: '/cds-services/nope/feedback', payload: { feedback: [] } }))
        .statusCode,
    ).toBe(404);
    await a.close();
    const bare = build();
    const res = await bare.inject({
      method: 'POST',
      url: FEEDBACK,
      payload: { feedback: [{ card: 'x', outcome: 'accepted' }] },
    });
    expect(res.statusCode).toBe(503);
  });

  it('answers 503 with Retry-After when the store cannot take it, so that the EHR sends it again', async () => {
    const down: Store = {
      ...store,
      saveFeedback: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
    };
    const a = buildApp({ config: loadConfig({ CDS_AUTH: 'off' }), store: down });
    const res = await a.inject({
      method: 'POST',
      url: FEEDBACK,
      payload: { feedback: [{ card: 'x', outcome: 'accepted' }] },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().message).toMatch(/feedback storage is not available/);
    await a.close();
  });

  it('needs the EHR token like every CDS Hooks call', async () => {
    const a = app({ CDS_AUTH: 'on' });
    const res = await a.inject({
      method: 'POST',
      url: FEEDBACK,
      payload: { feedback: [{ card: 'x', outcome: 'accepted' }] },
    });
    expect(res.statusCode).toBe(401);
    await a.close();
  });
});

describe('audit and governance', () => {
  it('records each hook call without patient data, and reports rates per card type to governance only', async () => {
    const a = app();
    const scenario = SCENARIOS.find((s) => s.expect.branch === 'misuse')!;
    const hook = await a.inject({
      method: 'POST',
      url: '/cds-services/opioid-pain-patient-view',
      payload: hookRequest('patient-view', 'p1', { prefetch: prefetchFor(scenario.resources) }),
    });
    expect(hook.statusCode).toBe(200);
    const cards = hook.json<{ cards: { uuid: string; source: { topic: { code: string } } }[] }>().cards;
    expect(JSON.stringify(hook.json())).not.toContain('decision');
    const more = cards.find((c) => c.source.topic.code === 'referralmore')!;
    await a.inject({
      method: 'POST',
      url: FEEDBACK,
      payload: {
        feedback: [
          { card: more.uuid, outcome: 'overridden', overrideReason: { reason: { code: 'not-available' } } },
        ],
      },
    });
    await a.close(); // flushes the audit queue

    const b = app();
    expect((await b.inject({ method: 'GET', url: '/governance/feedback' })).statusCode).toBe(401);
    const wrong = await b.inject({
      method: 'GET',
      url: '/governance/feedback',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const res = await b.inject({
      method: 'GET',
      url: '/governance/feedback',
      headers: { authorization: `Bearer ${GOVERNANCE_TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    const row = res
      .json<{
        cardTypes: {
          cardType: string;
          shown: number;
          overridden: number;
          overrideReasons: Record<string, number>;
        }[];
      }>()
      .cardTypes.find((t) => t.cardType === 'referralmore');
    expect(row).toMatchObject({ shown: 1, overridden: 1, overrideReasons: { 'not-available': 1 } });
    await b.close();
  });

  it('counts cards, not rows: a card overridden for two reasons is one override, under each reason; a resend at the same instant in another offset is stored once', async () => {
    type Stats = {
      cardType: string;
      shown: number;
      overridden: number;
      overrideReasons: Record<string, number>;
    };
    const statsOf = async (): Promise<Stats> => {
      const c = app();
      const res = await c.inject({
        method: 'GET',
        url: '/governance/feedback',
        headers: { authorization: `Bearer ${GOVERNANCE_TOKEN}` },
      });
      await c.close();
      const row = res.json<{ cardTypes: Stats[] }>().cardTypes.find((t) => t.cardType === 'referralmore');
      return row ?? { cardType: 'referralmore', shown: 0, overridden: 0, overrideReasons: {} };
    };
    const before = await statsOf();
    const a = app();
    const scenario = SCENARIOS.find((s) => s.expect.branch === 'misuse')!;
    const hook = await a.inject({
      method: 'POST',
      url: '/cds-services/opioid-pain-patient-view',
      payload: hookRequest('patient-view', 'p1', { prefetch: prefetchFor(scenario.resources) }),
    });
    const cards = hook.json<{ cards: { uuid: string; source: { topic: { code: string } } }[] }>().cards;
    const more = cards.find((c) => c.source.topic.code === 'referralmore')!;
    const item = (outcomeTimestamp: string) => ({
      feedback: [
        {
          card: more.uuid,
          outcome: 'overridden',
          overrideReasons: [{ code: 'patient-declined' }, { code: 'not-available' }],
          outcomeTimestamp,
        },
      ],
    });
    const rows = await store.feedbackCount();
    await a.inject({ method: 'POST', url: FEEDBACK, payload: item('2026-01-15T10:05:00.250-05:00') });
    await a.inject({ method: 'POST', url: FEEDBACK, payload: item('2026-01-15T15:05:00.25Z') });
    // One row per reason, and the resend (the same instant) adds none.
    expect((await store.feedbackCount()) - rows).toBe(2);
    // Another instant is another outcome.
    await a.inject({ method: 'POST', url: FEEDBACK, payload: item('2026-01-15T15:05:00.251Z') });
    expect((await store.feedbackCount()) - rows).toBe(4);
    await a.close(); // flushes the audit queue

    const after = await statsOf();
    expect(after.shown - before.shown).toBe(1);
    expect(after.overridden - before.overridden).toBe(1);
    for (const reason of ['patient-declined', 'not-available'])
      expect((after.overrideReasons[reason] ?? 0) - (before.overrideReasons[reason] ?? 0)).toBe(1);
  });

  it('records a call whose results could not all be read as not complete, counting them', async () => {
    const recorded: AuditRecord[] = [];
    const capturing: Store = {
      ...store,
      recordHookCalls: (records) => {
        recorded.push(...records);
        return Promise.resolve();
      },
    };
    const a = buildApp({
      config: loadConfig({ CDS_AUTH: 'off' }),
      store: capturing,
      clock: () => new Date(2026, 0, 15, 12, 0, 0),
    });
    const unreadable = { ...commScore('comm', 11, '2026-01-01'), valueInteger: '11' };
    const resources = [...syntheticPatient(), unreadable as never];
    const hook = await a.inject({
      method: 'POST',
      url: '/cds-services/opioid-pain-patient-view',
      payload: hookRequest('patient-view', 'p1', { prefetch: prefetchFor(resources) }),
    });
    expect(hook.statusCode).toBe(200);
    await a.close(); // flushes the audit queue
    expect(recorded.map((r) => [r.complete, r.partialCount])).toEqual([[false, 1]]);
  });

  it('answers /readyz with the store, and 503 when it cannot answer', async () => {
    const a = app();
    const ready = await a.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toEqual({ status: 'ready', store: 'embedded' });
    await a.close();
    const broken: Store = { ...store, ping: () => Promise.reject(new Error('down')) };
    const b = buildApp({ config: loadConfig({ CDS_AUTH: 'off' }), store: broken });
    const notReady = await b.inject({ method: 'GET', url: '/readyz' });
    expect([notReady.statusCode, notReady.json()]).toEqual([
      503,
      { status: 'not ready', store: 'embedded', unavailable: ['store'] },
    ]);
    await b.close();
  });
});
