/** Sql over a PostgreSQL connection pool (DATABASE_URL). */
import pg from 'pg';
import type { Sql, SqlResult } from './sql.ts';

/**
 * How long one statement may take: beyond it the caller gets an error (feedback answers 503) instead of waiting on a
 * server or network path that stalled, and the server cancels the statement too (statement_timeout).
 */
export const QUERY_TIMEOUT_MS = 10_000;

/** pg reads a per-query client-side timeout (Client#query); its type declarations do not list it. */
type TimedQuery = pg.QueryConfig & { query_timeout?: number };

const timed = (text: string, params: readonly unknown[], timeoutMs: number | undefined): TimedQuery => ({
  text,
  values: [...params],
  ...(timeoutMs === undefined ? {} : { query_timeout: timeoutMs }),
});

export function postgresSql(connectionString: string, options: { queryTimeoutMs?: number } = {}): Sql {
  const timeoutMs = options.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 5000,
    statement_timeout: timeoutMs,
  });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return {
    kind: 'postgresql',
    async query(text, params = []) {
      // A client whose query failed (timed out included) is discarded by the pool, not given to the next caller.
      const result = await pool.query<never>(timed(text, params, timeoutMs));
      return { rows: result.rows, affectedRows: result.rowCount ?? 0 };
    },
    async transaction(work, { unbounded = false } = {}) {
      const client = await pool.connect();
      let failed = false;
      // The pool stops listening to a client's errors while it is lent out: a connection that ends mid-transaction
      // without a message from the server (a reset, a proxy restarting) would emit an error nobody hears, which
      // ends the process. The statement under way fails with it, and the caller hears that.
      const onError = (): void => {
        failed = true;
      };
      client.on('error', onError);
      const run = async (text: string, params: readonly unknown[] = []): Promise<SqlResult<never>> => {
        const result = await client.query<never>(timed(text, params, unbounded ? undefined : timeoutMs));
        return { rows: result.rows, affectedRows: result.rowCount ?? 0 };
      };
      try {
        await run('BEGIN');
        if (unbounded) await run('SET LOCAL statement_timeout = 0');
        const value = await work({ query: run });
        await run('COMMIT');
        return value;
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        // A failed transaction's connection is closed rather than rolled back: PostgreSQL rolls back the transaction
        // of a connection that ends, and one whose statement timed out could not roll back (ROLLBACK would wait
        // behind that statement).
        client.off('error', onError);
        client.release(failed);
      }
    },
    close: () => pool.end(),
  };
}
