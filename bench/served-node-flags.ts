/**
 * The Node flags the service is deployed with: those of `npm run serve` in package.json, its 64 MB young generation
 * (docs/adr/0018). The Dockerfile's CMD carries the same (test/unit/deployment-flags.test.ts); the hooks benchmark
 * runs both of its servers with them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The words between `node` and the entry point of a script that runs src/server.ts. */
export function nodeFlagsOf(script: string): string[] {
  const words = script.split(/\s+/).filter(Boolean);
  const entry = words.indexOf('src/server.ts');
  if (words[0] !== 'node' || entry < 0) throw new Error(`not a script that runs src/server.ts: ${script}`);
  return words.slice(1, entry);
}

export function servedNodeFlags(root: string): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const serve = manifest.scripts?.serve;
  if (serve === undefined) throw new Error('package.json has no serve script');
  return nodeFlagsOf(serve);
}
