/** FHIR dateTimes are instants: their day is the one the service's time zone gives them, as "today" is. */
import { describe, expect, it } from 'vitest';
import { date, fhirDay } from '../../src/fhir/fhir-values.ts';
import { parseIsoDate } from '../../src/domain/time/day.ts';
import { localDate } from '../../src/platform/clock.ts';
import { every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import { analyze } from '../helpers/analyze.ts';

/** The service's "today" at that instant. */
const todayAt = (utcMs: number) => parseIsoDate(localDate(() => new Date(utcMs)));

describe('the day of a FHIR date or dateTime', () => {
  it('is the same for one instant written with two offsets, and is the day "today" would be then', () => {
    const instant = Date.UTC(2026, 0, 16, 1, 0, 0);
    expect(fhirDay('2026-01-16T01:00:00Z')).toBe(todayAt(instant));
    expect(fhirDay('2026-01-15T17:00:00-08:00')).toBe(todayAt(instant));
    expect(fhirDay('2026-01-16T15:00:00+14:00')).toBe(todayAt(instant));
    expect(fhirDay('2026-01-16T06:30:00.250+0530')).toBe(todayAt(instant));
  });

  it('keeps the date written for a date, a time without offset and a time out of range', () => {
    expect(fhirDay('2026-03-01')).toBe(parseIsoDate('2026-03-01'));
    expect(fhirDay('2026-03-01T08:30')).toBe(parseIsoDate('2026-03-01'));
    expect(fhirDay('2026-03-01T24:00:00Z')).toBe(parseIsoDate('2026-03-01'));
  });

  it('refuses a date followed by something that is not a time, saying so', () => {
    expect(fhirDay('2026-01-10garbage')).toBeUndefined();
    const problems: string[] = [];
    expect(date('2026-01-10garbage', 'authoredOn', problems)).toBeUndefined();
    expect(problems).toEqual(['authoredOn "2026-01-10garbage" is not a valid date']);
  });

  it('gives an order written as the same instant with either offset the same MME, on its day and the day before', () => {
    const order = (authoredOn: string) =>
      medicationRequest({
        id: 'o',
        rxcui: '1049621',
        authoredOn,
        status: 'active',
        dosages: [{ dose: tab(8), timing: every(1, 'd') }],
      });
    const day = localDate(() => new Date(Date.UTC(2026, 0, 16, 1, 0, 0)));
    const dayBefore = localDate(() => new Date(Date.UTC(2026, 0, 15, 1, 0, 0)));
    const totals = (asOf: string) =>
      ['2026-01-16T01:00:00Z', '2026-01-15T17:00:00-08:00'].map((t) => analyze([order(t)], asOf).totalMme);
    expect(totals(day)).toEqual([60, 60]);
    expect(totals(dayBefore)).toEqual([0, 0]);
  });
});
