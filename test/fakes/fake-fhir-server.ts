/**
 * A small in-process FHIR server for tests: reads by id, searches by patient with paging (_count, next links) and
 * _include of medications, and records every request. It serves synthetic resources only. Not a mock of our code:
 * the service talks to it over HTTP like to any EHR.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { outcomeEntry } from '../builders/fhir-builders.ts';

export interface FakeFhirServer {
  readonly baseUrl: string;
  readonly requests: { url: string; authorization?: string }[];
  /** Milliseconds to wait before answering (to test deadlines). */
  delayMs: number;
  /** Largest page the server returns, whatever _count asks (servers cap pages). */
  maxPageSize: number;
  /** Statuses to answer for URLs matching a pattern (to test errors). */
  failures: { pattern: RegExp; status: number }[];
  /**
   * Resource types whose searches need a `category` (as Epic's Observation search does): without one, 400; with
   * one (codes, comma-separated), only resources with such a category match.
   */
  categoryRequired: string[];
  /** The most requests it was answering at the same time. */
  readonly maxConcurrent: number;
  /**
   * An OperationOutcome entry (search mode "outcome") with an issue of this severity and issue type (default
   * too-costly, "results cut short") in matching searches.
   */
  outcomes: { pattern: RegExp; severity: 'fatal' | 'error' | 'warning' | 'information'; code?: string }[];
  /** A faulty server: searches by patient return every patient's resources. */
  ignoresPatient: boolean;
  /** A faulty server: the second page's next link leads back to the first page. */
  nextLoops: boolean;
  close(): Promise<void>;
}

function patientOf(resource: Record<string, unknown>): string | undefined {
  const ref = (resource.subject ?? resource.patient) as { reference?: string } | undefined;
  if (resource.resourceType === 'Patient') return `Patient/${String(resource.id)}`;
  return ref?.reference;
}

export async function startFakeFhirServer(resources: Resource[]): Promise<FakeFhirServer> {
  const byKey = new Map(resources.map((r) => [`${r.resourceType}/${r.id ?? ''}`, r]));
  const state: FakeFhirServer = {
    baseUrl: '',
    requests: [],
    delayMs: 0,
    maxPageSize: 1000,
    failures: [],
    categoryRequired: [],
    outcomes: [],
    ignoresPatient: false,
    nextLoops: false,
    maxConcurrent: 0,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };

  const respond = (req: IncomingMessage, base: string): { status: number; body: unknown } => {
    const url = new URL(req.url ?? '/', base);
    const failure = state.failures.find((f) => f.pattern.test(url.pathname + url.search));
    if (failure)
      return {
        status: failure.status,
        body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] },
      };
    const path = url.pathname.replace(/^\/fhir\/?/, '');
    const [type, id] = path.split('/');
    if (!type) return { status: 404, body: {} };
    if (id) {
      const found = byKey.get(`${type}/${id}`);
      return found
        ? { status: 200, body: found }
        : {
            status: 404,
            body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] },
          };
    }
    const patient = url.searchParams.get('patient');
    const sort = url.searchParams.get('_sort');
    const dateOf = (r: { authoredOn?: string; effectiveDateTime?: string }): string =>
      r.authoredOn ?? r.effectiveDateTime ?? '';
    const categories = url.searchParams.get('category')?.split(',');
    if (state.categoryRequired.includes(type) && !categories)
      return {
        status: 400,
        body: {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'required', diagnostics: 'a category is required' }],
        },
      };
    const categoryCodes = (r: Resource): string[] =>
      ((r as { category?: { coding?: { code?: string }[] }[] }).category ?? []).flatMap((c) =>
        (c.coding ?? []).map((coding) => coding.code ?? ''),
      );
    const found = resources.filter(
      (r) =>
        r.resourceType === type &&
        (!patient || state.ignoresPatient || patientOf(r as never) === `Patient/${patient}`) &&
        (!categories || categoryCodes(r).some((code) => categories.includes(code))),
    );
    const matches = sort?.startsWith('-')
      ? [...found].sort((a, b) => dateOf(b as never).localeCompare(dateOf(a as never)))
      : found;
    const count = Math.min(Number(url.searchParams.get('_count') ?? '50'), state.maxPageSize);
    const offset = Number(url.searchParams.get('_offset') ?? '0');
    const page = matches.slice(offset, offset + count);
    const entries: NonNullable<Bundle['entry']> = page.map((resource) => ({
      resource,
      search: { mode: 'match' },
    }));
    if (url.searchParams.get('_include') === `${type}:medication`) {
      const refs = new Set(
        page
          .map((r) => (r as { medicationReference?: { reference?: string } }).medicationReference?.reference)
          .filter(Boolean),
      );
      for (const ref of refs) {
        const med = byKey.get(ref!);
        if (med) entries.push({ resource: med, search: { mode: 'include' } });
      }
    }
    for (const outcome of state.outcomes.filter((o) => o.pattern.test(url.pathname + url.search)))
      entries.push(
        outcomeEntry(
          outcome.severity,
          (outcome.code ?? 'too-costly') as OperationOutcomeIssue['code'],
          outcome.code === undefined ? 'results cut short' : undefined,
        ),
      );
    const link: Bundle['link'] = [{ relation: 'self', url: url.toString() }];
    if (offset + count < matches.length) {
      const next = new URL(url.toString());
      // A faulty server's second page links back to the first.
      next.searchParams.set('_offset', String(state.nextLoops && offset > 0 ? 0 : offset + count));
      link.push({ relation: 'next', url: next.toString() });
    }
    return {
      status: 200,
      body: { resourceType: 'Bundle', type: 'searchset', total: matches.length, link, entry: entries },
    };
  };

  let concurrent = 0;
  const server: Server = createServer((req, res) => {
    state.requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    concurrent++;
    Object.assign(state, { maxConcurrent: Math.max(state.maxConcurrent, concurrent) });
    const base = `http://${req.headers.host ?? '127.0.0.1'}`;
    setTimeout(() => {
      const { status, body } = respond(req, base);
      res.writeHead(status, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(body));
      concurrent--;
    }, state.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, { baseUrl: `http://127.0.0.1:${port}/fhir` });
}
