/**
 * Inputs found by review that once gave a wrong MME, dropped an order, or threw. Each must now give the right
 * number or say "unknown" with a reason.
 */
import type { MedicationRequest, Quantity } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  bundle,
  every,
  medication,
  medicationRequest,
  mg,
  patch,
  qty,
  RXNORM,
  tab,
} from '../builders/fhir-builders.ts';
import { MAX_DOSAGE_INSTRUCTIONS } from '../../src/domain/opioid/sig-dose.ts';
import { analyze, onlyOrder } from '../helpers/analyze.ts';

const oxy5 = (extra: Partial<Parameters<typeof medicationRequest>[0]> = {}): MedicationRequest =>
  medicationRequest({
    id: 'o',
    rxcui: '1049621',
    authoredOn: '2026-01-10',
    dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
    ...extra,
  });

function withTiming(order: MedicationRequest, repeat: Record<string, unknown>): MedicationRequest {
  order.dosageInstruction![0]!.timing = { repeat };
  return order;
}

describe('maxDosePerPeriod', () => {
  // Oxycodone 5 mg tablets, 1-2 every 4 h as needed: 12 tablets (90 MME) a day without a maximum.
  const prn = (max?: { value: number; unit: string; code: string; per?: number }): MedicationRequest => {
    const order = oxy5({ dosages: [{ doseRange: [tab(1), tab(2)], timing: every(4, 'h'), prn: true }] });
    if (max)
      order.dosageInstruction![0]!.maxDosePerPeriod = {
        numerator: { value: max.value, unit: max.unit, system: 'http://unitsofmeasure.org', code: max.code },
        denominator: { value: max.per ?? 1, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' },
      };
    return order;
  };
  it.each([
    ['none', undefined, 90],
    ['6 tablets a day', { value: 6, unit: 'tablet', code: '{tbl}' }, 45],
    [
      '30 mg a day (the dose in tablets: another unit, not applied)',
      { value: 30, unit: 'mg', code: 'mg' },
      90,
    ],
    ['20 tablets a day (above what the timing allows)', { value: 20, unit: 'tablet', code: '{tbl}' }, 90],
    ['12 tablets in 2 days', { value: 12, unit: 'tablet', code: '{tbl}', per: 2 }, 45],
  ])('caps the administrations a day: %s', (_, max, mme) => {
    expect(onlyOrder(analyze([prn(max)])).mme).toBe(mme);
  });

  it('two refills that differ only in their maximum do not share a dose', () => {
    const uncapped = { ...prn(), id: 'a', authoredOn: '2026-01-11' };
    const capped = { ...prn({ value: 6, unit: 'tablet', code: '{tbl}' }), id: 'b' };
    expect(analyze([uncapped, capped]).orders.map((o) => [o.id, o.mme])).toEqual([
      ['a', 90],
      ['b', 45],
    ]);
  });

  it('says what it capped, and what it could not apply', () => {
    const capped = onlyOrder(analyze([prn({ value: 6, unit: 'tablet', code: '{tbl}' })]));
    expect(capped.notes).toContain(
      'maxDosePerPeriod 6 tablet per 1 d: counted at 3 administrations a day, not 6',
    );
    const other = onlyOrder(analyze([prn({ value: 30, unit: 'mg', code: 'mg' })]));
    expect(other.notes).toContain(
      'maxDosePerPeriod 30 mg per 1 d is not in the unit of the dose: not applied',
    );
  });

  it.each([0, -6])('a maximum of %d makes the dose unknown, never 0', (value) => {
    const report = onlyOrder(analyze([prn({ value, unit: 'tablet', code: '{tbl}' })]));
    expect([report.mme, report.status]).toEqual([null, 'incomplete']);
    expect(report.reasons.join(' ')).toMatch(/maxDosePerPeriod.numerator is not a positive quantity/);
  });

  it('an unreadable maximum makes the dose unknown, never counted as if absent', () => {
    const order = prn();
    order.dosageInstruction![0]!.maxDosePerPeriod = {
      numerator: { value: 6, unit: 'tablet' },
      denominator: { value: 1, unit: 'fortnightish' },
    };
    const report = onlyOrder(analyze([order]));
    expect([report.mme, report.status]).toEqual([null, 'incomplete']);
    expect(report.reasons.join(' ')).toMatch(/maxDosePerPeriod.denominator is not a positive duration/);
  });
});

describe('timing', () => {
  it.each([
    [{ timeOfDay: ['08:00:00', '20:00:00'], period: 1, periodUnit: 'd' }, 15],
    [{ when: ['MORN', 'AFT', 'EVE'], period: 1, periodUnit: 'd' }, 22.5],
    [{ frequency: 1, timeOfDay: ['08:00:00', '14:00:00', '20:00:00'], period: 1, periodUnit: 'd' }, 22.5],
  ])('counts timeOfDay / when entries per period: %j -> %d', (repeat, mme) => {
    expect(onlyOrder(analyze([withTiming(oxy5(), repeat)])).mme).toBe(mme);
  });

  it('a frequency sent as a string makes the sig unusable instead of defaulting to once', () => {
    const o = onlyOrder(analyze([withTiming(oxy5(), { frequency: '4', period: 1, periodUnit: 'd' })]));
    expect(o).toMatchObject({ status: 'incomplete', mme: null });
    expect(o.reasons.join(' ')).toMatch(/timing.repeat.frequency "4" is not a number/);
  });

  it('a patch needs no readable timing: its MME is the mcg/h', () => {
    const noTiming = medicationRequest({
      id: 'p',
      rxcui: '197696',
      authoredOn: '2026-01-10',
      dosages: [{ dose: patch(1) }],
    });
    expect(onlyOrder(analyze([noTiming])).mme).toBe(180);
    const q72h = medicationRequest({
      id: 'q',
      rxcui: '197696',
      authoredOn: '2026-01-10',
      dosages: [{ dose: patch(1), timing: { code: { coding: [{ code: 'Q72H' }] } } }],
    });
    expect(onlyOrder(analyze([q72h])).mme).toBe(180);
  });
});

describe('product and units', () => {
  it.each([
    ['oxycodone', '7804', mg(10), 90],
    ['methadone', '6813', mg(20), 564],
  ])(
    '%s coded by its ingredient RxCUI alone, dosed in mg, counts (not a non-opioid at 0)',
    (_, rxcui, dose, mme) => {
      const report = analyze([
        medicationRequest({
          id: 'in',
          rxcui,
          authoredOn: '2026-01-10',
          dosages: [{ dose, timing: every(4, 'h') }],
        }),
      ]);
      expect(onlyOrder(report)).toMatchObject({ status: 'counted', mme });
      expect(report.totalMme).toBe(mme);
    },
  );

  it('hydrocodone coded by its ingredient RxCUI alone, dosed in tablets, is an opioid of unknown MME', () => {
    const report = analyze([
      medicationRequest({
        id: 'in',
        rxcui: '5489',
        authoredOn: '2026-01-10',
        dosages: [{ dose: tab(1), timing: every(4, 'h') }],
      }),
    ]);
    expect(onlyOrder(report)).toMatchObject({ status: 'incomplete', mme: null });
    expect(report.complete).toBe(false);
  });

  describe('Dosage.route', () => {
    const SNOMED = 'http://snomed.info/sct';
    const routed = (
      rxcui: string,
      route: { coding?: { system?: string; code?: string; display?: string }[]; text?: string },
    ): MedicationRequest => {
      const order = medicationRequest({
        id: 'r',
        rxcui,
        authoredOn: '2026-01-10',
        dosages: [{ dose: mg(4), timing: every(4, 'h') }],
      });
      order.dosageInstruction![0]!.route = route;
      return order;
    };

    it.each([
      [
        'SNOMED intravenous',
        { coding: [{ system: SNOMED, code: '47625008', display: 'Intravenous route' }] },
      ],
      ['SNOMED subcutaneous', { coding: [{ system: SNOMED, code: '34206005' }] }],
      [
        'an EHR code "IV"',
        { coding: [{ system: 'urn:oid:1.2.840.114350.1.13.0.1.7.4.798268.7025', code: 'IV' }] },
      ],
      ['text "Intramuscular"', { text: 'Intramuscular' }],
    ])(
      'morphine coded by its ingredient alone by the %s route is parenteral: unknown, never at the oral factor',
      (_, route) => {
        const report = analyze([routed('7052', route)]);
        expect(onlyOrder(report)).toMatchObject({ status: 'incomplete', mme: null });
        expect(onlyOrder(report).reasons.join(' ')).toMatch(/parenterally/);
        expect(report.complete).toBe(false);
      },
    );

    it('morphine coded by its ingredient alone by the oral route counts (24 mg/d = 24 MME), saying where the form came from', () => {
      const order = onlyOrder(
        analyze([routed('7052', { coding: [{ system: SNOMED, code: '26643006', display: 'Oral route' }] })]),
      );
      expect(order).toMatchObject({ status: 'counted', mme: 24 });
      expect(order.notes).toContain('dose form taken from the route (Oral route): oral');
    });

    it('an oral tablet ordered by the intravenous route is a contradiction: unknown, with the reason', () => {
      const order = oxy5();
      order.dosageInstruction![0]!.route = { coding: [{ system: SNOMED, code: '47625008' }], text: 'IV' };
      const report = onlyOrder(analyze([order]));
      expect(report).toMatchObject({ status: 'incomplete', mme: null });
      expect(report.reasons.join(' ')).toMatch(/route \(IV\) is parenteral but the product is .*Oral Tablet/);
    });

    it('an oral tablet with the oral route counts as before (30 MME)', () => {
      const order = oxy5();
      order.dosageInstruction![0]!.route = { coding: [{ system: SNOMED, code: '26643006' }] };
      expect(onlyOrder(analyze([order]))).toMatchObject({ status: 'counted', mme: 30 });
    });

    it("a refill by another route does not share the first order's dose", () => {
      const oral = routed('7052', { text: 'PO' });
      const iv = routed('7052', { text: 'IV' });
      iv.id = 'r2';
      iv.authoredOn = '2026-01-12';
      const report = analyze([oral, iv]);
      expect(report.orders.map((o) => o.mme)).toEqual([24, null]);
    });
  });

  it.each(['Solution for infusion', 'Epidural solution', 'Intrathecal solution', 'IV solution'])(
    'a Medication whose form is "%s" is parenteral: no factor, unknown (not oral)',
    (form) => {
      const med = medication('hm', {
        text: 'Hydromorphone 10 mg in 50 mL',
        form,
        ingredients: [
          {
            name: 'hydromorphone hydrochloride',
            rxcui: '3423',
            numerator: mg(10),
            denominator: qty(50, 'mL'),
          },
        ],
      });
      const order = medicationRequest({
        id: 'pca',
        medicationReference: 'Medication/hm',
        authoredOn: '2026-01-10',
        dosages: [{ dose: mg(0.5), timing: every(1, 'h') }],
      });
      const report = analyze([med, order]);
      expect(onlyOrder(report)).toMatchObject({ status: 'incomplete', mme: null });
      expect(onlyOrder(report).product.doseForm).toBe('parenteral');
    },
  );

  it('a Medication ingredient strength of 0 is unknown, and does not replace the product table strength', () => {
    const zero = (id: string, rxcui?: string) =>
      medication(id, {
        ...(rxcui ? { rxcui } : { text: 'Oxycodone tablet' }),
        ingredients: [
          { name: 'oxycodone hydrochloride', rxcui: '7804', numerator: mg(0), denominator: qty(1, 'TAB') },
        ],
      });
    const order = (med: string) =>
      medicationRequest({
        id: 'o',
        medicationReference: `Medication/${med}`,
        authoredOn: '2026-01-10',
        dosages: [{ dose: tab(1), timing: every(4, 'h') }],
      });
    const alone = analyze([zero('m1'), order('m1')]);
    expect(onlyOrder(alone)).toMatchObject({ status: 'incomplete', mme: null });
    expect(alone.complete).toBe(false);
    // Oxycodone 10 mg tablets (RxCUI 1049683): the table's 10 mg, 6 a day = 60 mg x 1.5.
    expect(onlyOrder(analyze([zero('m2', '1049683'), order('m2')])).mme).toBe(90);
  });

  it.each([
    ['a fentanyl prefilled syringe', '2474267'],
    ['a sufentanil injection', '1809097'],
    ['a cyclizine/morphine injectable', '250304'],
  ])(
    '%s coded by RxCUI alone (no display) is an opioid order of unknown MME, not a non-opioid',
    (_, rxcui) => {
      const report = analyze([
        medicationRequest({
          id: 'inj',
          rxcui,
          authoredOn: '2026-01-10',
          dosages: [{ dose: qty(1, 'mL'), timing: every(1, 'd') }],
          supply: { days: 10 },
        }),
      ]);
      const o = onlyOrder(report);
      expect(o.status).toBe('incomplete');
      expect(o.mme).toBeNull();
      expect(report.complete).toBe(false);
    },
  );

  it('keeps both strengths of one opioid stated twice by a Medication (oxycodone HCl + terephthalate)', () => {
    const med = medication('m', {
      rxcui: '637540',
      ingredients: [
        { name: 'oxycodone hydrochloride', numerator: mg(4.5), denominator: qty(1, 'TAB') },
        { name: 'oxycodone terephthalate', numerator: mg(0.38), denominator: qty(1, 'TAB') },
      ],
    });
    const order = medicationRequest({
      id: 'o',
      medicationReference: 'Medication/m',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
    });
    expect(onlyOrder(analyze([order, med])).mme).toBe(29.3);
  });

  it('a dose whose unit and code disagree is not guessed', () => {
    const order = medicationRequest({
      id: 'o',
      rxcui: '1049593',
      authoredOn: '2026-01-10',
      dosages: [
        {
          dose: {
            value: 10,
            unit: 'mg',
            system: 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm',
            code: 'TAB',
          },
          timing: every(12, 'h'),
        },
      ],
    });
    const o = onlyOrder(analyze([order]));
    expect(o.status).toBe('incomplete');
    expect(o.reasons.join(' ')).toMatch(/dose unit "mg" and its code "TAB" disagree/);
  });

  it('a fentanyl rate without a patch form (an infusion?) gets no patch factor', () => {
    const order = medicationRequest({
      id: 'f',
      text: 'fentanyl',
      authoredOn: '2026-01-10',
      dosages: [{ doseAndRate: [{ rateQuantity: qty(50, 'mcg/h', 'ug/h') }] }],
    });
    const o = onlyOrder(analyze([order]));
    expect(o).toMatchObject({ status: 'incomplete', mme: null });
  });

  it('patches of a tablet are an error in the order, not 2 tablets', () => {
    const o = onlyOrder(analyze([oxy5({ dosages: [{ dose: patch(2), timing: every(1, 'd', 2) }] })]));
    expect(o.status).toBe('incomplete');
    expect(o.reasons.join(' ')).toMatch(/does not fit oxycodone \(not a patch\)/);
  });

  it.each([
    ['a code with spaces', RXNORM, ' 1049621 '],
    ['https system', 'https://www.nlm.nih.gov/research/umls/rxnorm', '1049621'],
    ['a trailing slash', 'http://www.nlm.nih.gov/research/umls/rxnorm/', '1049621'],
  ])('reads RxNorm with %s', (_, system, code) => {
    const order = oxy5();
    order.medicationCodeableConcept = { coding: [{ system, code }] };
    expect(onlyOrder(analyze([order])).mme).toBe(30);
  });

  it('reads newer "Abuse-Deterrent" products by name (Roxybond 2693194, not in the 2020 table)', () => {
    const o = onlyOrder(analyze([oxy5({ rxcui: '2693194' })]));
    expect(o.mme).toBe(60);
    expect(o.product.identifiedBy).toBe('rxnorm-name');
  });

  it('reads a one-product pack (Subsys spray pack) by the product inside', () => {
    const order = medicationRequest({
      id: 's',
      rxcui: '1740007',
      authoredOn: '2026-01-10',
      dosages: [{ dose: qty(1, 'spray'), timing: every(1, 'd', 2) }],
    });
    expect(onlyOrder(analyze([order])).reasons.join(' ')).toMatch(/oral-spray fentanyl/);
    expect(onlyOrder(analyze([order], '2026-01-15', 'research')).mme).toBe(216); // 2 x 600 mcg x 0.18
  });
});

describe('bundle and coverage', () => {
  it('counts a MedicationRequest repeated in the Bundle once, and says so', () => {
    const report = analyze(bundle(oxy5(), oxy5()));
    expect(report.totalMme).toBe(30);
    expect(report.reasons).toEqual(['MedicationRequest/o appears 2 times in the Bundle: counted once']);
  });

  it('a taper whose steps all have durations covers exactly their sum', () => {
    const order = medicationRequest({
      id: 't',
      rxcui: '1049621',
      authoredOn: '2026-01-01',
      dosages: [
        { sequence: 1, dose: tab(1), timing: every(1, 'd', 4), boundsDays: 7 },
        { sequence: 2, dose: tab(1), timing: every(1, 'd', 2), boundsDays: 7 },
      ],
    });
    expect(onlyOrder(analyze([order], '2026-01-10')).period).toEqual({
      start: '2026-01-01',
      end: '2026-01-14',
      basis: 'dosage-bounds',
    });
  });

  it('a single dosage with a duration covers that duration', () => {
    const order = oxy5({
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4), boundsDays: 5 }],
    });
    expect(onlyOrder(analyze([order])).period).toEqual({
      start: '2026-01-10',
      end: '2026-01-14',
      basis: 'dosage-bounds',
    });
  });

  it('a negative duration is reported, never a negative MME', () => {
    const order = oxy5({
      dosages: [
        { sequence: 1, dose: tab(1), timing: every(1, 'd', 4), boundsDays: -10 },
        { sequence: 2, dose: tab(1), timing: every(1, 'd', 2) },
      ],
    });
    const report = analyze([order]);
    expect(report.series.every((p) => p.mme >= 0)).toBe(true);
    expect(onlyOrder(report).reasons.join(' ')).toMatch(/boundsDuration is not a positive duration/);
  });
});

describe('memoised refills', () => {
  it('does not confuse doses whose value and unit run together (10 "mg" vs 1 "0mg")', () => {
    const a = oxy5({ id: 'a', dosages: [{ dose: qty(10, 'mg'), timing: every(1, 'd', 4) }] });
    const b = oxy5({ id: 'b', dosages: [{ dose: qty(1, '0mg'), timing: every(1, 'd', 4) }] });
    for (const orders of [
      [a, b],
      [b, a],
    ]) {
      const report = analyze(orders);
      expect(report.orders.find((o) => o.id === 'a')?.mme).toBe(60);
      expect(report.orders.find((o) => o.id === 'b')?.status).toBe('incomplete');
    }
  });

  it('each order of an unknown product is explained with its own id', () => {
    const a = medicationRequest({
      id: 'first',
      medicationReference: 'Medication/gone',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(1, 'd') }],
    });
    const b = medicationRequest({
      id: 'second',
      medicationReference: 'Medication/gone',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(1, 'd') }],
    });
    const [ea, eb] = analyze([a, b]).orders.map((o) => o.explanation);
    expect(ea).toMatch(/^MedicationRequest\/first/);
    expect(eb).toMatch(/^MedicationRequest\/second/);
  });
});

describe('hostile values never throw and never count', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'RxNorm code and units "%s"',
    (word) => {
      const order = oxy5({
        dosages: [{ dose: qty(1, word, word), timing: every(1, 'd') }],
        supply: { quantity: qty(30, word, word), days: 30 },
      });
      order.medicationCodeableConcept!.coding!.unshift({ system: RXNORM, code: word });
      const report = analyze([order]);
      expect(onlyOrder(report).status).toBe('incomplete');
      expect(Number.isFinite(report.totalMme)).toBe(true);
    },
  );

  it('a dispense quantity in an unknown unit gives no NaN', () => {
    const order = oxy5({
      dosages: [{ dose: tab(1) }],
      supply: { quantity: qty(120, 'constructor'), days: 30 },
    });
    const report = analyze([order]);
    expect(onlyOrder(report)).toMatchObject({ status: 'incomplete', mme: null });
    expect(report.totalMme).toBe(0);
  });

  it('dosage instructions up to MAX_DOSAGE_INSTRUCTIONS are all read, each term in order', () => {
    // Morning and evening doses repeated: instructions without a sequence apply together and are summed.
    const order = oxy5({
      dosages: Array.from({ length: MAX_DOSAGE_INSTRUCTIONS }, (_, i) => ({
        dose: tab(i % 2 === 0 ? 1 : 2),
        timing: every(1, 'd'),
      })),
    });
    const o = onlyOrder(analyze([order]));
    // 100 x (1 + 2) tablets of oxycodone 5 mg a day, x 1.5.
    expect(o).toMatchObject({ method: 'sig', mme: 2250 });
    const terms = 'x 1 tab x 5 mg + 1/d x 2 tab x 5 mg';
    expect(o.ingredients[0]!.derivation).toBe(
      `${Array.from({ length: MAX_DOSAGE_INSTRUCTIONS / 2 }, () => `1/d ${terms}`).join(' + ')} = 1500 mg/d x 1.5 = 2250 MME/d`,
    );
  });

  it('more dosage instructions than MAX_DOSAGE_INSTRUCTIONS are not read: unknown with the reason, never 0', () => {
    const many = (supply?: { quantity: Quantity; days: number }) =>
      oxy5({
        dosages: Array.from({ length: 20_000 }, () => ({ dose: tab(1), timing: every(1, 'd', 4) })),
        ...(supply ? { supply } : {}),
      });
    const unknown = onlyOrder(analyze([many()]));
    expect(unknown).toMatchObject({ status: 'incomplete', mme: null, method: null });
    expect(unknown.reasons.join(' ')).toMatch(
      /20000 dosage instructions are implausible \(more than 200\): check the order; not read/,
    );
    // As for any sig that cannot be read, the order's supply gives its dose when it can: 120 tablets in 30 days.
    const bySupply = onlyOrder(analyze([many({ quantity: tab(120), days: 30 })]));
    expect(bySupply).toMatchObject({ method: 'supply', mme: 30 });
    expect(bySupply.notes.join(' ')).toMatch(/dosage instructions are implausible/);
  });

  it('astronomical doses are out of range, not Infinity', () => {
    const report = analyze([oxy5({ dosages: [{ dose: tab(1e308), timing: every(1, 'd', 4) }] })]);
    expect(onlyOrder(report)).toMatchObject({ status: 'incomplete', mme: null });
    expect(report.series.every((p) => Number.isFinite(p.mme))).toBe(true);
  });
});

describe('second review', () => {
  it.each([
    ['OxyContin 20 mg tablet', 'oxycodone'],
    ['Duragesic 25 mcg/hr patch', 'fentanyl'],
    ['MS Contin 15mg', 'morphine'],
  ])(
    'an order named only by brand ("%s") is an opioid of unknown strength, not dropped',
    (text, ingredient) => {
      const order = medicationRequest({
        id: 'b',
        text,
        otherCodings: [{ system: 'http://hl7.org/fhir/sid/ndc', code: '59011-0420-10' }],
        authoredOn: '2026-01-10',
        dosages: [{ dose: tab(1), timing: every(12, 'h') }],
      });
      const report = analyze([order]);
      expect(onlyOrder(report)).toMatchObject({
        status: 'incomplete',
        mme: null,
        ingredients: [{ name: ingredient }],
      });
      expect(report.complete).toBe(false);
    },
  );

  it('reports an order nothing identifies (only an NDC) instead of dropping it silently', () => {
    const order = medicationRequest({
      id: 'ndc-only',
      otherCodings: [{ system: 'http://hl7.org/fhir/sid/ndc', code: '0000-0000-00' }],
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(12, 'h') }],
    });
    const report = analyze([order]);
    expect(report.orders).toEqual([]);
    expect(report.reasons).toEqual([
      expect.stringMatching(/MedicationRequest\/ndc-only: no RxNorm code .* unknown/),
    ]);
  });

  it('memo keys cannot be forged by unit text ("|mg") or timing codes', () => {
    const a = oxy5({ id: 'a', dosages: [{ dose: { value: 5, code: 'mg' }, timing: every(1, 'd', 4) }] });
    const b = oxy5({ id: 'b', dosages: [{ dose: { value: 5, unit: '|mg' }, timing: every(1, 'd', 4) }] });
    for (const orders of [
      [a, b],
      [b, a],
    ]) {
      const report = analyze(orders);
      expect(report.orders.find((o) => o.id === 'a')).toMatchObject({ status: 'counted', mme: 30 });
      expect(report.orders.find((o) => o.id === 'b')).toMatchObject({ status: 'incomplete', mme: null });
    }
  });

  it("an unknown product's explanation never shows another order's problem", () => {
    const ref = (id: string, extra: Record<string, unknown> = {}) =>
      ({
        ...medicationRequest({
          id,
          medicationReference: 'Medication/missing',
          authoredOn: '2026-01-10',
          dosages: [{ dose: tab(1), timing: every(1, 'd') }],
        }),
        ...extra,
      }) as MedicationRequest;
    const x = ref('x', { dispenseRequest: { validityPeriod: { end: 'soon' } } });
    const y = ref('y');
    const alone = analyze([y]).orders[0]!.explanation;
    const together = analyze([x, y]).orders.find((o) => o.id === 'y')!.explanation;
    expect(together).toBe(alone);
    expect(together).not.toMatch(/soon/);
  });

  it('an order with doNotPerform is not counted', () => {
    const order = { ...oxy5(), doNotPerform: true };
    const o = onlyOrder(analyze([order]));
    expect(o.status).toBe('inactive');
    expect(o.reasons.join(' ')).toMatch(/doNotPerform/);
  });

  it('a huge but finite dose is out of range, not a counted null', () => {
    const report = analyze([oxy5({ dosages: [{ dose: mg(4e307), timing: every(1, 'd') }] })]);
    expect(onlyOrder(report)).toMatchObject({ status: 'incomplete', mme: null });
    expect(report.totalMme).toBe(0);
    expect(report.complete).toBe(false);
  });

  it('counts unknown orders per day beyond 65,535', () => {
    const unknown = {
      resourceType: 'MedicationRequest',
      status: 'active',
      authoredOn: '2026-01-01',
      medicationCodeableConcept: { text: 'oxycodone' },
    };
    const many = {
      resourceType: 'Bundle',
      entry: Array.from({ length: 65_536 }, () => ({ resource: unknown })),
    } as never;
    const report = analyze(many);
    expect(report.series.at(-1)?.complete).toBe(false);
    expect(report.averages.complete).toBe(false);
  });
});
