/** The store the configuration asks for: PostgreSQL with DATABASE_URL, else the embedded one under DATA_DIR/db. */
import { join } from 'node:path';
import type { StaleLock } from './directory-lock.ts';
import { embeddedSql } from './embedded-sql.ts';
import { postgresSql } from './postgres-sql.ts';
import { openStore, type Store } from './store.ts';

export async function storeFromConfig(
  config: {
    readonly databaseUrl: string | undefined;
    readonly dataDir: string;
    readonly auditKey: string | undefined;
  },
  options: { readonly onStaleLock?: (lock: StaleLock) => void } = {},
): Promise<Store> {
  const sql = config.databaseUrl
    ? postgresSql(config.databaseUrl)
    : await embeddedSql(join(config.dataDir, 'db'), options);
  try {
    return await openStore(sql, { auditKey: config.auditKey });
  } catch (error) {
    await sql.close().catch(() => undefined);
    throw error;
  }
}
