/** This machine's host names: the demo listens only on them, and plain http to them stays on the machine. */
const LOOPBACK: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1']);

/** Whether a host name (as HOST gives it, or a URL's, whose IPv6 address is bracketed) is this machine's. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host.replace(/^\[(.*)\]$/, '$1'));
}
