/**
 * Reads from an EHR's FHIR server with fhir-kit-client: GET of a relative query or of a link the server returned,
 * with the caller's bearer token and an abort signal (the request deadline). Only URLs under the allow-listed base
 * URL are ever fetched, so a `next` link cannot lead the service elsewhere.
 */
import { Client } from 'fhir-kit-client';
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

function statusOf(error: unknown): number | undefined {
  const response = obj(obj(error)?.response);
  const status = response?.status;
  return typeof status === 'number' ? status : undefined;
}

export function createFhirReader(
  baseUrl: string,
  accessToken: string | undefined,
  signal: AbortSignal,
): FhirReader {
  const client = new Client({
    baseUrl,
    customHeaders: {
      accept: 'application/fhir+json',
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    },
  });
  const base = baseUrl.replace(/\/+$/, '');
  return {
    baseUrl: base,
    async get(urlOrQuery: string): Promise<Json> {
      const absolute = /^https?:\/\//i.test(urlOrQuery);
      if (
        absolute &&
        !(urlOrQuery === base || urlOrQuery.startsWith(`${base}/`) || urlOrQuery.startsWith(`${base}?`))
      ) {
        throw new FhirReadError('a link outside the allowed FHIR server was not followed');
      }
      try {
        const result: unknown = await client.httpClient.get(
          absolute ? urlOrQuery : `${base}/${urlOrQuery.replace(/^\/+/, '')}`,
          { signal },
        );
        const json = obj(result);
        if (!json)
          throw new FhirReadError('the FHIR server answered with something that is not a FHIR resource');
        return json;
      } catch (error) {
        if (error instanceof FhirReadError) throw error;
        if (signal.aborted) throw new FhirReadError('the FHIR server did not answer before the deadline');
        const status = statusOf(error);
        throw new FhirReadError(
          status === undefined
            ? 'the FHIR server could not be reached'
            : `the FHIR server answered ${status}`,
          status,
        );
      }
    },
  };
}
