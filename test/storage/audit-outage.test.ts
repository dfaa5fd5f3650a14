/**
 * PostgreSQL that refuses connections for about a second, as while it restarts: the audit records of the hook calls
 * made meanwhile - the batch whose write was refused and those queued behind it - are all stored once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditWriter } from '../../src/storage/audit-writer.ts';
import { postgresSql } from '../../src/storage/postgres-sql.ts';
import type { Sql } from '../../src/storage/sql.ts';
import { openStore, type HookCallRecord, type Store } from '../../src/storage/store.ts';
import { hookCallRecord } from '../builders/hook-call.ts';
import type { StallingProxy } from '../fakes/stalling-proxy.ts';
import { postgresBehindProxy, type TestDatabase } from '../helpers/stores.ts';

const call = (n: number): HookCallRecord =>
  hookCallRecord({ hookInstance: `00000000-0000-4000-8000-00000000000${n}`, patientId: `patient-${n}` });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('audit records when PostgreSQL is away for a second', () => {
  let db: TestDatabase;
  let proxy: StallingProxy;
  let sql: Sql;
  let store: Store;
  beforeAll(async () => {
    let url: string;
    ({ db, proxy, url } = await postgresBehindProxy());
    sql = postgresSql(url);
    store = await openStore(sql);
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await proxy.close();
    await db.drop();
  });

  it('retries the failed batch and loses none of the records', async () => {
    const retries: number[] = [];
    const lost: number[] = [];
    const audit = auditWriter(store, {
      retrying: (_error, _queued, retryInMs) => retries.push(retryInMs),
      lost: (_error, n) => lost.push(n),
    });
    audit.add(call(0));
    await proxy.refuse();
    for (let n = 1; n <= 3; n++) {
      await sleep(300);
      audit.add(call(n));
    }
    await proxy.resume();
    for (const started = Date.now(); Date.now() - started < 10_000; await sleep(100)) {
      const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM hook_call');
      if (rows[0]!.n === 4) break;
    }
    await audit.close();
    const { rows } = await sql.query<{ hook_instance: string }>(
      'SELECT hook_instance FROM hook_call ORDER BY hook_instance',
    );
    expect(rows.map((r) => r.hook_instance)).toEqual([0, 1, 2, 3].map((n) => call(n).hookInstance));
    expect(retries.length).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  }, 30_000);
});
