/**
 * A development issuer for local use and demos: an ES384 key pair kept under DATA_DIR/dev-issuer (created on first
 * use, private key readable by its owner only). The service trusts it only with CDS_DEV_ISSUER=on;
 * scripts/dev-token.ts signs tokens with it. Never a production trust anchor.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { TrustedIssuer } from './jwt-verifier.ts';

export const DEV_ISSUER = 'urn:opioid-pain-cds:dev-issuer';

interface DevKeys {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

/** The public half of an EC private JWK: everything but `d`. */
function publicPart(jwk: JWK): JWK {
  const copy = { ...jwk };
  delete copy.d;
  return copy;
}

async function loadOrCreate(dataDir: string): Promise<DevKeys> {
  const dir = join(dataDir, 'dev-issuer');
  const file = join(dir, 'private.jwk.json');
  if (existsSync(file)) {
    let privateJwk: JWK | undefined;
    try {
      const read = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      const jwk = typeof read === 'object' && read !== null ? (read as JWK) : undefined;
      if (jwk?.kty === 'EC' && jwk.d) privateJwk = jwk;
    } catch {
      privateJwk = undefined;
    }
    if (!privateJwk)
      throw new Error(
        `the development issuer's key ${file} is not a private EC key (empty or damaged); delete it to make a new one`,
      );
    return { privateJwk, publicJwk: publicPart(privateJwk) };
  }
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
  const kid = `dev-${randomUUID()}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES384', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Written whole under another name, then linked in place: a full disk leaves no empty key behind, and when two
  // processes (or the service and the token script) create it at once, the first link wins.
  const written = join(dir, `.private.jwk.json.${process.pid}.${randomUUID()}`);
  try {
    writeFileSync(written, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600, flag: 'wx' });
    linkSync(written, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return await loadOrCreate(dataDir);
    throw error;
  } finally {
    rmSync(written, { force: true });
  }
  return { privateJwk, publicJwk };
}

export async function devIssuer(dataDir: string): Promise<TrustedIssuer> {
  const { publicJwk } = await loadOrCreate(dataDir);
  return { iss: DEV_ISSUER, jwks: { keys: [publicJwk] } };
}

/** A token as an EHR would send it: ES384, typ JWT, aud = the URL called, 5 minutes, a fresh jti. */
export async function devToken(dataDir: string, audience: string, lifetimeSeconds = 300): Promise<string> {
  const { privateJwk } = await loadOrCreate(dataDir);
  const key = await importJWK(privateJwk, 'ES384');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: privateJwk.kid ?? 'dev' })
    .setIssuer(DEV_ISSUER)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .setJti(randomUUID())
    .sign(key);
}
