/**
 * Outbound safety: fhirServer comes from the caller, so only allow-listed FHIR servers are ever contacted. Other
 * spellings of a loopback address, user-info and dot-segment tricks cause no request at all; a redirect from an
 * allowed server is not followed; an oversized response is cut off. Each case counts the requests that reached
 * real listening servers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../helpers/build-app.ts';
import { hookRequest } from '../helpers/hooks.ts';

interface Counting {
  server: Server;
  port: number;
  paths: string[];
  respond: (path: string) => { status: number; headers?: Record<string, string>; body: string };
}

async function counting(respond: Counting['respond']): Promise<Counting> {
  const state = { paths: [] as string[], respond } as Counting;
  state.server = createServer((req, res) => {
    state.paths.push(req.url ?? '');
    const r = state.respond(req.url ?? '');
    res.writeHead(r.status, { 'content-type': 'application/fhir+json', ...r.headers }).end(r.body);
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.port = (state.server.address() as AddressInfo).port;
  return state;
}

const emptyBundle = JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [] });
let ehr: Counting;
let internal: Counting;

beforeAll(async () => {
  ehr = await counting(() => ({ status: 200, body: emptyBundle }));
  internal = await counting(() => ({ status: 200, body: emptyBundle }));
});
afterAll(async () => {
  await Promise.all([ehr, internal].map((s) => new Promise((r) => s.server.close(r))));
});

const allowed = (): string => `http://localhost:${ehr.port}/fhir`;

async function hook(
  fhirServer: string,
  env: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const app = build({ FHIR_ALLOWED_BASE_URLS: allowed(), FHIR_DEADLINE_MS: '3000', ...env });
  const res = await app.inject({
    method: 'POST',
    url: '/cds-services/opioid-pain-patient-view',
    payload: hookRequest('patient-view', 'p1', { fhirServer }),
  });
  return { status: res.statusCode, body: res.body };
}

describe('outbound safety', () => {
  it.each([
    ['the same server by IP instead of the allow-listed name', () => `http://127.0.0.1:${ehr.port}/fhir`],
    ['a decimal IPv4 address', () => `http://2130706433:${ehr.port}/fhir`],
    ['a hexadecimal IPv4 address', () => `http://0x7f.0.0.1:${ehr.port}/fhir`],
    ['user info before another host', () => `http://localhost:${ehr.port}@127.0.0.1:${internal.port}/fhir`],
    ['user info with the allowed host', () => `http://user@localhost:${ehr.port}/fhir`],
    ['dot segments leaving the base path', () => `http://localhost:${ehr.port}/fhir/../admin`],
    ['a longer path sharing the prefix', () => `http://localhost:${ehr.port}/fhirx`],
    ['another internal port', () => `http://localhost:${internal.port}/fhir`],
  ])('%s: no request at all, and 412', async (_name, url) => {
    const before = ehr.paths.length + internal.paths.length;
    const res = await hook(url());
    expect(res.status).toBe(412);
    expect(ehr.paths.length + internal.paths.length).toBe(before);
  });

  it('accepts the allow-listed server however its URL is cased or slashed', async () => {
    const before = ehr.paths.length;
    const res = await hook(`HTTP://LOCALHOST:${ehr.port}/fhir/`);
    expect(res.status).toBe(200);
    expect(ehr.paths.length).toBeGreaterThan(before);
  });

  it('does not follow a redirect from an allowed server', async () => {
    ehr.respond = () => ({
      status: 302,
      headers: { location: `http://127.0.0.1:${internal.port}/secrets` },
      body: '',
    });
    try {
      const before = internal.paths.length;
      const res = await hook(allowed());
      expect(res.status).toBe(412);
      expect(res.body).toMatch(/redirect/);
      expect(internal.paths.length).toBe(before);
    } finally {
      ehr.respond = () => ({ status: 200, body: emptyBundle });
    }
  });

  it('cuts off a response larger than FHIR_MAX_RESPONSE_BYTES', async () => {
    const big = JSON.stringify({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [],
      pad: 'x'.repeat(200_000),
    });
    ehr.respond = () => ({ status: 200, body: big });
    try {
      const res = await hook(allowed(), { FHIR_MAX_RESPONSE_BYTES: String(64 * 1024) });
      expect(res.status).toBe(412);
      expect(res.body).toMatch(/larger than allowed/);
    } finally {
      ehr.respond = () => ({ status: 200, body: emptyBundle });
    }
  });
});
