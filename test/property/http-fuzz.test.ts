/**
 * Fuzzing the HTTP surface with fast-check: thousands of malformed hook requests, feedback bodies and FHIR
 * resources (random JSON, and valid requests with random parts replaced). Never a 5xx, never an unhandled
 * rejection, and every 4xx says what is wrong.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { openStore, type Store } from '../../src/storage/store.ts';
import { SCENARIOS } from '../fixtures/synthetic-patients.ts';
import { hookRequest, prefetchFor } from '../helpers/hooks.ts';
import { embeddedDatabase } from '../helpers/stores.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const HOOK = '/cds-services/opioid-pain-patient-view';
const ORDER_SIGN = '/cds-services/opioid-pain-order-sign';
const FEEDBACK = '/cds-services/opioid-pain-patient-view/feedback';

let store: Store;
let app: FastifyInstance;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  store = await openStore(await embeddedDatabase().open());
  app = buildApp({
    config: loadConfig({ CDS_AUTH: 'off', LOG_LEVEL: 'silent' }),
    clock: () => new Date(2026, 0, 15, 12, 0, 0),
    store,
  });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app.close();
  await store.close();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

/** Replaces the value at a random path of `base` with `value` (or removes it when value is undefined). */
function mutate(base: unknown, path: number[], value: unknown): unknown {
  if (path.length === 0 || base === null || typeof base !== 'object') return value;
  const list = Array.isArray(base) ? (base as unknown[]) : undefined;
  const entries: [string, unknown][] = list ? list.map((v, i) => [String(i), v]) : Object.entries(base);
  if (entries.length === 0) return value;
  const at = (path[0] ?? 0) % entries.length;
  const replaced = mutate(entries[at]?.[1], path.slice(1), value);
  const changed = entries.map(([k, v], i): [string, unknown] => [k, i === at ? replaced : v]);
  if (list) return changed.map(([, v]) => v);
  return Object.fromEntries(changed.filter(([, v], i) => i !== at || v !== undefined));
}

const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(undefined, null, '', 'Patient/', '-1', 'Infinity', '__proto__'),
  fc.string({ maxLength: 40 }),
  fc.double(),
);
const mutation = fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), junk);

async function expectNoServerError(url: string, payload: unknown): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: payload === undefined ? '' : JSON.stringify(payload),
  });
  expect(res.statusCode, res.body).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const body = res.json<{ message?: unknown }>();
    expect(typeof body.message).toBe('string');
    expect((body.message as string).length).toBeGreaterThan(3);
  }
}

const valid = hookRequest('patient-view', 'p1', {
  prefetch: prefetchFor(SCENARIOS.find((s) => s.expect.branch === 'misuse')!.resources),
});

describe('fuzz', () => {
  it('random JSON as a hook request', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (body) => {
        await expectNoServerError(HOOK, body);
      }),
      { numRuns: RUNS },
    );
  });

  it('valid hook requests with random parts replaced (context, prefetch, FHIR resources)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        let body: unknown = valid;
        for (const [path, value] of mutations) body = mutate(body, path, value);
        await expectNoServerError(HOOK, body);
      }),
      { numRuns: RUNS },
    );
  });

  it('order-sign with random draft orders', async () => {
    const draft = {
      resourceType: 'MedicationRequest',
      id: 'd1',
      status: 'draft',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1049621' }],
      },
      dosageInstruction: [
        {
          timing: { repeat: { frequency: 4, period: 1, periodUnit: 'd' } },
          doseAndRate: [{ doseQuantity: { value: 1, unit: 'tablet' } }],
        },
      ],
    };
    await fc.assert(
      fc.asyncProperty(mutation, async ([path, value]) => {
        const body = hookRequest('order-sign', 'p1', {
          prefetch: valid.prefetch,
          context: {
            draftOrders: { resourceType: 'Bundle', entry: [{ resource: mutate(draft, path, value) }] },
          },
        });
        await expectNoServerError(ORDER_SIGN, body);
      }),
      { numRuns: RUNS },
    );
  });

  it('feedback bodies: random JSON and valid items with random parts replaced', async () => {
    const item = {
      card: '9f2c1a8e-7b4d-4c3e-9a1f-2b3c4d5e6f70',
      outcome: 'overridden',
      overrideReason: { reason: { code: 'patient-declined', system: 'x' }, userComment: 'c' },
      acceptedSuggestions: [{ id: 's' }],
      outcomeTimestamp: '2026-01-15T10:00:00Z',
    };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 4 }),
          mutation.map(([p, v]) => mutate({ feedback: [item] }, p, v)),
        ),
        async (body) => {
          await expectNoServerError(FEEDBACK, body);
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
