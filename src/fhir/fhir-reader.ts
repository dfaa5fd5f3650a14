/**
 * Reads from an EHR's FHIR server: GET of a relative query or of a link the server returned, with the caller's
 * bearer token and an abort signal (the request deadline). Outbound safety (ADR 0009): only URLs under the
 * allow-listed base URL are fetched (a `next` link cannot lead elsewhere), redirects are refused rather than
 * followed, and a response larger than the cap is cut off and reported, never buffered whole.
 */
import { underBase } from './allowed-base.ts';
import { obj, type Json } from './json-read.ts';

export interface FhirReader {
  readonly baseUrl: string;
  get(urlOrQuery: string): Promise<Json>;
}

export class FhirReadError extends Error {
  override readonly name = 'FhirReadError';
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** Default cap of one FHIR response: a page of 100 orders with their Medications is well under 2 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

async function boundedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new FhirReadError('the FHIR server response is larger than allowed');
  if (!response.body) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (chunk.done || !chunk.value) break;
    const value = chunk.value;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new FhirReadError('the FHIR server response is larger than allowed');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Told of each read: its duration and, when it failed, why (for metrics; never the URL). */
export type ReadObserver = (seconds: number, error: FhirReadError | undefined) => void;

export function createFhirReader(
  baseUrl: string,
  accessToken: string | undefined,
  signal: AbortSignal,
  maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
  observe?: ReadObserver,
): FhirReader {
  const base = baseUrl.replace(/\/+$/, '');
  const headers = {
    accept: 'application/fhir+json',
    ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
  };
  return {
    baseUrl: base,
    async get(urlOrQuery: string): Promise<Json> {
      if (!observe) return read(urlOrQuery);
      const started = performance.now();
      try {
        const json = await read(urlOrQuery);
        observe((performance.now() - started) / 1000, undefined);
        return json;
      } catch (error) {
        observe((performance.now() - started) / 1000, error instanceof FhirReadError ? error : undefined);
        throw error;
      }
    },
  };

  async function read(urlOrQuery: string): Promise<Json> {
    const absolute = /^https?:\/\//i.test(urlOrQuery);
    const url = absolute ? urlOrQuery : `${base}/${urlOrQuery.replace(/^\/+/, '')}`;
    if (!underBase(url, base))
      throw new FhirReadError('a link outside the allowed FHIR server was not followed');
    let response: Response;
    try {
      response = await fetch(url, { headers, signal, redirect: 'manual' });
    } catch {
      if (signal.aborted) throw new FhirReadError('the FHIR server did not answer before the deadline');
      throw new FhirReadError('the FHIR server could not be reached');
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new FhirReadError(`the FHIR server redirected (${response.status}); redirects are not followed`);
    }
    let text: string;
    try {
      text = await boundedText(response, maxResponseBytes);
    } catch (error) {
      if (error instanceof FhirReadError) throw error;
      if (signal.aborted) throw new FhirReadError('the FHIR server did not answer before the deadline');
      throw new FhirReadError('the FHIR server response could not be read');
    }
    if (!response.ok) throw new FhirReadError(`the FHIR server answered ${response.status}`, response.status);
    let json: Json | undefined;
    try {
      // A byte-order mark before the JSON is allowed to be ignored (RFC 8259 §8.1), as fetch's own json() does.
      json = obj(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
    } catch {
      json = undefined;
    }
    if (!json) throw new FhirReadError('the FHIR server answered with something that is not a FHIR resource');
    return json;
  }
}
