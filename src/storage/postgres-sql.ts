/** Sql over a PostgreSQL connection pool (DATABASE_URL). */
import pg from 'pg';
import type { Sql } from './sql.ts';

export function postgresSql(connectionString: string): Sql {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return {
    kind: 'postgresql',
    async query(text, params = []) {
      const result = await pool.query<never>(text, [...params]);
      return { rows: result.rows, affectedRows: result.rowCount ?? 0 };
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const value = await work({
          async query(text, params = []) {
            const result = await client.query<never>(text, [...params]);
            return { rows: result.rows, affectedRows: result.rowCount ?? 0 };
          },
        });
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
