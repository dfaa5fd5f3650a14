/**
 * Everything about one opioid order at an as-of date: product, MME with derivation, the days it covers, and its
 * status (counted / incomplete / excluded / inactive). Status rules (brief 2.3): active and completed orders count
 * over their period; stopped, cancelled, entered-in-error, draft and on-hold do not. An order whose status is
 * unknown (or missing) may or may not be in effect: over its period it makes the total incomplete.
 */
import { orderReference } from './order-id.ts';
import { BoundedMemo, MAX_REMEMBERED_KEY } from '../memo.ts';
import { formatDay, type Day } from '../time/day.ts';
import { orderCoverage, type Coverage } from './coverage.ts';
import type { FactorSet } from './factor-sets.ts';
import { dosingHash, dosingTextLength, sameDosing, type Dosing } from './dosing-identity.ts';
import { computeOrderDose, type IngredientMme, type OrderDose } from './order-dose.ts';
import type { OrderInput } from './order.types.ts';
import { productKey, resolveProduct, type ResolvedProduct } from './product.resolver.ts';
import { COUNTING_STATUSES, isPrescriptionIntent } from './prescription-status.ts';

export type OrderStatus = 'counted' | 'incomplete' | 'excluded' | 'inactive';

/** A stretch of days with one MME (null = unknown). */
export interface Segment {
  readonly start: Day;
  readonly end: Day;
  readonly mme: number | null;
  readonly excluded: boolean;
  /** The order's status is unknown: it may not have been in effect on these days at all. */
  readonly uncertain: boolean;
}

export interface OrderAnalysis {
  readonly id: string;
  readonly requestStatus: string;
  readonly status: OrderStatus;
  readonly mme: number | null;
  readonly product: ResolvedProduct;
  readonly dose: OrderDose;
  readonly coverage: Coverage | null;
  /** Ingredients of the dosage step in effect at asOf (or the first step). */
  readonly ingredients: readonly IngredientMme[];
  /** Only for orders that count: what they add to the daily series. */
  readonly segments: readonly Segment[];
  readonly reasons: readonly string[];
  readonly notes: readonly string[];
  readonly explanation: string;
  /** What identifies the product (productKey): orders of one product share it, whatever the memo holds. */
  readonly productKey: string;
}

function segmentsOf(coverage: Coverage, dose: OrderDose): Segment[] {
  const out: Segment[] = [];
  let start = coverage.start;
  for (const [i, step] of dose.steps.entries()) {
    if (start > coverage.end) break;
    const isLast = i === dose.steps.length - 1;
    const end =
      isLast || step.days === undefined
        ? coverage.end
        : Math.min(coverage.end, start + Math.ceil(step.days) - 1);
    out.push({ start, end, mme: step.mme, excluded: dose.excluded, uncertain: false });
    start = end + 1;
  }
  return out;
}

const NOT_ACTIVE = 'not active on ';

function unique(items: string[]): string[] {
  return items.length < 2 ? items : [...new Set(items)];
}

/** An inactive order's MME: its only step, or the highest of several when all are known. */
function highestStep(dose: OrderDose): number | null {
  let max: number | null = null;
  for (const step of dose.steps) {
    if (step.mme === null) return null;
    max = max === null ? step.mme : Math.max(max, step.mme);
  }
  return max;
}

function explain(
  order: OrderInput,
  product: ResolvedProduct,
  dose: OrderDose,
  ingredients: readonly IngredientMme[],
  reasons: readonly string[],
): string {
  const name = product.name ?? orderReference(order.id);
  if (dose.method === null || ingredients.length === 0)
    return `${name}: MME unknown - ${reasons[0] ?? 'no usable dose'}`;
  const how = `${dose.method}-based${dose.prn ? ', PRN at maximum' : ''}`;
  return `${name}: ${ingredients.map((i) => `${i.name} ${i.derivation}`).join('; ')} (${how})`;
}

/**
 * Memo of resolved products and their order doses, shared across analyses: the same products and the same sigs
 * (monthly refills, common prescriptions) recur for every patient. A dose is found by the factor set, the product
 * and the dosing identity (hash, then structural comparison). Bounded in products and doses per product; all results
 * are immutable.
 */
interface ProductEntry {
  readonly product: ResolvedProduct;
  /** By dosingHash; each candidate is confirmed with sameDosing. */
  readonly doses: Map<number, { readonly dosing: Dosing; readonly dose: OrderDose }[]>;
}

/** By factor set (a dose depends on it), then product key. */
const PRODUCTS = new Map<string, BoundedMemo<ProductEntry>>();
const DOSES_PER_PRODUCT = 64;
/**
 * Doses remembered per factor set, all products together: beyond it the set's memo starts again. Distinct hostile
 * products and dosings (about 2 KB each remembered, more for long sigs) then cost at most some tens of MB.
 */
const MAX_REMEMBERED_DOSES = 10_000;
const REMEMBERED = new Map<string, number>();
/** A prescription has one or two instructions of one or two doses; longer dosings are computed, not remembered. */
const MAX_REMEMBERED_DOSE_ENTRIES = 8;

/** How many doses were remembered for a factor set since its memo last started again (at most MAX_REMEMBERED_DOSES). */
export function rememberedDoses(setId: string): number {
  return REMEMBERED.get(setId) ?? 0;
}

const doseEntries = (order: OrderInput): number => order.sigs.reduce((n, s) => n + s.doses.length + 1, 0);
/** Explanations of a known dose's first step, by dose (weak: they go with their dose). */
const EXPLANATIONS = new WeakMap<OrderDose, string>();

function resolveCached(
  order: OrderInput,
  set: FactorSet,
): { product: ResolvedProduct; dose: OrderDose; key: string } {
  let bySet = PRODUCTS.get(set.id);
  if (!bySet || (REMEMBERED.get(set.id) ?? 0) >= MAX_REMEMBERED_DOSES) {
    PRODUCTS.set(set.id, (bySet = new BoundedMemo<ProductEntry>(2_000)));
    REMEMBERED.set(set.id, 0);
  }
  const key = productKey(order.product);
  const entry = bySet.get(key, () => ({
    product: resolveProduct(order.product),
    doses: new Map(),
  }));
  const hash = dosingHash(order);
  const candidates = entry.doses.get(hash);
  const found = candidates?.find((c) => sameDosing(c.dosing, order));
  if (found) return { product: entry.product, dose: found.dose, key };
  const dose = computeOrderDose(order, entry.product, set);
  // Only the dosing is kept (not the order's product, ids or dates), and not when it holds a hostile amount of text.
  if (dosingTextLength(order) > MAX_REMEMBERED_KEY || doseEntries(order) > MAX_REMEMBERED_DOSE_ENTRIES)
    return { product: entry.product, dose, key };
  if (entry.doses.size >= DOSES_PER_PRODUCT) entry.doses.clear();
  REMEMBERED.set(set.id, (REMEMBERED.get(set.id) ?? 0) + 1);
  const dosing: Dosing = { quantity: order.quantity, supplyDays: order.supplyDays, sigs: order.sigs };
  if (candidates) candidates.push({ dosing, dose });
  else entry.doses.set(hash, [{ dosing, dose }]);
  return { product: entry.product, dose, key };
}

/**
 * The order with other segments (a renewal counted after the order it continues): its status and MME at asOf
 * follow them.
 */
export function atDate(o: OrderAnalysis, segments: readonly Segment[], asOf: Day): OrderAnalysis {
  const current = segments.find((s) => s.start <= asOf && asOf <= s.end);
  // Whether the order is active on asOf is said again, from the new segments.
  const reasons = o.reasons.filter((r) => !r.startsWith(NOT_ACTIVE));
  let status: OrderStatus;
  if (!current) {
    status = 'inactive';
    const first = segments[0];
    if (first && first.start > asOf)
      reasons.push(`${NOT_ACTIVE}${formatDay(asOf)}: counted from ${formatDay(first.start)}`);
    else if (first) reasons.push(`${NOT_ACTIVE}${formatDay(asOf)}: counted until ${formatDay(first.end)}`);
  } else if (o.dose.excluded) status = 'excluded';
  else status = current.mme === null ? 'incomplete' : 'counted';
  const mme = o.dose.excluded ? null : current ? current.mme : highestStep(o.dose);
  return { ...o, segments, status, mme, reasons: unique(reasons) };
}

export function analyzeOrder(order: OrderInput, asOf: Day, set: FactorSet): OrderAnalysis {
  const { product, dose, key } = resolveCached(order, set);
  const reasons = [...order.problems, ...dose.reasons];
  const notes = [...dose.notes];
  const coverageResult = orderCoverage(order, dose.steps);
  const coverage = coverageResult.ok ? coverageResult.coverage : null;
  if (coverage?.note) notes.push(coverage.note);

  const statusUnknown = order.status === 'unknown';
  const isPrescription = isPrescriptionIntent(order.intent);
  let segments: Segment[] = [];
  let inactiveReason: string | undefined;
  if (!COUNTING_STATUSES.has(order.status) && !statusUnknown) {
    inactiveReason = `status "${order.status}" does not count towards MME`;
  } else if (!isPrescription) inactiveReason = `intent "${order.intent ?? ''}" is not a prescription`;
  else if (order.doNotPerform === true) inactiveReason = 'doNotPerform: this order says not to give the drug';
  else if (coverage) segments = segmentsOf(coverage, dose);
  else if (order.status !== 'completed') {
    // An active order without any date is in effect now by the EHR's own word; it cannot be placed in history.
    segments = [
      { start: asOf, end: asOf, mme: dose.steps[0]?.mme ?? null, excluded: dose.excluded, uncertain: false },
    ];
    notes.push(
      `${coverageResult.ok ? '' : coverageResult.problem}: considered on ${formatDay(asOf)} only, not placed in the history`,
    );
  } else inactiveReason = coverageResult.ok ? undefined : coverageResult.problem;
  if (statusUnknown) {
    // May or may not be in effect: over its period the total is incomplete, never silently counted or dropped, and
    // its days are not certainly opioid days (long-term opioid therapy is not asserted from them).
    segments = segments.map((s) =>
      s.excluded ? { ...s, uncertain: true } : { ...s, mme: null, uncertain: true },
    );
    reasons.push('the order status is unknown: it may or may not be in effect, so its MME is not counted');
  }
  // A Medication that could not be found may not be an opioid: its days are possible opioid days, not certain ones.
  if (product.opioid === 'unknown') segments = segments.map((s) => ({ ...s, uncertain: true }));

  const current = segments.find((s) => s.start <= asOf && asOf <= s.end);
  const stepIndex = current ? segments.indexOf(current) : 0;
  const ingredients = dose.steps[stepIndex]?.ingredients ?? dose.steps[0]?.ingredients ?? [];
  let status: OrderStatus;
  if (!current) {
    status = 'inactive';
    if (inactiveReason) reasons.push(inactiveReason);
    else if (coverage) {
      const when = coverage.start > asOf ? 'starts after' : 'ended before';
      reasons.push(
        `${NOT_ACTIVE}${formatDay(asOf)}: ${when} it (covers ${formatDay(coverage.start)} to ${formatDay(coverage.end)})`,
      );
    }
  } else if (dose.excluded) status = 'excluded';
  else status = current.mme === null ? 'incomplete' : 'counted';

  const mme = dose.excluded ? null : current ? current.mme : highestStep(dose);
  const uniqueReasons = unique(reasons);
  // Shared only when it says nothing order-specific: no reasons (used when the MME is unknown), and no order id
  // (which stands in for a missing product name).
  const cacheable =
    stepIndex === 0 && dose.method !== null && ingredients.length > 0 && product.name !== undefined;
  let explanation = cacheable ? EXPLANATIONS.get(dose) : undefined;
  if (explanation === undefined) {
    explanation = explain(order, product, dose, ingredients, uniqueReasons);
    if (cacheable) EXPLANATIONS.set(dose, explanation);
  }
  return {
    id: order.id,
    requestStatus: order.status,
    status,
    mme,
    product,
    dose,
    coverage,
    ingredients,
    segments,
    reasons: uniqueReasons,
    notes: unique(notes),
    explanation,
    productKey: key,
  };
}
