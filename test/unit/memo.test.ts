/** The process-wide memos keep short keys only: a hostile record's megabyte strings are never remembered. */
import { describe, expect, it } from 'vitest';
import { BoundedMemo, MAX_REMEMBERED_KEY } from '../../src/domain/memo.ts';
import { rememberedDoses } from '../../src/domain/opioid/order-analysis.ts';
import { inValueSet, rememberedMemberships } from '../../src/domain/terminology/value-sets.ts';
import { every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import { analyze } from '../helpers/analyze.ts';

describe('BoundedMemo', () => {
  it('remembers a short key, computes a key longer than MAX_REMEMBERED_KEY each time', () => {
    const memo = new BoundedMemo<number>(10);
    let computed = 0;
    const compute = () => ++computed;
    memo.get('short', compute);
    memo.get('short', compute);
    expect(computed).toBe(1);
    const long = 'x'.repeat(MAX_REMEMBERED_KEY + 1);
    expect(memo.get(long, compute)).toBe(2);
    expect(memo.get(long, compute)).toBe(3);
  });

  it('drops the oldest entry when full', () => {
    const memo = new BoundedMemo<string>(2);
    let computed = 0;
    const compute = () => String(++computed);
    memo.get('a', compute);
    memo.get('b', compute);
    memo.get('c', compute);
    expect(memo.get('b', compute)).toBe('2');
    expect(memo.get('a', compute)).toBe('4');
  });
});

describe('the process-wide memos of the clinical core', () => {
  it('remember no system or code of a hostile length, not even an empty entry for the system', () => {
    const before = rememberedMemberships();
    for (let i = 0; i < 500; i++) {
      const system = `https://example.org/${String(i).padStart(4, '0')}/${'s'.repeat(4_000)}`;
      expect(inValueSet('opioid-misuse-disorders', { system, code: 'F11.20' })).toBe(false);
    }
    expect(rememberedMemberships()).toBe(before);
    // Control: a real system and code is remembered.
    inValueSet('opioid-misuse-disorders', { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'F11.99' });
    expect(rememberedMemberships()).toBeGreaterThan(before);
  });

  it('do not remember dosings with many doses, and hold a bounded number of doses in all', () => {
    const order = (id: string, doses: number, quantity: number) =>
      medicationRequest({
        id,
        rxcui: '1049621',
        authoredOn: '2026-01-01',
        dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
        supply: { quantity: tab(quantity), days: 30 },
      });
    const long = order('long', 1, 120);
    const dose = long.dosageInstruction![0]!;
    long.dosageInstruction = [
      { ...dose, doseAndRate: Array.from({ length: 240 }, () => dose.doseAndRate![0]!) },
    ];
    const before = rememberedDoses('cdc-2022');
    analyze([long], '2026-01-15');
    expect(rememberedDoses('cdc-2022')).toBe(before);
    // 12,000 distinct dosings: the memo starts again rather than growing past its bound.
    const many = Array.from({ length: 12_000 }, (_, i) => order(`m${i}`, 1, 1000 + i));
    analyze(many, '2026-01-15');
    expect(rememberedDoses('cdc-2022')).toBeLessThanOrEqual(10_000);
    expect(rememberedDoses('cdc-2022')).toBeGreaterThan(0);
  });
});
