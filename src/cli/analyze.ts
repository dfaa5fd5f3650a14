/**
 * CLI over the same core as POST /analysis:
 *   analyze <bundle.json> [--as-of YYYY-MM-DD] [--factor-set cdc-2022|cdc-2016|research]
 * The file may hold a Bundle or the API request {"bundle": ...}. JSON result on stdout; readable errors on stderr
 * with exit code 2 for bad usage or input.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analysisReport } from '../analysis/analysis-report.ts';
import { analyzeBundle } from '../analysis/analyze-bundle.ts';
import { FACTOR_SET_IDS, isFactorSetId } from '../domain/opioid/factor-sets.ts';
import { parseIsoDate } from '../domain/time/day.ts';
import type { Json } from '../fhir/json-read.ts';
import { localDate, systemClock } from '../platform/clock.ts';

const USAGE = `usage: analyze <bundle.json> [--as-of YYYY-MM-DD] [--factor-set ${FACTOR_SET_IDS.join('|')}]`;

class UsageError extends Error {}

function isBundle(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && (value as Json).resourceType === 'Bundle';
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
  if (positionals.length !== 1 || positionals[0] === undefined)
    throw new UsageError('expected exactly one bundle file');
  const file = positionals[0];
  const asOfText = values['as-of'] ?? localDate(systemClock);
  const asOf = parseIsoDate(asOfText);
  if (asOf === undefined)
    throw new UsageError(`--as-of must be a calendar date YYYY-MM-DD (got "${asOfText}")`);
  const factorSet = values['factor-set'] ?? 'cdc-2022';
  if (!isFactorSetId(factorSet))
    throw new UsageError(`--factor-set must be one of ${FACTOR_SET_IDS.join(', ')} (got "${factorSet}")`);

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not valid JSON`);
  }
  const bundle: unknown = isBundle(json) ? json : (json as { bundle?: unknown } | null)?.bundle;
  if (!isBundle(bundle)) throw new UsageError(`${file} holds neither a FHIR Bundle nor {"bundle": <Bundle>}`);
  return JSON.stringify(analysisReport(analyzeBundle(bundle, asOf, factorSet)), null, 2);
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
