/**
 * PostgreSQL that stalls (connections open, nothing answered): a statement gives up after the query timeout, so
 * that feedback is refused rather than held, and the store still closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresSql } from '../../src/storage/postgres-sql.ts';
import { openStore, type Store } from '../../src/storage/store.ts';
import type { StallingProxy } from '../fakes/stalling-proxy.ts';
import { postgresBehindProxy, type TestDatabase } from '../helpers/stores.ts';

describe('a stalled PostgreSQL', () => {
  let db: TestDatabase;
  let proxy: StallingProxy;
  let store: Store;
  beforeAll(async () => {
    let url: string;
    ({ db, proxy, url } = await postgresBehindProxy());
    store = await openStore(postgresSql(url, { queryTimeoutMs: 500 }));
  }, 60_000);
  afterAll(async () => {
    await proxy.close();
    await db.drop();
  });

  it('fails a statement after the query timeout instead of waiting, and closes', async () => {
    const item = {
      cardId: 'card-1',
      outcome: 'accepted',
      acceptedSuggestions: [],
      hasUserComment: false,
    } as const;
    expect(await store.saveFeedback('opioid-pain-patient-view', [item])).toEqual({
      stored: 1,
      duplicates: 0,
    });
    // Two connections open when it stalls: one for the next statement, one idle when the store closes.
    await Promise.all([store.ping(), store.ping()]);
    proxy.stall();
    const started = Date.now();
    await expect(
      store.saveFeedback('opioid-pain-patient-view', [{ ...item, cardId: 'card-2' }]),
    ).rejects.toThrow(/timeout/);
    expect(Date.now() - started).toBeLessThan(3_000);
    const closing = Date.now();
    await store.close();
    expect(Date.now() - closing).toBeLessThan(1_000);
  }, 20_000);
});
