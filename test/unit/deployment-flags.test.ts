/**
 * The service runs with one set of Node flags wherever it is started for real - `npm start`, `npm run serve`, the
 * Docker image - and the hooks benchmark uses the same (bench/served-node-flags.ts): a 64 MB young generation
 * (docs/adr/0018). The flags must also mean something to the Node that runs them: an unknown V8 flag is refused,
 * a misspelt size would leave the default.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFlagsOf, servedNodeFlags } from '../../bench/served-node-flags.ts';

const ROOT = join(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** The Dockerfile's CMD - the last one, the one Docker runs - as the words of its JSON array. */
function dockerCommand(): string[] {
  const line = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .findLast((l) => l.startsWith('CMD '));
  if (line === undefined) throw new Error('the Dockerfile has no CMD');
  return JSON.parse(line.slice(4)) as string[];
}

describe('the Node flags the service is deployed with', () => {
  const served = servedNodeFlags(ROOT);

  it('set the young generation to 64 MB, in npm start, npm run serve and the image alike', () => {
    expect(served).toEqual(['--max-semi-space-size=64', '--min-semi-space-size=64']);
    expect(nodeFlagsOf(manifest.scripts.start!)).toEqual(served);
    const cmd = dockerCommand();
    expect(cmd[0]).toBe('node');
    expect(cmd.at(-1)).toBe('src/server.ts');
    expect(cmd.slice(1, -1)).toEqual(served);
  });

  // The Node that runs the tests (the project's own, package.json engines); the image's is the same major version.
  it('are taken by this Node: its new space is 64 MB from the start (1 MB without them)', () => {
    const probe =
      "const s = require('node:v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');" +
      'process.stdout.write(String(s.space_size / 2 ** 20))';
    const run = (flags: string[]): string => {
      const result = spawnSync(process.execPath, [...flags, '-e', probe], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return result.stdout;
    };
    expect(run(served)).toBe('64');
    expect(Number(run([]))).toBeLessThan(64);
  });

  it('refuses a script that does not start the service', () => {
    expect(() => nodeFlagsOf('vitest run')).toThrow(/not a script that runs src\/server\.ts/);
    expect(() => nodeFlagsOf('node src/cli/analyze.ts')).toThrow(/src\/server\.ts/);
  });
});
