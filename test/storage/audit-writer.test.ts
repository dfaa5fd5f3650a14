/**
 * The audit writer: records pseudonymised as they are added, written in batches, and - when the database stalls -
 * at most `maxPending` batches waiting for it, the rest reported as lost instead of piling up in memory.
 */
import { describe, expect, it } from 'vitest';
import { auditWriter } from '../../src/storage/audit-writer.ts';
import type { AuditRecord, HookCallRecord } from '../../src/storage/store.ts';

const call = (n: number): HookCallRecord => ({
  at: new Date('2026-01-15T10:00:00Z'),
  serviceId: 'opioid-pain-patient-view',
  hookInstance: `hook-${n}`,
  patientId: `patient-${n % 3}`,
  cards: [],
  flags: [],
  recommendation: null,
  complete: true,
  partialCount: 0,
  latencyMs: 1,
});

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

describe('audit writer', () => {
  it('queues pseudonyms, never patient ids, and writes a batch when it is full', async () => {
    const store = stalledStore();
    const writer = auditWriter(store, () => undefined, { maxBatch: 2, intervalMs: 60_000 });
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

  it('keeps at most maxPending batches for a stalled database and reports the others as lost', async () => {
    const store = stalledStore();
    const lost: number[] = [];
    const writer = auditWriter(store, (_error, n) => lost.push(n), { maxBatch: 1, maxPending: 3 });
    for (let n = 0; n < 10; n++) writer.add(call(n));
    expect(lost).toEqual([1, 1, 1, 1, 1, 1, 1]);
    // Released, the three kept batches are written, and new records are accepted again.
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      store.release();
    }
    await writer.flush();
    expect(store.written.map((b) => b.map((r) => r.hookInstance))).toEqual([
      ['hook-0'],
      ['hook-1'],
      ['hook-2'],
    ]);
    writer.add(call(10));
    const last = writer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    store.release();
    await last;
    expect(store.written.at(-1)!.map((r) => r.hookInstance)).toEqual(['hook-10']);
    expect(lost).toHaveLength(7);
  });
});
