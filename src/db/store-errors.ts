/**
 * The one classifier of database errors: whether an error means "the store cannot serve us right
 * now" (503, counted by breakers, retried by queues) rather than "this statement was refused"
 * (the caller's input or our bug).
 */

/**
 * SQLSTATEs that say the store is unavailable whatever the statement: 08 connection exception,
 * 53 insufficient resources, 57P0x operator intervention (shutdown, cannot connect now, database
 * dropped), 58 system error (I/O), 57014 a statement cancelled (a server-side statement_timeout), and
 * the refusals only met at connect: 28 credentials, 3D000 no such database. (Severity is the other
 * test: it is localised, these codes are not.)
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|58|57P0|28|57014$|3D000$)/;
const UNAVAILABLE_ERRNO = new Set([
  ...['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE'],
  ...['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'],
]);
/** node-postgres' own errors for a connection that is gone, never opened, or silent past its timeout. */
const TIMEOUT_TEXT = /connection timeout|timeout exceeded when trying to connect|Query read timeout|timeout expired/i;
const UNAVAILABLE_MESSAGE = new RegExp(`Connection terminated|is not queryable|${TIMEOUT_TEXT.source}`, 'i');

interface PgLikeError {
  code?: unknown;
  severity?: unknown;
  message?: unknown;
}

/**
 * The COMMIT of a transaction was sent but its answer never came (the connection was lost or timed
 * out): the transaction may or may not have committed.
 */
export class CommitOutcomeUnknown extends Error {
  constructor(override readonly cause: unknown) {
    super(`the outcome of the COMMIT is unknown: ${(cause as Error)?.message ?? cause}`);
    this.name = 'CommitOutcomeUnknown';
  }
}

/** The store was found unavailable a moment ago (`cause`), and is not asked again yet. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * True when the store could not serve the request: unreachable, refusing connections (FATAL at
 * connect: `ALLOW_CONNECTIONS false` 55000, a dropped database 3D000, refused credentials 28xxx,
 * shutting down 57P01–03), out of resources, silent past a timeout, or a COMMIT whose outcome is unknown.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof CommitOutcomeUnknown || err instanceof StoreUnavailableError) return true;
  const e = err as PgLikeError | null;
  if (!e || typeof e !== 'object') return false;
  // FATAL and PANIC end the session: the server will not run anything on this connection.
  if (e.severity === 'FATAL' || e.severity === 'PANIC') return true;
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code))) return true;
  return typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message);
}

/**
 * True when the store was waited for in vain (connect timeout, no answer to a statement, a
 * statement cancelled by statement_timeout): retrying at once would wait as long again.
 */
export function isStoreTimeout(err: unknown): boolean {
  const e = err as PgLikeError | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === '57014' || e.code === 'ETIMEDOUT') return true;
  return typeof e.message === 'string' && TIMEOUT_TEXT.test(e.message);
}

/** An error the server sent in answer to a statement (the session goes on; nothing is uncertain). */
export function isStatementError(err: unknown): boolean {
  const e = err as PgLikeError | null;
  return !!e && typeof e === 'object' && e.severity === 'ERROR' && typeof e.code === 'string';
}

/** node-postgres refused to send anything: the connection was already broken or closed. */
export function wasNeverSent(err: unknown): boolean {
  const message = (err as PgLikeError | null)?.message;
  return typeof message === 'string' && /is not queryable/.test(message);
}
