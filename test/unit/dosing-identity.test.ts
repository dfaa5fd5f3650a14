/** The memo of order doses must tell apart any two orders whose dosing differs in a single field. */
import { describe, expect, it } from 'vitest';
import { dosingHash, sameDosing } from '../../src/domain/opioid/dosing-identity.ts';
import type { OrderInput, SigInput } from '../../src/domain/opioid/order.types.ts';

const sig: SigInput = {
  problems: [],
  asNeeded: false,
  doses: [{ type: 'ordered', dose: { value: 1, unit: 'tablet', code: '{tbl}' } }],
  timing: { frequency: 4, period: 1, periodUnit: 'd', timeOfDayCount: 0, whenCount: 0, dayOfWeekCount: 0 },
};
const base: OrderInput = {
  id: 'a',
  status: 'active',
  product: { codings: [], ingredients: [] },
  sigs: [sig],
  quantity: { value: 120, unit: 'tablet' },
  supplyDays: 30,
  problems: [],
};
const withSig = (change: Partial<SigInput>): OrderInput => ({ ...base, sigs: [{ ...sig, ...change }] });
const withTiming = (change: object): OrderInput => withSig({ timing: { ...sig.timing!, ...change } });

describe('dosing identity', () => {
  it('is the same for refills that differ only in id, dates and status', () => {
    const refill: OrderInput = {
      ...base,
      id: 'b',
      status: 'completed',
      authoredOn: 20_000,
      sigs: [{ ...sig }],
    };
    expect(sameDosing(base, refill)).toBe(true);
    expect(dosingHash(base)).toBe(dosingHash(refill));
  });

  it.each([
    ['quantity', { ...base, quantity: { value: 60, unit: 'tablet' } }],
    ['quantity unit', { ...base, quantity: { value: 120, unit: 'mL' } }],
    ['supply days', { ...base, supplyDays: 28 }],
    ['PRN', withSig({ asNeeded: true })],
    ['sequence', withSig({ sequence: 2 })],
    ['unreadable field', withSig({ problems: ['timing.repeat.frequency "4" is not a number'] })],
    [
      'dose value',
      withSig({ doses: [{ type: 'ordered', dose: { value: 2, unit: 'tablet', code: '{tbl}' } }] }),
    ],
    [
      'dose unit vs code',
      withSig({ doses: [{ type: 'ordered', dose: { value: 1, unit: '{tbl}', code: 'tablet' } }] }),
    ],
    [
      'dose type',
      withSig({ doses: [{ type: 'calculated', dose: { value: 1, unit: 'tablet', code: '{tbl}' } }] }),
    ],
    [
      'dose range',
      withSig({ doses: [{ type: 'ordered', doseRangeHigh: { value: 1, unit: 'tablet', code: '{tbl}' } }] }),
    ],
    ['frequency', withTiming({ frequency: 3 })],
    ['frequencyMax', withTiming({ frequencyMax: 6 })],
    ['period', withTiming({ period: 2 })],
    ['period unit', withTiming({ periodUnit: 'wk' })],
    ['times of day', withTiming({ timeOfDayCount: 2 })],
    ['when', withTiming({ whenCount: 2 })],
    ['days of week', withTiming({ dayOfWeekCount: 3 })],
    ['timing code', withTiming({ code: 'QID' })],
    ['bounds', withTiming({ boundsDays: 7 })],
    ['no timing', withSig({ timing: undefined })],
    ['route', withSig({ route: { codings: [{ code: 'IV' }] } })],
    ['route text', withSig({ route: { codings: [], text: 'oral' } })],
    ['a second instruction', { ...base, sigs: [sig, sig] }],
  ])('differs by %s', (_, other) => {
    expect(sameDosing(base, other)).toBe(false);
    expect(sameDosing(other, base)).toBe(false);
  });
});
