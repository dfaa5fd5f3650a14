/** The development token script, as a user runs it: a token on stdout, or one line saying what is wrong. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '../../scripts/dev-token.ts');

async function devToken(
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, '/cds-services'], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run dev-token', () => {
  it('prints a JWT with a usable data directory', async () => {
    const res = await devToken({ DATA_DIR: mkdtempSync(join(tmpdir(), 'dev-token-')) });
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it.each([
    ['an invalid setting', { PORT: 'abc' }, 2, /^dev-token: invalid configuration:\n {2}PORT: /],
    [
      'a damaged key file',
      (() => {
        const dir = mkdtempSync(join(tmpdir(), 'dev-token-'));
        mkdirSync(join(dir, 'dev-issuer'));
        writeFileSync(join(dir, 'dev-issuer', 'private.jwk.json'), 'not a key');
        return { DATA_DIR: dir };
      })(),
      1,
      /^dev-token: the development issuer's key .* is not a private EC key/,
    ],
  ])('says what is wrong with %s in a message, without a stack trace', async (_, env, code, message) => {
    const res = await devToken(env);
    expect(res.code).toBe(code);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
