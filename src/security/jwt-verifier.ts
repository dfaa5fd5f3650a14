/**
 * Verifies the JWT an EHR sends with every CDS Hooks call (CDS Hooks 2.0 "Trusting CDS Clients"): signed with an
 * asymmetric key of a configured issuer (its JWKS URL or a static JWKS), a header with `typ` "JWT" and a `kid`,
 * `jku` only if it is that issuer's JWKS URL, `aud` equal to the URL called, `exp` and `iat` within a small clock
 * skew and a lifetime of at most 5 minutes, and a `jti` used once. Failures carry a reason for the log, never for the caller.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import type { ReplayCache } from './replay-cache.ts';

/** Asymmetric algorithms only: never `none`, never HS* (a public key used as an HMAC secret). */
export const ALLOWED_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512'] as const;

export interface TrustedIssuer {
  readonly iss: string;
  /** The issuer's JWKS URL (fetched with a timeout and cached), or... */
  readonly jwksUrl?: string;
  /** ...its keys, configured statically. */
  readonly jwks?: { keys: Record<string, unknown>[] };
}

export interface VerifierOptions {
  readonly issuers: readonly TrustedIssuer[];
  readonly replayCache: ReplayCache;
  readonly clockSkewSeconds: number;
  readonly jwksTimeoutMs: number;
  readonly now?: () => number;
}

export type AuthFailure =
  | 'missing-token'
  | 'malformed'
  | 'algorithm'
  | 'unknown-issuer'
  | 'jku-not-allowed'
  | 'header'
  | 'signature'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'lifetime'
  | 'missing-claim'
  | 'replay'
  | 'keys-unavailable'
  | 'replay-cache-unavailable';

export type Verification = { ok: true; iss: string } | { ok: false; reason: AuthFailure };

const MAX_LIFETIME_S = 300;

export function createJwtVerifier(
  options: VerifierOptions,
): (token: string, audience: string) => Promise<Verification> {
  const keySets = new Map<string, JWTVerifyGetKey>();
  for (const issuer of options.issuers) {
    if (issuer.jwks) keySets.set(issuer.iss, createLocalJWKSet(issuer.jwks));
    else if (issuer.jwksUrl)
      keySets.set(
        issuer.iss,
        createRemoteJWKSet(new URL(issuer.jwksUrl), {
          timeoutDuration: options.jwksTimeoutMs,
          cacheMaxAge: 10 * 60_000,
          cooldownDuration: 30_000,
        }),
      );
  }
  const byIss = new Map(options.issuers.map((i) => [i.iss, i]));
  const now = options.now ?? Date.now;

  return async (token, audience) => {
    let header;
    let unverified: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(token);
      const payload = token.split('.')[1] ?? '';
      const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      // A JWT's claims are a JSON object (RFC 7519 7.2); null, an array or a number is no token.
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return { ok: false, reason: 'malformed' };
      unverified = parsed as Record<string, unknown>;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (!ALLOWED_ALGORITHMS.includes(header.alg as (typeof ALLOWED_ALGORITHMS)[number]))
      return { ok: false, reason: 'algorithm' };
    // CDS Hooks 2.0 requires both: typ "JWT" (not an access token or another JWT type passed along) and the kid.
    // RFC 7515 4.1.9: "JWT", or its media type written in full.
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
    if (typ !== 'jwt' && typ !== 'application/jwt') return { ok: false, reason: 'header' };
    if (typeof header.kid !== 'string' || header.kid === '') return { ok: false, reason: 'header' };
    const iss = typeof unverified.iss === 'string' ? unverified.iss : undefined;
    const issuer = iss === undefined ? undefined : byIss.get(iss);
    const keys = iss === undefined ? undefined : keySets.get(iss);
    if (!issuer || !keys) return { ok: false, reason: 'unknown-issuer' };
    if (header.jku !== undefined && header.jku !== issuer.jwksUrl)
      return { ok: false, reason: 'jku-not-allowed' };

    let claims;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer: issuer.iss,
        audience,
        clockTolerance: options.clockSkewSeconds,
        currentDate: new Date(now()),
        requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
      }));
    } catch (error) {
      return { ok: false, reason: failureOf(error) };
    }
    const nowS = now() / 1000;
    // Both are required claims (jwtVerify checked them); the fallbacks only satisfy the type.
    const iat = claims.iat ?? Infinity;
    const exp = claims.exp ?? 0;
    if (iat > nowS + options.clockSkewSeconds) return { ok: false, reason: 'not-yet-valid' };
    if (exp - iat > MAX_LIFETIME_S + options.clockSkewSeconds) return { ok: false, reason: 'lifetime' };
    if (typeof claims.jti !== 'string' || claims.jti === '') return { ok: false, reason: 'missing-claim' };
    let first: boolean;
    try {
      first = await options.replayCache.firstUse(
        `${issuer.iss}|${claims.jti}`,
        (exp + options.clockSkewSeconds) * 1000,
      );
    } catch {
      // Fail closed: a token whose single use cannot be checked is not accepted.
      return { ok: false, reason: 'replay-cache-unavailable' };
    }
    return first ? { ok: true, iss: issuer.iss } : { ok: false, reason: 'replay' };
  };
}

function failureOf(error: unknown): AuthFailure {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'audience';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'not-yet-valid';
    return 'missing-claim';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return 'signature';
  if (keysUnreachable(error)) return 'keys-unavailable';
  // Anything else is the token's doing (an unsupported crit header, a malformed part...): refused as such.
  return 'malformed';
}

/**
 * Whether the issuer's key set could not be had: its JWKS URL timed out, could not be reached, did not answer 200,
 * or answered something that is not a key set. Only these are the service's side (503); they are named one by one
 * so that no token can make its refusal look like an outage.
 */
function keysUnreachable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  return (
    error instanceof errors.JOSEError &&
    error.code === 'ERR_JOSE_GENERIC' &&
    /JSON Web Key Set HTTP response/.test(error.message)
  );
}
