/**
 * Signs the JWT an EHR sends with every CDS Hooks call (CDS Hooks 2.0 security): ES384 over the header and claims,
 * `aud` the URL called, five minutes, a fresh `jti`. WebCrypto's ECDSA signature (r || s) is already the JWS form.
 */
import { base64url } from './browser-util.ts';

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

export interface SigningKey {
  readonly issuer: string;
  readonly kid: string;
  readonly key: CryptoKey;
}

export async function importSigningKey(
  issuer: string,
  jwk: JsonWebKey & { kid?: string },
): Promise<SigningKey> {
  const key = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-384' }, false, [
    'sign',
  ]);
  return { issuer, kid: jwk.kid ?? 'dev', key };
}

export async function ehrToken(signing: SigningKey, audience: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(utf8(JSON.stringify({ alg: 'ES384', typ: 'JWT', kid: signing.kid })));
  const claims = base64url(
    utf8(
      JSON.stringify({
        iss: signing.issuer,
        aud: audience,
        iat: now,
        exp: now + 300,
        jti: crypto.randomUUID(),
      }),
    ),
  );
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-384' },
    signing.key,
    utf8(`${header}.${claims}`),
  );
  return `${header}.${claims}.${base64url(new Uint8Array(signature))}`;
}
