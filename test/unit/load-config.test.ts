/** The environment as an integration engineer writes it: empty variables are unset, IPv6 hosts make valid URLs. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';

describe('loadConfig', () => {
  it('reads a variable set to nothing as unset: its default, not 0', () => {
    const config = loadConfig({ PORT: '', CDS_AUTH_CLOCK_SKEW_S: ' ', FHIR_DEADLINE_MS: '' });
    expect(config.port).toBe(8080);
    expect(config.publicBaseUrl).toBe('http://127.0.0.1:8080');
  });

  it.each([
    ['::1', 'http://[::1]:8080'],
    ['::', 'http://[::1]:8080'],
    ['0.0.0.0', 'http://127.0.0.1:8080'],
  ])('derives a valid public URL from HOST %s', (host, url) => {
    const config = loadConfig({ HOST: host });
    expect(config.publicBaseUrl).toBe(url);
    expect(new URL(config.publicBaseUrl).origin).toBe(url);
  });
});
