/**
 * Which allow-listed FHIR base URL a caller's URL names (the service's `fhirServer`, the trend app's `iss`), compared
 * as URLs: scheme and host whatever their case, the port (a default port as none), the path exactly but for a
 * trailing slash; a URL with user info, a query or a fragment names none. The allow-listed string is what gets
 * called, never the caller's. One comparison for the hooks' FHIR calls and the trend app's launches; and whether
 * a URL the server returned lies under a base (`underBase`), for the links both follow. Pure: the browser shares it.
 */
import { trimTrailing } from '../domain/text.ts';

function key(text: string): string | undefined {
  try {
    const u = new URL(text.trim());
    if (u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '') return undefined;
    return `${u.protocol}//${u.host}${trimTrailing(u.pathname, '/')}`;
  } catch {
    return undefined;
  }
}

export function allowedBase(url: string | undefined, allowed: readonly string[]): string | undefined {
  if (url === undefined) return undefined;
  const wanted = key(url);
  return wanted === undefined ? undefined : allowed.find((a) => key(a) === wanted);
}

/**
 * Whether `url` lies under `base` after URL normalisation (scheme, host, port, dot segments): "http://a/fhir/../x",
 * "http://a/fhirx" and userinfo tricks are not under "http://a/fhir".
 */
export function underBase(url: string, base: string): boolean {
  let u: URL;
  let b: URL;
  try {
    u = new URL(url);
    b = new URL(base);
  } catch {
    return false;
  }
  if (u.username !== '' || u.password !== '') return false;
  if (u.protocol !== b.protocol || u.host !== b.host) return false;
  const basePath = trimTrailing(b.pathname, '/');
  return (
    u.pathname === basePath ||
    u.pathname.startsWith(`${basePath}/`) ||
    (basePath === '' && u.pathname === '/')
  );
}

/**
 * Whether an absolute reference names the FHIR server `base`, however the server spells itself: the same host and
 * base path, whatever the scheme and port (a server behind a TLS proxy often writes http://, or its internal port).
 */
export function onSameServer(reference: string, base: string): boolean {
  try {
    const r = new URL(reference);
    const b = new URL(base);
    return r.hostname === b.hostname && underBase(`${b.protocol}//${b.host}${r.pathname}`, base);
  } catch {
    return false;
  }
}

/** Whether `reference` is an absolute http(s) URL on another server than `base` (a relative one names none). */
export function onAnotherServer(reference: string, base: string): boolean {
  return /^https?:\/\//i.test(reference) && !onSameServer(reference, base);
}
