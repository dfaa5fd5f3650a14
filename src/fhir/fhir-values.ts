/**
 * Readers for FHIR data types (Quantity, CodeableConcept, Duration, date), shared by the resource mappers. They
 * never throw: a wrong type reads as absent, and the *Field variants record a problem when a present value is
 * unreadable.
 */
import type { Amount, CodingInput } from '../domain/opioid/order.types.ts';
import type { Concept } from '../domain/record/record.types.ts';
import { daysPerTimeUnit } from '../domain/opioid/units.ts';
import { isPartialFhirDate, parseFhirDate, type Day } from '../domain/time/day.ts';
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
  return v === undefined || perUnit === undefined ? undefined : v * perUnit;
}

export function date(value: unknown, field: string, problems: string[]): Day | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const day = parseFhirDate(text);
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
  return text === undefined ? undefined : parseFhirDate(text);
}

/** The first code of a CodeableConcept's codings (status-like fields: clinicalStatus, category). */
export function firstCode(value: unknown): string | undefined {
  return str(objs(obj(value)?.coding)[0]?.code)?.trim();
}
