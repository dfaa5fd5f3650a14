/**
 * Configured URLs that would carry tokens or patient data unencrypted: plain http to a host other than this
 * machine. CDS Hooks requires TLS between the EHR and the service (terminated at a proxy in front of it, or not);
 * the service warns at start-up rather than refusing, because a proxy or a private network may be the TLS boundary.
 * Also a public address left to its default while the service listens for other machines.
 */
import type { Config } from './load-config.ts';
import { isLoopbackHost } from './loopback.ts';

function isPlainRemote(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && !isLoopbackHost(u.hostname);
  } catch {
    return false;
  }
}

/** One warning per setting that names such a URL (the setting, not the URL: it may hold credentials). */
export function plainHttpWarnings(
  config: Pick<Config, 'publicBaseUrl' | 'publicBaseUrlAssumed' | 'host' | 'fhir' | 'auth'>,
): string[] {
  const warnings: string[] = [];
  // Listening for other machines under a loopback address: EHR tokens (audience) and card links would not match.
  if (config.publicBaseUrlAssumed && !isLoopbackHost(config.host))
    warnings.push(
      `PUBLIC_BASE_URL is not set while HOST lets other machines in: the service takes ${config.publicBaseUrl} as its public address, so tokens addressed to the one EHRs use get 401 and card links point to this machine's loopback`,
    );
  if (isPlainRemote(config.publicBaseUrl))
    warnings.push('PUBLIC_BASE_URL is plain http: EHRs would send tokens and patient data unencrypted');
  const fhir = config.fhir.allowedBaseUrls.filter(isPlainRemote).length;
  if (fhir > 0)
    warnings.push(
      `FHIR_ALLOWED_BASE_URLS: ${fhir} FHIR server${fhir === 1 ? ' is' : 's are'} plain http: access tokens and records would travel unencrypted`,
    );
  const jwks = config.auth.issuers.filter((i) => i.jwksUrl !== undefined && isPlainRemote(i.jwksUrl)).length;
  if (jwks > 0)
    warnings.push(
      `CDS_TRUSTED_ISSUERS: ${jwks} JWKS URL${jwks === 1 ? ' is' : 's are'} plain http: the keys that admit EHRs could be forged in transit`,
    );
  return warnings;
}
