/**
 * Gathers the patient data a hook needs: prefetch first, then the EHR's FHIR server (allow-listed, and only with the
 * EHR's fhirAuthorization token) for the keys the EHR did not fulfil (CDS Hooks 2.0 "Prefetch"): a missing key is
 * fetched, a null key means no data. Searches follow `next`
 * links up to a cap; referenced Medications missing from what came back (or from the draft orders) are read once
 * each; everything runs in parallel under one deadline. A prefetch key the EHR answered with an OperationOutcome, or
 * with a search whose results report an error, is fetched as if missing when a server may be called; a server's
 * answer that is not what the template asks for is not read as "no data". Resources that name another patient are left out. What could not be read is reported,
 * never silently dropped; when required data can be neither found nor fetched, DataUnavailableError becomes a 412.
 */
import { arr, num, obj, objs, str, type Json } from './json-read.ts';
import { createFhirReader, FhirReadError, type FhirReader, type ReadObserver } from './fhir-reader.ts';
import { allowedBase } from './allowed-base.ts';
import { MEDICATION_READS_AT_ONCE, medicationReads, unreadMedication } from './medication-reads.ts';
import { otherPatientsLeftOut, withoutOtherPatients } from './patient-scope.ts';
import {
  answerProblem,
  entryFailed,
  MAX_NESTED_BUNDLES,
  outcomeEntry,
  prefetchProblem,
  reportsError,
} from './prefetch-value.ts';
import { settleAtMost } from '../platform/settle-at-most.ts';
import { renderTemplate } from './prefetch-template.ts';

export interface PrefetchSpec {
  readonly key: string;
  readonly template: string;
  /** What the data is, for messages: "medication orders". */
  readonly label: string;
  /** Without it the analysis would mislead: no data means 412, not a card. */
  readonly required: boolean;
  /**
   * Simpler searches, asked in turn when the server refuses the one before as a bad request (400): some servers,
   * Epic's among them, refuse an Observation search without a category, and `_include` and `_sort` are optional
   * in FHIR. `leftOut` says what a search cannot find, when it finds less than the template.
   */
  readonly onBadRequest?: readonly SimplerSearch[];
}

export interface SimplerSearch {
  readonly template: string;
  readonly leftOut?: string;
}

export interface GatherRequest {
  readonly prefetch?: Readonly<Record<string, unknown>>;
  readonly fhirServer?: string;
  readonly accessToken?: string;
  readonly context: Readonly<Record<string, unknown>>;
  /** Resources outside the record whose Medications are read too: the draft orders of the order hooks. */
  readonly referring?: readonly Json[];
}

export interface GatherOptions {
  readonly allowedBaseUrls: readonly string[];
  readonly deadlineMs: number;
  readonly maxPages: number;
  /** Largest FHIR response read; larger ones are cut off and reported. */
  readonly maxResponseBytes?: number;
  readonly observeRead?: ReadObserver;
}

export interface Gathered {
  /** Every resource gathered (the entries of a collection Bundle for the analysis). */
  readonly resources: readonly Json[];
  /** The urn: fullUrls some of them had as entries of the EHR's Bundles, by which references may name them. */
  readonly urnFullUrls: ReadonlyMap<Json, string>;
  /** What is missing or partial, in plain words (for the cards and the log). */
  readonly partial: readonly string[];
  /** The prefetch keys whose data was not read in full (each has its lines in `partial`). */
  readonly incomplete: readonly string[];
  readonly sources: Readonly<Record<string, 'prefetch' | 'fhir' | 'none'>>;
}

export class DataUnavailableError extends Error {
  override readonly name = 'DataUnavailableError';
}

/**
 * The resources of a prefetch value or a search page: a resource is itself; a Bundle gives its entries' resources,
 * those of the Bundles it holds (a batch-response of searches) included. What is not read is said once per kind:
 * an outcome reporting an error or an entry whose response failed, entries without a resource, Bundles nested too
 * deep. `urnFullUrls` collects the urn: fullUrls of entries, by which other resources may name them.
 */
function entriesOf(value: Json, label: string, partial: string[], urnFullUrls?: Map<Json, string>): Json[] {
  if (value.resourceType !== 'Bundle') return [value];
  const out: Json[] = [];
  const unread = { error: false, empty: 0, deep: 0 };
  const read = (bundle: Json, depth: number): void => {
    // An entry that is not an object (null, a text, a list) holds nothing readable: said, never silently dropped.
    if (Array.isArray(bundle.entry))
      for (const e of bundle.entry as unknown[]) if (obj(e) === undefined) unread.empty++;
    for (const entry of objs(bundle.entry)) {
      const resource = obj(entry.resource);
      if (entryFailed(entry)) unread.error = true;
      if (!resource) {
        if (entry.response === undefined) unread.empty++;
        continue;
      }
      if (resource.resourceType === 'Bundle') {
        if (depth < MAX_NESTED_BUNDLES) read(resource, depth + 1);
        else unread.deep++;
        continue;
      }
      if (outcomeEntry(entry) !== undefined) continue;
      const fullUrl = str(entry.fullUrl);
      if (urnFullUrls && fullUrl?.startsWith('urn:')) urnFullUrls.set(resource, fullUrl);
      out.push(resource);
    }
  };
  read(value, 0);
  if (unread.error) partial.push(`${label}: the FHIR server reported an error in its results`);
  if (unread.empty > 0)
    partial.push(
      `${label}: ${unread.empty} Bundle entr${unread.empty === 1 ? 'y has' : 'ies have'} no resource and could not be read`,
    );
  if (unread.deep > 0)
    partial.push(
      `${label}: ${unread.deep} Bundle${unread.deep === 1 ? '' : 's'} nested too deep were not read`,
    );
  return out;
}

const readProblem = (error: unknown): string =>
  error instanceof FhirReadError ? error.message : 'the FHIR server could not be read';

/**
 * The entries of search pages with a resource, and among them the matches Bundle.total counts (not what _include
 * adds, nor outcomes).
 */
function entryCounts(pages: readonly Json[]): { entries: number; matches: number } {
  let entries = 0;
  let matches = 0;
  for (const page of pages)
    for (const entry of objs(page.entry)) {
      if (!obj(entry.resource)) continue;
      entries++;
      if (str(obj(entry.search)?.mode) !== 'include' && outcomeEntry(entry) === undefined) matches++;
    }
  return { entries, matches };
}

/**
 * A search whose pages, with no next link to the rest, hold fewer matches than its Bundle.total counts: cut short (an
 * EHR that caps its prefetch at a page without a link). Said, so that orders never go missing silently.
 */
function cutShort(read: readonly Json[], label: string, partial: string[]): void {
  const first = read[0];
  const total = num(first?.total);
  if (first === undefined || total === undefined || (str(first.type) ?? 'searchset') !== 'searchset') return;
  const { entries, matches: sent } = entryCounts(read);
  // Some servers count the resources _include adds in the total: cut short only when even all entries fall short.
  if (sent < total && entries < total)
    partial.push(
      `${label}: the search counts ${total} result${total === 1 ? '' : 's'} but ${sent} ${sent === 1 ? 'was' : 'were'} sent, with no link to the rest`,
    );
}

function nextLink(bundle: Json): string | undefined {
  return str(objs(bundle.link).find((l) => l.relation === 'next')?.url);
}

/**
 * A search and its next pages, up to the cap. The first page failing fails the search, as does one that is not what
 * the template asks for (an OperationOutcome with status 200 is not "no data"); a later page failing (an error, the
 * deadline, a link off the server, something else than a Bundle) keeps the pages read and says so, as the cap does.
 */
async function readAll(
  reader: FhirReader,
  first: Json | string,
  template: string,
  label: string,
  maxPages: number,
  partial: string[],
  urnFullUrls: Map<Json, string>,
): Promise<Json[]> {
  let page = first;
  if (typeof page === 'string') {
    page = await reader.get(page);
    const problem = answerProblem(page, template);
    if (problem !== undefined) throw new FhirReadError(`the FHIR server answered ${problem}`);
  }
  const resources = entriesOf(page, label, partial, urnFullUrls);
  const read = [page];
  // A server whose next link leads back to a page already read would have its results counted again and again.
  const seen = new Set<string>(typeof first === 'string' ? [first] : []);
  for (let pages = 1; ; pages++) {
    const next = nextLink(page);
    if (!next) {
      cutShort(read, label, partial);
      break;
    }
    if (seen.has(next)) {
      partial.push(`${label}: the FHIR server's next link leads back to a page already read; paging stopped`);
      break;
    }
    seen.add(next);
    if (pages >= maxPages) {
      partial.push(`${label}: more than ${maxPages} pages; only the first ${maxPages} were read`);
      break;
    }
    try {
      page = await reader.get(next);
      if (page.resourceType !== 'Bundle')
        throw new FhirReadError(
          `the FHIR server answered ${answerProblem(page, '?') ?? 'something else than a Bundle'}`,
        );
    } catch (error) {
      const read = pages === 1 ? 'the first page was' : `the first ${pages} pages were`;
      partial.push(`${label}: only ${read} read; the next: ${readProblem(error)}`);
      break;
    }
    read.push(page);
    resources.push(...entriesOf(page, label, partial, urnFullUrls));
  }
  return pages(resources);
}

/**
 * The resources of a search's pages, each once: a server whose pages overlap (or whose next link leads back under
 * another spelling) would otherwise have its results counted twice. Resources without an id are kept as they are.
 * Nothing is missing, so nothing is reported.
 */
function pages(resources: Json[]): Json[] {
  const seen = new Set<string>();
  return resources.filter((r) => {
    const id = str(r.id);
    if (id === undefined) return true;
    const key = `${str(r.resourceType) ?? ''}/${id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Abort reasons (constants: an abort without a reason builds a DOMException with a stack each time). */
const DEADLINE = new Error('the request deadline passed');
const FINISHED = new Error('the request finished');

export async function gather(
  specs: readonly PrefetchSpec[],
  request: GatherRequest,
  options: GatherOptions,
): Promise<Gathered> {
  const sources: Record<string, 'prefetch' | 'fhir' | 'none'> = {};
  const allowed = allowedBase(request.fhirServer, options.allowedBaseUrls);
  // A server is called only with the EHR's token (CDS Hooks 2.0 "FHIR Resource Access": both fhirServer and
  // fhirAuthorization; a token with each call): without one, a missing key is unavailable, not read anonymously.
  const server = allowed && request.accessToken ? allowed : undefined;
  // The deadline and its cancellation exist only when a server may be called.
  const controller = server ? new AbortController() : undefined;
  const timer = controller
    ? setTimeout(() => {
        controller.abort(DEADLINE);
      }, options.deadlineMs)
    : undefined;
  const reader =
    server && controller
      ? createFhirReader(
          server,
          request.accessToken,
          controller.signal,
          options.maxResponseBytes,
          options.observeRead,
        )
      : undefined;
  const unavailable = (spec: PrefetchSpec, why: string, partial: string[]): Json[] => {
    if (spec.required) throw new DataUnavailableError(`${spec.label}: ${why}`);
    partial.push(`${spec.label} not checked: ${why}`);
    return [];
  };
  const noServer =
    request.fhirServer === undefined
      ? 'not in prefetch and no fhirServer given'
      : !allowed
        ? 'not in prefetch and the fhirServer is not one this service may call'
        : 'not in prefetch and no fhirAuthorization given';

  const urnFullUrls = new Map<Json, string>();
  // Each key's lines apart, so that it is known which keys are incomplete.
  const one = async (spec: PrefetchSpec, partial: string[]): Promise<Json[]> => {
    const prefetched = request.prefetch === undefined ? undefined : request.prefetch[spec.key];
    if (prefetched === null) {
      sources[spec.key] = 'none';
      return [];
    }
    const value = obj(prefetched);
    // The EHR's way of saying it could not prefetch the key, or a value that is not what the template asks for:
    // fetched as if missing.
    const refused = value === undefined ? undefined : prefetchProblem(value, spec.template);
    // A prefetched search whose results say it failed (an OperationOutcome entry of error severity) is fetched
    // again when a server may be called; otherwise it is read as it is, and the error is reported.
    const failed = value !== undefined && !refused && value.resourceType === 'Bundle' && reportsError(value);
    if (value && !refused && !(failed && reader)) {
      sources[spec.key] = 'prefetch';
      // A paged prefetch: the rest comes from the server when one may be called.
      if (value.resourceType === 'Bundle' && nextLink(value) && reader)
        return readAll(reader, value, spec.template, spec.label, options.maxPages, partial, urnFullUrls);
      if (value.resourceType === 'Bundle' && nextLink(value))
        partial.push(`${spec.label}: prefetch holds only the first page`);
      else if (value.resourceType === 'Bundle') cutShort([value], spec.label, partial);
      return entriesOf(value, spec.label, partial, urnFullUrls);
    }
    if (prefetched !== undefined && !refused && !failed)
      return unavailable(spec, 'the prefetch value is not a FHIR resource', partial);
    if (!reader) return unavailable(spec, refused ?? noServer, partial);
    // A prefetched search whose results reported an error is kept for when reading it again fails too.
    const fallBack = (why: string): Json[] => {
      if (!failed) return unavailable(spec, why, partial);
      sources[spec.key] = 'prefetch';
      partial.push(
        `${spec.label}: reading it again from the FHIR server failed (${why}); the prefetch is used`,
      );
      return entriesOf(value, spec.label, partial, urnFullUrls);
    };
    const rendered = renderTemplate(spec.template, request.context);
    if (!rendered.ok) return fallBack(rendered.problem);
    sources[spec.key] = 'fhir';
    const searches: readonly SimplerSearch[] = [{ template: spec.template }, ...(spec.onBadRequest ?? [])];
    for (let i = 0; ; i++) {
      const search = searches[i] ?? { template: spec.template };
      const query = i === 0 ? rendered : renderTemplate(search.template, request.context);
      if (!query.ok) return fallBack(query.problem);
      try {
        const resources = await readAll(
          reader,
          query.query,
          search.template,
          spec.label,
          options.maxPages,
          partial,
          urnFullUrls,
        );
        if (search.leftOut !== undefined) partial.push(`${spec.label}: ${search.leftOut}`);
        return resources;
      } catch (error) {
        const refusedAsBad = error instanceof FhirReadError && error.status === 400;
        if (!refusedAsBad || i + 1 >= searches.length) return fallBack(readProblem(error));
      }
    }
  };

  try {
    const byKey = specs.map((): string[] => []);
    const read = await Promise.all(specs.map((spec, i) => one(spec, byKey[i] ?? [])));
    const resources: Json[] = [];
    // Per key: resources left out as another patient's make that key's data incomplete (a data-gap card says so).
    read.forEach((list, i) => {
      const { kept, leftOut } = withoutOtherPatients(list, str(request.context.patientId));
      if (leftOut > 0) byKey[i]?.push(`${specs[i]?.label ?? 'data'}: ${otherPatientsLeftOut(leftOut)}`);
      for (const r of kept) resources.push(r);
    });
    const partial = byKey.flat();
    const incomplete = specs.filter((_, i) => (byKey[i]?.length ?? 0) > 0).map((spec) => spec.key);
    // Which server a reference names is judged against the call's fhirServer, allow-listed or not.
    const medications = medicationReads(resources, request.fhirServer, 'fhirServer', request.referring ?? []);
    partial.push(...medications.notes);
    const toRead = medications.read;
    if (toRead.length > 0 && reader) {
      const fetched = await settleAtMost(toRead, MEDICATION_READS_AT_ONCE, (ref) => reader.get(ref));
      fetched.forEach((result, i) => {
        // A read that answers something else than a Medication with an id did not read it.
        if (
          result.status === 'fulfilled' &&
          result.value.resourceType === 'Medication' &&
          str(result.value.id)
        )
          resources.push(result.value);
        else partial.push(unreadMedication(toRead[i] ?? 'a Medication'));
      });
    }
    return {
      resources,
      urnFullUrls,
      partial,
      incomplete,
      sources,
    };
  } finally {
    clearTimeout(timer);
    // Nothing outlives the request: a fetch still running after a required key failed is cancelled.
    controller?.abort(FINISHED);
  }
}

/**
 * The fullUrl of each entry of a Bundle-like value (draftOrders) that has one, by its resource: a draft order may
 * name its Medication, a separate entry without a server id yet, by that entry's urn:uuid.
 */
export function fullUrlsOf(value: unknown): ReadonlyMap<Json, string> {
  const urls = new Map<Json, string>();
  for (const e of arr(obj(value)?.entry)) {
    const entry = obj(e);
    const resource = obj(entry?.resource);
    const fullUrl = str(entry?.fullUrl);
    if (resource && fullUrl !== undefined) urls.set(resource, fullUrl);
  }
  return urls;
}

/** The resources of a Bundle-like value (draftOrders), for merging with the gathered record. */
export function resourcesOf(value: unknown): Json[] {
  const bundle = obj(value);
  if (!bundle) return [];
  return arr(bundle.entry)
    .map((e) => obj(obj(e)?.resource))
    .filter((r): r is Json => r !== undefined);
}
