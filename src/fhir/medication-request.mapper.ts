/**
 * MedicationRequest (+ its Medication: contained, in the Bundle, or supplied by the caller) -> the engine's
 * OrderInput. Pure. Whatever cannot be read is listed in `problems` so the order is reported, not dropped.
 */
import type {
  Amount,
  CodingInput,
  DoseAndRateType,
  DoseInput,
  IngredientInput,
  OrderInput,
  ProductInput,
  SigInput,
  TimingInput,
} from '../domain/opioid/order.types.ts';
import { daysPerTimeUnit } from '../domain/opioid/units.ts';
import { isPartialFhirDate, parseFhirDate, type Day } from '../domain/time/day.ts';
import { arr, num, obj, objs, str, type Json } from './json-read.ts';

export type MedicationLookup = (reference: string) => Json | undefined;

function amount(value: unknown): Amount | undefined {
  const q = obj(value);
  const v = num(q?.value);
  if (!q || v === undefined) return undefined;
  return { value: v, unit: str(q.unit), code: str(q.code) };
}

function codings(concept: unknown): CodingInput[] {
  return objs(obj(concept)?.coding).map((c) => ({
    system: str(c.system),
    code: str(c.code)?.trim(),
    display: str(c.display)?.trim(),
  }));
}

function conceptText(concept: unknown): string | undefined {
  const c = obj(concept);
  return (
    str(c?.text) ??
    objs(c?.coding)
      .map((x) => str(x.display))
      .find((d) => d !== undefined)
  );
}

/** A numeric field: undefined when absent; a problem (and undefined) when present but not a finite number. */
function numberField(
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
function amountField(value: unknown, path: string, problems: string[]): Amount | undefined {
  if (value === undefined || value === null) return undefined;
  const result = amount(value);
  if (!result) problems.push(`${path} has no numeric value`);
  return result;
}

function durationDays(value: unknown): number | undefined {
  const q = obj(value);
  const v = num(q?.value);
  const perUnit = daysPerTimeUnit(str(q?.code) ?? str(q?.unit));
  return v === undefined || perUnit === undefined ? undefined : v * perUnit;
}

function date(value: unknown, field: string, problems: string[]): Day | undefined {
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

// Optional fields are assigned as undefined rather than spread in: this runs for every order of a long history.

function ingredient(raw: Json): IngredientInput {
  const strength = obj(raw.strength);
  const item = raw.itemCodeableConcept;
  return {
    codings: codings(item),
    text: conceptText(item) ?? str(obj(raw.itemReference)?.display),
    numerator: amount(strength?.numerator),
    denominator: amount(strength?.denominator),
  };
}

function productFromMedication(medication: Json): ProductInput {
  return {
    codings: codings(medication.code),
    text: conceptText(medication.code),
    form: conceptText(medication.form),
    ingredients: objs(medication.ingredient).map(ingredient),
  };
}

function product(request: Json, lookup: MedicationLookup): ProductInput {
  const concept = obj(request.medicationCodeableConcept);
  if (concept) {
    return {
      codings: codings(concept),
      text: conceptText(concept),
      ingredients: [],
    };
  }
  const ref = obj(request.medicationReference);
  const reference = str(ref?.reference);
  if (reference?.startsWith('#')) {
    const id = reference.slice(1);
    const contained = objs(request.contained).find(
      (r) => r.resourceType === 'Medication' && str(r.id) === id,
    );
    if (contained) return productFromMedication(contained);
  } else if (reference) {
    const found = lookup(reference);
    if (found && found.resourceType === 'Medication') return productFromMedication(found);
  }
  return {
    codings: [],
    text: str(ref?.display),
    ingredients: [],
    unresolvedReference: reference
      ? `Medication ${reference}`
      : 'the medication (no medicationCodeableConcept or medicationReference)',
  };
}

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
    timeOfDayCount: arr(repeat?.timeOfDay).length,
    whenCount: arr(repeat?.when).length,
    dayOfWeekCount: new Set(arr(repeat?.dayOfWeek)).size,
  };
}

function sig(raw: Json): SigInput {
  const problems: string[] = [];
  return {
    sequence: num(raw.sequence),
    asNeeded: raw.asNeededBoolean === true || obj(raw.asNeededCodeableConcept) !== undefined,
    doses: objs(raw.doseAndRate).map((entry) => doseEntry(entry, problems)),
    timing: timing(raw.timing, problems),
    problems,
  };
}

export function mapMedicationRequest(
  request: Json,
  fallbackId: string,
  lookup: MedicationLookup,
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
    requester: str(requesterRef?.reference) ?? str(requesterRef?.display),
    product: product(request, lookup),
    sigs: objs(request.dosageInstruction).map(sig),
    problems,
  };
}
