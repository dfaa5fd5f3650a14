/**
 * Loads the project's conformance resources and the synthetic population into a FHIR R4 server over its REST API
 * (PUT of each conformance resource, one transaction per patient). Used by the integration tests and by
 * scripts/seed-fhir.ts. Only Node's built-ins: it runs from a plain checkout.
 */
import { conformanceResources } from './profile-package.ts';
import { transactionFor, type SyntheticPatient } from './population.ts';

const FHIR_JSON = 'application/fhir+json';

async function send(url: string, method: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': FHIR_JSON, accept: FHIR_JSON },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 600)}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Waits until GET [base]/metadata answers 200; throws after `timeoutMs`. */
export async function waitForFhir(baseUrl: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < until) {
    try {
      const response = await fetch(`${baseUrl}/metadata`, { headers: { accept: FHIR_JSON } });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${baseUrl}/metadata did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/** CodeSystems, ValueSets and StructureDefinitions of fhir-profiles/, each under its own id. */
export async function loadConformance(baseUrl: string): Promise<number> {
  const files = conformanceResources();
  for (const { resource } of files)
    await send(`${baseUrl}/${resource.resourceType}/${resource.id ?? ''}`, 'PUT', resource);
  return files.length;
}

export async function loadPatients(baseUrl: string, patients: readonly SyntheticPatient[]): Promise<number> {
  let count = 0;
  for (const patient of patients) {
    await send(baseUrl, 'POST', transactionFor(patient));
    count += patient.resources.length;
  }
  return count;
}
