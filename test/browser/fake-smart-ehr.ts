/**
 * A stand-in for an EHR's SMART on FHIR endpoints, for the trend app's launch tests: SMART configuration, an
 * authorization endpoint that approves at once (checking client, redirect, audience, scopes, launch and PKCE S256),
 * a token endpoint that checks the code verifier, and a FHIR endpoint that requires the access token and answers
 * from the demo's FHIR store. It records what it saw, so that the tests can check the app's side of the protocol.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEhr {
  readonly origin: string;
  readonly fhirBase: string;
  /** The FHIR store requests are answered from (set once the demo server runs). */
  target: string;
  /** The app's registered redirect URI: an authorization request must name exactly this one. */
  redirectUri: string;
  readonly seen: {
    authorize: URLSearchParams[];
    /** The codes the authorization endpoint issued, in order. */
    codes: string[];
    token: URLSearchParams[];
    fhirWithToken: number;
    fhirWithoutToken: number;
  };
  close(): void;
}

const base64url = (buffer: Buffer): string => buffer.toString('base64url');

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      resolve(text);
    });
  });
}

export async function startFakeEhr(options: {
  clientId: string;
  launch: string;
  patient: string;
}): Promise<FakeEhr> {
  const codes = new Map<string, { challenge: string; redirect: string }>();
  const tokens = new Set<string>();
  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'authorization, accept, content-type',
  };
  const ehr: FakeEhr = {
    origin: '',
    fhirBase: '',
    target: '',
    redirectUri: '',
    seen: { authorize: [], codes: [], token: [], fhirWithToken: 0, fhirWithoutToken: 0 },
    close: () => server.close(),
  };
  const send = (
    response: ServerResponse,
    status: number,
    json: unknown,
    headers: Record<string, string> = {},
  ): void => {
    response.writeHead(status, { 'content-type': 'application/json', ...cors, ...headers });
    response.end(JSON.stringify(json));
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', ehr.origin);
      if (request.method === 'OPTIONS') {
        response.writeHead(204, cors);
        response.end();
      } else if (url.pathname === '/fhir/.well-known/smart-configuration') {
        send(response, 200, {
          authorization_endpoint: `${ehr.origin}/authorize`,
          token_endpoint: `${ehr.origin}/token`,
          capabilities: [
            'launch-ehr',
            'launch-standalone',
            'client-public',
            'context-ehr-patient',
            'permission-v2',
          ],
          code_challenge_methods_supported: ['S256'],
        });
      } else if (url.pathname === '/authorize') {
        const q = url.searchParams;
        ehr.seen.authorize.push(q);
        const scopes = (q.get('scope') ?? '').split(' ');
        const ehrLaunch = q.get('launch') === options.launch && scopes.includes('launch');
        const standalone = !q.has('launch') && scopes.includes('launch/patient');
        const redirect = q.get('redirect_uri') ?? '';
        if (
          q.get('response_type') !== 'code' ||
          q.get('client_id') !== options.clientId ||
          q.get('aud') !== ehr.fhirBase ||
          q.get('code_challenge_method') !== 'S256' ||
          !q.get('code_challenge') ||
          !(ehrLaunch || standalone) ||
          redirect !== ehr.redirectUri
        ) {
          send(response, 400, { error: 'invalid_request' });
          return;
        }
        const code = randomUUID();
        codes.set(code, { challenge: q.get('code_challenge') ?? '', redirect });
        ehr.seen.codes.push(code);
        const back = new URL(redirect);
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state') ?? '');
        response.writeHead(302, { location: back.href });
        response.end();
      } else if (url.pathname === '/token' && request.method === 'POST') {
        const form = new URLSearchParams(await body(request));
        ehr.seen.token.push(form);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (
          !grant ||
          form.get('grant_type') !== 'authorization_code' ||
          form.get('client_id') !== options.clientId ||
          form.get('redirect_uri') !== grant.redirect ||
          base64url(createHash('sha256').update(verifier).digest()) !== grant.challenge
        ) {
          send(response, 400, { error: 'invalid_grant' });
          return;
        }
        const token = randomUUID();
        tokens.add(token);
        send(response, 200, {
          access_token: token,
          token_type: 'Bearer',
          expires_in: 300,
          scope: 'launch patient/*.rs',
          patient: options.patient,
        });
      } else if (url.pathname.startsWith('/fhir/')) {
        const auth = request.headers.authorization ?? '';
        if (!tokens.has(auth.replace(/^Bearer /, ''))) {
          ehr.seen.fhirWithoutToken++;
          send(response, 401, {
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'login' }],
          });
          return;
        }
        ehr.seen.fhirWithToken++;
        const upstream = await fetch(`${ehr.target}${url.pathname.slice('/fhir'.length)}${url.search}`);
        // Links and full URLs name this server, as the EHR's FHIR server would.
        const text = (await upstream.text()).split(ehr.target).join(ehr.fhirBase);
        response.writeHead(upstream.status, { 'content-type': 'application/fhir+json', ...cors });
        response.end(text);
      } else send(response, 404, { error: 'not found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(ehr, { origin, fhirBase: `${origin}/fhir` });
  return ehr;
}
