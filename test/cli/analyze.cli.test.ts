/** The CLI runs as a user runs it: a child process on the project's Node, JSON on stdout, errors on stderr. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundle, every, medicationRequest, tab } from '../builders/fhir-builders.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../bin/analyze.js');
const dir = mkdtempSync(join(tmpdir(), 'analyze-cli-'));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function runWithEnv(env: Record<string, string>, ...args: string[]): Promise<{ stdout: string }> {
  return run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
}

const methadone = bundle(
  medicationRequest({
    id: 'meth',
    rxcui: '864706',
    authoredOn: '2026-01-10',
    dosages: [{ dose: tab(2), timing: every(1, 'd', 3) }],
  }),
);

describe('analyze CLI', () => {
  it('prints the analysis of a Bundle file as JSON', async () => {
    const { code, stdout } = await cli(file('b.json', JSON.stringify(methadone)), '--as-of', '2026-01-15');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ asOf: '2026-01-15', factorSet: 'cdc-2022', totalMme: 282 });
  });

  it('reads asOf and factorSet from a request file, as the API does', async () => {
    const { stdout } = await cli(
      file('req.json', JSON.stringify({ bundle: methadone, asOf: '2026-01-15', factorSet: 'cdc-2016' })),
    );
    expect(JSON.parse(stdout)).toMatchObject({ asOf: '2026-01-15', factorSet: 'cdc-2016', totalMme: 600 });
  });

  it('applies the API request rules to a file (unknown fields, entry not a list)', async () => {
    const unknown = await cli(file('u.json', JSON.stringify({ bundle: methadone, asof: '2026-01-15' })));
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown field\(s\): asof/) });
    const entry = await cli(file('e.json', JSON.stringify({ resourceType: 'Bundle', entry: {} })));
    expect(entry).toMatchObject({ code: 2, stderr: expect.stringMatching(/bundle.entry: must be an array/) });
  });

  it('uses DEFAULT_FACTOR_SET like the service', async () => {
    const { stdout } = await runWithEnv(
      { DEFAULT_FACTOR_SET: 'cdc-2016' },
      file('d.json', JSON.stringify(methadone)),
      '--as-of',
      '2026-01-15',
    );
    expect(JSON.parse(stdout)).toMatchObject({ factorSet: 'cdc-2016' });
  });

  it('accepts an API request file and --factor-set', async () => {
    const { stdout } = await cli(
      file('r.json', JSON.stringify({ bundle: methadone })),
      '--as-of',
      '2026-01-15',
      '--factor-set',
      'cdc-2016',
    );
    expect(JSON.parse(stdout)).toMatchObject({ factorSet: 'cdc-2016', totalMme: 600 });
  });

  it.each([
    [[], /expected exactly one bundle file/],
    [['/no/such/file.json'], /cannot read \/no\/such\/file.json: no such file/],
    [['--as-of', '2026-13-01', 'BUNDLE'], /--as-of \(or asOf\): must be a calendar date/],
    [['--factor-set', 'cdc-2019', 'BUNDLE'], /--factor-set \(or factorSet\): must be one of/],
    [['--bogus', 'x.json'], /Unknown option '--bogus'/],
  ])('exits 2 with a readable message for %j', async (args, message) => {
    const bundleFile = file('ok.json', JSON.stringify(methadone));
    const { code, stdout, stderr } = await cli(...args.map((a) => (a === 'BUNDLE' ? bundleFile : a)));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('exits 2 for a file that is not JSON or not a Bundle', async () => {
    expect((await cli(file('bad.json', '{oops'))).stderr).toMatch(/is not valid JSON/);
    expect((await cli(file('patient.json', '{"resourceType":"Patient"}'))).stderr).toMatch(
      /bundle: is required/,
    );
    expect((await cli(file('number.json', '42'))).stderr).toMatch(/neither a FHIR Bundle/);
  });
});
