/**
 * Drafts taken from a later day than today (post-dated prescriptions, dosing that steps up): the day the order card
 * gives the total for, and the co-prescribing check of a benzodiazepine on the day it starts.
 */
import type { BundleAnalysis } from '../analysis/analyze-bundle.ts';
import type { Day } from '../domain/time/day.ts';
import { orderReference } from '../domain/opioid/order-id.ts';
import { str, type Json } from '../fhir/json-read.ts';
import { signedStart } from './analyse-call.ts';

/**
 * Whether a drafted order is a benzodiazepine overlapping the patient's opioids, and the decision keeps the review
 * (as on patient-view: an excluded patient gets none).
 */
export function bringsBenzodiazepine(after: BundleAnalysis, drafted: ReadonlySet<string>): boolean {
  if (!after.risk.referral.safetyActions.includes('benzodiazepine-review')) return false;
  const overlap = after.risk.flags.find((f) => f.code === 'benzodiazepine-overlap');
  const drafts = new Set([...drafted].map(orderReference));
  return (overlap?.evidence ?? []).some((e) => e.reference !== undefined && drafts.has(e.reference));
}

/** Start days of later benzodiazepine drafts checked for co-prescribing: a few, not one analysis per draft. */
const MAX_LATER_CHECKS = 4;

/**
 * A benzodiazepine draft that starts after today (post-dated): the record with the drafts on the day it starts, when
 * the co-prescribing rule finds that draft overlapping the patient's opioids then. Only benzodiazepine drafts'
 * start days are tried, so that other drafts of the signing cannot use up the checks.
 */
export function laterBenzodiazepine(
  signed: readonly Json[],
  after: BundleAnalysis,
  drafted: ReadonlySet<string>,
  today: Day,
  analyseAt: (day: Day, withDrafts: boolean) => BundleAnalysis,
): BundleAnalysis | undefined {
  // Benzodiazepine orders are not in the dose analysis: their start is read from the draft (asSigned kept a later
  // one).
  const benzodiazepines = new Set(after.risk.benzodiazepineOrders);
  const starts = signed
    .filter((d) => d.resourceType === 'MedicationRequest' && benzodiazepines.has(str(d.id) ?? ''))
    .map(signedStart)
    .filter((d): d is Day => d !== undefined && d > today);
  for (const day of [...new Set(starts)].sort((a, b) => a - b).slice(0, MAX_LATER_CHECKS)) {
    const analysis = analyseAt(day, true);
    if (bringsBenzodiazepine(analysis, drafted)) return analysis;
  }
  return undefined;
}

/**
 * Opioid drafts that start after today (prescriptions to be filled from a later date, often several in a row): the
 * day after today on which the total with the drafts is highest, while a draft is taken, the record with the drafts
 * on that day, and without them: on that day or the day before, whichever total is higher (a next fill that starts
 * the day the current supply has ended continues it; an order of the record that starts that day is not this
 * order's doing). Today stands for itself when a draft is taken today and no later day is higher. Candidate days are
 * those on which some order's dose starts or changes; the highest is found from the orders' dose segments (an order
 * that cannot be dated counts on every day, as on the as-of day), then the records are analysed on that day.
 * Undefined when every opioid draft starts today or earlier: the card then gives today's totals.
 */
export function laterPeak(
  after: BundleAnalysis,
  drafted: ReadonlySet<string>,
  today: Day,
  analyseAt: (day: Day, withDrafts: boolean) => BundleAnalysis,
): { day: Day; analysis: BundleAnalysis; before: BundleAnalysis } | undefined {
  const draftSegments = after.mme.orders
    .filter((o) => drafted.has(o.id) && o.product.opioid !== 'no')
    .flatMap((o) => o.segments);
  if (!draftSegments.some((s) => s.start > today)) return undefined;
  const spans = draftSegments
    .filter((s) => s.end > today)
    .map((s) => ({ start: Math.max(s.start, today + 1), end: s.end }));
  const taken = (day: Day): boolean => spans.some((s) => s.start <= day && day <= s.end);
  const counted = after.mme.orders.flatMap((o) =>
    o.segments
      .filter((s) => s.mme !== null && !s.excluded && !s.uncertain)
      .map((s) => (o.coverage === null ? { ...s, start: Number.NEGATIVE_INFINITY, end: Infinity } : s)),
  );
  const days = new Set(spans.map((s) => s.start));
  for (const s of counted) if (s.start > today && taken(s.start)) days.add(s.start);
  const totalOn = (day: Day): number =>
    counted.reduce((sum, s) => (s.start <= day && day <= s.end ? sum + (s.mme ?? 0) : sum), 0);
  let peak: Day | undefined;
  let highest = draftSegments.some((s) => s.start <= today && today <= s.end)
    ? after.mme.exactTotalMme
    : Number.NEGATIVE_INFINITY;
  for (const day of [...days].sort((a, b) => a - b)) {
    const total = totalOn(day);
    if (total > highest) {
      highest = total;
      peak = day;
    }
  }
  if (peak === undefined) return undefined;
  const onDay = analyseAt(peak, false);
  const dayBefore = analyseAt(peak - 1, false);
  return {
    day: peak,
    analysis: analyseAt(peak, true),
    before: dayBefore.mme.exactTotalMme > onDay.mme.exactTotalMme ? dayBefore : onDay,
  };
}
