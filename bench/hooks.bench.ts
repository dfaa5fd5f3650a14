/**
 * Benchmark: patient-view with full prefetch (a 5-year history: 60 monthly opioid orders, a naloxone order,
 * 40 observations, 10 conditions; test/synthetic/population.ts) under load with autocannon at concurrency 1 and 32, against a baseline measured in the same run:
 * a bare Fastify route that parses the same body and returns a fixed card (bench/baseline-server.ts). Both run as
 * separate processes with production settings (the service logs at its default level, to /dev/null).
 * Target (issue contract): >= 60% of the baseline's throughput and p99 <= 2x the baseline's.
 * Run: npm run bench:hooks. Results: printed, and written to bench/results/hooks.json.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDate, systemClock } from '../src/platform/clock.ts';
import { parseIsoDate } from '../src/domain/time/day.ts';
import { shiftDates } from '../src/demo/date-shift.ts';
import { AS_OF } from '../test/fixtures/synthetic-patients.ts';
import { prefetchFor } from '../test/helpers/hooks.ts';
import { freePort } from '../test/helpers/free-port.ts';
import { fiveYearHistory } from '../test/synthetic/population.ts';
import { servedNodeFlags } from './served-node-flags.ts';

const ROOT = join(import.meta.dirname, '..');

/**
 * The same Node flags for both servers: the service's production flags (`npm run serve`, its 64 MB young generation),
 * unless BENCH_NODE_FLAGS gives others ("none", or an empty value: V8's defaults).
 */
const NODE_FLAGS =
  process.env.BENCH_NODE_FLAGS === undefined
    ? servedNodeFlags(ROOT)
    : process.env.BENCH_NODE_FLAGS.split(' ').filter((flag) => flag !== '' && flag !== 'none');
/** Seconds of load per configuration and server, split into alternating rounds. */
const DURATION_S = Number(process.env.BENCH_SECONDS ?? '60');
/**
 * Seconds of load per server before the first configuration's rounds: the service's optimising compiler was still
 * busy 10-20 s into a run (bench/README.md), on the core the load generator needs.
 */
const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? '15');

async function start(
  script: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...NODE_FLAGS, join(ROOT, script)], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      return { child, url };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error(`${script} did not start`);
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** The latency at quantile q (0..1) of sorted values: nearest rank. */
const quantile = (sorted: Float64Array, q: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function load(url: string, body: string, connections: number, seconds: number): Promise<Load> {
  // autocannon's own percentiles are whole milliseconds; its per-response times (from process.hrtime) are not.
  let latencies = new Float64Array(1 << 14);
  let count = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        duration: seconds,
      },
      (error, done) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(done);
      },
    );
    run.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode !== 200) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTime;
    });
  });
  const sorted = latencies.subarray(0, count).sort();
  return {
    rps: result.requests.average,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    errors: result.errors + result.non2xx,
  };
}

/** null: the service's metrics did not say (never reported as 0). */
interface GcFigures {
  readonly count: number | null;
  readonly meanMs: number | null;
}

/**
 * The service's garbage collections during the run, from its own metrics (prom-client's nodejs_gc_duration_seconds):
 * young-generation collections normally pause well under a millisecond; a process whose collections keep finished
 * requests alive (bench/README.md) pauses ten times longer, and its figures are not those of the code.
 */
async function serviceGc(url: string): Promise<Record<'minor' | 'major', GcFigures>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (series: string, kind: string): number => {
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`nodejs_gc_duration_seconds_${series}{kind="${kind}"}`));
    return Number(line?.split(' ').pop() ?? Number.NaN);
  };
  const figures = (kind: string): GcFigures => {
    const count = value('count', kind);
    const sum = value('sum', kind);
    return {
      count: Number.isFinite(count) ? count : null,
      meanMs: count > 0 && Number.isFinite(sum) ? Number(((sum / count) * 1000).toFixed(2)) : null,
    };
  };
  return { minor: figures('minor'), major: figures('major') };
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Alternating rounds of baseline and service, so both see the same machine conditions; medians of the rounds. */
async function compare(
  baselineUrl: string,
  serviceUrl: string,
  body: string,
  connections: number,
): Promise<{ baseline: Load; service: Load; share: number; p99Ratio: number }> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? '20');
  const seconds = Math.max(1, Math.round(DURATION_S / rounds));
  const b: Load[] = [];
  const s: Load[] = [];
  await load(serviceUrl, body, connections, 1);
  await load(baselineUrl, body, connections, 1);
  for (let r = 0; r < rounds; r++) {
    b.push(await load(baselineUrl, body, connections, seconds));
    s.push(await load(serviceUrl, body, connections, seconds));
  }
  const summary = (xs: Load[]): Load => ({
    rps: Math.round(median(xs.map((x) => x.rps))),
    p50: Number(median(xs.map((x) => x.p50)).toFixed(2)),
    p99: Number(median(xs.map((x) => x.p99)).toFixed(2)),
    errors: xs.reduce((n, x) => n + x.errors, 0),
  });
  return {
    baseline: summary(b),
    service: summary(s),
    share: Number(median(b.map((x, i) => (s[i]?.rps ?? 0) / x.rps)).toFixed(2)),
    p99Ratio: Number(median(b.map((x, i) => (s[i]?.p99 ?? Number.NaN) / x.p99)).toFixed(2)),
  };
}

const shift = (parseIsoDate(localDate(systemClock)) ?? 0) - (parseIsoDate(AS_OF) ?? 0);
const resources = shiftDates(fiveYearHistory(), shift);
const body = JSON.stringify({
  hook: 'patient-view',
  hookInstance: 'f5c6d7e8-1234-4abc-9def-001122334455',
  context: { patientId: 'p1', userId: 'Practitioner/dr-bench' },
  prefetch: prefetchFor(resources),
});

// Authentication off: a token per request would be minted by the load generator on the same two cores.
const service = await start('src/server.ts', {
  CDS_AUTH: 'off',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'cds-bench-')),
});
const baseline = await start('bench/baseline-server.ts', {});
try {
  const check = await fetch(`${service.url}/cds-services/opioid-pain-patient-view`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const cards = ((await check.json()) as { cards: { summary: string }[] }).cards.map((c) => c.summary);
  await load(`${service.url}/cds-services/opioid-pain-patient-view`, body, 1, WARMUP_S);
  await load(`${baseline.url}/cds-services/x`, body, 1, WARMUP_S);
  const rows = [];
  for (const connections of [1, 32]) {
    const r = await compare(
      `${baseline.url}/cds-services/x`,
      `${service.url}/cds-services/opioid-pain-patient-view`,
      body,
      connections,
    );
    rows.push({
      connections,
      baseline: r.baseline,
      service: r.service,
      throughputShare: r.share,
      p99Ratio: r.p99Ratio,
    });
  }
  console.log(
    `request: ${Math.round(body.length / 1024)} KiB; cards: ${JSON.stringify(cards)}; node flags: ${NODE_FLAGS.join(' ') || '(none)'}`,
  );
  console.log(
    '| connections | baseline req/s | service req/s | share | baseline p50/p99 ms | service p50/p99 ms | p99 ratio |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.connections} | ${r.baseline.rps} | ${r.service.rps} | ${r.throughputShare} | ${r.baseline.p50}/${r.baseline.p99} | ${r.service.p50}/${r.service.p99} | ${r.p99Ratio} |`,
    );
  }
  const targets = {
    throughputAtLeast60Percent: rows.every((r) => r.throughputShare >= 0.6),
    p99AtMostTwiceBaseline: rows.every((r) => r.p99Ratio <= 2),
    errors: rows.reduce((n, r) => n + r.service.errors + r.baseline.errors, 0),
  };
  const gc = await serviceGc(service.url);
  console.log(
    `service garbage collections: ${gc.minor.count ?? 'unknown'} young-generation (mean ${gc.minor.meanMs ?? '-'} ms), ${gc.major.count ?? 'unknown'} full (mean ${gc.major.meanMs ?? '-'} ms)`,
  );
  console.log(JSON.stringify(targets));
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'hooks.json'),
    JSON.stringify(
      {
        node: process.version,
        date: new Date().toISOString(),
        nodeFlags: NODE_FLAGS,
        requestKiB: Math.round(body.length / 1024),
        cards,
        rows,
        targets,
        serviceGc: gc,
      },
      null,
      2,
    ),
  );
} finally {
  service.child.kill();
  baseline.child.kill();
}
