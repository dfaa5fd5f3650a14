/**
 * The store against both databases: versioned migrations applied once, feedback stored once however often it
 * arrives, audit records without patient identifiers, and the governance figures computed from both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../src/storage/migrations.ts';
import type { Sql } from '../../src/storage/sql.ts';
import { auditWriter } from '../../src/storage/audit-writer.ts';
import {
  HOOK_CALL_COLUMN_NAMES,
  openStore,
  type HookCallRecord,
  type Store,
} from '../../src/storage/store.ts';
import { DATABASES, embeddedDatabase, type TestDatabase } from '../helpers/stores.ts';

const call = (over: Partial<HookCallRecord> = {}): HookCallRecord => ({
  at: new Date('2026-01-15T10:00:00Z'),
  serviceId: 'opioid-pain-patient-view',
  hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
  patientId: 'pat-SECRET-1',
  cards: [
    { id: 'card-1', type: 'referralmbtcbt' },
    { id: 'card-2', type: 'naloxone' },
  ],
  flags: ['long-term-opioid-therapy'],
  recommendation: 'MBT_OR_CBT',
  complete: true,
  partialCount: 0,
  latencyMs: 3.2,
  ...over,
});

describe.each(DATABASES)('store on %s', (_name, make) => {
  let db: TestDatabase;
  let sql: Sql;
  let store: Store;
  beforeAll(async () => {
    db = await make();
    sql = await db.open();
    store = await openStore(sql);
  }, 60_000);
  /** As the service writes them: through the audit writer, which pseudonymises each record as it is added. */
  const record = async (records: readonly HookCallRecord[]): Promise<void> => {
    const fail = (error: unknown): never => {
      throw error;
    };
    const audit = auditWriter(store, { retrying: fail, lost: fail });
    for (const r of records) audit.add(r);
    await audit.flush();
  };
  afterAll(async () => {
    // Undefined when the database could not be reached (the test then fails with that message).
    await (store as Store | undefined)?.close();
    await (db as TestDatabase | undefined)?.drop();
  });

  it('applies each migration once and records it', async () => {
    expect(await migrate(sql)).toEqual([]);
    const { rows } = await sql.query<{ version: number }>(
      'SELECT version FROM schema_migration ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('stores a feedback item once, however often it arrives, and each distinct item', async () => {
    const item = {
      cardId: 'card-1',
      outcome: 'accepted' as const,
      outcomeTimestamp: '2026-01-15T10:01:00Z',
      acceptedSuggestions: ['s-1'],
      hasUserComment: false,
    };
    expect(await store.saveFeedback('opioid-pain-patient-view', [item, item])).toEqual({
      stored: 1,
      duplicates: 1,
    });
    expect(await store.saveFeedback('opioid-pain-patient-view', [item])).toEqual({
      stored: 0,
      duplicates: 1,
    });
    const other = {
      ...item,
      cardId: 'card-2',
      outcome: 'overridden' as const,
      acceptedSuggestions: [],
      overrideReason: {
        code: 'patient-declined',
        system: 'https://opioid-pain-cds.org/fhir/CodeSystem/override-reason',
      },
    };
    expect(await store.saveFeedback('opioid-pain-patient-view', [other])).toEqual({
      stored: 1,
      duplicates: 0,
    });
    expect(await store.feedbackCount()).toBe(2);
  });

  it('keeps a pseudonym, not the patient id, in the audit, and computes rates per card type', async () => {
    await record([call(), call({ cards: [{ id: 'card-3', type: 'referralmbtcbt' }] })]);
    const { rows } = await sql.query('SELECT * FROM hook_call');
    expect(JSON.stringify(rows)).not.toContain('SECRET');
    expect(rows[0]!.patient_key).toMatch(/^[0-9a-f]{32}$/);
    expect(rows[0]!.patient_key).toBe(rows[1]!.patient_key);
    expect(rows[0]!.patient_key).toBe(store.patientKey('pat-SECRET-1'));
    expect(store.patientKey('pat-SECRET-2')).not.toBe(store.patientKey('pat-SECRET-1'));
    // The pseudonym is HMAC-SHA256 of the UTF-8 id under the key, first 32 hex digits (vector computed with
    // Python's hmac module): audits of earlier versions stay comparable.
    const keyed = await openStore(sql, { auditKey: '0123456789abcdef0123456789abcdef' });
    expect(keyed.patientKey('pat-ÄÖ-1')).toBe('ab8d6b6155cb6ac1871d27a5d5d407a6');
    // Pseudonyms are remembered for a bounded number of patients (BoundedMemo, test/unit/memo.test.ts): one
    // forgotten after 2,000 others is computed again, and it is the same.
    for (let i = 0; i < 2000; i++) keyed.patientKey(`other-${i}`);
    expect(keyed.patientKey('pat-ÄÖ-1')).toBe('ab8d6b6155cb6ac1871d27a5d5d407a6');
    const stats = await store.feedbackStats();
    expect(stats).toEqual([
      {
        cardType: 'naloxone',
        shown: 1,
        accepted: 0,
        overridden: 1,
        acceptanceRate: 0,
        overrideRate: 1,
        overrideReasons: { 'patient-declined': 1 },
      },
      {
        cardType: 'referralmbtcbt',
        shown: 2,
        accepted: 1,
        overridden: 0,
        acceptanceRate: 0.5,
        overrideRate: 0,
        overrideReasons: {},
      },
    ]);
  });

  it('folds the cards of audit records written before version 3 into their hook call', async () => {
    const older = await make();
    const olderSql = await older.open();
    try {
      expect(
        await migrate(
          olderSql,
          MIGRATIONS.filter((m) => m.version < 3),
        ),
      ).toEqual([1, 2]);
      await olderSql.query(
        `INSERT INTO hook_call (id, at, service_id, hook_instance, patient_key, flags, recommendation, complete,
           partial_count, latency_ms)
         VALUES (1, now(), 's', 'h1', 'k', '{}', NULL, TRUE, 0, 1), (2, now(), 's', 'h2', 'k', '{}', NULL, TRUE, 0, 1)`,
      );
      await olderSql.query(
        `INSERT INTO hook_card (card_id, hook_call_id, card_type)
         VALUES ('c-b', 1, 'naloxone'), ('c-a', 1, 'referralmore')`,
      );
      expect(await migrate(olderSql)).toEqual([3]);
      const { rows } = await olderSql.query<{ id: string; card_ids: string[]; card_types: string[] }>(
        'SELECT id::text AS id, card_ids, card_types FROM hook_call ORDER BY id',
      );
      expect(rows).toEqual([
        { id: '1', card_ids: ['c-a', 'c-b'], card_types: ['referralmore', 'naloxone'] },
        { id: '2', card_ids: [], card_types: [] },
      ]);
      const tables = await olderSql.query(
        "SELECT 1 FROM information_schema.tables WHERE table_name = 'hook_card'",
      );
      expect(tables.rows).toEqual([]);
    } finally {
      await olderSql.close();
      await older.drop();
    }
  }, 60_000);

  it('stores every field of each audit record of a batch as given, whatever characters its texts hold', async () => {
    // The quotes, backslashes and braces of array literals; the tabs, line breaks, \N and \. of COPY's text format.
    const odd = [
      'quote " here',
      'back\\slash',
      'comma, {brace}',
      'NULL',
      '',
      'ünïcödé',
      'tab\there',
      'two\nlines',
      'carriage\rreturn',
      '\\N',
      '\\.',
    ];
    const batch = [
      call({
        hookInstance: 'batch-1',
        serviceId: 'service\twith\ttabs\\N',
        flags: odd,
        cards: [{ id: 'c,"1"\n', type: 'type {x}\\' }],
      }),
      call({
        hookInstance: 'batch-2',
        at: new Date('2026-02-01T23:59:59.500Z'),
        flags: [],
        cards: [],
        recommendation: null,
        complete: false,
        partialCount: 3,
        latencyMs: 12.5,
      }),
    ];
    await record(batch);
    const { rows } = await sql.query(
      `SELECT at, service_id, hook_instance, flags, recommendation, complete, partial_count, latency_ms, card_ids,
         card_types FROM hook_call WHERE hook_instance LIKE 'batch-%' ORDER BY hook_instance`,
    );
    expect(rows.map((r) => ({ ...r, at: new Date(r.at as string | Date).toISOString() }))).toEqual([
      {
        at: '2026-01-15T10:00:00.000Z',
        service_id: 'service\twith\ttabs\\N',
        hook_instance: 'batch-1',
        flags: odd,
        recommendation: 'MBT_OR_CBT',
        complete: true,
        partial_count: 0,
        latency_ms: 3.2,
        card_ids: ['c,"1"\n'],
        card_types: ['type {x}\\'],
      },
      {
        at: '2026-02-01T23:59:59.500Z',
        service_id: 'opioid-pain-patient-view',
        hook_instance: 'batch-2',
        flags: [],
        recommendation: null,
        complete: false,
        partial_count: 3,
        latency_ms: 12.5,
        card_ids: [],
        card_types: [],
      },
    ]);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe('audit records on the embedded database', () => {
  let db: TestDatabase;
  let sql: Sql;
  beforeAll(async () => {
    db = embeddedDatabase();
    sql = await db.open();
  }, 60_000);
  afterAll(async () => {
    await (sql as Sql | undefined)?.close();
  });

  it('are written with COPY, one statement per batch', async () => {
    const statements: string[] = [];
    const copies: string[] = [];
    const watched: Sql = {
      ...sql,
      query: (text, params) => {
        statements.push(text);
        return sql.query(text, params);
      },
      copyIn: (table, columns, data) => {
        copies.push(table);
        return sql.copyIn!(table, columns, data);
      },
    };
    const store = await openStore(watched);
    statements.length = 0;
    await store.recordHookCalls([
      { ...call({ hookInstance: 'copy-1' }), patientKey: 'k1' },
      { ...call({ hookInstance: 'copy-2' }), patientKey: 'k2' },
    ]);
    expect(copies).toEqual(['hook_call']);
    expect(statements).toEqual([]);
    const { rows } = await sql.query<{ hook_instance: string; patient_key: string }>(
      "SELECT hook_instance, patient_key FROM hook_call WHERE hook_instance LIKE 'copy-%' ORDER BY id",
    );
    expect(rows).toEqual([
      { hook_instance: 'copy-1', patient_key: 'k1' },
      { hook_instance: 'copy-2', patient_key: 'k2' },
    ]);
  });

  it('are all written or none: a batch with one unreadable row leaves nothing', async () => {
    const good = `2026-01-15T10:00:00.000Z\ts\tatomic-1\tk\t{}\t\\N\tt\t0\t1\t{}\t{}\n`;
    const bad = `not a time\ts\tatomic-2\tk\t{}\t\\N\tt\t0\t1\t{}\t{}\n`;
    const columns = HOOK_CALL_COLUMN_NAMES;
    await expect(sql.copyIn!('hook_call', columns, good + bad)).rejects.toThrow(/timestamp/);
    const none = await sql.query("SELECT 1 FROM hook_call WHERE hook_instance LIKE 'atomic-%'");
    expect(none.rows).toEqual([]);
    await expect(sql.copyIn!('hook_call', columns, good)).resolves.toBe(1);
    // The connection is usable after the refused COPY.
    await expect(sql.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });
});
