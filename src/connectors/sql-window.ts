import { DateTime } from 'luxon';
import type { ExtractWindow } from './connector';

/**
 * SQL sources bind the window as two parameters. `utc` gives timestamps; `local` gives
 * 'YYYY-MM-DD HH:mm:ss' in the source's timezone, for ERPs that store local times without offset.
 */
export type WindowBinding = 'utc' | 'local';

export function windowParams(w: ExtractWindow, binding: WindowBinding): [Date, Date] | [string, string] {
  if (binding === 'utc') return [w.from, w.to];
  const local = (d: Date) => DateTime.fromJSDate(d, { zone: w.timezone }).toFormat('yyyy-MM-dd HH:mm:ss');
  return [local(w.from), local(w.to)];
}

/** A local time without offset, as an ERP stores it, read in the client's timezone. */
export function fromLocalTime(value: string | Date, timezone: string): Date {
  if (value instanceof Date) return value;
  const dt = DateTime.fromSQL(value, { zone: timezone });
  const parsed = dt.isValid ? dt : DateTime.fromISO(value, { zone: timezone });
  if (!parsed.isValid) throw new Error(`not a local date-time: ${value}`);
  return parsed.toJSDate();
}
