/**
 * Benchmark: analysis of synthetic Epic-style histories of 10, 100 and 1,000 orders, median time per patient,
 * against the floor every request pays in the same run: JSON.parse of the same Bundle text.
 * Target (issue contract): analysis <= parse at 100 and 1,000 orders; growth no worse than linear.
 * Run: npm run bench. Results: printed, and written to bench/results/analysis.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analysisReport } from '../src/analysis/analysis-report.ts';
import { analyzeBundle } from '../src/analysis/analyze-bundle.ts';
import { parseIsoDate } from '../src/domain/time/day.ts';
import type { Json } from '../src/fhir/json-read.ts';
import { bundle } from '../test/builders/fhir-builders.ts';
import { epicStyleHistory } from '../test/builders/history.ts';

const AS_OF = parseIsoDate('2026-01-15')!;
const SIZES = [10, 100, 1000];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Mean time of one call, over a batch of `inner` calls. */
function batch(fn: () => unknown, inner: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < inner; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / inner;
}

/**
 * Median times of `a` and `b`, measured in alternating batches so both see the same machine conditions (other
 * processes, GC of the shared heap); warm-up first so the JIT has settled.
 */
function compare(a: () => unknown, b: () => unknown, rounds: number, inner: number): [number, number] {
  for (let i = 0; i < 3; i++) {
    batch(a, inner);
    batch(b, inner);
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ta.push(batch(a, inner));
    tb.push(batch(b, inner));
  }
  return [median(ta), median(tb)];
}

const rows = SIZES.map((orders) => {
  const text = JSON.stringify(bundle(...epicStyleHistory(orders)));
  const inner = Math.max(1, Math.round(2000 / orders));
  const parsed = JSON.parse(text) as Json;
  const [parseMs, analysisMs] = compare(
    () => JSON.parse(text),
    () => analysisReport(analyzeBundle(parsed, AS_OF, 'cdc-2022')),
    51,
    inner,
  );
  const check = analysisReport(analyzeBundle(parsed, AS_OF, 'cdc-2022'));
  return {
    orders,
    bundleKiB: Math.round(text.length / 1024),
    parseMs: Number(parseMs.toFixed(3)),
    analysisMs: Number(analysisMs.toFixed(3)),
    ratio: Number((analysisMs / parseMs).toFixed(2)),
    analysisUsPerOrder: Number(((analysisMs * 1000) / orders).toFixed(1)),
    totalMme: check.totalMme,
  };
});

const at100 = rows.find((r) => r.orders === 100)!;
const at1000 = rows.find((r) => r.orders === 1000)!;
const summary = {
  node: process.version,
  date: new Date().toISOString(),
  rows,
  targets: {
    analysisWithinParseAt100: at100.analysisMs <= at100.parseMs,
    analysisWithinParseAt1000: at1000.analysisMs <= at1000.parseMs,
    // Linear: 10x the orders costs ~10x the time. Larger heaps slow every per-object operation a little (the
    // JSON.parse baseline too), so growth is judged against the baseline's own growth over the same sizes.
    growth100To1000: Number((at1000.analysisMs / at100.analysisMs).toFixed(2)),
    baselineGrowth100To1000: Number((at1000.parseMs / at100.parseMs).toFixed(2)),
    linearOrBetter:
      at1000.analysisMs / at100.analysisMs <= 1.5 * Math.max(10, at1000.parseMs / at100.parseMs),
  },
};

console.log('| orders | bundle KiB | JSON.parse ms | analysis ms | analysis / parse | analysis us/order |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.orders} | ${r.bundleKiB} | ${r.parseMs} | ${r.analysisMs} | ${r.ratio} | ${r.analysisUsPerOrder} |`,
  );
console.log(JSON.stringify(summary.targets));
const out = join(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'analysis.json'), JSON.stringify(summary, null, 2));
