/**
 * The embedded database's thread: PGlite (PostgreSQL in WebAssembly) runs here, so that its work - an audit batch,
 * a feedback commit - never stalls the event loop that answers hooks. Answers one message per query, in order.
 * On Linux the thread also runs at a lower CPU priority (ADR 0012): on a busy machine an audit batch waits for idle
 * time instead of competing with the hook answers for a core.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** The nice value of this thread: below the event loop's 0, enough that it still gets its share when busy. */
const NICE = 10;

/** Lowers this thread's priority where the system allows it per thread (Linux: /proc/thread-self names it). */
function yieldToRequests(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, NICE);
  } catch {
    // Not Linux, or not allowed: the thread keeps the process's priority.
  }
}

interface Request {
  readonly id: number;
  readonly text: string;
  readonly params: readonly unknown[];
  readonly close?: boolean;
  /** COPY ... FROM '/dev/blob': the data, in COPY's text format. */
  readonly copy?: string;
}

const port = parentPort;
if (!port) throw new Error('embedded-worker.ts runs as a worker thread');
const { directory } = workerData as { directory: string };

yieldToRequests();
try {
  const db = await PGlite.create(directory);
  port.on('message', (request: Request) => {
    const run = async (): Promise<unknown> => {
      if (request.close) {
        await db.close();
        return { rows: [], affectedRows: 0 };
      }
      const result = await db.query(
        request.text,
        [...request.params],
        request.copy === undefined ? undefined : { blob: new Blob([request.copy]) },
      );
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    };
    run().then(
      (result) => {
        port.postMessage({ id: request.id, result });
      },
      (error: unknown) => {
        port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
      },
    );
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ failed: error instanceof Error ? error.message : String(error) });
}
