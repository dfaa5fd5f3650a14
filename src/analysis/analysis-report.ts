/**
 * The public JSON of an analysis (the contract of POST /analysis and the CLI). Numbers are rounded here, for
 * display only; the engine computes at full precision.
 */
import type { IngredientMme } from '../domain/opioid/order-dose.ts';
import type { OrderAnalysis } from '../domain/opioid/order-analysis.ts';
import { seriesPoints } from '../domain/opioid/mme-analysis.ts';
import type { ResolvedProduct } from '../domain/opioid/product.resolver.ts';
import { formatDay } from '../domain/time/day.ts';
import { roundMme } from '../domain/trend/round.ts';
import type { BundleAnalysis } from './analyze-bundle.ts';

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

function ingredientReport(i: IngredientMme): Record<string, unknown> {
  return {
    rxcui: i.rxcui,
    name: i.name,
    strength: i.strength
      ? { value: round3(i.strength.value), unit: i.strength.unit, per: i.strength.per }
      : null,
    strengthText: i.strengthText,
    strengthSource: i.strengthSource,
    dailyAmount: i.dailyAmount ? { value: round3(i.dailyAmount.value), unit: i.dailyAmount.unit } : null,
    factor: i.factor,
    factorPer: i.factorPer,
    mme: i.mme === null ? null : roundMme(i.mme),
    status: i.status,
    derivation: i.derivation,
  };
}

/**
 * Reports of the parts orders share (a refill's ingredients and product are the same objects as the previous
 * month's, see the engine's analysis cache), built once per analysis.
 */
interface ReportCache {
  readonly ingredients: WeakMap<readonly IngredientMme[], unknown[]>;
  readonly products: WeakMap<ResolvedProduct, unknown>;
}

function productReport(p: ResolvedProduct, cache: ReportCache): unknown {
  let report = cache.products.get(p);
  if (report === undefined) {
    report = {
      rxcui: p.rxcui ?? null,
      name: p.name ?? null,
      identifiedBy: p.identifiedBy ?? null,
      doseForm: p.doseForm,
      isOpioid: p.opioid === 'yes' ? true : null,
    };
    cache.products.set(p, report);
  }
  return report;
}

function ingredientsReport(list: readonly IngredientMme[], cache: ReportCache): unknown[] {
  let report = cache.ingredients.get(list);
  if (report === undefined) {
    report = list.map(ingredientReport);
    cache.ingredients.set(list, report);
  }
  return report;
}

function orderReport(o: OrderAnalysis, cache: ReportCache): Record<string, unknown> {
  const report: Record<string, unknown> = {
    id: o.id,
    mme: o.mme === null ? null : roundMme(o.mme),
    status: o.status,
    method: o.dose.method,
    prn: o.dose.prn,
    reasons: o.reasons,
    notes: o.notes,
    explanation: o.explanation,
    ingredients: ingredientsReport(o.ingredients, cache),
    product: productReport(o.product, cache),
    requestStatus: o.requestStatus,
    period: o.coverage
      ? { start: formatDay(o.coverage.start), end: formatDay(o.coverage.end), basis: o.coverage.basis }
      : null,
  };
  if (o.dose.steps.length > 1) {
    report.steps = o.segments.map((s) => ({
      start: formatDay(s.start),
      end: formatDay(s.end),
      mme: s.mme === null ? null : roundMme(s.mme),
    }));
  }
  return report;
}

export function analysisReport(result: BundleAnalysis): Record<string, unknown> {
  const { mme } = result;
  const t = mme.trend;
  const cache: ReportCache = { ingredients: new WeakMap(), products: new WeakMap() };
  return {
    asOf: formatDay(mme.asOf),
    factorSet: mme.factorSet.id,
    factorSetSource: {
      title: mme.factorSet.title,
      citation: mme.factorSet.citation,
      url: mme.factorSet.url,
      clinical: mme.factorSet.clinical,
    },
    totalMme: mme.totalMme,
    complete: mme.complete,
    orders: mme.orders.map((o) => orderReport(o, cache)),
    series: seriesPoints(mme),
    averages: {
      last60Days: t.averages.last60Days.mme,
      last90Days: t.averages.last90Days.mme,
      complete: t.averages.last60Days.complete && t.averages.last90Days.complete,
    },
    max: t.max,
    latestChange: t.latestChange,
    longTermOpioidTherapy: t.longTermOpioidTherapy,
    longTermOpioidTherapyDetail: t.longTermOpioidTherapyDetail,
    escalation: t.escalation,
    taper: t.taper,
    flags: result.risk.flags,
    exclusions: result.risk.exclusions.map((e) => e.code),
    exclusionDetails: result.risk.exclusions,
    referral: result.risk.referral,
    unreadResults: result.risk.unread.map((u) => u.text),
    reasons: [
      ...result.reasons,
      ...mme.unidentifiedOrderIds.map(
        (id) =>
          `MedicationRequest/${id}: no RxNorm code and no known opioid or brand name - whether it is an opioid is unknown; not counted`,
      ),
    ],
    counts: {
      medicationRequests: result.medicationRequestCount,
      opioidOrders: mme.orders.length,
      counted: mme.orders.filter((o) => o.status === 'counted').length,
      incomplete: mme.orders.filter((o) => o.status === 'incomplete').length,
      unidentified: mme.unidentifiedOrderIds.length,
    },
  };
}
