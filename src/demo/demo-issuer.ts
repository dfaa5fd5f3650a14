/**
 * The demo page's signing key: an ES384 key pair made in memory when the service starts in demo mode, under an issuer
 * of its own, never written to disk. The page gets the private key (it plays the EHR); it dies with the process, so
 * it is never the development issuer's persisted key, which the demo does not hand out.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { TrustedIssuer } from '../security/jwt-verifier.ts';

export const DEMO_PAGE_ISSUER = 'urn:opioid-pain-cds:demo-page';

export interface DemoIssuer {
  readonly trusted: TrustedIssuer;
  readonly privateJwk: JWK;
}

export async function createDemoIssuer(): Promise<DemoIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
  const kid = `demo-${randomUUID()}`;
  const meta = { kid, alg: 'ES384', use: 'sig' };
  return {
    trusted: { iss: DEMO_PAGE_ISSUER, jwks: { keys: [{ ...(await exportJWK(publicKey)), ...meta }] } },
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
  };
}
