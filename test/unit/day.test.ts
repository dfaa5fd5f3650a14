import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fhirDateRange,
  formatDay,
  isPartialFhirDate,
  parseFhirDate,
  parseIsoDate,
} from '../../src/domain/time/day.ts';

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

  it('tells a partial date (a year, a month) from a wrong one', () => {
    for (const partial of ['2027', '2027-01', '2027-12'])
      expect(isPartialFhirDate(partial), partial).toBe(true);
    for (const wrong of ['2027-13', '2027-00', '2027-1', '2027-02-30', '27', '2027-06-01'])
      expect(isPartialFhirDate(wrong), wrong).toBe(false);
    expect(fhirDateRange('2024-02')).toEqual({
      earliest: parseIsoDate('2024-02-01'),
      latest: parseIsoDate('2024-02-29'),
    });
  });

  it('reads the date of a dateTime whatever its time part says: the date is what the rules use', () => {
    // Offsets without a colon, hour 24, long fractions and even impossible times are common in exports; a result
    // dated so must not be lost (a COMM score or a PHQ-9 answer would silently drop out of the rules).
    for (const written of [
      '2026-03-01T10:00:00+0500',
      '2026-03-01T24:00:00Z',
      '2026-03-01T08:30:00.1234567890Z',
      '2026-03-01T25:00:00Z',
      '2026-03-01T08:30',
    ])
      expect([written, parseFhirDate(written)]).toEqual([written, parseIsoDate('2026-03-01')]);
    expect(parseFhirDate('2026-02-30T10:00:00Z')).toBeUndefined();
  });
});
