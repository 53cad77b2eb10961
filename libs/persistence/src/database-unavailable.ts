/**
 * Whether an error says PostgreSQL is away rather than that a statement is wrong: a connection
 * failure (SQLSTATE class 08, node's ECONN… and ETIMEDOUT codes, the pg client's own messages), a server
 * shutting down (57P0x) or one refusing connections (53300). What failed this way is retried once
 * the database is back, not counted as a bug.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (
    /^(08|57P0|53300|ECONN|ETIMEDOUT)/.test(code ?? '') ||
    /Connection terminated|timeout exceeded when trying to connect|not currently accepting connections/i.test(
      message ?? '',
    )
  );
}
