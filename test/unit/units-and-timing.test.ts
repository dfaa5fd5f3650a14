import { describe, expect, it } from 'vitest';
import { classifyDoseForm } from '../../src/domain/opioid/dose-form.ts';
import { administrationsPerDay } from '../../src/domain/opioid/frequency.ts';
import { classifyUnit, daysPerTimeUnit } from '../../src/domain/opioid/units.ts';

describe('dose units', () => {
  it.each([
    [{ code: 'mg' }, 'mass', 1],
    [{ unit: 'mcg' }, 'mass', 0.001],
    [{ code: 'ug' }, 'mass', 0.001],
    [{ unit: 'mL' }, 'volume', 1],
    [{ code: '{tbl}' }, 'count', 1],
    [{ unit: 'tablet(s)' }, 'count', 1],
    [{ code: 'TAB' }, 'count', 1],
    [{ code: 'ERTAB12' }, 'count', 1],
    [{ code: 'CAP' }, 'count', 1],
    [{ code: 'TPATCH' }, 'count', 1],
    [{ unit: 'patch' }, 'count', 1],
    [{ unit: 'spray' }, 'count', 1],
    [{ code: '{actuat}' }, 'count', 1],
    [{ code: 'ug/h' }, 'rate', 1],
    [{ code: '1', unit: 'tablet' }, 'count', 1],
  ])('%j is %s', (q, kind, toBase) => {
    expect(classifyUnit(q)).toMatchObject({ kind, toBase });
  });

  it.each([[{ unit: 'scoop' }], [{ unit: 'unit' }], [{ code: 'IU' }], [{}]])('%j is not guessed', (q) => {
    expect(classifyUnit(q)).toBeUndefined();
  });

  it('converts FHIR time units to days (mo = 30, a = 365)', () => {
    expect([
      daysPerTimeUnit('h'),
      daysPerTimeUnit('wk'),
      daysPerTimeUnit('mo'),
      daysPerTimeUnit('a'),
      daysPerTimeUnit('fortnight'),
    ]).toEqual([1 / 24, 7, 30, 365, undefined]);
  });
});

describe('administrations per day', () => {
  const base = { timeOfDayCount: 0, whenCount: 0, dayOfWeekCount: 0 };
  it.each([
    [{ frequency: 1, period: 6, periodUnit: 'h' }, 4],
    [{ frequency: 1, frequencyMax: 2, period: 4, periodUnit: 'h' }, 12],
    [{ frequency: 3, period: 1, periodUnit: 'd' }, 3],
    [{ frequency: 1, period: 1, periodUnit: 'wk' }, 1 / 7],
    [{ period: 12, periodUnit: 'h' }, 2],
    [{ timeOfDayCount: 2 }, 2],
    [{ whenCount: 3 }, 3],
    [{ code: 'BID' }, 2],
    [{ code: 'q6h' }, 4],
    [{ frequency: 1, period: 8, periodUnit: 'h', timeOfDayCount: 3 }, 3],
    [{ frequency: 1, period: 12, periodUnit: 'h', timeOfDayCount: 2 }, 2],
    [{ frequency: 1, period: 1, periodUnit: 'd', timeOfDayCount: 3 }, 3],
    [{ frequency: 1, period: 1, periodUnit: 'wk', timeOfDayCount: 1 }, 1 / 7],
    [{ frequency: 1, period: 1, periodUnit: 'd', dayOfWeekCount: 3 }, 3 / 7],
    [{ timeOfDayCount: 1, dayOfWeekCount: 3 }, 3 / 7],
    // A count per week already counts the days off: its days name when, they do not scale it again.
    [{ frequency: 3, period: 1, periodUnit: 'wk', dayOfWeekCount: 3 }, 3 / 7],
    [{ frequency: 1, period: 12, periodUnit: 'h', dayOfWeekCount: 5 }, (2 * 5) / 7],
  ])('%j -> %d/day', (timing, perDay) => {
    const r = administrationsPerDay({ ...base, ...timing });
    expect(r.ok && r.perDay).toBeCloseTo(perDay, 10);
  });

  it.each([
    [undefined, /no timing/],
    [{ frequency: 2 }, /frequency but no period/],
    [{ frequency: 1, period: 1, periodUnit: 'fortnight' }, /not a time unit/],
    [{ frequency: 0, period: 1, periodUnit: 'd' }, /not a positive number/],
    [{ code: 'WHENEVER' }, /not recognised/],
    [{}, /no frequency, period, timeOfDay or code/],
  ])('%j is reported', (timing, problem) => {
    const r = administrationsPerDay(timing === undefined ? undefined : { ...base, ...timing });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});

describe('dose forms', () => {
  it.each([
    ['Transdermal System', 'transdermal'],
    ['Extended Release Oral Tablet', 'oral'],
    ['Buccal Tablet', 'transmucosal-tablet'],
    ['Buccal Film', 'transmucosal-film'],
    ['Mucosal Spray', 'oral-spray'],
    ['Metered Dose Nasal Spray', 'nasal-spray'],
    ['Prefilled Syringe', 'parenteral'],
    ['Injectable Solution', 'parenteral'],
    ['Rectal Suppository', 'rectal'],
    [undefined, 'unknown'],
  ])('%s -> %s', (text, category) => {
    expect(classifyDoseForm(text)).toBe(category);
  });
});
