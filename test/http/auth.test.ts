/**
 * EHR authentication (CDS Hooks 2.0 "Trusting CDS Clients"): a valid token is accepted; expired, not yet valid,
 * wrong audience, unknown issuer, jku off the allow-list, alg none, HS256 signed with the public key, tampered
 * payload, replayed jti, over-long lifetime, missing jti, and a header without kid or typ "JWT" are each refused
 * with a bare 401. The JWKS URL is fetched
 * with a timeout and cached; when it or the replay cache cannot answer, 503. A Redis replay cache is shared by two
 * instances.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { redisReplayCache } from '../../src/security/replay-cache.ts';
import { startStallingProxy } from '../fakes/stalling-proxy.ts';
import { build } from '../helpers/build-app.ts';

const BASE = 'http://127.0.0.1:8080';
const DISCOVERY = `${BASE}/cds-services`;
const ISS = 'https://ehr.example.org';

let privateKey: CryptoKey;
let publicJwk: JWK;
let rsaKey: CryptoKey;
let rsaJwk: JWK;
let jwksServer: Server;
let jwksUrl: string;
let jwksRequests = 0;

beforeAll(async () => {
  const ec = await generateKeyPair('ES384', { extractable: true });
  privateKey = ec.privateKey;
  publicJwk = { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES384' };
  const rsa = await generateKeyPair('RS384', { extractable: true });
  rsaKey = rsa.privateKey;
  rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS384' };
  jwksServer = createServer((req, res) => {
    jwksRequests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [rsaJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await new Promise((resolve) => jwksServer.close(resolve));
});

interface TokenSpec {
  iss?: string;
  aud?: string;
  iatOffset?: number;
  lifetime?: number;
  jti?: string | null;
  header?: Record<string, unknown>;
  key?: CryptoKey;
  alg?: string;
}

async function token(spec: TokenSpec = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000) + (spec.iatOffset ?? 0);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: spec.alg ?? 'ES384', typ: 'JWT', kid: 'ec-1', ...spec.header })
    .setIssuer(spec.iss ?? ISS)
    .setAudience(spec.aud ?? DISCOVERY)
    .setIssuedAt(now)
    .setExpirationTime(now + (spec.lifetime ?? 300));
  if (spec.jti !== null) jwt.setJti(spec.jti ?? randomUUID());
  return jwt.sign(spec.key ?? privateKey);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function app(extra: Record<string, string> = {}) {
  return build({
    CDS_AUTH: 'on',
    CDS_TRUSTED_ISSUERS: JSON.stringify([
      { iss: ISS, jwks: { keys: [publicJwk] } },
      { iss: 'https://rsa-ehr.example.org', jwksUrl },
    ]),
    ...extra,
  });
}

async function call(
  a: ReturnType<typeof app>,
  jwt: string | undefined,
  url = '/cds-services',
): Promise<{ status: number; body: string }> {
  const res = await a.inject({
    method: 'GET',
    url,
    headers: jwt === undefined ? {} : { authorization: `Bearer ${jwt}` },
  });
  return { status: res.statusCode, body: res.body };
}

describe('EHR authentication', () => {
  it('accepts a valid ES384 token from a configured issuer, on discovery too', async () => {
    const a = app();
    const res = await call(a, await token());
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toHaveProperty('services');
    // typ as the media type written in full (RFC 7515 4.1.9) is the same.
    expect((await call(a, await token({ header: { typ: 'application/jwt' } }))).status).toBe(200);
  });

  it('is on by default: without CDS_AUTH every CDS call needs a token; health does not', async () => {
    const a = buildApp({ config: loadConfig({}) });
    expect((await a.inject({ method: 'GET', url: '/cds-services' })).statusCode).toBe(401);
    expect((await a.inject({ method: 'POST', url: '/analysis', payload: {} })).statusCode).toBe(401);
    expect((await a.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await a.close();
  });

  it('protects every CDS and analysis route however its path is spelled (percent-encoded letters too)', async () => {
    const a = buildApp({ config: loadConfig({}) });
    for (const [method, url] of [
      ['GET', '/%63ds-services'],
      ['POST', '/%63ds-services/opioid-pain-patient-view'],
      ['POST', '/cd%73-services/opioid-pain-patient-view/feedback'],
      ['POST', '/cds-services/opioid-pain-patient-vie%77'],
      ['POST', '/%61nalysis'],
      ['POST', '/analysis?x=1'],
    ] as const) {
      const res = await a.inject({ method, url, payload: method === 'POST' ? {} : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
    await a.close();
  });

  it('is off only when CDS_AUTH=off', async () => {
    const a = build({ CDS_AUTH: 'off' });
    expect((await call(a, undefined)).status).toBe(200);
  });

  it.each<[string, () => Promise<string>]>([
    ['expired', () => token({ iatOffset: -1000 })],
    ['not yet valid (iat in the future beyond the skew)', () => token({ iatOffset: 600 })],
    ['wrong audience', () => token({ aud: `${BASE}/cds-services/other` })],
    ['unknown issuer', () => token({ iss: 'https://evil.example.org' })],
    ['a lifetime over 5 minutes', () => token({ lifetime: 3600 })],
    ['no jti', () => token({ jti: null })],
    [
      'alg none',
      () => {
        const now = Math.floor(Date.now() / 1000);
        return Promise.resolve(
          `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISS, aud: DISCOVERY, iat: now, exp: now + 60, jti: randomUUID() })}.`,
        );
      },
    ],
    [
      'HS256 signed with the public key as the secret',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'ec-1' })
          .setIssuer(ISS)
          .setAudience(DISCOVERY)
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
      },
    ],
    [
      'a tampered payload',
      async () => {
        const [h, , s] = (await token()).split('.');
        const now = Math.floor(Date.now() / 1000);
        return `${h!}.${b64({ iss: ISS, aud: DISCOVERY, iat: now, exp: now + 60, jti: randomUUID(), admin: true })}.${s!}`;
      },
    ],
    ['signed by another key', async () => token({ key: rsaKey, alg: 'RS384' })],
    // CDS Hooks 2.0: the header carries typ "JWT" and the kid (the one key of the issuer would verify either).
    ['a header without kid', async () => token({ header: { kid: undefined } })],
    ['a header without typ', async () => token({ header: { typ: undefined } })],
    ['an access token (typ at+jwt)', async () => token({ header: { typ: 'at+jwt' } })],
    ['not a JWT', () => Promise.resolve('abc.def')],
    ...(['null', '[]', '5', '"s"'] as const).map((claims): [string, () => Promise<string>] => [
      `claims that are ${claims}, not an object`,
      () =>
        Promise.resolve(
          `${b64({ alg: 'ES384', typ: 'JWT', kid: 'ec-1' })}.${Buffer.from(claims).toString('base64url')}.AAAA`,
        ),
    ]),
  ])('refuses %s with a bare 401', async (_name, make) => {
    const res = await call(app(), await make());
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'a valid Bearer token from a trusted issuer is required',
    });
  });

  it('refuses a missing token and a non-Bearer header', async () => {
    const a = app();
    expect((await call(a, undefined)).status).toBe(401);
    const basic = await a.inject({
      method: 'GET',
      url: '/cds-services',
      headers: { authorization: 'Basic eDp5' },
    });
    expect(basic.statusCode).toBe(401);
  });

  it('refuses a replayed jti', async () => {
    const a = app();
    const jwt = await token();
    expect((await call(a, jwt)).status).toBe(200);
    expect((await call(a, jwt)).status).toBe(401);
  });

  it('refuses a jku that is not the issuer’s JWKS URL, without fetching it', async () => {
    let fetched = 0;
    const rogue = createServer((_req, res) => {
      fetched++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => rogue.listen(0, '127.0.0.1', resolve));
    const rogueUrl = `http://127.0.0.1:${(rogue.address() as AddressInfo).port}/jwks.json`;
    try {
      const res = await call(app(), await token({ header: { jku: rogueUrl } }));
      expect(res.status).toBe(401);
      expect(fetched).toBe(0);
    } finally {
      await new Promise((resolve) => rogue.close(resolve));
    }
  });

  it('fetches an issuer’s JWKS URL (jku may name it) and caches the keys', async () => {
    const a = app();
    const before = jwksRequests;
    const rs = (extra: TokenSpec = {}) =>
      token({
        iss: 'https://rsa-ehr.example.org',
        key: rsaKey,
        alg: 'RS384',
        header: { kid: 'rsa-1' },
        ...extra,
      });
    expect((await call(a, await rs())).status).toBe(200);
    expect((await call(a, await rs({ header: { kid: 'rsa-1', jku: jwksUrl } }))).status).toBe(200);
    expect(jwksRequests - before).toBe(1);
  });

  it('answers 503 (retry), not 401, when an issuer’s JWKS URL cannot be reached; never accepts the token', async () => {
    const down = build({
      CDS_AUTH: 'on',
      CDS_TRUSTED_ISSUERS: JSON.stringify([
        { iss: 'https://rsa-ehr.example.org', jwksUrl: 'http://127.0.0.1:1/jwks.json' },
      ]),
    });
    const jwt = await token({
      iss: 'https://rsa-ehr.example.org',
      key: rsaKey,
      alg: 'RS384',
      header: { kid: 'rsa-1' },
    });
    const res = await down.inject({
      method: 'GET',
      url: '/cds-services',
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect([res.statusCode, res.headers['retry-after'], res.headers['www-authenticate']]).toEqual([
      503,
      '5',
      undefined,
    ]);
    // A token the keys would refuse anyway (another issuer) is still a plain 401.
    expect((await call(down, await token())).status).toBe(401);
  });

  it('answers 503 when the JWKS URL answers an error; a token jose cannot process is a 401, never an outage', async () => {
    const failing = createServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/jwks.json`;
    try {
      const a = build({
        CDS_AUTH: 'on',
        CDS_TRUSTED_ISSUERS: JSON.stringify([
          { iss: 'https://rsa-ehr.example.org', jwksUrl: url },
          { iss: ISS, jwks: { keys: [publicJwk] } },
        ]),
      });
      const rs = await token({
        iss: 'https://rsa-ehr.example.org',
        key: rsaKey,
        alg: 'RS384',
        header: { kid: 'rsa-1' },
      });
      expect((await call(a, rs)).status).toBe(503);
      // A header with a critical extension nobody supports, on a trusted issuer with a static key set.
      const [, payload] = (await token()).split('.');
      const crit = `${b64({ alg: 'ES384', typ: 'JWT', kid: 'ec-1', crit: ['x-ext'], 'x-ext': 1 })}.${payload!}.AAAA`;
      expect((await call(a, crit)).status).toBe(401);
    } finally {
      await new Promise((resolve) => failing.close(resolve));
    }
  });

  it('checks the audience against PUBLIC_BASE_URL behind a proxy', async () => {
    const a = app({ PUBLIC_BASE_URL: 'https://cds.example.org/base' });
    expect((await call(a, await token())).status).toBe(401);
    expect((await call(a, await token({ aud: 'https://cds.example.org/base/cds-services' }))).status).toBe(
      200,
    );
  });

  it('shares the replay cache between two instances through Redis', async () => {
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const clients = [new Redis(url, { lazyConnect: true }), new Redis(url, { lazyConnect: true })];
    try {
      await Promise.all(clients.map((c) => c.connect()));
    } catch (error) {
      throw new Error(
        `this test needs Redis at ${url} (set REDIS_URL, or start redis-server): ${String(error)}`,
        { cause: error },
      );
    }
    // One prefix for both instances: they share the cache, as two replicas behind a load balancer do.
    const prefix = `test:${randomUUID()}:`;
    const trusted = {
      CDS_AUTH: 'on',
      CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: ISS, jwks: { keys: [publicJwk] } }]),
    };
    const a = build(trusted, { replayCache: redisReplayCache(clients[0]!, prefix) });
    const b = build(trusted, { replayCache: redisReplayCache(clients[1]!, prefix) });
    try {
      const jwt = await token();
      expect((await call(a, jwt)).status).toBe(200);
      expect((await call(b, jwt)).status).toBe(401);
      expect((await call(b, await token())).status).toBe(200);
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });
});

const REDIS_PORT = Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379);

/** Waits until the app's /readyz answers 200 (its dependencies connected). */
async function untilReady(a: FastifyInstance): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await a.inject({ method: 'GET', url: '/readyz' })).statusCode === 200) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('/readyz did not answer 200 within 2 s');
}

describe('REDIS_URL', () => {
  it('makes two instances share the replay cache (closing them closes their connections)', async () => {
    const env = {
      CDS_AUTH: 'on',
      CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: ISS, jwks: { keys: [publicJwk] } }]),
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    };
    const a = buildApp({ config: loadConfig(env) });
    const b = buildApp({ config: loadConfig(env) });
    try {
      // Tokens are checked once Redis is connected (before, they get 503): as a load balancer does, wait for /readyz.
      await Promise.all([untilReady(a), untilReady(b)]);
      const jwt = await token();
      expect((await call(a, jwt)).status).toBe(200);
      expect((await call(b, jwt)).status).toBe(401);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('replay cache unavailable', () => {
  const withRedisAt = (url: string) =>
    buildApp({
      config: loadConfig({
        CDS_AUTH: 'on',
        CDS_TRUSTED_ISSUERS: JSON.stringify([{ iss: ISS, jwks: { keys: [publicJwk] } }]),
        REDIS_URL: url,
      }),
    });
  /** A call with a fresh token: its status, Retry-After and how long it took. */
  const timedCall = async (a: FastifyInstance) => {
    const authorization = `Bearer ${await token()}`;
    const started = Date.now();
    const res = await a.inject({ method: 'GET', url: '/cds-services', headers: { authorization } });
    return { status: res.statusCode, retryAfter: res.headers['retry-after'], ms: Date.now() - started, res };
  };

  it('refuses tokens at once when Redis cannot be reached (fail closed), without crashing', async () => {
    const a = withRedisAt('redis://127.0.0.1:1');
    try {
      // Not the token's fault: 503, so that the EHR may retry, and still never accepted.
      const { status, retryAfter, ms, res } = await timedCall(a);
      expect([status, retryAfter]).toEqual([503, '5']);
      expect(res.json()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'the token could not be checked now; retry shortly',
      });
      expect(ms).toBeLessThan(1_000);
      expect((await a.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    } finally {
      await a.close();
    }
  });

  it('answers 503 within the command timeout when Redis stalls, and /readyz says so', async () => {
    const proxy = await startStallingProxy(REDIS_PORT);
    const a = withRedisAt(`redis://127.0.0.1:${proxy.port}`);
    try {
      await untilReady(a);
      expect((await timedCall(a)).status).toBe(200);
      proxy.stall();
      const stalled = await timedCall(a);
      expect([stalled.status, stalled.retryAfter]).toEqual([503, '5']);
      expect(stalled.ms).toBeLessThan(3_000);
      const ready = await a.inject({ method: 'GET', url: '/readyz' });
      expect([ready.statusCode, ready.json()]).toEqual([
        503,
        { status: 'not ready', store: 'none', replayCache: 'redis', unavailable: ['replayCache'] },
      ]);
    } finally {
      await a.close();
      await proxy.close();
    }
  }, 15_000);

  it('answers 503 at once when Redis accepts the connection but never answers', async () => {
    const proxy = await startStallingProxy(REDIS_PORT);
    proxy.stall();
    const a = withRedisAt(`redis://127.0.0.1:${proxy.port}`);
    try {
      const { status, retryAfter, ms } = await timedCall(a);
      expect([status, retryAfter]).toEqual([503, '5']);
      expect(ms).toBeLessThan(3_000);
    } finally {
      await a.close();
      await proxy.close();
    }
  }, 15_000);
});

describe('CORS', () => {
  const a = () => app({ CORS_ALLOWED_ORIGINS: 'https://sandbox.cds-hooks.org' });

  it('answers a preflight from an allowed origin without a token', async () => {
    const res = await a().inject({
      method: 'OPTIONS',
      url: '/cds-services/opioid-pain-patient-view',
      headers: {
        origin: 'https://sandbox.cds-hooks.org',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://sandbox.cds-hooks.org');
    expect(String(res.headers['access-control-allow-headers'])).toMatch(/authorization/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives no CORS headers to another origin, and never *', async () => {
    const res = await a().inject({
      method: 'GET',
      url: '/cds-services',
      headers: { origin: 'https://evil.example.org', authorization: `Bearer ${await token()}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await a().inject({
      method: 'GET',
      url: '/cds-services',
      headers: { origin: 'https://sandbox.cds-hooks.org', authorization: `Bearer ${await token()}` },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://sandbox.cds-hooks.org');
    // A browser client may read when to retry and why its token was refused.
    expect(String(allowed.headers['access-control-expose-headers'])).toBe(
      'retry-after, www-authenticate, x-request-id',
    );
  });

  it('lets no cache keep an answer: cards carry patient data', async () => {
    const refused = await a().inject({
      method: 'POST',
      url: '/cds-services/opioid-pain-patient-view',
      payload: {},
    });
    const discovery = await a().inject({
      method: 'GET',
      url: '/cds-services',
      headers: { authorization: `Bearer ${await token()}` },
    });
    expect([refused.statusCode, discovery.statusCode]).toEqual([401, 200]);
    for (const res of [refused, discovery]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('the development issuer', () => {
  it('is refused with NODE_ENV=production, as the demo is', () => {
    expect(() => loadConfig({ CDS_DEV_ISSUER: 'on', NODE_ENV: 'production' })).toThrow(
      /CDS_DEV_ISSUER: .* refused with NODE_ENV=production/,
    );
  });

  it('says at start that its key is trusted', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const a = buildApp({
      config: loadConfig({ CDS_DEV_ISSUER: 'on', DATA_DIR: mkdtempSync(join(tmpdir(), 'cds-dev-')) }),
      logger: pino({ level: 'info' }, sink),
    });
    await a.ready();
    await a.close();
    expect(lines.join('')).toMatch(/CDS_DEV_ISSUER=on: tokens signed with the development key .* trusted/);
  });

  it.each([
    ['empty', ''],
    ['damaged', '{"kty":"EC","crv":"P-3'],
    ['a public key', '{"kty":"EC","crv":"P-384","x":"a","y":"b"}'],
  ])('a key file that is %s fails the start with a message, not the process', async (_, text) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cds-dev-'));
    mkdirSync(join(dataDir, 'dev-issuer'));
    writeFileSync(join(dataDir, 'dev-issuer', 'private.jwk.json'), text);
    const a = buildApp({ config: loadConfig({ CDS_DEV_ISSUER: 'on', DATA_DIR: dataDir }) });
    await expect(a.ready()).rejects.toThrow(/development issuer's key .* delete it to make a new one/);
    await a.close().catch(() => undefined);
  });
});
