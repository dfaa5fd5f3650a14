/** Day ranges: the days orders cover, merged and searched (for overlaps and "was it prescribed then"). */
import { orderCoverage, type Coverage } from '../opioid/coverage.ts';
import type { OrderInput } from '../opioid/order.types.ts';
import { dailyStepsFromSig } from '../opioid/sig-dose.ts';
import type { Day } from '../time/day.ts';

export interface Span {
  readonly start: Day;
  readonly end: Day;
}

/** The days any order covers, by the same rules as opioids (supply, quantity / units per day, bounds, 30 days). */
export function coverageOf(order: OrderInput): Coverage | undefined {
  const sig = dailyStepsFromSig(order.sigs, []);
  const result = orderCoverage(order, sig.ok ? sig.steps : []);
  return result.ok ? result.coverage : undefined;
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
