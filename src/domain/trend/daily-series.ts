/**
 * Daily MME by sweep line (clinical brief 2.3): +MME on a segment's first day, -MME the day after its last.
 * Days covered by an order whose MME is unknown are marked incomplete - their value is a lower bound, not a total.
 * O(segments + days).
 */
import type { Day } from '../time/day.ts';

export interface SeriesSegment {
  readonly start: Day;
  readonly end: Day;
  readonly mme: number | null;
  readonly excluded: boolean;
  /** May not have been in effect at all (an order of unknown status): a possible opioid day, not a certain one. */
  readonly uncertain: boolean;
  /** Excluded from MME but an opioid taken for pain (buprenorphine patches): its days are opioid days. */
  readonly analgesic?: boolean;
}

export interface DailySeries {
  readonly first: Day;
  /** MME/day per day from `first`, full precision. */
  readonly mme: Float64Array;
  /** Number of orders with unknown MME covering each day (0 = complete). */
  readonly unknown: Uint32Array;
  /**
   * Whether an order certainly in effect (status known; not excluded from MME, or an analgesic that is) covers the
   * day, whatever its MME: opioid days.
   */
  readonly covered: Uint8Array;
  /** Whether any non-excluded opioid order covers the day, those of unknown status included: possible opioid days. */
  readonly possiblyCovered: Uint8Array;
}

/** +value from index a, -value from index b (exclusive end). */
function bump(diff: number[], a: number, b: number, value: number): void {
  diff[a] = (diff[a] ?? 0) + value;
  diff[b] = (diff[b] ?? 0) - value;
}

export function dailySeries(segments: readonly SeriesSegment[], first: Day, last: Day): DailySeries {
  const days = Math.max(0, last - first + 1);
  // Plain arrays for the scratch differences: typed arrays of this size live outside the heap and cost more to make.
  const mmeDiff = new Array<number>(days + 1).fill(0);
  const unknownDiff = new Array<number>(days + 1).fill(0);
  const coveredDiff = new Array<number>(days + 1).fill(0);
  const possibleDiff = new Array<number>(days + 1).fill(0);
  for (const s of segments) {
    if ((s.excluded && s.analgesic !== true) || s.end < first || s.start > last) continue;
    const a = Math.max(s.start, first) - first;
    const b = Math.min(s.end, last) - first + 1;
    bump(possibleDiff, a, b, 1);
    if (!s.uncertain) bump(coveredDiff, a, b, 1);
    if (s.excluded) continue;
    if (s.mme === null) bump(unknownDiff, a, b, 1);
    else bump(mmeDiff, a, b, s.mme);
  }
  const mme = new Float64Array(days);
  const unknown = new Uint32Array(days);
  const covered = new Uint8Array(days);
  const possiblyCovered = new Uint8Array(days);
  let m = 0;
  let u = 0;
  let c = 0;
  let p = 0;
  for (let i = 0; i < days; i++) {
    m += mmeDiff[i] ?? 0;
    u += unknownDiff[i] ?? 0;
    c += coveredDiff[i] ?? 0;
    p += possibleDiff[i] ?? 0;
    // Sums of floating-point MMEs can leave -1e-14 after every order ends: clamp the noise, not real values.
    mme[i] = Math.abs(m) < 1e-9 ? 0 : m;
    unknown[i] = u;
    covered[i] = c > 0 ? 1 : 0;
    possiblyCovered[i] = p > 0 ? 1 : 0;
  }
  return { first, mme, unknown, covered, possiblyCovered };
}

export function valueOn(series: DailySeries, day: Day): number {
  return series.mme[day - series.first] ?? 0;
}
