import { ConfigError } from '../config';

export type StartupCode =
  'EMBEDDED_PG_PORT_IN_USE' | 'EMBEDDED_PG_DIR_IN_USE' | 'EMBEDDED_PG_UNREACHABLE' | 'EMBEDDED_PG_START_FAILED';

/** A reason the process cannot start, whose message says what to change. */
export class StartupError extends Error {
  override readonly name = 'StartupError';

  constructor(
    readonly code: StartupCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The text printed for whatever a failed start threw: message and code (and the stack of an
 * unexpected error), never a bare `undefined` for a rejection without a reason.
 */
export function describeStartupError(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof StartupError) return `${err.message} [${err.code}]`;
  const frames = err instanceof Error && err.stack ? err.stack.split('\n').filter((l) => /^\s+at /.test(l)) : [];
  return [`Startup failed: ${summary(err, 0)}`, ...frames].join('\n');
}

function summary(err: unknown, depth: number): string {
  if (err === undefined || err === null) return 'a step failed without giving a reason';
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    let text = err.message || err.name;
    if (code !== undefined && code !== null && code !== '') text += ` [${String(code)}]`;
    // AggregateError (e.g. a connection refused on both ::1 and 127.0.0.1) has an empty message of its own.
    if (err instanceof AggregateError && err.errors.length > 0 && depth < 3)
      text += `: ${err.errors.map((e) => summary(e, depth + 1)).join('; ')}`;
    if (err.cause !== undefined && depth < 3) text += ` (cause: ${summary(err.cause, depth + 1)})`;
    return text;
  }
  if (typeof err === 'string') return err || 'an empty error message';
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}
