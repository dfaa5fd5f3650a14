/**
 * Sql over PGlite: PostgreSQL compiled to WebAssembly, persisted under a directory (DATA_DIR/db) so that what was
 * acknowledged survives a restart. It runs in a worker thread (embedded-worker.ts): a query is a message. PGlite has
 * one connection, so queries and transactions take turns here, and a transaction's statements run back to back.
 * One process at a time opens a directory (directory-lock.ts): a second is refused before it touches the files.
 */
import { mkdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { lockDirectory, type StaleLock } from './directory-lock.ts';
import type { Sql, SqlResult } from './sql.ts';

interface Reply {
  readonly id?: number;
  readonly result?: SqlResult<never>;
  readonly error?: string;
  readonly ready?: boolean;
  readonly failed?: string;
}

export async function embeddedSql(
  directory: string,
  options: { readonly onStaleLock?: (lock: StaleLock) => void } = {},
): Promise<Sql> {
  // Asynchronous on purpose: it starts libuv's thread pool from this thread, before the database's thread lowers its
  // own priority (embedded-worker.ts) - threads inherit the priority of the thread that starts them.
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const lock = await lockDirectory(directory, options.onStaleLock);
  try {
    return await start(directory, () => lock.release());
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** The database's thread, open; `release` once it is closed. */
async function start(directory: string, release: () => Promise<void>): Promise<Sql> {
  const worker = new Worker(
    // From the sources (type stripping) or from the compiled dist/.
    new URL(`./embedded-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
    { workerData: { directory } },
  );
  const pending = new Map<number, { resolve: (r: SqlResult<never>) => void; reject: (e: Error) => void }>();
  let next = 0;
  let stopped: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    const onStart = (message: Reply): void => {
      if (message.ready) {
        worker.off('message', onStart);
        resolve();
      } else if (message.failed !== undefined)
        reject(new Error(`the embedded database did not open: ${message.failed}`));
    };
    worker.on('message', onStart);
    worker.once('error', reject);
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  worker.on('message', (message: Reply) => {
    if (message.id === undefined) return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiting?.reject(new Error(message.error));
    else if (message.result) waiting?.resolve(message.result);
  });
  const fail = (error: Error): void => {
    stopped = error;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', () => {
    fail(new Error('the embedded database stopped'));
  });

  const send = <Row>(
    text: string,
    params: readonly unknown[] = [],
    extra: { readonly close?: boolean; readonly copy?: string } = {},
  ): Promise<SqlResult<Row>> => {
    if (stopped) return Promise.reject(stopped);
    const id = ++next;
    return new Promise<SqlResult<Row>>((resolve, reject) => {
      pending.set(id, { resolve: resolve, reject });
      worker.postMessage({ id, text, params, ...extra });
    });
  };
  // One at a time: a transaction must not interleave with other statements on the single connection.
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work, work);
    turn = run.catch(() => undefined);
    return run;
  };

  return {
    kind: 'embedded',
    query: (text, params) => exclusive(() => send(text, params)),
    transaction: (work) =>
      exclusive(async () => {
        await send('BEGIN');
        try {
          const value = await work({ query: (text, params) => send(text, params) });
          await send('COMMIT');
          return value;
        } catch (error) {
          await send('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    // PGlite reads COPY's data from a blob it names /dev/blob; the columns and table are the store's own constants.
    copyIn: (table, columns, data) =>
      exclusive(() =>
        send(
          `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT text, ENCODING 'UTF8')`,
          [],
          {
            copy: data,
          },
        ),
      ).then((result) => result.affectedRows),
    async close() {
      await exclusive(() => send('', [], { close: true })).catch(() => undefined);
      await worker.terminate();
      await release();
    },
  };
}
