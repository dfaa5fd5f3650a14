/**
 * Versioned schema migrations, applied in order at start-up inside one transaction each, under an advisory lock (so
 * that instances starting together do not race). A migration is never edited once released: add the next one.
 */
import type { Sql } from './sql.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'feedback and audit',
    sql: `
      CREATE TABLE feedback (
        id BIGSERIAL PRIMARY KEY,
        dedup_key TEXT NOT NULL UNIQUE,
        service_id TEXT NOT NULL,
        card_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
        outcome_at TIMESTAMPTZ,
        accepted_suggestions TEXT[] NOT NULL DEFAULT '{}',
        override_reason_code TEXT,
        override_reason_system TEXT,
        has_user_comment BOOLEAN NOT NULL DEFAULT FALSE,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX feedback_card ON feedback (card_id);
      CREATE TABLE hook_call (
        id BIGSERIAL PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL,
        service_id TEXT NOT NULL,
        hook_instance TEXT NOT NULL,
        patient_key TEXT NOT NULL,
        flags TEXT[] NOT NULL,
        recommendation TEXT,
        complete BOOLEAN NOT NULL,
        partial_count INTEGER NOT NULL,
        latency_ms REAL NOT NULL
      );
      CREATE TABLE hook_card (
        card_id TEXT NOT NULL,
        hook_call_id BIGINT NOT NULL REFERENCES hook_call (id),
        card_type TEXT NOT NULL,
        PRIMARY KEY (card_id, hook_call_id)
      );
      CREATE INDEX hook_card_id ON hook_card (card_id);
      CREATE TABLE setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'hook_card: the primary key (card_id first) serves look-ups by card',
    sql: 'DROP INDEX IF EXISTS hook_card_id',
  },
  {
    version: 3,
    name: 'hook_call carries its cards: one row per hook call (hook_card folded in)',
    // One row per call: a second table with a key per card cost an embedded database about twice the work per
    // audit record. Cards shown stay in the order of their ids, each id with its type at the same position.
    sql: `
      ALTER TABLE hook_call ADD COLUMN card_ids TEXT[] NOT NULL DEFAULT '{}';
      ALTER TABLE hook_call ADD COLUMN card_types TEXT[] NOT NULL DEFAULT '{}';
      UPDATE hook_call h SET card_ids = c.ids, card_types = c.types
        FROM (SELECT hook_call_id, array_agg(card_id ORDER BY card_id) AS ids,
                     array_agg(card_type ORDER BY card_id) AS types
                FROM hook_card GROUP BY hook_call_id) c
       WHERE c.hook_call_id = h.id;
      DROP TABLE hook_card
    `,
  },
];

/** The advisory lock instances starting together take in turn (any number the service uses for nothing else). */
const MIGRATION_LOCK = 727001;

/** Applies what is missing; returns the versions applied now. */
export async function migrate(sql: Sql, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  // Under the lock too: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against another instance's at the same
  // moment (one of them fails on the catalog's unique index).
  await sql.transaction(
    async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
    },
    { unbounded: true },
  );
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await sql.transaction(
      async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
        const seen = await tx.query('SELECT 1 FROM schema_migration WHERE version = $1', [migration.version]);
        if (seen.rows.length > 0) return false;
        for (const statement of migration.sql
          .split(';')
          .map((s) => s.trim())
          .filter(Boolean))
          await tx.query(statement);
        await tx.query('INSERT INTO schema_migration (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        return true;
      },
      // A migration may rewrite a large table, and waits for another instance's under the lock: no statement timeout.
      { unbounded: true },
    );
    if (done) applied.push(migration.version);
  }
  return applied;
}
