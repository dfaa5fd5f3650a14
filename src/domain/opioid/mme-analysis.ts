/**
 * The patient's opioid dose at an as-of date and over time, from plain order data. Pure: the date and the factor
 * set are parameters; the result explains itself (per order, per ingredient) and says when it is incomplete.
 */
import { dailySeries, type DailySeries } from '../trend/daily-series.ts';
import { DEFAULT_TREND_RULES, type TrendRules } from '../trend/trend-rules.ts';
import { roundMme } from '../trend/round.ts';
import { summarizeTrend, type TrendSummary } from '../trend/trend-summary.ts';
import { formatDay, type Day } from '../time/day.ts';
import { FACTOR_SETS, type FactorSet, type FactorSetId } from './factor-sets.ts';
import { analyzeOrder, type OrderAnalysis } from './order-analysis.ts';
import type { OrderInput } from './order.types.ts';
import { carryForwardRenewals } from './renewals.ts';

export interface SeriesPoint {
  readonly date: string;
  readonly mme: number;
  /** Present and false when an order with unknown MME covers the day. */
  readonly complete?: false;
}

export interface MmeAnalysis {
  readonly asOf: Day;
  readonly factorSet: FactorSet;
  /** The current total, rounded for display (1 decimal). */
  readonly totalMme: number;
  /** The same total unrounded: what thresholds compare (brief 2.2: round only for display; 49.95 is not 50). */
  readonly exactTotalMme: number;
  readonly complete: boolean;
  readonly orders: readonly OrderAnalysis[];
  /** The analysis of each opioid (or possibly opioid) order, by the input it came from. */
  readonly byInput: ReadonlyMap<OrderInput, OrderAnalysis>;
  /** Orders nothing identifies (no RxNorm code, no opioid or brand name): whether they are opioids is unknown. */
  readonly unidentifiedOrderIds: readonly string[];
  /** Daily MME at full precision from before the reported window (the trend rules look further back). */
  readonly daily: DailySeries;
  /** Days in the reported series (ending at asOf). */
  readonly windowDays: number;
  readonly trend: TrendSummary;
}

/**
 * The reported daily series: one rounded point per day of the window ending at asOf. Built on demand (the report
 * and the trend page show it; the hooks read only the trend summary).
 */
export function seriesPoints(analysis: MmeAnalysis): SeriesPoint[] {
  const { asOf, daily, windowDays } = analysis;
  const series: SeriesPoint[] = [];
  for (let d = asOf - windowDays + 1; d <= asOf; d++) {
    const i = d - daily.first;
    const point: SeriesPoint = { date: formatDay(d), mme: roundMme(daily.mme[i] ?? 0) };
    series.push((daily.unknown[i] ?? 0) > 0 ? { ...point, complete: false } : point);
  }
  return series;
}

export function analyzeMme(
  inputs: readonly OrderInput[],
  asOf: Day,
  factorSetId: FactorSetId,
  rules: TrendRules = DEFAULT_TREND_RULES,
  /**
   * Whether an order excluded from MME is still pain treatment with an opioid (buprenorphine patches for pain, not
   * MOUD): its days are opioid days for long-term opioid therapy. The risk rules know which products those are.
   */
  isAnalgesic: (input: OrderInput, product: OrderAnalysis['product']) => boolean = () => false,
): MmeAnalysis {
  const factorSet = FACTOR_SETS[factorSetId];
  const analysed = carryForwardRenewals(
    inputs.map((input) => analyzeOrder(input, asOf, factorSet)),
    asOf,
    rules.renewalOverlap.maxShare,
  );
  const byInput = new Map<OrderInput, OrderAnalysis>();
  analysed.forEach((o, i) => {
    const input = inputs[i];
    if (input && o.product.opioid !== 'no') byInput.set(input, o);
  });
  const orders = analysed.filter((o) => o.product.opioid !== 'no');
  const unidentifiedOrderIds = analysed
    .filter((o) => o.product.opioid === 'no' && !o.product.identifiable)
    .map((o) => o.id);

  // Enough history for the reported window and for every look-back the trend rules use.
  const span = Math.max(
    rules.windowDays,
    rules.ltot.windowDays,
    rules.escalation.lookbackDays + 1,
    rules.taper.lookbackDays + 1,
  );
  const first = asOf - span;
  const analgesicExcluded = new Set<OrderAnalysis>();
  for (const [input, o] of byInput)
    if (o.dose.excluded && isAnalgesic(input, o.product)) analgesicExcluded.add(o);
  const raw = dailySeries(
    orders.flatMap((o) =>
      analgesicExcluded.has(o) ? o.segments.map((s) => ({ ...s, analgesic: true })) : o.segments,
    ),
    first,
    asOf,
  );

  // The total is the rounded sum of the exact per-order values (each order's displayed value is rounded on its own).
  const counted = orders.filter((o) => o.status === 'counted');
  const exactTotalMme = counted.reduce((sum, o) => sum + (o.mme ?? 0), 0);
  const complete = !orders.some((o) => o.status === 'incomplete');

  return {
    asOf,
    factorSet,
    totalMme: roundMme(exactTotalMme),
    exactTotalMme,
    complete,
    orders,
    byInput,
    unidentifiedOrderIds,
    daily: raw,
    windowDays: rules.windowDays,
    trend: summarizeTrend(raw, asOf, rules),
  };
}
