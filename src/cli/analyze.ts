/**
 * CLI over the same core and the same request rules as POST /analysis:
 *   analyze <file.json> [--as-of YYYY-MM-DD] [--factor-set cdc-2022|cdc-2016|research]
 * The file holds a Bundle or a request {"bundle": ..., "asOf"?, "factorSet"?}; flags override the file. Defaults
 * come from the same configuration as the service (DEFAULT_FACTOR_SET, SERIES_WINDOW_DAYS). JSON result on stdout;
 * readable errors on stderr, exit code 2 for bad usage or input, 1 for an internal error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  AnalysisRequestSchema,
  describeAnalysisIssues,
  parseAsOf,
} from '../analysis/analysis-request.schema.ts';
import { analysisReport } from '../analysis/analysis-report.ts';
import { analyzeBundle } from '../analysis/analyze-bundle.ts';
import { ConfigError, loadConfig } from '../config/load-config.ts';
import { FACTOR_SET_IDS, type FactorSetId } from '../domain/opioid/factor-sets.ts';
import { localDate, systemClock } from '../platform/clock.ts';

const USAGE = `usage: analyze <bundle.json> [--as-of YYYY-MM-DD] [--factor-set ${FACTOR_SET_IDS.join('|')}]`;

class UsageError extends Error {}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not valid JSON`);
  }
}

function run(argv: readonly string[]): string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'as-of': { type: 'string' },
        'factor-set': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return USAGE;
  const file = positionals[0];
  if (positionals.length !== 1 || file === undefined)
    throw new UsageError('expected exactly one bundle file');
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    throw new UsageError(error instanceof ConfigError ? error.message : String(error));
  }

  const json = readJson(file);
  const isBundle =
    typeof json === 'object' &&
    json !== null &&
    (json as { resourceType?: unknown }).resourceType === 'Bundle';
  const request: Record<string, unknown> = isBundle ? { bundle: json } : { ...(json as object) };
  if (values['as-of'] !== undefined) request.asOf = values['as-of'];
  if (values['factor-set'] !== undefined) request.factorSet = values['factor-set'];
  const checked = AnalysisRequestSchema.safeParse(request);
  if (!checked.success) {
    const problem = describeAnalysisIssues(checked.error, request)
      .replace(/\basOf:/g, '--as-of (or asOf):')
      .replace(/\bfactorSet:/g, '--factor-set (or factorSet):');
    throw new UsageError(
      typeof json === 'object' && json !== null
        ? problem
        : `${file} holds neither a FHIR Bundle nor {"bundle": <Bundle>}`,
    );
  }
  const { bundle, asOf, factorSet } = checked.data;
  const asOfDay = parseAsOf(asOf ?? localDate(systemClock));
  if (asOfDay === undefined) throw new UsageError('--as-of must be a calendar date YYYY-MM-DD from 1900 on');
  const set = (factorSet ?? config.defaultFactorSet) as FactorSetId;
  return JSON.stringify(
    analysisReport(analyzeBundle(bundle, asOfDay, set, { trend: config.trendRules })),
    null,
    2,
  );
}

try {
  process.stdout.write(`${run(process.argv.slice(2))}\n`);
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`analyze: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(
      `analyze: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
