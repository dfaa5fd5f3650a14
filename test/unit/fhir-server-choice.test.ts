/**
 * The integration set-up never skips silently: with no FHIR_BASE_URL, no Docker engine and no Java or Maven, it
 * fails with a message that says how to get a FHIR server.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

describe('integration FHIR server choice', () => {
  it('with none available, fails and says how to get one', () => {
    const script =
      "import('./test/integration/setup/fhir-server.ts').then(m => m.startFhirServer()).then(" +
      '() => process.exit(0), (e) => { process.stderr.write(e.message); process.exit(3); })';
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { PATH: '/nonexistent', FHIR_TEST_NO_DOCKER: '1', HOME: process.env.HOME ?? '/tmp' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/need a FHIR R4 server/);
    expect(result.stderr).toMatch(/FHIR_BASE_URL/);
    expect(result.stderr).toMatch(/Docker/);
    expect(result.stderr).toMatch(/Java 17\+ and Maven/);
  });
});
