/**
 * What a prefetched value can stand for: the CDS Hooks client answers a prefetch key with the resource its template
 * asks for (a Bundle for a search, the resource for a read), with an OperationOutcome when it could not, or null.
 */
import { objs, str, type Json } from './json-read.ts';

/**
 * Why a prefetched value cannot stand for its key, if it cannot: an OperationOutcome (the EHR could not prefetch
 * it), a resource of another type than the template asks for (a search answers with a Bundle; a read with the
 * resource read, or a Bundle holding it), or a Bundle whose entries are not a list.
 */
export function prefetchProblem(value: Json, template: string): string | undefined {
  const type = str(value.resourceType) ?? '(no resourceType)';
  if (type === 'OperationOutcome')
    return `the EHR could not prefetch it (OperationOutcome: ${outcomeCodes(value)})`;
  const expected = template.includes('?') ? 'Bundle' : template.split('/')[0];
  // A read may be answered as a search would be (a Bundle holding the resource).
  if (expected !== undefined && type !== expected && type !== 'Bundle')
    return `the prefetch value is a ${type.slice(0, 64)}, not the ${expected} its template asks for`;
  if (type === 'Bundle' && value.entry !== undefined && !Array.isArray(value.entry))
    return 'the prefetched Bundle has entries that are not a list';
  return undefined;
}

/** An OperationOutcome in words: its issues' codes (not their free text, which may name the patient). */
function outcomeCodes(outcome: Json): string {
  const codes = [...new Set(objs(outcome.issue).map((i) => str(i.code) ?? 'unknown'))];
  return codes.length > 0 ? codes.join(', ') : 'no issue given';
}
