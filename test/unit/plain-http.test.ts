/** Start-up warnings for configured URLs that would carry tokens or patient data unencrypted. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { plainHttpWarnings } from '../../src/config/plain-http.ts';

describe('plainHttpWarnings', () => {
  it('names each setting with plain http to another machine, never the URL itself', () => {
    const warnings = plainHttpWarnings(
      loadConfig({
        PUBLIC_BASE_URL: 'http://cds.example.org',
        FHIR_ALLOWED_BASE_URLS:
          'http://ehr.example.org/fhir,https://ehr2.example.org/fhir,http://10.0.0.5/fhir',
        CDS_TRUSTED_ISSUERS: JSON.stringify([
          { iss: 'https://ehr.example.org', jwksUrl: 'http://ehr.example.org/jwks' },
        ]),
      }),
    );
    expect(warnings).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL is plain http/),
      expect.stringMatching(/^FHIR_ALLOWED_BASE_URLS: 2 FHIR servers are plain http/),
      expect.stringMatching(/^CDS_TRUSTED_ISSUERS: 1 JWKS URL is plain http/),
    ]);
    expect(warnings.join(' ')).not.toMatch(/example\.org|10\.0\.0\.5/);
  });

  it('says nothing for https, or for this machine (development, a proxy on the same host)', () => {
    expect(
      plainHttpWarnings(
        loadConfig({
          PUBLIC_BASE_URL: 'https://cds.example.org',
          FHIR_ALLOWED_BASE_URLS:
            'https://ehr.example.org/fhir,http://127.0.0.1:8080/fhir,http://localhost:9/fhir',
        }),
      ),
    ).toEqual([]);
    expect(plainHttpWarnings(loadConfig({}))).toEqual([]);
  });

  it('says when the service listens for other machines but PUBLIC_BASE_URL is left to its loopback default', () => {
    expect(plainHttpWarnings(loadConfig({ HOST: '0.0.0.0' }))).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL is not set while HOST lets other machines in: .* get 401/),
    ]);
    expect(
      plainHttpWarnings(loadConfig({ HOST: '0.0.0.0', PUBLIC_BASE_URL: 'https://cds.example.org' })),
    ).toEqual([]);
    expect(plainHttpWarnings(loadConfig({ HOST: '127.0.0.1' }))).toEqual([]);
  });
});
