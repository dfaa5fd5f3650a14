/**
 * The one thing the store needs from a database: parameterised queries and transactions. Implemented over
 * PostgreSQL (pg, DATABASE_URL) and over PGlite (PostgreSQL in WebAssembly, under DATA_DIR): the same SQL runs on both.
 */
export interface SqlResult<Row> {
  readonly rows: Row[];
  readonly affectedRows: number;
}

export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Each statement is bounded
   * in time (postgres-sql.ts) unless `unbounded`: schema migrations, which may rewrite a large table.
   */
  transaction<T>(
    work: (tx: Pick<Sql, 'query'>) => Promise<T>,
    options?: { readonly unbounded?: boolean },
  ): Promise<T>;
  /**
   * Rows in COPY's text format (one line each, fields separated by tabs, `\N` for null, backslash escapes) into a
   * table, in one statement: all of them or none. Where it is cheaper than an INSERT: on the embedded database a
   * batch of audit records costs about a third of the CPU of the same rows inserted from arrays.
   */
  copyIn?(table: string, columns: readonly string[], data: string): Promise<number>;
  close(): Promise<void>;
  readonly kind: 'postgresql' | 'embedded';
}
