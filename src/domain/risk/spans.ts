/** Day ranges: the days orders cover, merged and searched (for overlaps and "was it prescribed then"). */
import { orderCoverage, type Coverage } from '../opioid/coverage.ts';
import type { OrderInput } from '../opioid/order.types.ts';
import type { DispenseInput } from '../record/record.types.ts';
import type { ResolvedComponent } from '../opioid/product.resolver.ts';
import { dailyStepsFromSig } from '../opioid/sig-dose.ts';
import { strengthFromRxnormUnit } from '../opioid/strength.ts';
import type { Day } from '../time/day.ts';

export interface Span {
  readonly start: Day;
  readonly end: Day;
}

/** One strength in a single-ingredient RxNorm-style name: "lorazepam 0.5 MG Oral Tablet", "... 2 MG/ML Oral Solution". */
const SINGLE_STRENGTH = /(?<![\d.])(\d+(?:\.\d+)?|\.\d+) ?(MCG\/ML|MG\/ML|MCG|MG)(?![\w/])/gi;
/** A strength per some mL ("5 MG/5ML"): not a strength per unit or per mL as written. */
const PER_VOLUME = /\d ?(?:MG|MCG)\/\d/i;

/**
 * The strength of a product that names exactly one (a benzodiazepine, a stimulant): with it, a dose in mg and a
 * quantity in tablets give the days the quantity lasts. Several strengths (a combination) or none: nothing.
 */
function singleStrength(order: OrderInput): ResolvedComponent[] {
  const names = [order.product.text, ...order.product.codings.map((c) => c.display)];
  for (const name of names) {
    if (name === undefined || name.length > 300 || PER_VOLUME.test(name)) continue;
    const found = [...name.matchAll(SINGLE_STRENGTH)];
    const only = found.length === 1 ? found[0] : undefined;
    const strength = only?.[1] && only[2] ? strengthFromRxnormUnit(Number(only[1]), only[2]) : undefined;
    if (strength) return [{ ingredient: { rxcui: null, name: 'the product', names: [] }, strength }];
  }
  return [];
}

/**
 * The days any order covers, by the same rules as opioids (supply, quantity / units per day, bounds, 30 days). A
 * dose in mg is turned into units with the strength the product's name states.
 */
export function coverageOf(order: OrderInput): Coverage | undefined {
  const sig = dailyStepsFromSig(order.sigs, singleStrength(order));
  const result = orderCoverage(order, sig.ok ? sig.steps : []);
  return result.ok ? result.coverage : undefined;
}

/** Dispenses that handed the drug over (or are handing it over): declined, cancelled or stopped ones gave nothing. */
export const DISPENSED: ReadonlySet<string> = new Set(['completed', 'in-progress']);

/**
 * The days a dispense supplied: from its hand-over, daysSupply days, else `assumedDays` (risk rules,
 * moudDispenseDays). Undefined for a dispense that handed nothing over or is not dated.
 */
export function dispensedSpan(d: DispenseInput, assumedDays: number): Span | undefined {
  if (!DISPENSED.has(d.status ?? '') || d.handedOver === undefined) return undefined;
  const days = Math.max(1, Math.ceil(d.supplyDays ?? assumedDays));
  return { start: d.handedOver, end: d.handedOver + days - 1 };
}

/** Overlapping or touching ranges merged into disjoint ones, in order (their ends then increase too). */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last.end + 1)
      out[out.length - 1] = { start: last.start, end: Math.max(last.end, s.end) };
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** Days of [start, end] inside disjoint spans. */
export function overlapDays(spans: readonly Span[], start: Day, end: Day): number {
  let days = 0;
  for (const s of spans) days += Math.max(0, Math.min(end, s.end) - Math.max(start, s.start) + 1);
  return days;
}

/** Whether merged (disjoint, sorted) spans touch [from, to]: a binary search, for many look-ups in long histories. */
export function touches(merged: readonly Span[], from: Day, to: Day): boolean {
  let lo = 0;
  let hi = merged.length - 1;
  let candidate = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((merged[mid]?.start ?? Infinity) <= to) {
      candidate = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return candidate >= 0 && (merged[candidate]?.end ?? -Infinity) >= from;
}
