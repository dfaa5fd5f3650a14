/**
 * What a prefetched value can stand for: the CDS Hooks client answers a prefetch key with the resource its template
 * asks for (a Bundle for a search, the resource for a read), with an OperationOutcome when it could not, or null.
 */
import { obj, objs, str, type Json } from './json-read.ts';

/**
 * Why a prefetched value cannot stand for its key, if it cannot: an OperationOutcome (the EHR could not prefetch
 * it), a resource of another type than the template asks for (a search answers with a Bundle; a read with the
 * resource read, or a Bundle holding it), or a Bundle whose entries are not a list.
 */
export function prefetchProblem(value: Json, template: string): string | undefined {
  if (value.resourceType === 'OperationOutcome')
    return `the EHR could not prefetch it (OperationOutcome: ${outcomeCodes(value)})`;
  const problem = answerProblem(value, template);
  return problem === undefined ? undefined : `the prefetch value is ${problem}`;
}

/**
 * Why an answer (a prefetch value, or the FHIR server's answer to the same query) is not what the template asks
 * for, in words that follow "the answer is": "an OperationOutcome (not-found)", "a Patient, not the Bundle its
 * template asks for", "a Bundle whose entries are not a list". A server's OperationOutcome with status 200 is no
 * more "no data" than the EHR's.
 */
export function answerProblem(value: Json, template: string): string | undefined {
  const type = str(value.resourceType) ?? '(no resourceType)';
  if (type === 'OperationOutcome') return `an OperationOutcome (${outcomeCodes(value)})`;
  const expected = template.includes('?') ? 'Bundle' : template.split('/')[0];
  // A read may be answered as a search would be (a Bundle holding the resource).
  if (expected !== undefined && type !== expected && type !== 'Bundle')
    return `a ${type.slice(0, 64)}, not the ${expected} its template asks for`;
  if (type === 'Bundle' && value.entry !== undefined && !Array.isArray(value.entry))
    return 'a Bundle whose entries are not a list';
  return undefined;
}

/**
 * Issue types (http://hl7.org/fhir/issue-type) that say results were left out, whatever the severity: a server may
 * report a cut-short search as a warning.
 */
const RESULTS_LEFT_OUT: ReadonlySet<string> = new Set([
  'incomplete',
  'suppressed',
  'too-costly',
  'throttled',
]);

/**
 * Whether a Bundle entry is an outcome rather than a result (an OperationOutcome, or search mode "outcome"), and if
 * so whether it reports an error (an issue of error or fatal severity, or one saying results were left out).
 */
export function outcomeEntry(entry: Json): 'error' | 'note' | undefined {
  const resource = obj(entry.resource);
  if (!resource) return undefined;
  if (resource.resourceType !== 'OperationOutcome' && str(obj(entry.search)?.mode) !== 'outcome')
    return undefined;
  return objs(resource.issue).some(
    (i) => i.severity === 'error' || i.severity === 'fatal' || RESULTS_LEFT_OUT.has(str(i.code) ?? ''),
  )
    ? 'error'
    : 'note';
}

/** How deep Bundles may hold Bundles (a batch-response holding a searchset): deeper ones are not read. */
export const MAX_NESTED_BUNDLES = 2;

/**
 * Whether a Bundle entry says a part of the answer failed: an outcome that reports an error, or (in a
 * batch-response) a response whose status is not 2xx.
 */
export function entryFailed(entry: Json): boolean {
  if (outcomeEntry(entry) === 'error') return true;
  const status = str(obj(entry.response)?.status);
  return status !== undefined && !/^\s*2\d\d\b/.test(status);
}

/**
 * Whether a Bundle holds an entry that says a part of it failed, also in the Bundles it holds (a batch-response of
 * searches): its search failed, at least in part.
 */
export function reportsError(bundle: Json, depth = 0): boolean {
  return objs(bundle.entry).some((entry) => {
    if (entryFailed(entry)) return true;
    const inner = obj(entry.resource);
    return depth < MAX_NESTED_BUNDLES && inner?.resourceType === 'Bundle' && reportsError(inner, depth + 1);
  });
}

/** An OperationOutcome in words: its issues' codes (not their free text, which may name the patient). */
function outcomeCodes(outcome: Json): string {
  const codes = [...new Set(objs(outcome.issue).map((i) => str(i.code) ?? 'unknown'))];
  return codes.length > 0 ? codes.join(', ') : 'no issue given';
}
