/**
 * The embedded database's thread: PGlite (PostgreSQL in WebAssembly) runs here, so that its work - an audit batch,
 * a feedback commit - never stalls the event loop that answers hooks. Answers one message per query, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

interface Request {
  readonly id: number;
  readonly text: string;
  readonly params: readonly unknown[];
  readonly close?: boolean;
}

const port = parentPort;
if (!port) throw new Error('embedded-worker.ts runs as a worker thread');
const { directory } = workerData as { directory: string };

try {
  const db = await PGlite.create(directory);
  port.on('message', (request: Request) => {
    const run = async (): Promise<unknown> => {
      if (request.close) {
        await db.close();
        return { rows: [], affectedRows: 0 };
      }
      const result = await db.query(request.text, [...request.params]);
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
