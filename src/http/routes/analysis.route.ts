/** POST /analysis: the MME analysis of a FHIR Bundle (the fixed contract; see src/analysis/analysis-report.ts). */
import type { FastifyInstance } from 'fastify';
import { analysisReport } from '../../analysis/analysis-report.ts';
import { analyzeBundle } from '../../analysis/analyze-bundle.ts';
import type { Config } from '../../config/load-config.ts';
import type { FactorSetId } from '../../domain/opioid/factor-sets.ts';
import { localDate, type Clock } from '../../platform/clock.ts';
import { badRequest } from '../http-error.ts';
import { addLogFacts } from '../plugins/request-log.plugin.ts';
import {
  AnalysisRequestSchema,
  describeAnalysisIssues,
  parseAsOf,
} from '../../analysis/analysis-request.schema.ts';

export interface AnalysisRouteDeps {
  readonly config: Pick<Config, 'defaultFactorSet' | 'trendRules'>;
  readonly clock: Clock;
}

export function analysisRoute(app: FastifyInstance, deps: AnalysisRouteDeps): void {
  app.post('/analysis', (request) => {
    const parsed = AnalysisRequestSchema.safeParse(request.body);
    if (!parsed.success) throw badRequest(describeAnalysisIssues(parsed.error, request.body));
    const { bundle, asOf, factorSet } = parsed.data;
    const asOfDay = parseAsOf(asOf ?? localDate(deps.clock));
    if (asOfDay === undefined) throw badRequest('asOf: must be a calendar date YYYY-MM-DD');
    const result = analyzeBundle(
      bundle,
      asOfDay,
      (factorSet ?? deps.config.defaultFactorSet) as FactorSetId,
      { trend: deps.config.trendRules },
    );
    addLogFacts(request, {
      orders: result.mme.orders.length,
      complete: result.mme.complete,
      factorSet: result.mme.factorSet.id,
    });
    return analysisReport(result);
  });
}
