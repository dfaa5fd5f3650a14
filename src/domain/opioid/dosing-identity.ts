/**
 * Identity of an order's dosing - every field computeOrderDose reads besides the product: dispense quantity and
 * duration, and each dosage instruction (PRN, sequence, unreadable fields, timing, maximum per period, route, doses). A hash to find
 * candidates and a structural comparison to confirm, so monthly refills share one dose computation without
 * building a key string per order. Both functions must read the same fields.
 */
import type { Amount, DoseInput, OrderInput, SigInput, TimingInput } from './order.types.ts';

/** The fields of an order its dose depends on besides the product. */
export type Dosing = Pick<OrderInput, 'quantity' | 'supplyDays' | 'sigs'>;

const FLOAT = new Float64Array(1);
const WORDS = new Uint32Array(FLOAT.buffer);
const FNV_PRIME = 16_777_619;

function mixInt(h: number, value: number): number {
  return Math.imul(h ^ value, FNV_PRIME) >>> 0;
}

function mixNumber(h: number, value: number | undefined): number {
  if (value === undefined) return mixInt(h, 0x9e3779b9);
  FLOAT[0] = value;
  return mixInt(mixInt(h, WORDS[0] ?? 0), WORDS[1] ?? 0);
}

function mixString(h: number, text: string | undefined): number {
  if (text === undefined) return mixInt(h, 0x85ebca6b);
  let out = mixInt(h, text.length);
  for (let i = 0; i < text.length; i++) out = mixInt(out, text.charCodeAt(i));
  return out;
}

function mixAmount(h: number, a: Amount | undefined): number {
  if (!a) return mixInt(h, 0xc2b2ae35);
  return mixString(mixString(mixNumber(h, a.value), a.unit), a.code);
}

function mixTiming(h: number, t: TimingInput | undefined): number {
  if (!t) return mixInt(h, 0x27d4eb2f);
  let out = mixNumber(mixNumber(mixNumber(h, t.frequency), t.frequencyMax), t.period);
  out = mixString(out, t.periodUnit);
  out = mixInt(mixInt(mixInt(out, t.timeOfDayCount), t.whenCount), t.dayOfWeekCount);
  return mixNumber(mixString(out, t.code), t.boundsDays);
}

function mixRoute(h: number, r: SigInput['route']): number {
  if (!r) return mixInt(h, 0x165667b1);
  let out = mixString(mixInt(h, r.codings.length), r.text);
  for (const c of r.codings) out = mixString(mixString(mixString(out, c.system), c.code), c.display);
  return out;
}

const amountLength = (a: Amount | undefined): number => (a?.unit?.length ?? 0) + (a?.code?.length ?? 0);

/** How much text the dosing holds (units, codes, unreadable fields, routes): what a memo of it would keep. */
export function dosingTextLength(order: Dosing): number {
  let n = amountLength(order.quantity);
  for (const s of order.sigs) {
    n += s.doses.length * 16 + amountLength(s.maxPerPeriod?.amount) + (s.timing?.code?.length ?? 0);
    n += (s.timing?.periodUnit?.length ?? 0) + (s.route?.text?.length ?? 0);
    for (const p of s.problems) n += p.length;
    for (const d of s.doses)
      n +=
        amountLength(d.dose) +
        amountLength(d.doseRangeHigh) +
        amountLength(d.doseRangeLow) +
        amountLength(d.rate);
    for (const c of s.route?.codings ?? [])
      n += (c.system?.length ?? 0) + (c.code?.length ?? 0) + (c.display?.length ?? 0);
  }
  return n;
}

export function dosingHash(order: Dosing): number {
  let h = mixNumber(mixAmount(0x811c9dc5, order.quantity), order.supplyDays);
  h = mixInt(h, order.sigs.length);
  for (const s of order.sigs) {
    h = mixNumber(mixInt(h, s.asNeeded ? 1 : 2), s.sequence);
    h = mixInt(h, s.problems.length);
    for (const problem of s.problems) h = mixString(h, problem);
    h = mixTiming(h, s.timing);
    h = mixNumber(mixAmount(h, s.maxPerPeriod?.amount), s.maxPerPeriod?.periodDays);
    h = mixRoute(h, s.route);
    h = mixInt(h, s.doses.length);
    for (const d of s.doses) {
      h = mixString(h, d.type);
      h = mixAmount(mixAmount(mixAmount(mixAmount(h, d.dose), d.doseRangeHigh), d.doseRangeLow), d.rate);
    }
  }
  return h;
}

function sameAmount(a: Amount | undefined, b: Amount | undefined): boolean {
  if (!a || !b) return a === b;
  return Object.is(a.value, b.value) && a.unit === b.unit && a.code === b.code;
}

function sameTiming(a: TimingInput | undefined, b: TimingInput | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.frequency === b.frequency &&
    a.frequencyMax === b.frequencyMax &&
    a.period === b.period &&
    a.periodUnit === b.periodUnit &&
    a.timeOfDayCount === b.timeOfDayCount &&
    a.whenCount === b.whenCount &&
    a.dayOfWeekCount === b.dayOfWeekCount &&
    a.code === b.code &&
    a.boundsDays === b.boundsDays
  );
}

function sameDose(a: DoseInput, b: DoseInput): boolean {
  return (
    a.type === b.type &&
    sameAmount(a.dose, b.dose) &&
    sameAmount(a.doseRangeHigh, b.doseRangeHigh) &&
    sameAmount(a.doseRangeLow, b.doseRangeLow) &&
    sameAmount(a.rate, b.rate)
  );
}

function sameRoute(a: SigInput['route'], b: SigInput['route']): boolean {
  if (!a || !b) return a === b;
  return (
    a.text === b.text &&
    a.codings.length === b.codings.length &&
    a.codings.every((c, i) => {
      const other = b.codings[i];
      return (
        other !== undefined &&
        c.system === other.system &&
        c.code === other.code &&
        c.display === other.display
      );
    })
  );
}

function sameSig(a: SigInput, b: SigInput): boolean {
  return (
    a.asNeeded === b.asNeeded &&
    a.sequence === b.sequence &&
    a.problems.length === b.problems.length &&
    a.problems.every((p, i) => p === b.problems[i]) &&
    sameTiming(a.timing, b.timing) &&
    sameAmount(a.maxPerPeriod?.amount, b.maxPerPeriod?.amount) &&
    a.maxPerPeriod?.periodDays === b.maxPerPeriod?.periodDays &&
    sameRoute(a.route, b.route) &&
    a.doses.length === b.doses.length &&
    a.doses.every((d, i) => {
      const other = b.doses[i];
      return other !== undefined && sameDose(d, other);
    })
  );
}

export function sameDosing(a: Dosing, b: Dosing): boolean {
  return (
    sameAmount(a.quantity, b.quantity) &&
    a.supplyDays === b.supplyDays &&
    a.sigs.length === b.sigs.length &&
    a.sigs.every((s, i) => {
      const other = b.sigs[i];
      return other !== undefined && sameSig(s, other);
    })
  );
}
