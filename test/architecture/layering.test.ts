/**
 * The architecture, checked: the clinical core (src/domain) imports nothing but itself and its data - no framework,
 * no Node built-ins, no FHIR access, no clock - and no module in src/ is part of an import cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsIn } from '../helpers/module-imports.ts';

const SRC = resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const importsOf = (file: string): string[] => importsIn(readFileSync(file, 'utf8'));

const all = files(SRC);
const domain = all.filter((f) => f.startsWith(join(SRC, 'domain')));

describe('architecture', () => {
  it('finds the source files', () => {
    expect(domain.length).toBeGreaterThan(10);
  });

  it.each(domain.map((f) => [relative(SRC, f), f]))('%s imports only the clinical core', (_, file) => {
    for (const spec of importsOf(file)) {
      expect(spec, `${spec} in ${file}`).toMatch(/^\.\.?\//);
      const target = resolve(dirname(file), spec);
      expect(target.startsWith(join(SRC, 'domain')), `${spec} leaves src/domain`).toBe(true);
    }
  });

  it.each(domain.map((f) => [relative(SRC, f), f]))(
    '%s reads no clock, environment or console',
    (_, file) => {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code).not.toMatch(/\bDate\.now\(|new Date\(\)|\bprocess\.|\bconsole\.|\bfetch\(/);
    },
  );

  it('has no import cycles in src/', () => {
    const graph = new Map(
      all.map((f) => [
        f,
        importsOf(f)
          .filter((s) => s.startsWith('.'))
          .map((s) => resolve(dirname(f), s)),
      ]),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(node)), node].map((p) => relative(SRC, p)).join(' -> '));
        return;
      }
      state.set(node, 'visiting');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});
