/**
 * Readers for FHIR data types (Quantity, CodeableConcept, Duration, date), shared by the resource mappers. They
 * never throw: a wrong type reads as absent, and the *Field variants record a problem when a present value is
 * unreadable.
 */
import type { Amount, CodingInput } from '../domain/opioid/order.types.ts';
import type { Concept } from '../domain/record/record.types.ts';
import { daysPerTimeUnit } from '../domain/opioid/units.ts';
import { dayFromParts, isPartialFhirDate, parseFhirDate, type Day } from '../domain/time/day.ts';
import { num, obj, objs, str, type Json } from './json-read.ts';

export function amount(value: unknown): Amount | undefined {
  const q = obj(value);
  const v = num(q?.value);
  if (!q || v === undefined) return undefined;
  return { value: v, unit: str(q.unit), code: str(q.code) };
}

// Loops rather than map/filter chains: these run for every coding of every resource of a long history.

export function codings(concept: unknown): CodingInput[] {
  const out: CodingInput[] = [];
  for (const c of objs(obj(concept)?.coding)) {
    out.push({ system: str(c.system), code: str(c.code)?.trim(), display: str(c.display)?.trim() });
  }
  return out;
}

export function conceptText(concept: unknown): string | undefined {
  const c = obj(concept);
  const text = str(c?.text);
  if (text !== undefined) return text;
  for (const coding of objs(c?.coding)) {
    const display = str(coding.display);
    if (display !== undefined) return display;
  }
  return undefined;
}

/** A numeric field: undefined when absent; a problem (and undefined) when present but not a finite number. */
export function numberField(
  container: Json | undefined,
  key: string,
  path: string,
  problems: string[],
): number | undefined {
  const raw = container?.[key];
  if (raw === undefined || raw === null) return undefined;
  const value = num(raw);
  if (value === undefined)
    problems.push(`${path}.${key} ${JSON.stringify(raw).slice(0, 40)} is not a number`);
  return value;
}

/** A Quantity: undefined when absent; a problem when present without a numeric value. */
export function amountField(value: unknown, path: string, problems: string[]): Amount | undefined {
  if (value === undefined || value === null) return undefined;
  const result = amount(value);
  if (!result) problems.push(`${path} has no numeric value`);
  return result;
}

export function durationDays(value: unknown): number | undefined {
  const q = obj(value);
  const v = num(q?.value);
  const perUnit = daysPerTimeUnit(str(q?.code) ?? str(q?.unit));
  const days = v === undefined || perUnit === undefined ? undefined : v * perUnit;
  // 1e308 years is no duration (and would make a maximum per period 0 a day).
  return days !== undefined && Number.isFinite(days) ? days : undefined;
}

/** A time with its offset after the date: "T17:00:00-08:00", "T01:00Z", "T10:00:00.5+0500". */
const ZONED_TIME =
  /^[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d|60)(?:\.\d+)?)?(?:(Z)|([+-])([01]\d|2[0-3]):?([0-5]\d))$/;

/**
 * The day of a FHIR date or dateTime. A dateTime with its offset is an instant: its day is the one the service's
 * time zone (TZ) gives it, the zone "today" is taken in (src/platform/clock.ts), so the same instant written with
 * two offsets is one day and an order signed this evening is not dated tomorrow. A dateTime without an offset, or
 * with a time out of range (both common in exports), keeps the date written.
 */
export function fhirDay(text: string): Day | undefined {
  const written = parseFhirDate(text);
  if (written === undefined || text.length === 10) return written;
  const time = ZONED_TIME.exec(text.slice(10));
  if (!time) return written;
  const offsetMinutes =
    time[4] === 'Z' ? 0 : (time[5] === '-' ? -1 : 1) * (Number(time[6]) * 60 + Number(time[7]));
  const instant =
    Date.UTC(
      Number(text.slice(0, 4)),
      Number(text.slice(5, 7)) - 1,
      Number(text.slice(8, 10)),
      Number(time[1]),
      Number(time[2]),
      Number(time[3] ?? 0),
    ) -
    offsetMinutes * 60_000;
  const local = new Date(instant);
  return dayFromParts(local.getFullYear(), local.getMonth() + 1, local.getDate()) ?? written;
}

export function date(value: unknown, field: string, problems: string[]): Day | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const day = fhirDay(text);
  if (day === undefined) {
    problems.push(
      isPartialFhirDate(text)
        ? `${field} "${text}" is not a full date`
        : `${field} "${text}" is not a valid date`,
    );
  }
  return day;
}

export function concept(value: unknown): Concept {
  return { codings: codings(value), text: conceptText(value) };
}

/** A date or dateTime that may be absent; unreadable values are simply absent (no problem recorded). */
export function optionalDate(value: unknown): Day | undefined {
  const text = str(value);
  return text === undefined ? undefined : fhirDay(text);
}

/** The first code of a CodeableConcept's codings (status-like fields: clinicalStatus, category). */
export function firstCode(value: unknown): string | undefined {
  return str(objs(obj(value)?.coding)[0]?.code)?.trim();
}

/** The resource a contained reference ("#x") names among `container`'s contained resources. */
export function containedResource(container: Json, reference: string): Json | undefined {
  if (!reference.startsWith('#')) return undefined;
  const id = reference.slice(1);
  return objs(container.contained).find((r) => str(r.id) === id);
}
