/**
 * The browser modules the service serves (web.route.ts finds them by scanning the pages' imports) are exactly the
 * modules the pages load, as the TypeScript compiler reads their imports: none missing (the page would break), none
 * extra (nothing else under src/ is served), and none a package (a browser cannot resolve a bare specifier).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRY_MODULES, moduleClosure } from '../../src/http/routes/web.route.ts';
import { importsIn } from '../helpers/module-imports.ts';

const SRC = resolve(import.meta.dirname, '../../src');

function compilerClosure(entries: readonly string[]): { modules: string[]; packages: string[] } {
  const seen = new Set<string>();
  const packages: string[] = [];
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    if (!path.endsWith('.ts')) return;
    for (const spec of importsIn(readFileSync(join(SRC, path), 'utf8'))) {
      if (spec.startsWith('./') || spec.startsWith('../')) visit(normalize(join(dirname(path), spec)));
      else packages.push(`${path}: ${spec}`);
    }
  };
  for (const e of entries) visit(e);
  return { modules: [...seen].sort(), packages };
}

describe('the browser modules served', () => {
  const compiler = compilerClosure(ENTRY_MODULES);

  it('are the modules the pages import, transitively, and their data', () => {
    expect(compiler.modules.length).toBeGreaterThan(30);
    expect(compiler.modules).toEqual(expect.arrayContaining(['web/trend/trend.ts', 'domain/time/day.ts']));
    expect(moduleClosure(ENTRY_MODULES)).toEqual(compiler.modules);
  });

  it('import no package', () => {
    expect(compiler.packages).toEqual([]);
  });
});
