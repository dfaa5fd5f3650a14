/**
 * The two stores every storage test runs against: the embedded one (PGlite in a temporary directory) and
 * PostgreSQL (DATABASE_URL, default: the current user at 127.0.0.1:5432, database test) in a schema of its own, dropped afterwards.
 * A missing PostgreSQL fails the test with a message; it is not skipped.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { embeddedSql } from '../../src/storage/embedded-sql.ts';
import { postgresSql } from '../../src/storage/postgres-sql.ts';
import type { Sql } from '../../src/storage/sql.ts';
import { startStallingProxy, type StallingProxy } from '../fakes/stalling-proxy.ts';

export const POSTGRES_URL =
  process.env.DATABASE_URL ?? `postgres://${encodeURIComponent(userInfo().username)}@127.0.0.1:5432/test`;

export interface TestDatabase {
  readonly kind: 'embedded' | 'postgresql';
  /** For a child process: the environment that points the service at this database. */
  readonly env: Record<string, string>;
  open(): Promise<Sql>;
  drop(): Promise<void>;
}

export function embeddedDatabase(): TestDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'cds-store-'));
  return {
    kind: 'embedded',
    env: { DATA_DIR: dataDir },
    open: () => embeddedSql(join(dataDir, 'db')),
    drop: () => Promise.resolve(),
  };
}

export async function postgresDatabase(): Promise<TestDatabase> {
  const schema = `t_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `these tests need PostgreSQL at ${POSTGRES_URL} (set DATABASE_URL, or start the server): ${String(error)}`,
      { cause: error },
    );
  }
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    kind: 'postgresql',
    env: { DATABASE_URL: url.toString() },
    open: () => Promise.resolve(postgresSql(url.toString())),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

export const DATABASES: readonly [string, () => Promise<TestDatabase>][] = [
  ['embedded (PGlite)', () => Promise.resolve(embeddedDatabase())],
  ['PostgreSQL', postgresDatabase],
];

/**
 * PostgreSQL in a schema of its own, reached through a proxy the test can stall or make refuse connections:
 * `url` goes through the proxy. Close the proxy, then drop the database.
 */
export async function postgresBehindProxy(): Promise<{
  readonly db: TestDatabase;
  readonly proxy: StallingProxy;
  readonly url: string;
}> {
  const db = await postgresDatabase();
  const url = new URL(db.env.DATABASE_URL!);
  const proxy = await startStallingProxy(Number(url.port || 5432), url.hostname);
  url.port = String(proxy.port);
  return { db, proxy, url: url.toString() };
}
