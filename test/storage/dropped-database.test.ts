/**
 * PostgreSQL whose connections drop (a network reset, a proxy or the server going away without a word): the
 * transaction under way fails, the process lives on, and the store works again once the database is back. Several
 * instances starting together on a fresh database all open their store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { postgresSql } from '../../src/storage/postgres-sql.ts';
import { openStore } from '../../src/storage/store.ts';
import { postgresBehindProxy, postgresDatabase, type TestDatabase } from '../helpers/stores.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('a PostgreSQL connection that drops', () => {
  it('fails the transaction under way instead of ending the process, and the next one succeeds', async () => {
    const { db, proxy, url } = await postgresBehindProxy();
    cleanup.push(
      () => db.drop(),
      () => proxy.close(),
    );
    const sql = postgresSql(url);
    cleanup.push(() => sql.close().catch(() => undefined));
    const transaction = sql.transaction(async (tx) => {
      await tx.query('SELECT 1');
      await tx.query('SELECT pg_sleep(3)');
    });
    setTimeout(() => void proxy.refuse(), 300);
    await expect(transaction).rejects.toThrow(/terminated|closed|ECONNRESET|Connection/i);
    await proxy.resume();
    expect((await sql.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  }, 20_000);
});

describe('instances starting together', () => {
  it('every one of four opening the store at once on a fresh database opens it', async () => {
    for (let round = 0; round < 3; round++) {
      const db: TestDatabase = await postgresDatabase();
      cleanup.push(() => db.drop());
      const sqls = Array.from({ length: 4 }, () => postgresSql(db.env.DATABASE_URL!));
      cleanup.push(async () => {
        await Promise.all(sqls.map((s) => s.close()));
      });
      const opened = await Promise.allSettled(sqls.map((sql) => openStore(sql)));
      expect(opened.map((r) => (r.status === 'rejected' ? String(r.reason) : 'open'))).toEqual([
        'open',
        'open',
        'open',
        'open',
      ]);
    }
  }, 60_000);
});
