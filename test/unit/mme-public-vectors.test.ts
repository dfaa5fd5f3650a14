/**
 * The public test vectors of the clinical brief, section 7 (CDC 2022 factors unless noted; "q6h" = 1 per 6 h).
 */
import { describe, expect, it } from 'vitest';
import type { FactorSetId } from '../../src/domain/opioid/factor-sets.ts';
import {
  every,
  medicationRequest,
  mg,
  patch,
  qty,
  tab,
  timesOfDay,
  type OrderSpec,
} from '../builders/fhir-builders.ts';
import { analyze, onlyOrder } from '../helpers/analyze.ts';

interface Vector {
  name: string;
  order: Omit<OrderSpec, 'id'>;
  factorSet?: FactorSetId;
  mme: number | null;
  method: 'sig' | 'supply';
}

const many = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    system: 'http://hl7.org/fhir/sid/ndc',
    code: `0000-${i}`,
    display: `NDC ${i}`,
  }));

const VECTORS: Vector[] = [
  {
    name: 'fentanyl 0.075 mg/h patch, 1 patch every 72 h -> 180',
    order: { rxcui: '197696', dosages: [{ dose: patch(1), timing: every(72, 'h') }] },
    mme: 180,
    method: 'sig',
  },
  {
    name: 'oxycodone 10 mg dose of a 60 mg ER tablet q12h -> 30 (mass dose overrides tablet strength)',
    order: { rxcui: '1049593', dosages: [{ dose: mg(10), timing: every(12, 'h') }] },
    mme: 30,
    method: 'sig',
  },
  {
    name: 'same with timeOfDay x2 and no frequency -> 30',
    order: { rxcui: '1049593', dosages: [{ dose: mg(10), timing: timesOfDay('08:00:00', '20:00:00') }] },
    mme: 30,
    method: 'sig',
  },
  {
    name: 'morphine 20 mg once daily (timeOfDay x1) with 22 RxNorm codings -> 20',
    order: {
      rxcui: '892596',
      otherCodings: [
        ...many(10),
        ...Array.from({ length: 11 }, (_, i) => ({
          system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
          code: `99999${i}`,
        })),
      ],
      dosages: [{ dose: mg(20), timing: timesOfDay('08:00:00') }],
    },
    mme: 20,
    method: 'sig',
  },
  {
    name: 'tramadol 37.5 mg / APAP, dose range 1-2 TAB q4h -> 90 under 2022',
    order: { rxcui: '836397', dosages: [{ doseRange: [tab(1), tab(2)], timing: every(4, 'h') }] },
    mme: 90,
    method: 'sig',
  },
  {
    name: 'tramadol 37.5 mg / APAP under 2016 -> no MME',
    order: { rxcui: '836397', dosages: [{ doseRange: [tab(1), tab(2)], timing: every(4, 'h') }] },
    factorSet: 'cdc-2016',
    mme: null,
    method: 'sig',
  },
  {
    name: 'methadone 10 mg tab, 2 tabs 3x/day -> 282 under 2022',
    order: { rxcui: '864706', dosages: [{ dose: tab(2), timing: every(1, 'd', 3) }] },
    mme: 282,
    method: 'sig',
  },
  {
    name: 'methadone 10 mg tab, 2 tabs 3x/day -> 600 under 2016 (tier 41-60: 10)',
    order: { rxcui: '864706', dosages: [{ dose: tab(2), timing: every(1, 'd', 3) }] },
    factorSet: 'cdc-2016',
    mme: 600,
    method: 'sig',
  },
  {
    name: 'oxycodone 5 mg tab (1049621), 1 tab 4x/day -> 30',
    order: { rxcui: '1049621', dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }] },
    mme: 30,
    method: 'sig',
  },
  {
    name: 'oxycodone 10 mg tab (1049683), 1 tab 4x/day -> 60',
    order: { rxcui: '1049683', dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }] },
    mme: 60,
    method: 'sig',
  },
  {
    name: 'supply-based: hydrocodone 7.5 / APAP, 240 tabs / 30 days -> 60',
    order: { rxcui: '857005', supply: { quantity: tab(240), days: 30 } },
    mme: 60,
    method: 'supply',
  },
  {
    name: 'supply-based: fentanyl 75 patch, 10 patches / 30 days -> 180 (2.4 x mcg/h)',
    order: { rxcui: '197696', supply: { quantity: patch(10), days: 30 } },
    mme: 180,
    method: 'supply',
  },
  {
    name: 'supply-based: hydromorphone 4 mg, 180 tabs / 45 days -> 80',
    order: { rxcui: '897702', supply: { quantity: qty(180, 'TAB'), days: 45 } },
    mme: 80,
    method: 'supply',
  },
];

describe('public MME vectors (clinical brief section 7)', () => {
  it.each(VECTORS)('$name', ({ order, factorSet, mme, method }) => {
    const report = analyze(
      [medicationRequest({ id: 'o1', authoredOn: '2026-01-10', ...order })],
      '2026-01-15',
      factorSet,
    );
    const o = onlyOrder(report);
    expect(o.mme).toBe(mme);
    expect(o.method).toBe(method);
    if (mme === null) {
      expect(o.status).toBe('incomplete');
      expect(report.complete).toBe(false);
      expect(o.reasons.join(' ')).toMatch(/no clinical conversion factor/);
    } else {
      expect(o.status).toBe('counted');
      expect(report.totalMme).toBe(mme);
      expect(report.complete).toBe(true);
    }
  });

  it('the CDS Hooks documentation example is 105 MME/day, not the 125 it claims', () => {
    // hydrocodone 10 mg x6/day + oxycodone 5 mg x6/day: 60 x 1 + 30 x 1.5 = 105.
    const report = analyze([
      medicationRequest({
        id: 'hc',
        rxcui: '856999',
        dosages: [{ dose: tab(1), timing: every(4, 'h') }],
        authoredOn: '2026-01-10',
      }),
      medicationRequest({
        id: 'ox',
        rxcui: '1049621',
        dosages: [{ dose: tab(1), timing: every(4, 'h') }],
        authoredOn: '2026-01-10',
      }),
    ]);
    expect(report.orders.map((o) => [o.id, o.mme])).toEqual([
      ['hc', 60],
      ['ox', 45],
    ]);
    expect(report.totalMme).toBe(105);
  });

  it('explains each ingredient in one line', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'o1',
          rxcui: '1049621',
          dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
        }),
      ]),
    );
    expect(o.ingredients).toHaveLength(1);
    expect(o.ingredients[0]).toMatchObject({
      rxcui: '7804',
      name: 'oxycodone',
      strengthSource: 'product-table',
      dailyAmount: { value: 20, unit: 'mg/d' },
      factor: 1.5,
      mme: 30,
    });
    expect(o.ingredients[0]!.derivation).toBe('4/d x 1 tab x 5 mg = 20 mg/d x 1.5 = 30 MME/d');
    expect(o.explanation).toContain('oxycodone hydrochloride 5 MG Oral Tablet');
  });
});
