/**
 * What the service keeps: clinicians' feedback on cards (durable, idempotent, acknowledged only after commit) and an
 * audit record per hook call (no PHI: a keyed hash stands for the patient). Governance reads acceptance and override
 * rates per card type from them.
 */
import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { BoundedMemo } from '../domain/memo.ts';
import { migrate } from './migrations.ts';
import type { Sql } from './sql.ts';

export interface FeedbackItem {
  readonly cardId: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly outcomeTimestamp?: string;
  readonly acceptedSuggestions: readonly string[];
  readonly overrideReason?: { readonly code?: string; readonly system?: string };
  /** Comments are free text a clinician typed: only their presence is kept. */
  readonly hasUserComment: boolean;
}

/** What a hook call leaves for the audit, as the route knows it. */
export interface HookCallRecord {
  readonly at: Date;
  readonly serviceId: string;
  readonly hookInstance: string;
  readonly patientId: string;
  readonly cards: readonly { readonly id: string; readonly type: string }[];
  readonly flags: readonly string[];
  readonly recommendation: string | null;
  readonly complete: boolean;
  readonly partialCount: number;
  readonly latencyMs: number;
}

/** An audit record as stored: the patient only as their pseudonym (Store.patientKey). */
export type AuditRecord = Omit<HookCallRecord, 'patientId'> & { readonly patientKey: string };

export interface CardTypeStats {
  readonly cardType: string;
  readonly shown: number;
  readonly accepted: number;
  readonly overridden: number;
  readonly acceptanceRate: number | null;
  readonly overrideRate: number | null;
  readonly overrideReasons: Readonly<Record<string, number>>;
}

export interface Store {
  readonly kind: Sql['kind'];
  saveFeedback(
    serviceId: string,
    items: readonly FeedbackItem[],
  ): Promise<{ stored: number; duplicates: number }>;
  /** The pseudonym the audit keeps for a patient: a keyed hash (HMAC-SHA-256) of the id, never the id. */
  patientKey(patientId: string): string;
  /** Audit records, in one statement: all of them or none. */
  recordHookCalls(records: readonly AuditRecord[]): Promise<void>;
  feedbackStats(): Promise<CardTypeStats[]>;
  /** Rows of feedback (for tests and exports): how many are stored. */
  feedbackCount(): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A PostgreSQL array literal of texts: every element quoted, with its quotes and backslashes escaped. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * The columns of an audit record with their types, and the values of a record in the same order: one list for both
 * ways a batch is written (COPY on the embedded database, an INSERT from arrays on PostgreSQL). A column that is an
 * array travels as one array literal per row, in both.
 */
const HOOK_CALL_COLUMNS = [
  ['at', 'timestamptz'],
  ['service_id', 'text'],
  ['hook_instance', 'text'],
  ['patient_key', 'text'],
  ['flags', 'text[]'],
  ['recommendation', 'text'],
  ['complete', 'boolean'],
  ['partial_count', 'integer'],
  ['latency_ms', 'real'],
  ['card_ids', 'text[]'],
  ['card_types', 'text[]'],
] as const;

export const HOOK_CALL_COLUMN_NAMES: readonly string[] = HOOK_CALL_COLUMNS.map(([name]) => name);

type ColumnValue = string | number | boolean | null;

function hookCallValues(r: AuditRecord): ColumnValue[] {
  return [
    r.at.toISOString(),
    r.serviceId,
    r.hookInstance,
    r.patientKey,
    arrayLiteral(r.flags),
    r.recommendation,
    r.complete,
    r.partialCount,
    r.latencyMs,
    arrayLiteral(r.cards.map((c) => c.id)),
    arrayLiteral(r.cards.map((c) => c.type)),
  ];
}

/**
 * A batch from arrays, one per column (`unnest`): one statement whatever its size. Array columns arrive as texts
 * (their literals) and are cast in the SELECT.
 */
const INSERT_HOOK_CALLS = (() => {
  const names = HOOK_CALL_COLUMN_NAMES.join(', ');
  const params = HOOK_CALL_COLUMNS.map(
    ([, type], i) => `$${i + 1}::${type.endsWith('[]') ? 'text' : type}[]`,
  );
  const selected = HOOK_CALL_COLUMNS.map(([name, type]) => (type.endsWith('[]') ? `${name}::${type}` : name));
  return `INSERT INTO hook_call (${names}) SELECT ${selected.join(', ')} FROM unnest(${params.join(', ')}) AS r(${names})`;
})();

const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** A field of COPY's text format: `\N` for null; backslashes, tabs and line breaks escaped. */
function copyField(value: ColumnValue | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value).replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] ?? c);
}

/** An audit record as a line of COPY's text format, its fields in the order of HOOK_CALL_COLUMNS. */
function copyLine(r: AuditRecord): string {
  return `${hookCallValues(r).map(copyField).join('\t')}\n`;
}

/**
 * A date-time as the instant it names, to the nanosecond: "10:05:00-05:00" and "15:05:00Z" are one outcome sent twice.
 * The milliseconds come from Date.parse, finer digits from the text (Date keeps milliseconds only).
 */
function instantKey(timestamp: string | undefined): string {
  if (timestamp === undefined) return '';
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return timestamp;
  const fraction = /\.(\d+)/.exec(timestamp)?.[1] ?? '';
  return `${ms}.${fraction.padEnd(9, '0').slice(3, 9)}`;
}

function dedupKey(serviceId: string, item: FeedbackItem): string {
  const canonical = JSON.stringify([
    serviceId,
    item.cardId,
    item.outcome,
    instantKey(item.outcomeTimestamp),
    [...item.acceptedSuggestions].sort(),
    item.overrideReason?.system ?? '',
    item.overrideReason?.code ?? '',
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * How many patients' pseudonyms are kept in memory, with their ids: never written anywhere, but a memory dump of the
 * process would pair them (as it would show the requests in flight).
 */
const RECENT_PSEUDONYMS = 1024;

/** The secret of the patient pseudonyms: configured (AUDIT_KEY), else generated once and kept in the store. */
async function pseudonymSecret(sql: Sql, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  await sql.query('INSERT INTO setting (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
    'patient-key-secret',
    randomBytes(32).toString('hex'),
  ]);
  const { rows } = await sql.query<{ value: string }>('SELECT value FROM setting WHERE name = $1', [
    'patient-key-secret',
  ]);
  const value = rows[0]?.value;
  if (value === undefined) throw new Error('the patient pseudonym secret could not be stored');
  return value;
}

export async function openStore(sql: Sql, options: { auditKey?: string } = {}): Promise<Store> {
  await migrate(sql);
  // A key object made once: a string key is converted again on every call.
  const secret = createSecretKey(Buffer.from(await pseudonymSecret(sql, options.auditKey), 'utf8'));
  const pseudonym = (patientId: string): string =>
    createHmac('sha256', secret).update(patientId).digest('hex').slice(0, 32);
  // Pseudonyms of recent patients: a visit fires several hooks for one patient, and the keyed hash was most of an
  // audit record's cost on the event loop (about 20 us). Bounded: when full, the first remembered goes first.
  const recent = new BoundedMemo<string>(RECENT_PSEUDONYMS);
  const patientKey = (patientId: string): string => recent.get(patientId, () => pseudonym(patientId));

  return {
    kind: sql.kind,
    patientKey,
    saveFeedback(serviceId, items) {
      return sql.transaction(async (tx) => {
        let stored = 0;
        for (const item of items) {
          const result = await tx.query(
            `INSERT INTO feedback (dedup_key, service_id, card_id, outcome, outcome_at, accepted_suggestions,
               override_reason_code, override_reason_system, has_user_comment)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedup_key) DO NOTHING`,
            [
              dedupKey(serviceId, item),
              serviceId,
              item.cardId,
              item.outcome,
              item.outcomeTimestamp ?? null,
              [...item.acceptedSuggestions],
              item.overrideReason?.code ?? null,
              item.overrideReason?.system ?? null,
              item.hasUserComment,
            ],
          );
          stored += result.affectedRows;
        }
        return { stored, duplicates: items.length - stored };
      });
    },
    async recordHookCalls(records) {
      if (records.length === 0) return;
      // Where the database takes COPY (the embedded one): a batch of 130 records cost its thread 2.1 ms of CPU
      // instead of 5.8 ms for the INSERT below (ADR 0012).
      if (sql.copyIn) {
        await sql.copyIn('hook_call', HOOK_CALL_COLUMN_NAMES, records.map(copyLine).join(''));
        return;
      }
      // Elsewhere (PostgreSQL): typed arrays, one per column (on the embedded database about half the work of rows
      // in a JSON document). A statement is atomic by itself: no transaction around it, which made four round
      // trips of one (BEGIN, SET, INSERT, COMMIT).
      const rows = records.map(hookCallValues);
      await sql.query(
        INSERT_HOOK_CALLS,
        HOOK_CALL_COLUMNS.map((_, i) => rows.map((row) => row[i])),
      );
    },
    async feedbackStats() {
      const shown = await sql.query<{ card_type: string; n: string }>(
        'SELECT card_type, count(*) AS n FROM hook_call, unnest(card_types) AS card_type GROUP BY card_type',
      );
      // Cards, not rows: a card overridden for two reasons (Epic's overrideReasons) is one overridden card, counted
      // once under each reason.
      const card = `(SELECT DISTINCT u.card_id, u.card_type
                       FROM hook_call h CROSS JOIN LATERAL unnest(h.card_ids, h.card_types) AS u(card_id, card_type))`;
      const outcomes = await sql.query<{ card_type: string; outcome: string; n: string }>(
        `SELECT c.card_type, f.outcome, count(DISTINCT f.card_id) AS n
           FROM feedback f JOIN ${card} c ON c.card_id = f.card_id
          GROUP BY c.card_type, f.outcome`,
      );
      const reasons = await sql.query<{ card_type: string; reason: string | null; n: string }>(
        `SELECT c.card_type, f.override_reason_code AS reason, count(DISTINCT f.card_id) AS n
           FROM feedback f JOIN ${card} c ON c.card_id = f.card_id
          WHERE f.outcome = 'overridden'
          GROUP BY c.card_type, f.override_reason_code`,
      );
      const byType = new Map<
        string,
        { shown: number; accepted: number; overridden: number; reasons: Record<string, number> }
      >();
      const entry = (
        type: string,
      ): { shown: number; accepted: number; overridden: number; reasons: Record<string, number> } => {
        let e = byType.get(type);
        if (!e) byType.set(type, (e = { shown: 0, accepted: 0, overridden: 0, reasons: {} }));
        return e;
      };
      for (const row of shown.rows) entry(row.card_type).shown = Number(row.n);
      for (const row of outcomes.rows) {
        const e = entry(row.card_type);
        if (row.outcome === 'accepted') e.accepted += Number(row.n);
        else e.overridden += Number(row.n);
      }
      for (const row of reasons.rows) {
        const e = entry(row.card_type);
        const reason = row.reason ?? '(none given)';
        e.reasons[reason] = (e.reasons[reason] ?? 0) + Number(row.n);
      }
      const rate = (n: number, of: number): number | null =>
        of === 0 ? null : Math.round((n / of) * 1000) / 1000;
      return [...byType]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([cardType, e]) => ({
          cardType,
          shown: e.shown,
          accepted: e.accepted,
          overridden: e.overridden,
          acceptanceRate: rate(e.accepted, e.shown),
          overrideRate: rate(e.overridden, e.shown),
          overrideReasons: e.reasons,
        }));
    },
    async feedbackCount() {
      const { rows } = await sql.query<{ n: string }>('SELECT count(*) AS n FROM feedback');
      return Number(rows[0]?.n ?? 0);
    },
    async ping() {
      await sql.query('SELECT 1');
    },
    close: () => sql.close(),
  };
}
