/**
 * Reads a patient's record from a FHIR R4 server in the browser (the EHR's, with the SMART access token, or the
 * demo's embedded store): the Patient, their MedicationRequests with the Medications they refer to, Observations,
 * Conditions and ServiceRequests, following `next` links up to a cap. Returns one collection Bundle for the
 * analysis, and says what it could not read.
 */

import { RULE_OBSERVATION_CATEGORIES, WITHOUT_OTHER_CATEGORIES } from '../../fhir/observation-categories.ts';
import { underBase } from '../../fhir/allowed-base.ts';
import { medicationPath } from '../../fhir/reference-target.ts';

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
  /** Asked instead when the server refuses `query` as a bad request (Epic wants a category for Observations). */
  readonly narrowed?: { readonly query: string; readonly leftOut: string };
}

const SEARCHES: readonly Search[] = [
  {
    label: 'Medication orders',
    query: 'MedicationRequest?patient={id}&_include=MedicationRequest:medication&_count=50',
  },
  {
    label: 'Observations',
    query: 'Observation?patient={id}&_count=50',
    narrowed: {
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
function entries(bundle: Json, onError: () => void): Json[] {
  const list = Array.isArray(bundle.entry) ? (bundle.entry as unknown[]) : [];
  const out: Json[] = [];
  for (const e of list) {
    const entry = e as Json | null;
    const resource = entry?.resource as Json | null | undefined;
    if (!resource || typeof resource !== 'object') continue;
    const mode = (entry?.search as Json | undefined)?.mode;
    if (resource.resourceType === 'OperationOutcome' || mode === 'outcome') {
      const issues = Array.isArray(resource.issue) ? (resource.issue as Json[]) : [];
      if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) onError();
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
    SEARCHES.map(async ({ label, query, narrowed }) => {
      let url: string | undefined = searchUrl(query);
      let pages = 0;
      let reported = false;
      const reportError = (): void => {
        if (!reported) problems.push(`${label}: the FHIR server reported an error in its results`);
        reported = true;
      };
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
            if (!(narrowed && pages === 0 && error instanceof HttpStatusError && error.status === 400))
              throw error;
            page = await getJson(searchUrl(narrowed.query), token);
            problems.push(`${label}: ${narrowed.leftOut}`);
          }
          pages++;
          for (const r of entries(page, reportError)) keep(r);
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
    }),
  );
  // Medications referred to but not included in the search results: read each one once.
  const missing = new Set<string>();
  for (const r of resources.values()) {
    const ref = (r.medicationReference as Json | undefined)?.reference;
    const tail = typeof ref === 'string' ? medicationPath(ref) : undefined;
    if (tail !== undefined && !resources.has(tail)) missing.add(tail);
  }
  await Promise.all(
    [...missing].map(async (ref) => {
      try {
        keep(await getJson(`${base}/${ref}`, token));
      } catch (error) {
        problems.push(`${ref} could not be read: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  return {
    bundle: {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [...resources.values()].map((resource) => ({ resource })),
    },
    problems,
  };
}
