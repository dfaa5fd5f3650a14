/**
 * The audit writer: records pseudonymised as they are added, written in batches; a failed batch is retried, in
 * order, with backoff; when the database stays away at most `maxQueued` records wait for it, the oldest beyond that
 * reported as lost instead of piling up in memory; close() tries once more and then reports what is left.
 */
import { describe, expect, it } from 'vitest';
import { auditWriter, type AuditProblems } from '../../src/storage/audit-writer.ts';
import type { AuditRecord, HookCallRecord } from '../../src/storage/store.ts';
import { hookCallRecord } from '../builders/hook-call.ts';

const call = (n: number): HookCallRecord =>
  hookCallRecord({ hookInstance: `hook-${n}`, patientId: `patient-${n % 3}` });

/** A database whose writes complete only when the test says so. */
function stalledStore() {
  const written: AuditRecord[][] = [];
  const waiting: (() => void)[] = [];
  return {
    written,
    release: () => {
      for (const go of waiting.splice(0)) go();
    },
    patientKey: (id: string) => `key-of-${id}`,
    recordHookCalls(records: readonly AuditRecord[]): Promise<void> {
      return new Promise((resolve) => {
        waiting.push(() => {
          written.push([...records]);
          resolve();
        });
      });
    },
  };
}

/** A database that refuses every write while `down`, as PostgreSQL does while it restarts. */
function flakyStore() {
  const written: string[][] = [];
  const state = { down: true, attempts: 0 };
  return {
    written,
    state,
    patientKey: (id: string) => `key-of-${id}`,
    recordHookCalls(records: readonly AuditRecord[]): Promise<void> {
      state.attempts++;
      if (state.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
      written.push(records.map((r) => r.hookInstance));
      return Promise.resolve();
    },
  };
}

/** What the writer reported: retries (with their delays) and losses. */
function problems() {
  const retries: number[] = [];
  const lost: number[] = [];
  const report: AuditProblems = {
    retrying: (_error, _queued, retryInMs) => retries.push(retryInMs),
    lost: (_error, n) => lost.push(n),
  };
  return { retries, lost, report };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done` holds (timers of a busy machine run late), or fails after 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (const started = Date.now(); !done(); await sleep(5))
    if (Date.now() - started > 5_000) throw new Error('timed out waiting');
}

describe('audit writer', () => {
  it('queues pseudonyms, never patient ids, and writes a batch when it is full', async () => {
    const store = stalledStore();
    const writer = auditWriter(store, problems().report, { maxBatch: 2, intervalMs: 60_000 });
    writer.add(call(1));
    writer.add(call(2));
    const flushed = writer.flush();
    // The loop runs the queued write once the previous (none) is done.
    await new Promise((resolve) => setImmediate(resolve));
    store.release();
    await flushed;
    expect(store.written).toHaveLength(1);
    expect(store.written[0]!.map((r) => r.patientKey)).toEqual(['key-of-patient-1', 'key-of-patient-2']);
    expect(JSON.stringify(store.written)).not.toContain('"patient-');
  });

  it('keeps at most maxQueued records for a stalled database and reports the oldest as lost', async () => {
    const store = stalledStore();
    const { lost, report } = problems();
    const writer = auditWriter(store, report, { maxBatch: 1, maxQueued: 3 });
    // hook-0 is being written; of the nine queued behind it, the six oldest do not fit.
    for (let n = 0; n < 10; n++) writer.add(call(n));
    // Said once when the write under way ends, not once per record (a log line per hook call).
    expect(lost).toEqual([]);
    // Released, the batch under way and the three kept records are written, and new records are accepted again.
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      store.release();
    }
    await writer.flush();
    expect(lost).toEqual([6]);
    expect(store.written.map((b) => b.map((r) => r.hookInstance))).toEqual([
      ['hook-0'],
      ['hook-7'],
      ['hook-8'],
      ['hook-9'],
    ]);
    writer.add(call(10));
    const last = writer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    store.release();
    await last;
    expect(store.written.at(-1)!.map((r) => r.hookInstance)).toEqual(['hook-10']);
    expect(lost).toEqual([6]);
  });

  it('puts a failed batch back at the head of the queue and retries it with backoff: an outage loses nothing', async () => {
    const store = flakyStore();
    const { retries, lost, report } = problems();
    const writer = auditWriter(store, report, { intervalMs: 5, retryMinMs: 20, retryMaxMs: 50 });
    // A batch fails when the database goes away; three more calls are made while it is away.
    store.state.down = true;
    writer.add(call(1));
    await until(() => retries.length >= 1);
    for (let n = 2; n <= 4; n++) writer.add(call(n));
    await until(() => retries.length >= 4);
    expect(store.written).toEqual([]);
    expect(retries.slice(0, 4)).toEqual([20, 40, 50, 50]);
    store.state.down = false;
    await until(() => store.written.length > 0);
    expect(store.written.flat()).toEqual(['hook-1', 'hook-2', 'hook-3', 'hook-4']);
    expect(lost).toEqual([]);
    // Back to normal: the next record is written after the interval, with no failure in between.
    const retried = retries.length;
    writer.add(call(5));
    await until(() => store.written.length > 1);
    expect(store.written.at(-1)).toEqual(['hook-5']);
    expect(retries).toHaveLength(retried);
    await writer.close();
  });

  it('on close tries once more, reports what it could not write as lost, and retries no more', async () => {
    const store = flakyStore();
    const { lost, report } = problems();
    const writer = auditWriter(store, report, { intervalMs: 5, retryMinMs: 10, retryMaxMs: 10 });
    for (let n = 1; n <= 3; n++) writer.add(call(n));
    await until(() => store.state.attempts >= 2);
    const attempts = store.state.attempts;
    await writer.close();
    expect(store.state.attempts).toBe(attempts + 1);
    expect(lost).toEqual([3]);
    writer.add(call(4));
    expect(lost).toEqual([3, 1]);
    await sleep(50);
    expect(store.state.attempts).toBe(attempts + 1);
  });

  it('on close lets the write under way end, and does not try again when it failed', async () => {
    let fail: (error: Error) => void = () => undefined;
    let attempts = 0;
    const store = {
      patientKey: (id: string) => `key-of-${id}`,
      recordHookCalls: () => {
        attempts++;
        return new Promise<void>((_resolve, reject) => (fail = reject));
      },
    };
    const { lost, report } = problems();
    const writer = auditWriter(store, report, { maxBatch: 2 });
    for (let n = 1; n <= 3; n++) writer.add(call(n));
    const closing = writer.close();
    fail(new Error('Query read timeout'));
    await closing;
    expect(attempts).toBe(1);
    expect(lost).toEqual([3]);
  });
  it('writes what was queued when a write began; records added during it wait for the next interval, not a write of their own', async () => {
    const store = stalledStore();
    const writer = auditWriter(store, problems().report, { maxBatch: 3, intervalMs: 60_000 });
    writer.add(call(1));
    const first = writer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    // Two calls made while the first write is under way: fewer than a batch.
    writer.add(call(2));
    writer.add(call(3));
    store.release();
    await first;
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    store.release();
    expect(store.written.map((b) => b.map((r) => r.hookInstance))).toEqual([['hook-1']]);
    // A full batch does not wait: it is written by the write under way or starts one.
    writer.add(call(4));
    const second = writer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    store.release();
    await second;
    expect(store.written.map((b) => b.map((r) => r.hookInstance))).toEqual([
      ['hook-1'],
      ['hook-2', 'hook-3', 'hook-4'],
    ]);
    // flush() during a write also covers what was queued after that write began.
    writer.add(call(5));
    const third = writer.flush();
    writer.add(call(6));
    const fourth = writer.flush();
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      store.release();
    }
    await Promise.all([third, fourth]);
    expect(
      store.written
        .slice(2)
        .flat()
        .map((r) => r.hookInstance),
    ).toEqual(['hook-5', 'hook-6']);
    await writer.close();
  });
});
