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
  const unit = str(q.unit);
  const code = str(q.code);
  return { value: v, ...(unit === undefined ? {} : { unit }), ...(code === undefined ? {} : { code }) };
}

function codings(concept: unknown): CodingInput[] {
  return objs(obj(concept)?.coding).map((c) => {
    const system = str(c.system);
    const code = str(c.code);
    const display = str(c.display);
    return {
      ...(system === undefined ? {} : { system }),
      ...(code === undefined ? {} : { code }),
      ...(display === undefined ? {} : { display }),
    };
  });
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

function ingredient(raw: Json): IngredientInput {
  const strength = obj(raw.strength);
  const numerator = amount(strength?.numerator);
  const denominator = amount(strength?.denominator);
  const item = raw.itemCodeableConcept ?? undefined;
  const text = conceptText(item) ?? str(obj(raw.itemReference)?.display);
  const active = typeof raw.isActive === 'boolean' ? raw.isActive : undefined;
  return {
    codings: codings(item),
    ...(text === undefined ? {} : { text }),
    ...(active === undefined ? {} : { active }),
    ...(numerator === undefined ? {} : { numerator }),
    ...(denominator === undefined ? {} : { denominator }),
  };
}

function productFromMedication(medication: Json, origin: string): ProductInput {
  const text = conceptText(medication.code);
  const form = conceptText(medication.form);
  return {
    codings: codings(medication.code),
    ...(text === undefined ? {} : { text }),
    ...(form === undefined ? {} : { form }),
    ingredients: objs(medication.ingredient).map(ingredient),
    origin,
  };
}

function product(request: Json, lookup: MedicationLookup): ProductInput {
  const concept = obj(request.medicationCodeableConcept);
  if (concept) {
    const text = conceptText(concept);
    return {
      codings: codings(concept),
      ...(text === undefined ? {} : { text }),
      ingredients: [],
      origin: 'medicationCodeableConcept',
    };
  }
  const ref = obj(request.medicationReference);
  const reference = str(ref?.reference);
  const display = str(ref?.display);
  if (reference?.startsWith('#')) {
    const id = reference.slice(1);
    const contained = objs(request.contained).find(
      (r) => r.resourceType === 'Medication' && str(r.id) === id,
    );
    if (contained) return productFromMedication(contained, `contained Medication ${reference}`);
  } else if (reference) {
    const found = lookup(reference);
    if (found && found.resourceType === 'Medication') return productFromMedication(found, reference);
  }
  return {
    codings: [],
    ...(display === undefined ? {} : { text: display }),
    ingredients: [],
    origin: reference ?? 'none',
    unresolvedReference: reference
      ? `Medication ${reference}`
      : 'the medication (no medicationCodeableConcept or medicationReference)',
  };
}

function doseType(entry: Json): DoseAndRateType {
  const code = str(objs(obj(entry.type)?.coding)[0]?.code) ?? str(obj(entry.type)?.text);
  if (code === undefined) return 'unspecified';
  if (code === 'ordered' || code === 'calculated') return code;
  return 'other';
}

function doseEntry(entry: Json): DoseInput {
  const dose = amount(entry.doseQuantity);
  const range = obj(entry.doseRange);
  const high = amount(range?.high);
  const low = amount(range?.low);
  const rate = amount(entry.rateQuantity);
  return {
    type: doseType(entry),
    ...(dose === undefined ? {} : { dose }),
    ...(high === undefined ? {} : { doseRangeHigh: high }),
    ...(low === undefined ? {} : { doseRangeLow: low }),
    ...(rate === undefined ? {} : { rate }),
  };
}

function timing(value: unknown): TimingInput | undefined {
  const t = obj(value);
  if (!t) return undefined;
  const repeat = obj(t.repeat);
  const fields: [keyof TimingInput, number | string | undefined][] = [
    ['frequency', num(repeat?.frequency)],
    ['frequencyMax', num(repeat?.frequencyMax)],
    ['period', num(repeat?.period)],
    ['periodMax', num(repeat?.periodMax)],
    ['periodUnit', str(repeat?.periodUnit)],
    ['code', str(objs(obj(t.code)?.coding)[0]?.code) ?? str(obj(t.code)?.text)],
    ['boundsDays', durationDays(repeat?.boundsDuration)],
  ];
  const present = Object.fromEntries(fields.filter(([, v]) => v !== undefined));
  return {
    ...present,
    timeOfDayCount: arr(repeat?.timeOfDay).length,
    whenCount: arr(repeat?.when).length,
  };
}

function sig(raw: Json): SigInput {
  const sequence = num(raw.sequence);
  const text = str(raw.text);
  const t = timing(raw.timing);
  return {
    ...(sequence === undefined ? {} : { sequence }),
    ...(text === undefined ? {} : { text }),
    asNeeded: raw.asNeededBoolean === true || obj(raw.asNeededCodeableConcept) !== undefined,
    doses: objs(raw.doseAndRate).map(doseEntry),
    ...(t === undefined ? {} : { timing: t }),
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
  const supplyDays = durationDays(dispense?.expectedSupplyDuration);
  if (dispense?.expectedSupplyDuration !== undefined && supplyDays === undefined) {
    problems.push('dispenseRequest.expectedSupplyDuration has no numeric value in a time unit');
  }
  const quantity = amount(dispense?.quantity);
  const status = str(request.status);
  if (status === undefined) problems.push('the order has no status');
  const intent = str(request.intent);
  const requesterRef = obj(request.requester);
  const requester = str(requesterRef?.reference) ?? str(requesterRef?.display);
  if (request.dosageInstruction !== undefined && !Array.isArray(request.dosageInstruction)) {
    problems.push('dosageInstruction is not a list');
  }
  return {
    id: str(request.id) ?? fallbackId,
    status: status ?? 'unknown',
    ...(intent === undefined ? {} : { intent }),
    ...(authoredOn === undefined ? {} : { authoredOn }),
    ...(validityStart === undefined ? {} : { validityStart }),
    ...(validityEnd === undefined ? {} : { validityEnd }),
    ...(supplyDays === undefined ? {} : { supplyDays }),
    ...(quantity === undefined ? {} : { quantity }),
    ...(requester === undefined ? {} : { requester }),
    product: product(request, lookup),
    sigs: objs(request.dosageInstruction).map(sig),
    problems,
  };
}
