/**
 * Sql over PGlite: PostgreSQL compiled to WebAssembly, in-process, persisted under a directory (DATA_DIR/db) so that
 * what was acknowledged survives a restart. One connection: PGlite runs one query at a time.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Sql } from './sql.ts';

export async function embeddedSql(directory: string): Promise<Sql> {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(directory);
  return {
    kind: 'embedded',
    async query(text, params = []) {
      const result = await db.query(text, [...params]);
      return { rows: result.rows as never[], affectedRows: result.affectedRows ?? 0 };
    },
    transaction(work) {
      return db.transaction(async (tx) =>
        work({
          async query(text, params = []) {
            const result = await tx.query(text, [...params]);
            return { rows: result.rows as never[], affectedRows: result.affectedRows ?? 0 };
          },
        }),
      );
    },
    close: () => db.close(),
  };
}
