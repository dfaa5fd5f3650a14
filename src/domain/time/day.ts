/**
 * Calendar days as integers (days since 1970-01-01), so the clinical core does date arithmetic without a clock
 * or time zones. A FHIR dateTime is reduced to the calendar date written in it: "2026-03-01T23:30:00-05:00" is
 * 2026-03-01, the date the prescriber saw.
 */
export type Day = number;

const MS_PER_DAY = 86_400_000;
const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})/;
const YEAR_ONLY = /^(\d{4})(?:-(\d{2}))?$/;

function fromParts(year: number, month: number, day: number): Day | undefined {
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return undefined;
  }
  return Math.round(ms / MS_PER_DAY);
}

/** Parses a strict calendar date "YYYY-MM-DD". Returns undefined for anything else, including 2026-02-30. */
export function parseIsoDate(text: string): Day | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  return parseFhirDate(text);
}

/**
 * Parses the date part of a FHIR date or dateTime. Partial dates ("2026" or "2026-03") are not days; they return
 * undefined so the caller can say the date is imprecise rather than guess the first of the month.
 */
export function parseFhirDate(text: string): Day | undefined {
  const m = DATE_PREFIX.exec(text);
  if (!m) return undefined;
  return fromParts(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isPartialFhirDate(text: string): boolean {
  return YEAR_ONLY.test(text);
}

export function formatDay(day: Day): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function addDays(day: Day, days: number): Day {
  return day + days;
}
