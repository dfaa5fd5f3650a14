/**
 * Reads a patient's record from a FHIR R4 server in the browser (the EHR's, with the SMART access token, or the
 * demo's embedded store): the Patient, their MedicationRequests with the Medications they refer to, Observations,
 * Conditions and ServiceRequests, following `next` links up to a cap. Resources of other patients are left out and
 * Medications are read as the service reads them (src/fhir/medication-reads.ts). Returns one collection Bundle for
 * the analysis, and says what it could not read.
 */

import { RULE_OBSERVATION_CATEGORIES, WITHOUT_OTHER_CATEGORIES } from '../../fhir/observation-categories.ts';
import { underBase } from '../../fhir/allowed-base.ts';
import { MEDICATION_READS_AT_ONCE, medicationReads, unreadMedication } from '../../fhir/medication-reads.ts';
import { otherPatientsLeftOut, withoutOtherPatients } from '../../fhir/patient-scope.ts';
import { outcomeEntry } from '../../fhir/prefetch-value.ts';
import { settleAtMost } from '../../platform/settle-at-most.ts';

type Json = Record<string, unknown>;

export interface RecordRead {
  readonly bundle: Json;
  /** What is missing or cut short, in plain words. */
  readonly problems: readonly string[];
}

const MAX_PAGES = 30;
interface Search {
  readonly label: string;
  readonly query: string;
  /**
   * Asked instead when the server refuses `query` as a bad request: Epic wants a category for Observations, and
   * `_include` is optional in FHIR. `leftOut` says what it cannot find, when it finds less.
   */
  readonly onBadRequest?: { readonly query: string; readonly leftOut?: string };
}

const SEARCHES: readonly Search[] = [
  {
    label: 'Medication orders',
    query: 'MedicationRequest?patient={id}&_include=MedicationRequest:medication&_count=50',
    // The Medications are then read one by one.
    onBadRequest: { query: 'MedicationRequest?patient={id}&_count=50' },
  },
  {
    label: 'Observations',
    query: 'Observation?patient={id}&_count=50',
    onBadRequest: {
      query: `Observation?patient={id}&category=${RULE_OBSERVATION_CATEGORIES}&_count=50`,
      leftOut: WITHOUT_OTHER_CATEGORIES,
    },
  },
  { label: 'Conditions', query: 'Condition?patient={id}&_count=50' },
  { label: 'Referrals', query: 'ServiceRequest?patient={id}&_count=50' },
];

class HttpStatusError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

async function getJson(url: string, token: string | undefined): Promise<Json> {
  const response = await fetch(url, {
    headers: { accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  if (!response.ok)
    throw new HttpStatusError(`${new URL(url).pathname}: HTTP ${response.status}`, response.status);
  return (await response.json()) as Json;
}

/**
 * The resources of a search page. OperationOutcome entries (search mode "outcome", or the resource type) are not
 * resources of the record: one with an error or fatal issue means the server could not answer the whole search,
 * and `onError` is told (as the service's own FHIR gateway does).
 */
function entries(bundle: Json, onError: () => void, onEmpty: () => void): Json[] {
  const list = Array.isArray(bundle.entry) ? (bundle.entry as unknown[]) : [];
  const out: Json[] = [];
  for (const e of list) {
    const entry = e as Json | null;
    const resource = entry?.resource as Json | null | undefined;
    if (!resource || typeof resource !== 'object') {
      onEmpty();
      continue;
    }
    // An outcome is not a resource of the record; one that reports an error, or results left out (a warning of
    // incomplete, suppressed, too-costly or throttled results), is a gap - the service's own rule.
    const outcome = outcomeEntry(entry as Json);
    if (outcome !== undefined) {
      if (outcome === 'error') onError();
      continue;
    }
    out.push(resource);
  }
  return out;
}

function nextLink(bundle: Json): string | undefined {
  const links = Array.isArray(bundle.link) ? (bundle.link as Json[]) : [];
  const next = links.find((l) => l.relation === 'next');
  return typeof next?.url === 'string' ? next.url : undefined;
}

export async function readRecord(baseUrl: string, patientId: string, token?: string): Promise<RecordRead> {
  const base = baseUrl.replace(/\/+$/, '');
  const problems: string[] = [];
  const resources = new Map<string, Json>();
  const keep = (r: Json): void => {
    if (typeof r.resourceType === 'string' && typeof r.id === 'string')
      resources.set(`${r.resourceType}/${r.id}`, r);
  };
  keep(await getJson(`${base}/Patient/${encodeURIComponent(patientId)}`, token));
  const searchUrl = (query: string): string =>
    `${base}/${query.replace('{id}', encodeURIComponent(patientId))}`;
  await Promise.all(
    SEARCHES.map(async ({ label, query, onBadRequest }) => {
      let url: string | undefined = searchUrl(query);
      let pages = 0;
      let reported = false;
      const reportError = (): void => {
        if (!reported) problems.push(`${label}: the FHIR server reported an error in its results`);
        reported = true;
      };
      let empty = 0;
      try {
        while (url !== undefined) {
          if (pages === MAX_PAGES) {
            problems.push(`${label}: more than ${MAX_PAGES} pages; only the first ${MAX_PAGES} were read`);
            break;
          }
          let page: Json;
          try {
            page = await getJson(url, token);
          } catch (error) {
            if (!(onBadRequest && pages === 0 && error instanceof HttpStatusError && error.status === 400))
              throw error;
            page = await getJson(searchUrl(onBadRequest.query), token);
            if (onBadRequest.leftOut !== undefined) problems.push(`${label}: ${onBadRequest.leftOut}`);
          }
          // A search answers a Bundle: an OperationOutcome with status 200 (too costly, say) is no "no data".
          if (page.resourceType !== 'Bundle')
            throw new Error(
              `the FHIR server answered with ${typeof page.resourceType === 'string' ? page.resourceType.slice(0, 40) : 'something'} instead of a Bundle`,
            );
          pages++;
          for (const r of entries(page, reportError, () => empty++)) keep(r);
          url = nextLink(page);
          if (url !== undefined && !underBase(url, base)) {
            problems.push(`${label}: the server's next page lies outside ${base}; it was not read`);
            break;
          }
        }
      } catch (error) {
        problems.push(
          `${label} could not be read: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (empty > 0)
        problems.push(
          `${label}: ${empty} Bundle entr${empty === 1 ? 'y has' : 'ies have'} no resource and could not be read`,
        );
    }),
  );
  // The patient's resources only, and the Medications their orders name: as the service gathers a hook's data.
  const { kept, leftOut } = withoutOtherPatients([...resources.values()], patientId);
  if (leftOut > 0) problems.push(otherPatientsLeftOut(leftOut));
  const { read, notes } = medicationReads(kept, base, 'the FHIR server the app was launched from');
  problems.push(...notes);
  const fetched = await settleAtMost(read, MEDICATION_READS_AT_ONCE, (ref) =>
    getJson(`${base}/${ref}`, token),
  );
  fetched.forEach((result, i) => {
    const ref = read[i] ?? 'a Medication';
    if (result.status === 'rejected') {
      const why = result.reason instanceof Error ? result.reason.message : String(result.reason);
      problems.push(unreadMedication(ref, why));
    } else if (result.value.resourceType === 'Medication' && typeof result.value.id === 'string') {
      kept.push(result.value);
    } else problems.push(unreadMedication(ref, 'the server answered no Medication'));
  });
  return {
    bundle: {
      resourceType: 'Bundle',
      type: 'collection',
      // Each entry's full URL on the server read: an absolute reference to another server resolves to none of them.
      entry: kept.map((resource) => ({
        fullUrl: `${base}/${String(resource.resourceType)}/${String(resource.id)}`,
        resource,
      })),
    },
    problems,
  };
}
