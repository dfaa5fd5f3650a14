/**
 * Use case: a FHIR Bundle of the patient's record -> the MME analysis, risk flags, exclusions and referral
 * decision. Pure (no I/O, no clock): the HTTP route and the CLI both call it with an explicit as-of date.
 */
import { analyzeMme, type MmeAnalysis } from '../domain/opioid/mme-analysis.ts';
import type { FactorSetId } from '../domain/opioid/factor-sets.ts';
import { analyzeRisk, type RiskAnalysis } from '../domain/risk/risk-analysis.ts';
import type { OrderInput } from '../domain/opioid/order.types.ts';
import { isPainBuprenorphine } from '../domain/risk/medication-class.ts';
import { observationLookbackDays, orderLookbackDays } from '../domain/risk/relevant-history.ts';
import { DEFAULT_RISK_RULES, type RiskRules } from '../domain/risk/risk-rules.ts';
import type { Day } from '../domain/time/day.ts';
import { DEFAULT_TREND_RULES, type TrendRules } from '../domain/trend/trend-rules.ts';
import { indexBundle, indexResources, type BundleIndex } from '../fhir/bundle-index.ts';
import type { Json } from '../fhir/json-read.ts';
import { mapRecord } from '../fhir/record.mapper.ts';

export interface BundleAnalysis {
  readonly mme: MmeAnalysis;
  readonly risk: RiskAnalysis;
  /** Problems with the Bundle itself (entries that could not be read, repeated resources), in plain words. */
  readonly reasons: readonly string[];
  /** Distinct MedicationRequests analysed (with `history: 'relevant'`, only those read). */
  readonly medicationRequestCount: number;
}

export interface AnalysisRules {
  readonly trend?: TrendRules;
  readonly risk?: RiskRules;
  /**
   * 'full' (default): every order is analysed and reported. 'relevant': orders and observations no rule can see
   * at asOf are not read (src/domain/risk/relevant-history.ts, ADR 0011) - the same flags, decision, dose and
   * trend, for the hooks.
   */
  readonly history?: 'full' | 'relevant';
  /**
   * Orders replaced by orders being signed (priorPrescription), by id: the first day of their replacement. Each
   * counts until the day before (its past days stay in the history); one that would only have started then, or
   * that has no date to count from, not at all.
   */
  readonly replaced?: ReadonlyMap<string, Day>;
}

function withReplacements(
  orders: readonly OrderInput[],
  replaced: ReadonlyMap<string, Day> | undefined,
): readonly OrderInput[] {
  if (replaced === undefined || replaced.size === 0) return orders;
  return orders.flatMap((o) => {
    const from = replaced.get(o.id);
    if (from === undefined) return [o];
    const start = o.validityStart ?? o.authoredOn;
    return start === undefined || start >= from ? [] : [{ ...o, replacedFrom: from }];
  });
}

/**
 * The analysis of a Bundle (POST /analysis, the trend app). `server`: the FHIR server it was read from, when known
 * (the trend app's): absolute references to another server then name other resources and other prescribers.
 */
export function analyzeBundle(
  bundle: Json,
  asOf: Day,
  factorSet: FactorSetId,
  rules: AnalysisRules = {},
  server?: string,
): BundleAnalysis {
  return analyzeIndex(indexBundle(bundle, server), asOf, factorSet, rules);
}

/**
 * The same for resources gathered one by one (the hooks): as the collection Bundle of them would be analysed.
 * `server`: the FHIR server they come from, when known (absolute references to another one are not resolved);
 * `fullUrls`: the fullUrls some had in the EHR's Bundle (draft orders), which references may name.
 */
export function analyzeResources(
  resources: readonly Json[],
  asOf: Day,
  factorSet: FactorSetId,
  rules: AnalysisRules = {},
  server?: string,
  fullUrls?: ReadonlyMap<Json, string>,
): BundleAnalysis {
  return analyzeIndex(indexResources(resources, server, fullUrls), asOf, factorSet, rules);
}

function analyzeIndex(
  index: BundleIndex,
  asOf: Day,
  factorSet: FactorSetId,
  rules: AnalysisRules,
): BundleAnalysis {
  const reasons = [...index.skipped];
  const risk = rules.risk ?? DEFAULT_RISK_RULES;
  const mapped = mapRecord(
    index,
    reasons,
    rules.history === 'relevant'
      ? {
          relevantAt: {
            asOf,
            lookbackDays: orderLookbackDays(rules.trend ?? DEFAULT_TREND_RULES, risk),
            observationLookbackDays: observationLookbackDays(risk),
          },
        }
      : {},
  );
  const record = rules.replaced
    ? { ...mapped, medicationRequests: withReplacements(mapped.medicationRequests, rules.replaced) }
    : mapped;
  // Buprenorphine for pain counts no MME but its days are opioid days (LTOT); MOUD's are not.
  const mme = analyzeMme(record.medicationRequests, asOf, factorSet, rules.trend, (input, product) =>
    isPainBuprenorphine(input.product, product),
  );
  return {
    mme,
    risk: analyzeRisk(record, mme, asOf, rules.risk),
    reasons,
    medicationRequestCount: record.medicationRequests.length,
  };
}
