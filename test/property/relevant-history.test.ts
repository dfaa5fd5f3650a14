/**
 * The hooks read only the orders and observations the rules can see at the as-of date
 * (src/domain/risk/relevant-history.ts, ADR 0011). The cut must never change a dose, trend, flag (with its
 * evidence), exclusion, decision or card: checked on every synthetic patient and scenario at dates across and after
 * their histories, and on random long histories (fast-check) with orders without a stated supply, undated and
 * long-running orders, benzodiazepines taken for years, naloxone, several prescribers, urine screens, COMM scores and
 * PHQ-9 answers dated in each way an Observation may be (or not at all, or after the as-of date).
 */
import fc from 'fast-check';
import type { MedicationRequest, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { analyzeBundle } from '../../src/analysis/analyze-bundle.ts';
import type { CardContext } from '../../src/cards/card.types.ts';
import { referralCard } from '../../src/cards/referral-card.ts';
import { safetyCards } from '../../src/cards/safety-cards.ts';
import {
  observationLookbackDays,
  orderLookbackDays,
  relevantOrders,
} from '../../src/domain/risk/relevant-history.ts';
import { DEFAULT_RISK_RULES } from '../../src/domain/risk/risk-rules.ts';
import { formatDay, parseIsoDate } from '../../src/domain/time/day.ts';
import { DEFAULT_TREND_RULES } from '../../src/domain/trend/trend-rules.ts';
import { indexBundle } from '../../src/fhir/bundle-index.ts';
import type { Json } from '../../src/fhir/json-read.ts';
import { mapRecord } from '../../src/fhir/record.mapper.ts';
import { bundle, every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import { epicStyleHistory } from '../builders/history.ts';
import {
  CHRONIC_LBP,
  commScore,
  condition,
  patient,
  phq9Item9,
  UDS,
  urineScreen,
} from '../builders/record-builders.ts';
import { AS_OF, SCENARIOS } from '../fixtures/synthetic-patients.ts';
import { fiveYearHistory, syntheticPopulation } from '../synthetic/population.ts';

const day = (text: string): number => parseIsoDate(text)!;

function outcome(resources: readonly Resource[], asOf: string, history: 'full' | 'relevant') {
  const analysis = analyzeBundle(bundle(...resources) as unknown as Json, day(asOf), 'cdc-2022', { history });
  const ctx: CardContext = {
    patientId: 'p1',
    userId: 'Practitioner/dr-1',
    today: asOf,
    publicBaseUrl: 'https://cds.example.org',
    trendLink: 'smart',
    partial: [],
    newId: () => 'id',
  };
  const referral = referralCard(analysis, ctx);
  return {
    read: analysis.medicationRequestCount,
    same: {
      totalMme: analysis.mme.totalMme,
      complete: analysis.mme.complete,
      trend: analysis.mme.trend,
      current: analysis.mme.orders
        .filter((o) => o.status !== 'inactive')
        .map((o) => [o.id, o.status, o.mme, o.explanation, o.reasons]),
      flags: analysis.risk.flags,
      exclusions: analysis.risk.exclusions,
      referral: analysis.risk.referral,
      cards: [...safetyCards(analysis, ctx), ...(referral ? [referral] : [])],
    },
  };
}

/** Asserts that the cut changes nothing; returns how many orders it left out. */
function expectSameOutcome(resources: readonly Resource[], asOf: string, label: string): number {
  const full = outcome(resources, asOf, 'full');
  const relevant = outcome(resources, asOf, 'relevant');
  expect(relevant.same, `${label} on ${asOf}`).toEqual(full.same);
  return full.read - relevant.read;
}

describe('orders the hooks read', () => {
  const lookback = orderLookbackDays(DEFAULT_TREND_RULES, DEFAULT_RISK_RULES);
  const asOf = day('2026-01-15');

  it('reaches back as far as the longest rule: urine screens of 12 months and 7 days of detection, plus one', () => {
    expect(lookback).toBe(365 + 7 + 1);
  });

  it('leaves out an order only when every date it carries is older than that', () => {
    const ends = (daysAgo: number) => ({ start: asOf - daysAgo - 29, latest: asOf - daysAgo });
    expect(relevantOrders([ends(lookback + 30), ends(lookback), ends(10)], asOf, lookback)).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('reads every order when one has no start (it may be in effect at any time)', () => {
    const old = { start: asOf - 900, latest: asOf - 870 };
    expect(relevantOrders([old, { start: undefined, latest: undefined }], asOf, lookback)).toEqual([
      true,
      true,
    ]);
  });

  it('keeps what ends after the start of a kept order: an order without a stated supply, a long one', () => {
    const older = { start: asOf - 1000, latest: asOf - 950 };
    const old = { start: asOf - 800, latest: asOf - 770 };
    // No supply duration: its end depends on its dose, so it is read, and so is what it may overlap.
    const unknownEnd = { start: asOf - 790, latest: undefined };
    expect(relevantOrders([older, old, unknownEnd], asOf, lookback)).toEqual([false, true, true]);
    // Two years of a benzodiazepine up to today: the opioid orders it overlapped are read.
    const longRunning = { start: asOf - 760, latest: asOf };
    const overlapped = { start: asOf - 780, latest: asOf - 750 };
    const before = { start: asOf - 900, latest: asOf - 870 };
    expect(relevantOrders([before, overlapped, longRunning], asOf, lookback)).toEqual([false, true, true]);
  });
});

describe('observations the hooks read', () => {
  it('reach back as far as the longest rule reading them: urine screens, COMM and programme completions of 12 months', () => {
    expect(observationLookbackDays(DEFAULT_RISK_RULES)).toBe(365);
  });

  it('are those of the look-back: a five-year history keeps its last year of observations', () => {
    const asOf = day(AS_OF);
    const at = { asOf, lookbackDays: 373, observationLookbackDays: 365 };
    const index = indexBundle(bundle(...fiveYearHistory()) as unknown as Json);
    const all = mapRecord(index, []).observations;
    const read = mapRecord(index, [], { relevantAt: at }).observations;
    expect(read.length).toBeGreaterThan(0);
    expect(read.length).toBeLessThan(all.length / 3);
    expect(read).toEqual(
      all.filter((o) => o.effective !== undefined && o.effective > asOf - 365 && o.effective <= asOf),
    );
  });
});

describe('the hooks answer the same with and without older orders and observations', () => {
  const dates = (from: string, to: string, step: number): string[] => {
    const out: string[] = [];
    for (let d = day(from); d <= day(to); d += step) out.push(formatDay(d));
    return out;
  };

  it('for every scenario, as its orders age out over two years', () => {
    let left = 0;
    for (const s of SCENARIOS)
      for (const asOf of dates(AS_OF, '2028-01-15', 61)) left += expectSameOutcome(s.resources, asOf, s.name);
    expect(left).toBeGreaterThan(0);
  });

  it('for every patient of the synthetic population and a five-year history, at dates across them', () => {
    let left = 0;
    for (const p of syntheticPopulation())
      for (const asOf of dates('2024-06-01', '2027-06-01', 73))
        left += expectSameOutcome(p.resources, asOf, p.key);
    for (const asOf of dates('2022-01-01', '2027-01-15', 47))
      left += expectSameOutcome(fiveYearHistory(), asOf, 'five-year history');
    for (const asOf of dates('2021-01-01', '2026-06-01', 97))
      left += expectSameOutcome(epicStyleHistory(80), asOf, 'Epic-style history');
    expect(left).toBeGreaterThan(0);
  });

  it('leaves out most of a five-year history of monthly refills', () => {
    const full = outcome(fiveYearHistory(), AS_OF, 'full');
    const relevant = outcome(fiveYearHistory(), AS_OF, 'relevant');
    expect(relevant.read).toBeLessThan(full.read / 3);
    expect(relevant.same).toEqual(full.same);
  });

  const base = day(AS_OF) - 1500;
  const OPIOIDS = ['1049621', '1049683', '197696', '864706', '892625'];
  const opioid = fc.record({
    rxcui: fc.constantFrom(...OPIOIDS),
    start: fc.integer({ min: 0, max: 1560 }),
    tablets: fc.integer({ min: 1, max: 6 }),
    supply: fc.oneof(
      fc.record({ days: fc.oneof(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 200, max: 900 })) }),
      fc.record({ quantity: fc.integer({ min: 1, max: 720 }) }),
      fc.constant({}),
    ),
    status: fc.constantFrom('active', 'completed', 'stopped', 'unknown', 'active'),
    requester: fc.integer({ min: 1, max: 5 }),
    validity: fc.option(
      fc.record({ before: fc.integer({ min: 0, max: 60 }), length: fc.integer({ min: 0, max: 500 }) }),
    ),
    // One order in twenty without a date.
    undated: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  });
  // Short courses, and benzodiazepines taken for years (their overlap with old opioid orders counts).
  const benzo = fc.record({
    start: fc.integer({ min: 0, max: 1560 }),
    days: fc.oneof(fc.integer({ min: 10, max: 120 }), fc.integer({ min: 400, max: 1600 })),
  });
  const screen = fc.record({
    offset: fc.integer({ min: 0, max: 500 }),
    test: fc.constantFrom(...(Object.keys(UDS) as (keyof typeof UDS)[])),
    positive: fc.boolean(),
  });
  // COMM totals and PHQ-9 item 9 answers (alone or in a panel), dated each way an Observation may be, or undated;
  // some after the as-of date.
  const assessment = fc.record({
    offset: fc.integer({ min: -30, max: 500 }),
    kind: fc.constantFrom('comm', 'phq', 'phq-panel'),
    score: fc.integer({ min: 0, max: 20 }),
    dated: fc.constantFrom('effectiveDateTime', 'effectivePeriod', 'issued', 'none'),
  });
  const history = fc.record({
    opioids: fc.array(opioid, { minLength: 1, maxLength: 30 }),
    benzos: fc.array(benzo, { maxLength: 3 }),
    naloxone: fc.array(fc.integer({ min: 0, max: 1560 }), { maxLength: 2 }),
    screens: fc.array(screen, { maxLength: 4 }),
    assessments: fc.array(assessment, { maxLength: 5 }),
    asOfShift: fc.integer({ min: -200, max: 400 }),
  });

  it('for random long histories (fast-check)', () => {
    fc.assert(
      fc.property(history, (h) => {
        const orders: MedicationRequest[] = h.opioids.map((o, i) => {
          const order = medicationRequest({
            id: `o${i}`,
            rxcui: o.rxcui,
            authoredOn: formatDay(base + o.start),
            status: o.status,
            requester: `Practitioner/p${o.requester}`,
            dosages: [{ dose: tab(o.tablets), timing: every(1, 'd') }],
            supply: {
              ...('days' in o.supply ? { days: o.supply.days } : {}),
              ...('quantity' in o.supply ? { quantity: tab(o.supply.quantity) } : {}),
            },
          });
          if (o.validity)
            order.dispenseRequest = {
              ...order.dispenseRequest,
              validityPeriod: {
                start: formatDay(base + o.start - o.validity.before),
                end: formatDay(base + o.start - o.validity.before + o.validity.length),
              },
            };
          if (o.undated) delete order.authoredOn;
          return order;
        });
        const benzos = h.benzos.map((b, i) =>
          medicationRequest({
            id: `b${i}`,
            rxcui: '198241',
            authoredOn: formatDay(base + b.start),
            dosages: [{ dose: tab(1), timing: every(1, 'd') }],
            supply: { days: b.days },
          }),
        );
        const naloxone = h.naloxone.map((start, i) =>
          medicationRequest({
            id: `n${i}`,
            rxcui: '1725059',
            authoredOn: formatDay(base + start),
            status: 'completed',
            dosages: [{ dose: tab(1), timing: every(1, 'd'), prn: true }],
            supply: { days: 1 },
          }),
        );
        const asOf = formatDay(day(AS_OF) + h.asOfShift);
        const screens = h.screens.map((s, i) =>
          urineScreen(`u${i}`, UDS[s.test][0], UDS[s.test][1], formatDay(day(asOf) - s.offset), {
            coded: s.positive ? 'positive' : 'negative',
          }),
        );
        const assessments = h.assessments.map((a, i) => {
          const date = formatDay(day(asOf) - a.offset);
          const o =
            a.kind === 'comm'
              ? commScore(`a${i}`, a.score, date)
              : phq9Item9(`a${i}`, Math.min(a.score, 3), date, a.kind === 'phq-panel');
          delete o.effectiveDateTime;
          if (a.dated === 'effectiveDateTime') o.effectiveDateTime = date;
          else if (a.dated === 'effectivePeriod') o.effectivePeriod = { start: date };
          else if (a.dated === 'issued') o.issued = `${date}T09:00:00Z`;
          return o;
        });
        const resources: Resource[] = [
          patient('1970-05-01'),
          condition({ id: 'pain', code: CHRONIC_LBP, onset: '2020-03-01' }),
          ...orders,
          ...benzos,
          ...naloxone,
          ...screens,
          ...assessments,
        ];
        expectSameOutcome(resources, asOf, 'random history');
      }),
      { numRuns: 500 },
    );
  });
});
