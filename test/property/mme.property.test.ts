/**
 * Properties of the engine over random orders (fast-check): no NaN or negative MME anywhere, totals independent of
 * Bundle order, and adding an order never lowers the daily MME on any day.
 */
import fc from 'fast-check';
import type { MedicationRequest, Quantity } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { formatDay, parseIsoDate } from '../../src/domain/time/day.ts';
import { medicationRequest, qty } from '../builders/fhir-builders.ts';
import { analyze } from '../helpers/analyze.ts';

// Tablets, ER tablets, patches, liquids, combination products, methadone, buprenorphine, tramadol, a buccal form.
const PRODUCTS = [
  '1049621',
  '1049683',
  '1049593',
  '197696',
  '245134',
  '892625',
  '857005',
  '836397',
  '864706',
  '351264',
  '897702',
  '668363',
  '892596',
];
const UNITS: [string, string | undefined][] = [
  ['tablet', '{tbl}'],
  ['mg', 'mg'],
  ['mL', 'mL'],
  ['patch', '{patch}'],
  ['capsule', undefined],
  ['furlong', undefined],
];
const AS_OF = '2026-01-15';
const base = parseIsoDate('2025-07-01')!;

const orderArb = (id: string): fc.Arbitrary<MedicationRequest> =>
  fc
    .record({
      rxcui: fc.constantFrom(...PRODUCTS),
      doseValue: fc.oneof(fc.constantFrom(0.5, 1, 2, 10), fc.double({ min: 0.25, max: 40, noNaN: true })),
      unit: fc.constantFrom(...UNITS),
      frequency: fc.integer({ min: 1, max: 6 }),
      period: fc.constantFrom(1, 4, 6, 8, 12, 24, 48, 72),
      periodUnit: fc.constantFrom('h', 'd'),
      prn: fc.boolean(),
      withTiming: fc.boolean(),
      supplyDays: fc.option(fc.integer({ min: 1, max: 90 })),
      quantity: fc.option(fc.integer({ min: 1, max: 360 })),
      startOffset: fc.integer({ min: 0, max: 200 }),
      status: fc.constantFrom('active', 'completed', 'stopped'),
    })
    .map((r) => {
      const dose: Quantity = qty(r.doseValue, r.unit[0], r.unit[1]);
      return medicationRequest({
        id,
        rxcui: r.rxcui,
        authoredOn: formatDay(base + r.startOffset),
        status: r.status,
        dosages: [
          {
            dose,
            prn: r.prn,
            ...(r.withTiming
              ? {
                  timing: {
                    repeat: { frequency: r.frequency, period: r.period, periodUnit: r.periodUnit },
                  },
                }
              : {}),
          },
        ],
        supply: {
          ...(r.quantity !== null ? { quantity: qty(r.quantity, 'tablet') } : {}),
          ...(r.supplyDays !== null ? { days: r.supplyDays } : {}),
        },
      });
    });

const ordersArb = (max: number): fc.Arbitrary<MedicationRequest[]> =>
  fc
    .integer({ min: 0, max })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => orderArb(`o${i}`))));

describe('MME properties', () => {
  it('never yields NaN, Infinity or a negative MME', () => {
    fc.assert(
      fc.property(ordersArb(8), (orders) => {
        const report = analyze(orders, AS_OF);
        const numbers = [
          report.totalMme,
          report.averages.last60Days,
          report.averages.last90Days,
          ...report.series.map((p) => p.mme),
          ...report.orders
            .flatMap((o) => [o.mme, ...o.ingredients.map((i) => i.mme)])
            .filter((m): m is number => m !== null),
        ];
        for (const n of numbers) {
          expect(Number.isFinite(n)).toBe(true);
          expect(n).toBeGreaterThanOrEqual(0);
        }
        // Unknown is never 0: an order without MME is null, and only known orders add to the total.
        for (const o of report.orders) if (o.status === 'incomplete') expect(o.mme).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same totals and series whatever the order of the Bundle entries', () => {
    fc.assert(
      fc.property(
        ordersArb(8).chain((orders) =>
          fc.tuple(fc.constant(orders), fc.shuffledSubarray(orders, { minLength: orders.length })),
        ),
        ([orders, shuffled]) => {
          const a = analyze(orders, AS_OF);
          const b = analyze(shuffled, AS_OF);
          expect(b.totalMme).toBe(a.totalMme);
          expect(b.complete).toBe(a.complete);
          expect(b.series).toEqual(a.series);
          expect(b.averages).toEqual(a.averages);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('adding an order never lowers the MME on any day', () => {
    fc.assert(
      fc.property(ordersArb(6), orderArb('extra'), (orders, extra) => {
        const before = analyze(orders, AS_OF);
        const after = analyze([...orders, extra], AS_OF);
        expect(after.totalMme).toBeGreaterThanOrEqual(before.totalMme);
        after.series.forEach((p, i) => {
          expect(p.mme).toBeGreaterThanOrEqual(before.series[i]!.mme);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('reports each order the same alone as among others (memoised refills are exact)', () => {
    fc.assert(
      fc.property(ordersArb(8), (orders) => {
        const together = analyze(orders, AS_OF);
        for (const order of orders) {
          const alone = analyze([order], AS_OF).orders;
          expect(together.orders.filter((o) => o.id === order.id)).toEqual(alone);
        }
      }),
      { numRuns: 100 },
    );
  });
});
