/**
 * SMART App Launch (v2) for the trend app as a public client with PKCE (S256): an EHR launch (`iss` and `launch` in
 * the URL), a standalone launch (`iss` only: the authorization server asks for the patient), and the redirect back
 * (`code` and `state`), which trades the code for an access token and the patient in context. The pending launch
 * lives in sessionStorage, keyed by `state`, and is used once.
 */
import { base64url } from '../shared/browser-util.ts';

type Json = Record<string, unknown>;

export interface SmartContext {
  readonly fhirBaseUrl: string;
  readonly accessToken: string;
  readonly patientId: string;
}

interface PendingLaunch {
  readonly iss: string;
  readonly verifier: string;
  readonly tokenEndpoint: string;
  readonly redirectUri: string;
  readonly clientId: string;
}

const SCOPES = [
  'openid',
  'fhirUser',
  'patient/Patient.rs',
  'patient/MedicationRequest.rs',
  'patient/Medication.rs',
  'patient/Observation.rs',
  'patient/Condition.rs',
  'patient/ServiceRequest.rs',
];
const STORAGE_PREFIX = 'opioid-pain-cds.smart.';

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

async function smartConfiguration(iss: string): Promise<{ authorize: string; token: string }> {
  const response = await fetch(`${iss.replace(/\/+$/, '')}/.well-known/smart-configuration`, {
    headers: { accept: 'application/json' },
  });
  if (!response.ok)
    throw new Error(`the FHIR server's SMART configuration could not be read (HTTP ${response.status})`);
  const body = (await response.json()) as Json;
  const authorize = body.authorization_endpoint;
  const token = body.token_endpoint;
  if (typeof authorize !== 'string' || typeof token !== 'string')
    throw new Error('the SMART configuration names no authorization or token endpoint');
  return { authorize, token };
}

/** The redirect URI: this page, without its query. */
function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

/** Starts a launch: EHR launch when `launch` is given, standalone otherwise. Navigates away. */
export async function beginLaunch(iss: string, launch: string | null, clientId: string): Promise<void> {
  const endpoints = await smartConfiguration(iss);
  const state = randomString(16);
  const verifier = randomString();
  const pending: PendingLaunch = {
    iss,
    verifier,
    tokenEndpoint: endpoints.token,
    redirectUri: redirectUri(),
    clientId,
  };
  sessionStorage.setItem(STORAGE_PREFIX + state, JSON.stringify(pending));
  const url = new URL(endpoints.authorize);
  const params = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: pending.redirectUri,
    scope: [launch ? 'launch' : 'launch/patient', ...SCOPES].join(' '),
    state,
    aud: iss,
    code_challenge: await challenge(verifier),
    code_challenge_method: 'S256',
    ...(launch ? { launch } : {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  location.assign(url.href);
}

/** Completes a launch on the redirect back: the access token and the patient in context. */
export async function completeLaunch(code: string, state: string): Promise<SmartContext> {
  const key = STORAGE_PREFIX + state;
  const stored = sessionStorage.getItem(key);
  sessionStorage.removeItem(key);
  if (!stored) throw new Error('this authorization response does not match a launch started here (state)');
  const pending = JSON.parse(stored) as PendingLaunch;
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: pending.redirectUri,
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }).toString(),
  });
  if (!response.ok) throw new Error(`the authorization server refused the code (HTTP ${response.status})`);
  const token = (await response.json()) as Json;
  if (typeof token.access_token !== 'string') throw new Error('the token response holds no access token');
  if (typeof token.patient !== 'string') throw new Error('the token response names no patient in context');
  // The code and state must not stay in the address bar (or in history).
  history.replaceState(null, '', redirectUri());
  return { fhirBaseUrl: pending.iss, accessToken: token.access_token, patientId: token.patient };
}
