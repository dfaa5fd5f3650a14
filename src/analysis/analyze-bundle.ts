/**
 * Use case: a FHIR Bundle of the patient's record -> the MME analysis. Pure (no I/O, no clock): the HTTP route
 * and the CLI both call it with an explicit as-of date.
 */
import { analyzeMme, type MmeAnalysis } from '../domain/opioid/mme-analysis.ts';
import type { FactorSetId } from '../domain/opioid/factor-sets.ts';
import type { Day } from '../domain/time/day.ts';
import type { TrendRules } from '../domain/trend/trend-rules.ts';
import { indexBundle, type IndexedResource } from '../fhir/bundle-index.ts';
import type { Json } from '../fhir/json-read.ts';
import { mapMedicationRequest } from '../fhir/medication-request.mapper.ts';

export interface BundleAnalysis {
  readonly mme: MmeAnalysis;
  /** Problems with the Bundle itself (entries that could not be read), in plain words. */
  readonly reasons: readonly string[];
  readonly medicationRequestCount: number;
}

/**
 * The MedicationRequests of the Bundle, each once: a search with _include, a paged result re-read, or a history
 * may repeat a resource, and counting it twice would double the dose. Repeats are reported.
 */
function distinctRequests(items: readonly IndexedResource[], reasons: string[]): IndexedResource[] {
  const seen = new Map<string, number>();
  const out: IndexedResource[] = [];
  for (const item of items) {
    const id = typeof item.resource.id === 'string' ? item.resource.id : undefined;
    if (id === undefined) {
      out.push(item);
      continue;
    }
    const count = seen.get(id) ?? 0;
    seen.set(id, count + 1);
    if (count === 0) out.push(item);
  }
  for (const [id, count] of seen) {
    if (count > 1) reasons.push(`MedicationRequest/${id} appears ${count} times in the Bundle: counted once`);
  }
  return out;
}

export function analyzeBundle(
  bundle: Json,
  asOf: Day,
  factorSet: FactorSetId,
  rules?: TrendRules,
): BundleAnalysis {
  const index = indexBundle(bundle);
  const reasons = [...index.skipped];
  const requests = distinctRequests(index.byType.get('MedicationRequest') ?? [], reasons);
  const orders = requests.map(({ resource, fullUrl, position }) =>
    mapMedicationRequest(resource, fullUrl ?? `entry-${position}`, (ref) => index.resolve(ref)),
  );
  return {
    mme: analyzeMme(orders, asOf, factorSet, rules),
    reasons,
    medicationRequestCount: requests.length,
  };
}
