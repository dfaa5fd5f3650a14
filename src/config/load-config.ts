import { availableParallelism } from 'node:os';
import type { FactorSetId } from '../domain/opioid/factor-sets.ts';
import { trimTrailing } from '../domain/text.ts';
import { DEFAULT_TREND_RULES, type TrendRules } from '../domain/trend/trend-rules.ts';
import type { TrustedIssuer } from '../security/jwt-verifier.ts';
import { EnvSchema } from './config.schema.ts';
import { isLoopbackHost } from './loopback.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  readonly defaultFactorSet: FactorSetId;
  readonly trendRules: TrendRules;
  readonly fhir: {
    readonly allowedBaseUrls: readonly string[];
    readonly deadlineMs: number;
    readonly maxPages: number;
    readonly maxResponseBytes: number;
  };
  readonly publicBaseUrl: string;
  /** PUBLIC_BASE_URL was not set: publicBaseUrl is made of HOST and PORT. */
  readonly publicBaseUrlAssumed: boolean;
  readonly auth: {
    readonly enabled: boolean;
    readonly issuers: readonly TrustedIssuer[];
    readonly devIssuer: boolean;
    readonly clockSkewSeconds: number;
    readonly jwksTimeoutMs: number;
  };
  readonly redisUrl: string | undefined;
  readonly databaseUrl: string | undefined;
  readonly auditKey: string | undefined;
  readonly governanceToken: string | undefined;
  readonly dataDir: string;
  readonly corsOrigins: readonly string[];
  /** Origins that may show the trend app in a frame (besides the service's own pages). */
  readonly trendFrameAncestors: readonly string[];
  readonly maxInFlight: number;
  /** Threads that answer CDS Hooks calls while the event loop is busy with another (0: none). */
  readonly hookThreads: number;
  readonly requestTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /** Demo pages and the embedded FHIR store of synthetic patients (DEMO=on). */
  readonly demo: boolean;
  readonly smartClientId: string;
}

/** Where the demo's embedded FHIR store answers, under the service's public base URL. */
export const DEMO_FHIR_PATH = '/demo/fhir';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment once. Throws ConfigError naming every invalid variable (never its value). */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // A variable set to nothing ("PORT=") is unset: its default, not 0 or an empty name.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v === undefined || v.trim() !== ''));
  const parsed = EnvSchema.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const demo = e.DEMO === 'on';
  if (demo && e.NODE_ENV === 'production')
    throw new ConfigError(
      'invalid configuration:\n  DEMO: the demo trusts a development key and serves synthetic patients; it is refused with NODE_ENV=production',
    );
  if (e.CDS_DEV_ISSUER === 'on' && e.NODE_ENV === 'production')
    throw new ConfigError(
      'invalid configuration:\n  CDS_DEV_ISSUER: the development issuer trusts a key kept under DATA_DIR; it is refused with NODE_ENV=production',
    );
  if (demo && !isLoopbackHost(e.HOST))
    throw new ConfigError(
      'invalid configuration:\n  DEMO: the demo hands its signing key to any browser that asks; it listens on loopback only (HOST 127.0.0.1, localhost or ::1)',
    );
  // Any-address hosts are reached on loopback; an IPv6 address is written in brackets in a URL.
  const reachable = e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST === '::' ? '::1' : e.HOST;
  const urlHost = reachable.includes(':') ? `[${reachable}]` : reachable;
  const publicBaseUrl = trimTrailing(e.PUBLIC_BASE_URL ?? `http://${urlHost}:${e.PORT}`, '/');
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    defaultFactorSet: e.DEFAULT_FACTOR_SET as FactorSetId,
    trendRules: Object.freeze({ ...DEFAULT_TREND_RULES, windowDays: e.SERIES_WINDOW_DAYS }),
    fhir: Object.freeze({
      allowedBaseUrls: Object.freeze([
        ...e.FHIR_ALLOWED_BASE_URLS,
        ...(demo ? [`${publicBaseUrl}${DEMO_FHIR_PATH}`] : []),
      ]),
      deadlineMs: e.FHIR_DEADLINE_MS,
      maxPages: e.FHIR_MAX_PAGES,
      maxResponseBytes: e.FHIR_MAX_RESPONSE_BYTES,
    }),
    publicBaseUrl,
    publicBaseUrlAssumed: e.PUBLIC_BASE_URL === undefined,
    auth: Object.freeze({
      enabled: e.CDS_AUTH === 'on',
      issuers: Object.freeze(e.CDS_TRUSTED_ISSUERS.map((i) => Object.freeze({ ...i }))),
      devIssuer: e.CDS_DEV_ISSUER === 'on' || demo,
      clockSkewSeconds: e.CDS_AUTH_CLOCK_SKEW_S,
      jwksTimeoutMs: e.JWKS_TIMEOUT_MS,
    }),
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    auditKey: e.AUDIT_KEY,
    governanceToken: e.GOVERNANCE_TOKEN,
    dataDir: e.DATA_DIR,
    corsOrigins: Object.freeze([...e.CORS_ALLOWED_ORIGINS]),
    trendFrameAncestors: Object.freeze([...e.TREND_FRAME_ANCESTORS]),
    maxInFlight: e.MAX_IN_FLIGHT,
    hookThreads: e.HOOK_THREADS === 'auto' ? Math.min(4, availableParallelism() - 1) : e.HOOK_THREADS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    demo,
    smartClientId: e.SMART_CLIENT_ID,
  });
}
