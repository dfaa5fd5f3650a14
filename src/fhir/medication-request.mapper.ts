/**
 * MedicationRequest (+ its Medication: contained, in the Bundle, or supplied by the caller) -> the engine's
 * OrderInput. Pure. Whatever cannot be read is listed in `problems` so the order is reported, not dropped.
 */
import type {
  DoseAndRateType,
  DoseInput,
  OrderInput,
  SigInput,
  TimingInput,
} from '../domain/opioid/order.types.ts';
import { supplyEnd } from '../domain/opioid/coverage.ts';
import type { OrderDates } from '../domain/risk/relevant-history.ts';
import {
  amountField,
  codings,
  conceptText,
  date,
  durationDays,
  numberField,
  optionalDate,
} from './fhir-values.ts';
import { namedBy, partyOf, type PartyKey } from './party.mapper.ts';
import { arr, num, obj, objs, str, type Json } from './json-read.ts';
import { medicationProduct, type MedicationLookup } from './medication.mapper.ts';

export type { MedicationLookup } from './medication.mapper.ts';

function doseType(entry: Json): DoseAndRateType {
  const type = obj(entry.type);
  const code = str(obj(arr(type?.coding)[0])?.code) ?? str(type?.text);
  if (code === undefined) return 'unspecified';
  if (code === 'ordered' || code === 'calculated') return code;
  return 'other';
}

function doseEntry(entry: Json, problems: string[]): DoseInput {
  const range = obj(entry.doseRange);
  return {
    type: doseType(entry),
    dose: amountField(entry.doseQuantity, 'doseQuantity', problems),
    doseRangeHigh: amountField(range?.high, 'doseRange.high', problems),
    doseRangeLow: amountField(range?.low, 'doseRange.low', problems),
    rate: amountField(entry.rateQuantity, 'rateQuantity', problems),
  };
}

function boundsDays(repeat: Json | undefined, problems: string[]): number | undefined {
  if (repeat?.boundsDuration === undefined) return undefined;
  const days = durationDays(repeat.boundsDuration);
  if (days === undefined || !(days > 0)) {
    problems.push('timing.repeat.boundsDuration is not a positive duration in a time unit');
    return undefined;
  }
  return days;
}

const DAYS_OF_WEEK = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
/** "08:00:00" (FHIR time), or "08:00" as exports write it. */
const TIME_OF_DAY = /^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$/;

/**
 * How many distinct entries a list of repeat.dayOfWeek / timeOfDay / when holds, or a problem when one of them is
 * not a value of its kind: a dose is never divided (or multiplied) by entries that say nothing.
 */
function listCount(
  values: readonly unknown[],
  field: string,
  valid: (text: string) => boolean,
  problems: string[],
): number {
  const seen = new Set<string>();
  for (const v of values) {
    const text = typeof v === 'string' ? v.trim() : undefined;
    if (text === undefined || !valid(text)) {
      problems.push(
        `timing.repeat.${field} ${JSON.stringify(v ?? null).slice(0, 40)} is not a ${field} value`,
      );
      return 0;
    }
    seen.add(field === 'dayOfWeek' ? text.toLowerCase() : text);
  }
  return seen.size;
}

function timing(value: unknown, problems: string[]): TimingInput | undefined {
  const t = obj(value);
  if (!t) return undefined;
  const repeat = obj(t.repeat);
  const code = obj(t.code);
  const at = 'timing.repeat';
  return {
    frequency: numberField(repeat, 'frequency', at, problems),
    frequencyMax: numberField(repeat, 'frequencyMax', at, problems),
    period: numberField(repeat, 'period', at, problems),
    periodUnit: str(repeat?.periodUnit),
    code: str(objs(code?.coding)[0]?.code) ?? str(code?.text),
    boundsDays: boundsDays(repeat, problems),
    timeOfDayCount: listCount(arr(repeat?.timeOfDay), 'timeOfDay', (t) => TIME_OF_DAY.test(t), problems),
    whenCount: listCount(arr(repeat?.when), 'when', (t) => /^[A-Za-z.]{1,12}$/.test(t), problems),
    dayOfWeekCount: listCount(
      arr(repeat?.dayOfWeek),
      'dayOfWeek',
      (t) => DAYS_OF_WEEK.has(t.toLowerCase()),
      problems,
    ),
  };
}

/**
 * Dosage.maxDosePerPeriod (a Ratio, "at most 6 tablets per 1 day"), when it can be read. One that is present but
 * unreadable makes the sig unusable, as any unreadable field does: the cap it sets is unknown.
 */
function maxPerPeriod(value: unknown, problems: string[]): Pick<SigInput, 'maxPerPeriod'> {
  if (value === undefined || value === null) return {};
  const ratio = obj(value);
  const amount = amountField(ratio?.numerator, 'maxDosePerPeriod.numerator', problems);
  const periodDays = durationDays(ratio?.denominator);
  if (!amount || !(amount.value > 0)) {
    // A maximum of 0 would count the order as 0 MME: unknown, never 0.
    problems.push('maxDosePerPeriod.numerator is not a positive quantity');
    return {};
  }
  if (periodDays === undefined || !(periodDays > 0)) {
    problems.push('maxDosePerPeriod.denominator is not a positive duration in a time unit');
    return {};
  }
  return { maxPerPeriod: { amount, periodDays } };
}

/** Dosage.route: absent when the instruction names none (or sends something that is not a CodeableConcept). */
function route(value: unknown): SigInput['route'] {
  const r = obj(value);
  if (!r) return undefined;
  const read = { codings: codings(r), text: conceptText(r) };
  return read.codings.length > 0 || read.text !== undefined ? read : undefined;
}

function sig(raw: Json): SigInput {
  const problems: string[] = [];
  return {
    sequence: num(raw.sequence),
    asNeeded: raw.asNeededBoolean === true || obj(raw.asNeededCodeableConcept) !== undefined,
    doses: objs(raw.doseAndRate).map((entry) => doseEntry(entry, problems)),
    timing: timing(raw.timing, problems),
    ...maxPerPeriod(raw.maxDosePerPeriod, problems),
    route: route(raw.route),
    problems,
  };
}

const NOT_PRESCRIBERS = ['Patient', 'RelatedPerson'];

export function mapMedicationRequest(
  request: Json,
  fallbackId: string,
  lookup: MedicationLookup,
  party: PartyKey = (reference) => reference,
): OrderInput {
  const problems: string[] = [];
  const dispense = obj(request.dispenseRequest);
  const validity = obj(dispense?.validityPeriod);
  const authoredOn = date(request.authoredOn, 'authoredOn', problems);
  const validityStart = date(validity?.start, 'dispenseRequest.validityPeriod.start', problems);
  const validityEnd = date(validity?.end, 'dispenseRequest.validityPeriod.end', problems);
  let supplyDays = durationDays(dispense?.expectedSupplyDuration);
  if (dispense?.expectedSupplyDuration !== undefined && !(supplyDays !== undefined && supplyDays > 0)) {
    problems.push('dispenseRequest.expectedSupplyDuration is not a positive duration in a time unit');
    supplyDays = undefined;
  }
  const quantity = amountField(dispense?.quantity, 'dispenseRequest.quantity', problems);
  const status = str(request.status);
  if (status === undefined) problems.push('the order has no status');
  const requesterRef = obj(request.requester);
  if (request.dosageInstruction !== undefined && !Array.isArray(request.dosageInstruction)) {
    problems.push('dosageInstruction is not a list');
  }
  return {
    id: str(request.id) ?? fallbackId,
    status: status ?? 'unknown',
    intent: str(request.intent),
    doNotPerform: request.doNotPerform === true,
    authoredOn,
    validityStart,
    validityEnd,
    supplyDays,
    quantity,
    // A patient or relative who wrote the order (one the patient reports) is no prescriber.
    requester: partyOf(requesterRef, party, namedBy(request, lookup), NOT_PRESCRIBERS),
    product: medicationProduct(request, lookup),
    sigs: objs(request.dosageInstruction).map(sig),
    problems,
  };
}

/**
 * The dates that place an order in time, read as mapMedicationRequest and the coverage rules read them: the first
 * covered day, and the latest day named or covered - known only when the order states its supply duration.
 */
export function medicationRequestDates(request: Json): OrderDates {
  const dispense = obj(request.dispenseRequest);
  const validity = obj(dispense?.validityPeriod);
  const authoredOn = optionalDate(request.authoredOn);
  const validityStart = optionalDate(validity?.start);
  const start = validityStart ?? authoredOn;
  const supplyDays = durationDays(dispense?.expectedSupplyDuration);
  if (start === undefined || supplyDays === undefined || !(supplyDays > 0))
    return { start, latest: undefined };
  const validityEnd = optionalDate(validity?.end);
  return {
    start,
    latest: Math.max(supplyEnd(start, supplyDays), authoredOn ?? start, validityEnd ?? start),
  };
}
