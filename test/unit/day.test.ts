import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDay, parseFhirDate, parseIsoDate } from '../../src/domain/time/day.ts';

describe('calendar days', () => {
  it('agrees with the platform calendar for every day from 1900 to 2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: -25_567, max: 84_000 }), (day) => {
        const iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
        expect(formatDay(day)).toBe(iso);
        expect(parseIsoDate(iso)).toBe(day);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects impossible dates and keeps the written date of a dateTime', () => {
    expect(parseIsoDate('2026-02-29')).toBeUndefined();
    expect(parseIsoDate('2024-02-29')).toBeDefined();
    expect(parseIsoDate('2026-13-01')).toBeUndefined();
    expect(parseIsoDate('2026-1-1')).toBeUndefined();
    expect(formatDay(parseFhirDate('2026-03-01T23:30:00-05:00')!)).toBe('2026-03-01');
    expect(parseFhirDate('2026-03')).toBeUndefined();
  });

  it('reads the date of a dateTime only when the time after it is a time of day', () => {
    for (const valid of [
      '2026-03-01T00:00:00Z',
      '2026-03-01T23:59:60.123+14:00',
      '2026-03-01T08:30:00.000000001-12:00',
      '2026-03-01T08:30:00',
      '2026-03-01T08:30',
    ])
      expect([valid, parseFhirDate(valid)]).toEqual([valid, parseIsoDate('2026-03-01')]);
    for (const invalid of [
      '2026-03-01T25:00:00Z',
      '2026-03-01T24:00:00Z',
      '2026-03-01T12:61:00Z',
      '2026-03-01T12:00:61Z',
      '2026-03-01T12:00:00+15:00',
      '2026-03-01T12:00:00.Z',
      '2026-03-01 12:00:00',
      '2026-03-01T',
      '2026-03-01Z',
      '2026-03-01garbage',
    ])
      expect([invalid, parseFhirDate(invalid)]).toEqual([invalid, undefined]);
  });
});
