/**
 * The service's configuration: one schema for the environment, parsed once at start-up, frozen, failing fast
 * with every problem listed. Defaults run the service on one machine with no external services.
 */
import { z } from 'zod';
import { DEFAULT_FACTOR_SET, FACTOR_SET_IDS } from '../domain/opioid/factor-sets.ts';

const TrustedIssuerSchema = z
  .object({
    iss: z.string().min(1),
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
  })
  .refine((i) => (i.jwksUrl === undefined) !== (i.jwks === undefined), {
    message: 'each issuer needs exactly one of jwksUrl or jwks',
  });

/** A comma-separated list: its items, trimmed, without empty ones (none when unset). */
const COMMA_LIST = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );

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
  FHIR_ALLOWED_BASE_URLS: COMMA_LIST.transform((urls) => urls.map((u) => u.replace(/\/+$/, ''))).pipe(
    z.array(z.url({ protocol: /^https?$/, error: 'must be http(s) URLs' })),
  ),
  /** Time for all FHIR calls of one hook request, well under the spec's "on the order of 500 ms" in total. */
  FHIR_DEADLINE_MS: z.coerce.number().int().min(50).max(60_000).default(350),
  /** Largest FHIR response read (bytes); a larger one is cut off and the data reported partial or unavailable. */
  FHIR_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(16 * 1024 * 1024),
  /** Pages of a search followed through `next` links before the data is reported partial. */
  FHIR_MAX_PAGES: z.coerce.number().int().min(1).max(1000).default(20),
  /** The service's public base URL (behind a proxy), for links in cards. Default: http://HOST:PORT. */
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * EHR authentication (CDS Hooks 2.0: a JWT on every call). On unless explicitly "off" (local development only;
   * the service warns at start-up).
   */
  CDS_AUTH: z.enum(['on', 'off']).default('on'),
  /**
   * The EHRs trusted to call, as JSON: [{"iss": "...", "jwksUrl": "https://..."}] or [{"iss": "...", "jwks": {"keys":
   * [...]}}]. The JWKS URL is the only `jku` accepted for that issuer.
   */
  CDS_TRUSTED_ISSUERS: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.array(TrustedIssuerSchema)),
  /**
   * The demo (`npm start`): demo pages, an embedded FHIR store with synthetic patients that the service reads, and the
   * development issuer, whose key the demo page signs with. Never in production (refused with NODE_ENV=production).
   */
  DEMO: z.enum(['on', 'off']).default('off'),
  NODE_ENV: z.string().optional(),
  /** The trend app's OAuth client id (SMART App Launch), as registered with each EHR. */
  SMART_CLIENT_ID: z.string().min(1).max(200).default('opioid-pain-cds-trend'),
  /** Trust a development issuer whose key lives under DATA_DIR (scripts/dev-token.ts signs with it). Never in production. */
  CDS_DEV_ISSUER: z.enum(['on', 'off']).default('off'),
  /** Clock skew allowed on exp and iat. */
  CDS_AUTH_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(300).default(60),
  /** Time to fetch an issuer's JWKS. */
  JWKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2000),
  /** Redis for the shared token-replay cache (several instances); in memory without it. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** PostgreSQL for feedback and audit (postgres://...); without it, an embedded database under DATA_DIR/db. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Secret of the audit's patient pseudonyms (keyed hash); generated once and kept in the store when unset. */
  AUDIT_KEY: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  /** Bearer token of the governance read API (/governance/*); the API is off without it. */
  GOVERNANCE_TOKEN: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  /** Hook and analysis requests worked on at once; more get 503 with Retry-After (load shedding). */
  MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(64),
  /**
   * Hook threads: CDS Hooks calls that arrive while the event loop answers another are answered on one of these
   * (ADR 0019). "auto": one fewer than the machine's cores, at most 4 (none on one core); 0: every call on the event
   * loop.
   */
  HOOK_THREADS: z.union([z.literal('auto'), z.coerce.number().int().min(0).max(64)]).default('auto'),
  /** A request's headers and body arrive within this time, or its connection is closed (slow senders hold nothing). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  /**
   * On SIGTERM/SIGINT, the time to finish in-flight requests, write the audit and close the store; beyond it the
   * process exits 1 (a stalled dependency must not hold it). Below the usual 30 s grace before SIGKILL.
   */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(20_000),
  /** Where the service keeps local state (the development issuer's key). */
  DATA_DIR: z.string().min(1).default('data'),
  /** Browser origins allowed to call (CORS), comma-separated; none by default. */
  CORS_ALLOWED_ORIGINS: COMMA_LIST.pipe(
    z.array(z.url({ protocol: /^https?$/, error: 'must be origins such as https://sandbox.cds-hooks.org' })),
  ),
  /**
   * Origins of the EHRs that show the trend app inside their own page (a frame), comma-separated: the page's
   * `frame-ancestors`. Scheme, host and optional port only. None by default: only the service's own pages may
   * frame it.
   */
  TREND_FRAME_ANCESTORS: COMMA_LIST.pipe(
    z.array(
      z
        .string()
        .regex(
          /^https?:\/\/[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\d{1,5})?$/,
          {
            error: 'must be origins such as https://ehr.example.org (scheme, host and port only)',
          },
        ),
    ),
  ),
});

export type Env = z.infer<typeof EnvSchema>;
