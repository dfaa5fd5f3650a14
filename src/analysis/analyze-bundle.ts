/**
 * Use case: a FHIR Bundle of the patient's record -> the MME analysis. Pure (no I/O, no clock): the HTTP route
 * and the CLI both call it with an explicit as-of date.
 */
import { analyzeMme, type MmeAnalysis } from '../domain/opioid/mme-analysis.ts';
import type { FactorSetId } from '../domain/opioid/factor-sets.ts';
import type { Day } from '../domain/time/day.ts';
import type { TrendRules } from '../domain/trend/trend-rules.ts';
import { indexBundle } from '../fhir/bundle-index.ts';
import type { Json } from '../fhir/json-read.ts';
import { mapMedicationRequest } from '../fhir/medication-request.mapper.ts';

export interface BundleAnalysis {
  readonly mme: MmeAnalysis;
  /** Problems with the Bundle itself (entries that could not be read), in plain words. */
  readonly reasons: readonly string[];
  readonly medicationRequestCount: number;
}

export function analyzeBundle(
  bundle: Json,
  asOf: Day,
  factorSet: FactorSetId,
  rules?: TrendRules,
): BundleAnalysis {
  const index = indexBundle(bundle);
  const requests = index.byType.get('MedicationRequest') ?? [];
  const orders = requests.map(({ resource, fullUrl, position }) =>
    mapMedicationRequest(resource, fullUrl ?? `entry-${position}`, (ref) => index.resolve(ref)),
  );
  return {
    mme: analyzeMme(orders, asOf, factorSet, rules),
    reasons: index.skipped,
    medicationRequestCount: requests.length,
  };
}
