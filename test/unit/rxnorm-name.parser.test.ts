import { describe, expect, it } from 'vitest';
import { parseRxnormName } from '../../src/domain/opioid/rxnorm-name.parser.ts';
import { PRODUCT_TABLE_PROVENANCE, productByRxcui } from '../../src/domain/opioid/product-table.ts';

describe('RxNorm normalized name parser', () => {
  it.each([
    [
      'acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet',
      'oxycodone',
      { value: 5, unit: 'mg', per: 'unit' },
      'Oral Tablet',
      undefined,
    ],
    [
      '72 HR fentanyl 0.075 MG/HR Transdermal System',
      'fentanyl',
      { value: 75, unit: 'mcg/h', per: 'unit' },
      'Transdermal System',
      72,
    ],
    [
      'morphine sulfate 10 MG [Kadian]',
      'morphine',
      { value: 10, unit: 'mg', per: 'unit' },
      undefined,
      undefined,
    ],
    [
      '1 ML morphine sulfate 10 MG/ML Injection',
      'morphine',
      { value: 10, unit: 'mg', per: 'mL' },
      'Injection',
      undefined,
    ],
    [
      '7 DAY buprenorphine 0.02 MG/HR Transdermal System [Butrans]',
      'buprenorphine',
      { value: 20, unit: 'mcg/h', per: 'unit' },
      'Transdermal System',
      168,
    ],
    [
      'butorphanol tartrate 1 MG/ACTUAT Metered Dose Nasal Spray',
      'butorphanol',
      { value: 1, unit: 'mg', per: 'actuation' },
      'Metered Dose Nasal Spray',
      undefined,
    ],
    [
      'celecoxib 56 MG / tramadol hydrochloride 44 MG Oral Tablet [Seglentis]',
      'tramadol',
      { value: 44, unit: 'mg', per: 'unit' },
      'Oral Tablet',
      undefined,
    ],
  ])('%s', (name, ingredient, strength, doseForm, hours) => {
    const parsed = parseRxnormName(name);
    expect(parsed?.components).toEqual([
      { ingredient: expect.objectContaining({ name: ingredient }), strength },
    ]);
    expect(parsed?.doseForm).toBe(doseForm);
    expect(parsed?.durationHours).toBe(hours);
  });

  it.each([
    'ibuprofen 200 MG Oral Tablet',
    '{60 (oxycodone hydrochloride 5 MG Oral Tablet) } Pack',
    'oxycodone 5mg tab',
    'Percocet',
    '',
  ])('returns nothing for "%s" (no opioid strength in RxNorm form)', (name) => {
    expect(parseRxnormName(name)).toBeUndefined();
  });
});

describe('product table', () => {
  it('holds the 910 products of the 2020-10-20 table with provenance', () => {
    expect(PRODUCT_TABLE_PROVENANCE.rxnormVersion).toBe('2020-10-20');
    expect(productByRxcui('197696')).toMatchObject({
      doseForm: 'Transdermal System',
      components: [{ strength: { value: 75, unit: 'mcg/h' } }],
    });
    // Two rows of one product (oxycodone hydrochloride + terephthalate) are both kept.
    expect(productByRxcui('637540')?.components.map((c) => c.strength.value)).toEqual([4.5, 0.38]);
    expect(productByRxcui('892495')).toBeUndefined();
  });
});
