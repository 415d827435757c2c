/** Builds a parameterised WHERE clause: each `?` becomes the next positional parameter. */
export class SqlFilter {
  readonly values: unknown[] = [];
  private readonly clauses: string[] = [];

  where(sql: string, ...params: unknown[]): this {
    let i = 0;
    this.clauses.push(
      sql.replace(/\?/g, () => {
        this.values.push(params[i++]);
        return `$${this.values.length}`;
      }),
    );
    return this;
  }

  /** Adds the condition only when `value` is given (not undefined, null or ''). */
  whereIf(value: unknown, sql: string): this {
    return value === undefined || value === null || value === '' ? this : this.where(sql, value);
  }

  /** A positional parameter outside the WHERE clause (e.g. LIMIT). */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  get sql(): string {
    return this.clauses.join(' and ');
  }
}
