/**
 * Hook-call audit records, written in batches off the request path: queued in memory, flushed every 100 ms or every
 * 500 records in one statement, and on close (graceful shutdown). Write errors are reported, not thrown. Not
 * longer than 100 ms: a record that waits through several young-generation collections is promoted to the old
 * generation (in short benchmark runs, every 500 ms made the service's full collections far more frequent;
 * ADR 0012).
 * A record is pseudonymised when it is added: the queue never holds a patient id, and a flush does no hashing (a
 * few hundred keyed hashes at once held the event loop for milliseconds).
 * A batch that fails goes back to the head of the queue and is tried again, after 250 ms doubling up to 5 s: a
 * database that restarts or refuses connections for a few seconds loses nothing. Memory stays bounded while it is
 * away: at most `maxQueued` records wait (10 s of records by default); beyond that the oldest are dropped and
 * reported as lost. close() ends whatever the database does: the write under way finishes or fails, one last write
 * is tried when none was under way, and what is still queued is reported as lost - a hard crash loses the queue.
 */
import type { AuditRecord, HookCallRecord, Store } from './store.ts';

export interface AuditWriter {
  add(record: HookCallRecord): void;
  /** Writes what is queued now; resolves when it is stored, or when the write failed and its retry is scheduled. */
  flush(): Promise<void>;
  /** A last write of what is queued, no retries; resolves once the rest is reported as lost. */
  close(): Promise<void>;
}

export interface AuditProblems {
  /** A write failed: its records are back at the head of the queue (`queued` in all), tried again in `retryInMs`. */
  retrying(error: unknown, queued: number, retryInMs: number): void;
  /** Records that will never be written: the oldest beyond a full queue, or what close() could not write. */
  lost(error: unknown, lost: number): void;
}

export function auditWriter(
  store: Pick<Store, 'recordHookCalls' | 'patientKey'>,
  report: AuditProblems,
  options: {
    intervalMs?: number;
    maxBatch?: number;
    maxQueued?: number;
    retryMinMs?: number;
    retryMaxMs?: number;
  } = {},
): AuditWriter {
  const intervalMs = options.intervalMs ?? 100;
  const maxBatch = options.maxBatch ?? 500;
  const maxQueued = options.maxQueued ?? 10_000;
  const retryMinMs = options.retryMinMs ?? 250;
  const retryMaxMs = options.retryMaxMs ?? 5_000;
  let queue: AuditRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  /** Failed writes in a row: while there are any, only the retry timer (or flush, close) starts the next write. */
  let failures = 0;
  let closed = false;

  const cancelTimer = (): void => {
    clearTimeout(timer);
    timer = undefined;
  };
  const flushIn = (ms: number): void => {
    cancelTimer();
    timer = setTimeout(() => {
      timer = undefined;
      void start();
    }, ms);
  };

  /** Dropped since last said: said once per write attempt, not once per record (one log line per hook call). */
  let dropped = 0;
  const sayDropped = (): void => {
    if (dropped === 0) return;
    report.lost(
      new Error(`the audit queue is full (${maxQueued} records waiting for the database)`),
      dropped,
    );
    dropped = 0;
  };
  const dropOldest = (): void => {
    const over = queue.length - maxQueued;
    if (over <= 0) return;
    queue.splice(0, over);
    dropped += over;
  };

  /**
   * Batch after batch from the head of the queue: what was queued when the write began, then more only while a full
   * batch has built up. Records added meanwhile wait for the next interval: a write that chased the queue until it
   * was empty never ended under steady load and wrote a batch of a few records every few milliseconds.
   */
  const drain = async (): Promise<void> => {
    let left = queue.length;
    while (left > 0 || queue.length >= maxBatch) {
      const batch = queue.splice(0, maxBatch);
      left -= batch.length;
      try {
        await store.recordHookCalls(batch);
      } catch (error) {
        queue = batch.concat(queue);
        throw error;
      }
      failures = 0;
    }
  };

  const write = async (): Promise<void> => {
    try {
      await drain();
    } catch (error) {
      failures++;
      if (closed) {
        // Shutting down: no retry may outlive the shutdown deadline.
        const left = queue.length;
        queue = [];
        report.lost(error, left);
      } else {
        dropOldest();
        const retryInMs = Math.min(retryMaxMs, retryMinMs * 2 ** (failures - 1));
        report.retrying(error, queue.length, retryInMs);
        flushIn(retryInMs);
      }
    } finally {
      sayDropped();
      // In the same turn as the retry is scheduled: a flush from now on starts a write of its own.
      writing = undefined;
      // What was added during the write waits for the next interval (a retry, if one is due, is already set).
      if (!closed && queue.length > 0 && !timer) flushIn(intervalMs);
    }
  };

  /** A write, unless one is under way. */
  const start = (): Promise<void> => {
    if (writing) return writing;
    cancelTimer();
    writing = write();
    return writing;
  };
  /** One write at a time: what was queued after the write under way began goes in the next one. */
  const flush = (): Promise<void> =>
    writing ? writing.then(() => (failures === 0 ? start() : undefined)) : start();

  return {
    add({ patientId, ...record }) {
      if (closed) {
        report.lost(new Error('the audit writer is closed'), 1);
        return;
      }
      queue.push({ ...record, patientKey: store.patientKey(patientId) });
      dropOldest();
      if (queue.length >= maxBatch && failures === 0) void start();
      else if (!timer) flushIn(intervalMs);
    },
    flush,
    async close() {
      closed = true;
      // The write under way ends first (a failure is then reported as lost); otherwise one last write.
      await writing;
      await flush();
    },
  };
}
