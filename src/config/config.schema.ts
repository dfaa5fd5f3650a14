/**
 * The service's configuration: one schema for the environment, parsed once at start-up, frozen, failing fast
 * with every problem listed. Defaults run the service on one machine with no external services.
 */
import { z } from 'zod';
import { DEFAULT_FACTOR_SET, FACTOR_SET_IDS } from '../domain/opioid/factor-sets.ts';

export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Loopback by default; set 0.0.0.0 in a container. */
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** EHRs may send a patient's whole medication history (CDC opioid CDS pilots): 20 MiB by default. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  DEFAULT_FACTOR_SET: z.enum(FACTOR_SET_IDS as [string, ...string[]]).default(DEFAULT_FACTOR_SET),
  /** Days of daily MME history in analyses (clinical brief 2.3: 180). */
  SERIES_WINDOW_DAYS: z.coerce.number().int().min(90).max(3650).default(180),
  /**
   * FHIR servers the service may call when a hook request lacks prefetch data, comma-separated base URLs. Only these
   * are ever contacted: `fhirServer` comes from the caller. Empty by default (prefetch only).
   */
  FHIR_ALLOWED_BASE_URLS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((u) => u.trim().replace(/\/+$/, ''))
        .filter((u) => u !== ''),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be http(s) URLs' }))),
  /** Time for all FHIR calls of one hook request, well under the spec's "on the order of 500 ms" in total. */
  FHIR_DEADLINE_MS: z.coerce.number().int().min(50).max(60_000).default(350),
  /** Pages of a search followed through `next` links before the data is reported partial. */
  FHIR_MAX_PAGES: z.coerce.number().int().min(1).max(1000).default(20),
  /** The service's public base URL (behind a proxy), for links in cards. Default: http://HOST:PORT. */
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export type Env = z.infer<typeof EnvSchema>;
