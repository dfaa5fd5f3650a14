/**
 * Hook-call audit records, written in batches off the request path: queued in memory, flushed every 500 ms or every
 * 500 records in one transaction, and on close (graceful shutdown). A hard crash can lose the last batch of audit
 * records - never feedback, which is written before it is acknowledged. Write errors are reported, not thrown.
 * A record is pseudonymised when it is added: the queue never holds a patient id, and a flush does no hashing (a
 * few hundred keyed hashes at once held the event loop for milliseconds).
 * Memory stays bounded when the database stalls: at most `maxPending` batches wait for it (10 s of records by
 * default); a batch beyond that is not kept, and is reported as lost like a failed write.
 */
import type { AuditRecord, HookCallRecord, Store } from './store.ts';

export interface AuditWriter {
  add(record: HookCallRecord): void;
  /** Writes what is queued; resolves when it is stored (or failed and was reported). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function auditWriter(
  store: Pick<Store, 'recordHookCalls' | 'patientKey'>,
  onError: (error: unknown, lost: number) => void,
  options: { intervalMs?: number; maxBatch?: number; maxPending?: number } = {},
): AuditWriter {
  const intervalMs = options.intervalMs ?? 500;
  const maxBatch = options.maxBatch ?? 500;
  const maxPending = options.maxPending ?? 20;
  let pending = 0;
  let queue: AuditRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const batch = queue;
    queue = [];
    if (batch.length === 0) return writing;
    if (pending >= maxPending) {
      onError(new Error(`the database has ${pending} audit batches still to write`), batch.length);
      return writing;
    }
    pending++;
    writing = writing.then(() =>
      store
        .recordHookCalls(batch)
        .catch((error: unknown) => {
          onError(error, batch.length);
        })
        .finally(() => {
          pending--;
        }),
    );
    return writing;
  };

  return {
    add({ patientId, ...record }) {
      queue.push({ ...record, patientKey: store.patientKey(patientId) });
      if (queue.length >= maxBatch) void flush();
      else timer ??= setTimeout(() => void flush(), intervalMs);
    },
    flush,
    close: flush,
  };
}
