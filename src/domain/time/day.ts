/**
 * Calendar days as integers (days since 1970-01-01), so the clinical core does date arithmetic without a clock
 * or time zones. parseFhirDate reads the calendar date written at the start of a FHIR date or dateTime; the FHIR
 * readers place a dateTime's instant in the service's time zone first (src/fhir/fhir-values.ts), the zone in which
 * "today" is taken, so that an order written this evening as "...T01:00:00Z" is not dated tomorrow.
 */
export type Day = number;

/** A FHIR date of a year or a month ("2015", "2015-06"): partial, not wrong. A month 13 is wrong. */
const YEAR_ONLY = /^(\d{4})(?:-(0[1-9]|1[0-2]))?$/;

// Proleptic Gregorian calendar arithmetic without Date objects (H. Hinnant, "chrono-compatible low-level date
// algorithms", days_from_civil / civil_from_days): the analysis formats hundreds of dates per request.
function daysFromCivil(year: number, month: number, day: number): Day {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The day of a calendar date, or undefined when there is no such date (2026-02-30). */
export function dayFromParts(year: number, month: number, day: number): Day | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

/** Parses a strict calendar date "YYYY-MM-DD". Returns undefined for anything else, including 2026-02-30. */
export function parseIsoDate(text: string): Day | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  return parseFhirDate(text);
}

/**
 * Parses the date part of a FHIR date or dateTime: "YYYY-MM-DD", alone or followed by a time ("T" or a space, then
 * anything: exports write times in many ways). Partial dates ("2026" or "2026-03") are not days; they return
 * undefined so the caller can say the date is imprecise rather than guess the first of the month.
 */
export function parseFhirDate(text: string): Day | undefined {
  // Hand-rolled "YYYY-MM-DD" prefix reader: three dates per order of a long history.
  if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  if (text.length > 10 && text.charCodeAt(10) !== 84 && text.charCodeAt(10) !== 32) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  if (year < 0 || month < 0 || day < 0) return undefined;
  return dayFromParts(year, month, day);
}

/** The number written in text[from, to) if it is all ASCII digits, else -1. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

export function isPartialFhirDate(text: string): boolean {
  return YEAR_ONLY.test(text);
}

// Analyses format the same days again and again (series, periods): remember them, within bounds.
const FORMATTED = new Map<Day, string>();

export function formatDay(day: Day): string {
  let text = FORMATTED.get(day);
  if (text === undefined) {
    text = formatUncached(day);
    if (FORMATTED.size < 50_000) FORMATTED.set(day, text);
  }
  return text;
}

function formatUncached(day: Day): string {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

export function addDays(day: Day, days: number): Day {
  return day + days;
}

/** Whole years from `from` to `to` (age on a date): birthdays count on the day itself. */
export function yearsBetween(from: Day, to: Day): number {
  const a = formatDay(from);
  const b = formatDay(to);
  const years = Number(b.slice(0, 4)) - Number(a.slice(0, 4));
  return b.slice(5) >= a.slice(5) ? years : years - 1;
}

/**
 * The days a FHIR date may mean: a full date is one day; "2015-06" is June 2015; "2015" is the year. Lets a partial
 * birth date still say "certainly a child" or "certainly an adult".
 */
export function fhirDateRange(text: string): { readonly earliest: Day; readonly latest: Day } | undefined {
  const full = parseFhirDate(text);
  if (full !== undefined) return { earliest: full, latest: full };
  const m = YEAR_ONLY.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  if (m[2] === undefined) {
    const earliest = dayFromParts(year, 1, 1);
    const latest = dayFromParts(year, 12, 31);
    return earliest === undefined || latest === undefined ? undefined : { earliest, latest };
  }
  const month = Number(m[2]);
  const earliest = dayFromParts(year, month, 1);
  const latest = dayFromParts(year, month, daysInMonth(year, month));
  return earliest === undefined || latest === undefined ? undefined : { earliest, latest };
}
