/**
 * The analysis request, shared by POST /analysis and the CLI: {"bundle": <FHIR R4 Bundle>, "asOf"?: "YYYY-MM-DD", "factorSet"?: "cdc-2022"|"cdc-2016"|"research"}.
 * Only the envelope is validated here; the Bundle's content is read defensively by the engine, which reports
 * what it cannot read instead of rejecting the whole request.
 */
import { z } from 'zod';
import { FACTOR_SET_IDS } from '../domain/opioid/factor-sets.ts';
import { parseIsoDate, type Day } from '../domain/time/day.ts';

export const AnalysisRequestSchema = z.strictObject(
  {
    bundle: z.looseObject(
      {
        resourceType: z.literal('Bundle', { error: 'must be a FHIR Bundle (resourceType "Bundle")' }),
        entry: z.array(z.unknown(), { error: 'must be an array of Bundle entries' }).optional(),
      },
      { error: 'is required and must be a FHIR Bundle object' },
    ),
    asOf: z
      .string({ error: 'must be a date string YYYY-MM-DD' })
      .refine((s) => parseAsOf(s) !== undefined, { error: 'must be a calendar date YYYY-MM-DD from 1900 on' })
      .optional(),
    factorSet: z
      .enum(FACTOR_SET_IDS as [string, ...string[]], { error: `must be one of ${FACTOR_SET_IDS.join(', ')}` })
      .optional(),
  },
  { error: 'the request body must be a JSON object {"bundle": <FHIR Bundle>, "asOf"?, "factorSet"?}' },
);

export type AnalysisRequest = z.infer<typeof AnalysisRequestSchema>;

/** An as-of date: a real calendar date from 1900 on (the 180-day history before it stays in the common era). */
export function parseAsOf(text: string): Day | undefined {
  const day = parseIsoDate(text);
  return day !== undefined && text >= '1900-01-01' ? day : undefined;
}

/** The problems of an analysis request; a bare Bundle is told how to wrap it. */
export function describeAnalysisIssues(error: z.ZodError, input: unknown): string {
  if (
    typeof input === 'object' &&
    input !== null &&
    (input as { resourceType?: unknown }).resourceType === 'Bundle'
  ) {
    return 'the request body is a Bundle; wrap it: {"bundle": <FHIR Bundle>, "asOf"?, "factorSet"?}';
  }
  return describeIssues(error, input);
}

/**
 * One line naming each problem: "asOf: must be a calendar date YYYY-MM-DD (got "2026-02-30")". `prefix`: where
 * `input` sits in the request ("context."), put before every issue's path.
 */
export function describeIssues(error: z.ZodError, input: unknown, prefix = ''): string {
  // Bounded whatever the input: at most MAX_ISSUES problems, names and paths cut short, so that a 400 is never
  // larger than the request that caused it.
  const listed = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.slice(0, MAX_ISSUES).map((k) => short(k, 40));
      const more = issue.keys.length > keys.length ? ` and ${issue.keys.length - keys.length} more` : '';
      return `unknown field(s): ${keys.join(', ')}${more}`;
    }
    const joined = issue.path.length > 0 ? `${prefix}${issue.path.join('.')}` : prefix.replace(/\.$/, '');
    const path = short(joined, 120);
    const got = issue.path.reduce<unknown>(
      (v, k) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined),
      input,
    );
    // Only fields that are never patient data or credentials are repeated back ("asOf ... (got "2026-02-30")"):
    // not a patient id, a prefetched resource, a Bundle's content or a token.
    const echoed =
      prefix === '' &&
      ECHOED_FIELDS.has(String(issue.path[0])) &&
      !issue.path.some((k) => typeof k === 'string' && SECRET_FIELD.test(k));
    const shown = echoed && typeof got === 'string' && got.length <= 40 ? ` (got "${got}")` : '';
    return path ? `${path}: ${short(issue.message, 200)}${shown}` : short(issue.message, 200);
  });
  const more = error.issues.length - listed.length;
  return listed.join('; ') + (more > 0 ? `; and ${more} more problem(s)` : '');
}

const MAX_ISSUES = 10;
/** Top-level request fields whose values may be repeated in a message. */
const ECHOED_FIELDS: ReadonlySet<string> = new Set(['hook', 'hookInstance', 'asOf', 'factorSet', 'feedback']);
/** Fields whose values are credentials. */
const SECRET_FIELD = /authorization|token|secret|password/i;

function short(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}
