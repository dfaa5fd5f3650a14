/**
 * Edge cases where the public engines go wrong (issue contract): unknown codes, Medication-only strength,
 * missing timing, free-text units, Epic multi-coding, patches, PRN, buprenorphine, unknown never counted as 0.
 */
import type { Timing } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  bundle,
  every,
  medication,
  medicationRequest,
  mg,
  ml,
  patch,
  qty,
  RXNORM,
  tab,
} from '../builders/fhir-builders.ts';
import { analyze, onlyOrder } from '../helpers/analyze.ts';

describe('product and strength', () => {
  it('parses the RxNorm name of a code the 2020 table lacks (Kadian 892495)', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'k',
          rxcui: '892495',
          display: 'morphine sulfate 10 MG [Kadian]',
          dosages: [{ dose: qty(1, 'capsule'), timing: every(12, 'h') }],
        }),
      ]),
    );
    expect(o.mme).toBe(20);
    expect(o.product.identifiedBy).toBe('rxnorm-name');
    expect(o.ingredients[0]!.strengthSource).toBe('rxnorm-name');
  });

  it('uses the CDC value-set name for a newer RxCUI without a display (tramadol 25 mg)', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 't',
          rxcui: '2670390',
          dosages: [{ dose: tab(2), timing: every(1, 'd', 2) }],
        }),
      ]),
    );
    // tramadol hydrochloride 25 MG Oral Tablet: 2 x 2 x 25 = 100 mg/d x 0.2 = 20
    expect(o.product.name).toMatch(/tramadol hydrochloride 25 MG/);
    expect(o.mme).toBe(20);
  });

  it('computes from Medication.ingredient strength alone, without any RxCUI', () => {
    const med = medication('m1', {
      text: 'Oxycodone 5 mg tablet (local formulary)',
      ingredients: [{ name: 'oxycodone hydrochloride', numerator: mg(5), denominator: qty(1, 'TAB') }],
    });
    const report = analyze([
      med,
      medicationRequest({
        id: 'o',
        medicationReference: 'Medication/m1',
        dosages: [{ dose: tab(2), timing: every(6, 'h') }],
      }),
    ]);
    const o = onlyOrder(report);
    expect(o.mme).toBe(60);
    expect(o.product.identifiedBy).toBe('medication-ingredient');
    expect(o.ingredients[0]!.strengthSource).toBe('medication-ingredient');
  });

  it('prefers Medication.ingredient strength over the product table', () => {
    const med = medication('m1', {
      rxcui: '1049621',
      ingredients: [{ name: 'oxycodone', rxcui: '7804', numerator: mg(7.5), denominator: qty(1, 'TAB') }],
    });
    const o = onlyOrder(
      analyze([
        med,
        medicationRequest({
          id: 'o',
          medicationReference: 'Medication/m1',
          dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
        }),
      ]),
    );
    expect(o.ingredients[0]!.strengthSource).toBe('medication-ingredient');
    expect(o.mme).toBe(45);
  });

  it('resolves a contained Medication and a Bundle Medication referenced by urn:uuid', () => {
    const contained = medicationRequest({
      id: 'c',
      medicationReference: '#med',
      contained: [medication('med', { rxcui: '1049621' })],
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
    });
    const byUrn = medicationRequest({
      id: 'u',
      medicationReference: 'urn:uuid:Medication-m2',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
    });
    const report = analyze([contained, byUrn, medication('m2', { rxcui: '1049683' })]);
    expect(report.orders.map((o) => o.mme)).toEqual([30, 60]);
  });

  it('reports an unresolvable Medication reference as incomplete, not as 0 and not dropped', () => {
    const report = analyze([
      medicationRequest({
        id: 'x',
        medicationReference: 'Medication/missing',
        dosages: [{ dose: tab(1), timing: every(1, 'd') }],
      }),
    ]);
    const o = onlyOrder(report);
    expect(o.status).toBe('incomplete');
    expect(o.mme).toBeNull();
    expect(o.reasons.join(' ')).toMatch(/Medication\/missing is not available/);
    expect(report.complete).toBe(false);
  });

  it('ignores non-opioid orders', () => {
    const report = analyze([
      medicationRequest({
        id: 'ibu',
        rxcui: '197806',
        display: 'ibuprofen 600 MG Oral Tablet',
        dosages: [{ dose: tab(1), timing: every(8, 'h') }],
      }),
    ]);
    expect(report.orders).toEqual([]);
    expect(report.complete).toBe(true);
  });

  it('counts only the opioid of a combination product (acetaminophen/oxycodone)', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'perc',
          rxcui: '999999999',
          display: 'acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet',
          dosages: [{ dose: tab(2), timing: every(6, 'h') }],
        }),
      ]),
    );
    expect(o.ingredients.map((i) => i.name)).toEqual(['oxycodone']);
    expect(o.mme).toBe(60);
  });

  it('Epic-style: several codings, a separate Medication, ordered and calculated doseAndRate', () => {
    const med = medication('epic-med', {
      rxcui: '1049621',
      display: 'oxycodone hydrochloride 5 MG Oral Tablet',
    });
    med.code!.coding = [
      {
        system: 'urn:oid:1.2.840.114350.1.13.0.1.7.2.698288',
        code: '12345',
        display: 'OXYCODONE 5 MG TABLET',
      },
      { system: 'http://hl7.org/fhir/sid/ndc', code: '0406-0552-01' },
      { system: RXNORM, code: '7804', display: 'oxycodone' },
      { system: RXNORM, code: '1049621', display: 'oxycodone hydrochloride 5 MG Oral Tablet' },
    ];
    const order = medicationRequest({
      id: 'epic',
      medicationReference: 'Medication/epic-med',
      dosages: [
        {
          timing: every(6, 'h'),
          doseAndRate: [
            { type: { coding: [{ code: 'calculated' }] }, doseQuantity: mg(10) },
            { type: { coding: [{ code: 'ordered' }] }, doseQuantity: qty(1, 'tablet') },
          ],
        },
      ],
    });
    const o = onlyOrder(analyze([order, med]));
    expect(o.product.rxcui).toBe('1049621');
    expect(o.mme).toBe(30); // 4/d x 1 tab x 5 mg (the ordered dose), not the calculated 10 mg
  });
});

describe('daily dose', () => {
  it('no timing and no supply: incomplete with reasons, never 0', () => {
    const report = analyze([medicationRequest({ id: 'n', rxcui: '1049621', dosages: [{ dose: tab(1) }] })]);
    const o = onlyOrder(report);
    expect(o).toMatchObject({ status: 'incomplete', mme: null, method: null });
    expect(o.reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/no timing/),
        expect.stringMatching(/no dispense quantity/),
      ]),
    );
    expect(report.totalMme).toBe(0);
    expect(report.complete).toBe(false);
    expect(report.series.at(-1)).toEqual({ date: '2026-01-15', mme: 0, complete: false });
  });

  it('no timing but a supply: falls back to the supply-based method and says so', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 's',
          rxcui: '1049621',
          dosages: [{ dose: tab(1) }],
          supply: { quantity: tab(120), days: 30 },
        }),
      ]),
    );
    expect(o).toMatchObject({ method: 'supply', mme: 30, status: 'counted' });
    expect(o.notes.join(' ')).toMatch(/supply-based method used/);
    expect(o.ingredients[0]!.derivation).toBe('120 tab / 30 d = 4 tab/d x 5 mg = 20 mg/d x 1.5 = 30 MME/d');
  });

  it('sets aside a supply of more than a year (a unit or digit error), says so, and dates the order otherwise', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'long',
          rxcui: '1049621',
          authoredOn: '2026-01-10',
          dosages: [{ dose: tab(1), timing: every(6, 'h') }],
          supply: { days: 1e12 },
        }),
      ]),
    );
    expect(o).toMatchObject({
      mme: 30,
      status: 'counted',
      period: { start: '2026-01-10', end: '2026-02-08' },
    });
    expect(o.notes.join(' ')).toMatch(
      /an expected supply duration of 1000000000000 days is implausible \(more than 366\): check the order; not used/,
    );
  });

  it('gives no supply-based dose for a supply of more than a year: unknown, never about 0', () => {
    const report = analyze([
      medicationRequest({
        id: 'supply-only',
        rxcui: '1049621',
        supply: { quantity: tab(120), days: 1e12 },
      }),
    ]);
    const o = onlyOrder(report);
    expect(o.mme).toBeNull();
    expect(o.reasons.join(' ')).toMatch(/implausible/);
    expect(report.complete).toBe(false);
    for (const point of report.series) expect(point.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    ['tablet(s)', undefined],
    ['Tabs', undefined],
    ['TAB', undefined],
    ['tablet', '{tbl}'],
  ])('accepts count unit "%s" (code %s)', (unit, code) => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'u',
          rxcui: '1049621',
          dosages: [{ dose: qty(2, unit, code), timing: every(1, 'd', 2) }],
        }),
      ]),
    );
    expect(o.mme).toBe(30);
  });

  it('accepts a volume dose with mg/mL strength (oxycodone 5 mg/5 mL solution)', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'v',
          rxcui: '999999',
          display: 'oxycodone hydrochloride 1 MG/ML Oral Solution',
          dosages: [{ dose: ml(5), timing: every(6, 'h') }],
        }),
      ]),
    );
    expect(o.mme).toBe(30);
    expect(o.ingredients[0]!.derivation).toBe('4/d x 5 mL x 1 mg/mL = 20 mg/d x 1.5 = 30 MME/d');
  });

  it('an unrecognised dose unit makes the order incomplete with the unit named', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'x',
          rxcui: '1049621',
          dosages: [{ dose: qty(1, 'scoop'), timing: every(1, 'd') }],
        }),
      ]),
    );
    expect(o.status).toBe('incomplete');
    expect(o.reasons.join(' ')).toMatch(/dose unit "scoop" is not recognised/);
  });

  it('PRN orders count at the maximum and are marked', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'p',
          rxcui: '1049621',
          dosages: [{ dose: tab(1), timing: every(4, 'h', 1), prn: true }],
        }),
      ]),
    );
    expect(o.prn).toBe(true);
    expect(o.mme).toBe(45);
    expect(o.explanation).toMatch(/PRN/);
  });

  it('frequencyMax counts over frequency ("1-2 times every 6 h")', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'p',
          rxcui: '1049621',
          dosages: [{ dose: tab(1), timing: every(6, 'h', 1, 2) }],
        }),
      ]),
    );
    expect(o.mme).toBe(60);
  });

  it('an inverted frequency pair (frequencyMax below frequency) counts the larger, and says so', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'p',
          rxcui: '1049621',
          // 6 times a day, "at most 2": 6/d x 5 mg x 1.5 = 45, not 15.
          dosages: [{ dose: tab(1), timing: every(1, 'd', 6, 2) }],
        }),
      ]),
    );
    expect(o.mme).toBe(45);
    expect(o.notes.join(' ')).toMatch(/frequencyMax 2 is below frequency 6: the larger is counted/);
  });

  it.each([
    ['frequencyMax', { frequency: 4, frequencyMax: 0 }],
    ['frequencyMax', { frequency: 4, frequencyMax: -2 }],
    ['frequency', { frequency: 0, frequencyMax: 4 }],
  ])('a %s that is not a positive number makes the dose unknown (%j), not ignored', (name, counts) => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'p',
          rxcui: '1049621',
          dosages: [{ dose: tab(1), timing: { repeat: { ...counts, period: 1, periodUnit: 'd' } } }],
        }),
      ]),
    );
    expect(o.mme).toBeNull();
    expect(o.reasons.join(' ')).toMatch(new RegExp(`timing ${name} -?\\d+ is not a positive number`));
  });

  it('an inverted dose range (low above high) counts its larger end, and says so', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'r',
          rxcui: '1049621',
          dosages: [{ doseRange: [tab(3), tab(1)], timing: every(1, 'd') }],
        }),
      ]),
    );
    // 3 tablets x 5 mg x 1.5 = 22.5, not 7.5.
    expect(o.mme).toBe(22.5);
    expect(o.notes.join(' ')).toMatch(/dose range 3-1 tablet is inverted: the larger, 3, is counted/);
  });

  it.each([
    ['every second', { repeat: { frequency: 1, period: 1, periodUnit: 's' } }],
    ['every 15 minutes', every(0.25, 'h')],
  ])(
    'a timing of more than 48 administrations a day (%s) is unknown with its reason, not counted',
    (_, timing) => {
      const report = analyze([
        medicationRequest({
          id: 'q',
          rxcui: '1049621',
          dosages: [{ dose: tab(1), timing: timing as Timing }],
        }),
      ]);
      const o = onlyOrder(report);
      expect(o.mme).toBeNull();
      expect(o.reasons.join(' ')).toMatch(/administrations a day is implausible \(more than 48\)/);
      expect(report.complete).toBe(false);
    },
  );

  it('counts 48 administrations a day (every 30 minutes), the most it takes as a sig', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'q',
          rxcui: '1049621',
          dosages: [{ dose: tab(1), timing: every(0.5, 'h') }],
        }),
      ]),
    );
    expect(o.mme).toBe(360);
  });

  it('sums concurrent dosage instructions (morning 20 mg + evening 10 mg)', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'me',
          rxcui: '892596',
          dosages: [
            { dose: mg(20), timing: every(1, 'd') },
            { dose: mg(10), timing: every(1, 'd') },
          ],
        }),
      ]),
    );
    expect(o.mme).toBe(30);
    expect(o.ingredients[0]!.derivation).toBe('1/d x 20 mg + 1/d x 10 mg = 30 mg/d x 1 = 30 MME/d');
  });

  it('follows sequential dosage steps of a taper with their durations', () => {
    const report = analyze(
      [
        medicationRequest({
          id: 'taper',
          rxcui: '1049621',
          authoredOn: '2026-01-01',
          dosages: [
            { sequence: 1, dose: tab(2), timing: every(1, 'd', 4), boundsDays: 7 },
            { sequence: 2, dose: tab(1), timing: every(1, 'd', 4), boundsDays: 7 },
          ],
          supply: { days: 14 },
        }),
      ],
      '2026-01-10',
    );
    const o = onlyOrder(report);
    expect(o.steps).toEqual([
      { start: '2026-01-01', end: '2026-01-07', mme: 60 },
      { start: '2026-01-08', end: '2026-01-14', mme: 30 },
    ]);
    expect(o.mme).toBe(30);
    expect(report.series.find((p) => p.date === '2026-01-07')?.mme).toBe(60);
  });

  it('a step followed by another step without a duration is reported, not guessed', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'bad',
          rxcui: '1049621',
          dosages: [
            { sequence: 1, dose: tab(2), timing: every(1, 'd', 4) },
            { sequence: 2, dose: tab(1), timing: every(1, 'd', 4) },
          ],
        }),
      ]),
    );
    expect(o.status).toBe('incomplete');
    expect(o.reasons.join(' ')).toMatch(/no duration/);
  });
});

describe('fentanyl patches', () => {
  it.each([
    ['72 h', every(72, 'h')],
    ['48 h', every(48, 'h')],
    ['3 d', every(3, 'd')],
  ])('75 mcg/h changed every %s is 180 MME/day', (_, timing) => {
    expect(
      onlyOrder(
        analyze([medicationRequest({ id: 'f', rxcui: '197696', dosages: [{ dose: patch(1), timing }] })]),
      ).mme,
    ).toBe(180);
  });

  it('25 mcg/h is 60 and two 25 mcg/h patches at once are 120', () => {
    const report = analyze([
      medicationRequest({
        id: 'one',
        rxcui: '245134',
        dosages: [{ dose: patch(1), timing: every(72, 'h') }],
      }),
      medicationRequest({
        id: 'two',
        rxcui: '245134',
        dosages: [{ dose: patch(2), timing: every(72, 'h') }],
      }),
    ]);
    expect(report.orders.map((o) => o.mme)).toEqual([60, 120]);
  });

  it('a dose given as a rate (mcg/h) is the patch rate', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'r',
          rxcui: '197696',
          dosages: [{ dose: qty(75, 'mcg/h', 'ug/h'), timing: every(72, 'h') }],
        }),
      ]),
    );
    expect(o.mme).toBe(180);
  });

  it('buccal fentanyl has no clinical factor but a research one', () => {
    const order = medicationRequest({
      id: 'b',
      rxcui: '1237051',
      display: 'fentanyl 0.1 MG Buccal Tablet',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
    });
    const clinical = onlyOrder(analyze([order]));
    expect(clinical).toMatchObject({ status: 'incomplete', mme: null });
    expect(clinical.reasons.join(' ')).toMatch(
      /no clinical conversion factor for transmucosal-tablet fentanyl/,
    );
    const research = onlyOrder(analyze([order], '2026-01-15', 'research'));
    expect(research.mme).toBe(52); // 400 mcg/d x 0.13
  });
});

describe('factor sets and exclusions', () => {
  it('buprenorphine is excluded from MME and reported as such', () => {
    const report = analyze([
      medicationRequest({
        id: 'bup',
        rxcui: '351264',
        display: 'buprenorphine 2 MG Sublingual Tablet',
        dosages: [{ dose: tab(1), timing: every(1, 'd') }],
      }),
    ]);
    const o = onlyOrder(report);
    expect(o).toMatchObject({ status: 'excluded', mme: null });
    expect(o.reasons.join(' ')).toMatch(/buprenorphine: excluded from MME/);
    expect(report.complete).toBe(true);
  });

  it('meperidine has no clinical factor (incomplete) but a research factor of 0.1', () => {
    const order = medicationRequest({
      id: 'm',
      rxcui: '999998',
      display: 'meperidine hydrochloride 50 MG Oral Tablet',
      dosages: [{ dose: tab(1), timing: every(4, 'h') }],
    });
    expect(onlyOrder(analyze([order])).mme).toBeNull();
    expect(onlyOrder(analyze([order], '2026-01-15', 'research')).mme).toBe(30);
  });

  it('hydromorphone is 5 under 2022 and 4 under 2016; tapentadol has no 2016 factor', () => {
    const hm = medicationRequest({
      id: 'h',
      rxcui: '897702',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
    });
    expect(onlyOrder(analyze([hm])).mme).toBe(80);
    expect(onlyOrder(analyze([hm], '2026-01-15', 'cdc-2016')).mme).toBe(64);
    const tp = medicationRequest({
      id: 't',
      rxcui: '999997',
      display: 'tapentadol 50 MG Oral Tablet',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
    });
    expect(onlyOrder(analyze([tp])).mme).toBe(80);
    expect(onlyOrder(analyze([tp], '2026-01-15', 'cdc-2016')).mme).toBeNull();
  });

  it.each([
    [15, 60],
    [20, 80],
    [21, 168],
    [40, 320],
    [41, 410],
    [60, 600],
    [61, 732],
  ])('methadone %i mg/day under 2016 uses the tiered factor (%i MME)', (mgPerDay, mme) => {
    const o = onlyOrder(
      analyze(
        [
          medicationRequest({
            id: 'm',
            rxcui: '864706',
            dosages: [{ dose: mg(mgPerDay), timing: every(1, 'd') }],
          }),
        ],
        '2026-01-15',
        'cdc-2016',
      ),
    );
    expect(o.mme).toBe(mme);
    expect(o.mme).not.toBe(mgPerDay * 4.7);
  });

  it('parenteral morphine has no clinical factor', () => {
    const o = onlyOrder(
      analyze([
        medicationRequest({
          id: 'inj',
          rxcui: '1732136',
          display: '1 ML morphine sulfate 5 MG/ML Injection',
          dosages: [{ dose: mg(4), timing: every(4, 'h') }],
        }),
      ]),
    );
    expect(o.status).toBe('incomplete');
    expect(o.reasons.join(' ')).toMatch(/parenterally/);
  });
});

describe('status and time', () => {
  const oxy = (
    id: string,
    authoredOn: string,
    extra: Partial<Parameters<typeof medicationRequest>[0]> = {},
  ) =>
    medicationRequest({
      id,
      rxcui: '1049621',
      authoredOn,
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
      supply: { days: 30 },
      ...extra,
    });

  it.each(['stopped', 'cancelled', 'entered-in-error', 'draft', 'on-hold'] as const)(
    'a %s order does not count',
    (status) => {
      const report = analyze([oxy('x', '2026-01-10', { status })]);
      const o = onlyOrder(report);
      expect(o.status).toBe('inactive');
      expect(o.reasons.join(' ')).toMatch(new RegExp(`status "${status}"`));
      expect(report.totalMme).toBe(0);
      expect(report.series.every((p) => p.mme === 0)).toBe(true);
    },
  );

  it('a completed order counts over its period', () => {
    const report = analyze([oxy('c', '2026-01-01', { status: 'completed' })], '2026-01-15');
    expect(onlyOrder(report).status).toBe('counted');
    expect(report.totalMme).toBe(30);
  });

  it('overlapping orders add up on the days they overlap; coverage is start .. start + supply - 1', () => {
    const report = analyze([oxy('a', '2026-01-01'), oxy('b', '2026-01-20')], '2026-02-05');
    expect(report.totalMme).toBe(30);
    expect(analyze([oxy('a', '2026-01-01'), oxy('b', '2026-01-20')], '2026-01-25').totalMme).toBe(60);
    const day = (d: string) => report.series.find((p) => p.date === d)?.mme;
    expect(day('2026-01-19')).toBe(30);
    expect(day('2026-01-20')).toBe(60);
    expect(day('2026-01-30')).toBe(60);
    expect(day('2026-01-31')).toBe(30);
    expect(report.orders[0]!.period).toEqual({
      start: '2026-01-01',
      end: '2026-01-30',
      basis: 'expected-supply-duration',
    });
  });

  it('an order that ended before asOf is inactive and says when it ran', () => {
    const o = onlyOrder(analyze([oxy('old', '2025-10-01')], '2026-01-15'));
    expect(o.status).toBe('inactive');
    expect(o.mme).toBe(30);
    expect(o.reasons[0]).toMatch(/ended before .* 2025-10-01 to 2025-10-30/);
  });

  it('without supply duration, coverage comes from quantity / units per day', () => {
    const o = onlyOrder(analyze([oxy('q', '2026-01-01', { supply: { quantity: tab(60) } })], '2026-01-15'));
    expect(o.period).toEqual({ start: '2026-01-01', end: '2026-01-15', basis: 'quantity' });
  });

  it('a plan is not a prescription', () => {
    expect(onlyOrder(analyze([oxy('plan', '2026-01-10', { intent: 'plan' })])).status).toBe('inactive');
  });
});

describe('robustness', () => {
  it('reports a Bundle entry without a resource and an unreadable order instead of failing', () => {
    const b = bundle(oxy('ok'));
    (b.entry as unknown[]).push({ fullUrl: 'urn:uuid:nothing' }, 42);
    (b.entry as unknown[]).push({
      resource: {
        resourceType: 'MedicationRequest',
        id: 'weird',
        status: 'active',
        authoredOn: 'yesterday',
        medicationCodeableConcept: { text: 'oxycodone' },
        dosageInstruction: 'oops',
      },
    });
    const report = analyze(b);
    expect(report.reasons).toHaveLength(2);
    const weird = report.orders.find((o) => o.id === 'weird')!;
    expect(weird.reasons).toEqual(
      expect.arrayContaining([
        'authoredOn "yesterday" is not a valid date',
        'dosageInstruction is not a list',
      ]),
    );
  });

  function oxy(id: string) {
    return medicationRequest({
      id,
      rxcui: '1049621',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
    });
  }
});
