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
      '{2 (fentanyl 0.6 MG/ACTUAT Mucosal Spray [Subsys]) } Pack [Subsys 1200 MCG]',
      'fentanyl',
      { value: 0.6, unit: 'mg', per: 'actuation' },
      'Mucosal Spray',
      undefined,
    ],
    [
      'Abuse-Deterrent oxycodone hydrochloride 10 MG Oral Tablet [Roxybond]',
      'oxycodone',
      { value: 10, unit: 'mg', per: 'unit' },
      'Oral Tablet',
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
    '{21 (oxycodone hydrochloride 5 MG Oral Tablet) / 7 (oxycodone hydrochloride 10 MG Oral Tablet) } Pack',
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

describe('parser against the product table', () => {
  it('reads every product name of the table to the table strengths', async () => {
    const { default: products } = await import('../../src/domain/opioid/data/rxnorm-opioid-products.json', {
      with: { type: 'json' },
    });
    const rxcuis = new Set((products.rows as unknown as [string][]).map((r) => r[0]));
    const mismatches: string[] = [];
    for (const rxcui of rxcuis) {
      const row = productByRxcui(rxcui)!;
      const parsed = parseRxnormName(row.name);
      const fromTable = row.components
        .map((c) => `${c.ingredient.name} ${c.strength.value} ${c.strength.unit}/${c.strength.per}`)
        .sort();
      const fromName = (parsed?.components ?? [])
        .map((c) => `${c.ingredient.name} ${c.strength.value} ${c.strength.unit}/${c.strength.per}`)
        .sort();
      if (JSON.stringify(fromTable) !== JSON.stringify(fromName))
        mismatches.push(`${rxcui} ${row.name}: ${fromName.join(', ')}`);
    }
    expect(mismatches).toEqual([]);
    expect(rxcuis.size).toBe(910);
  });
});
