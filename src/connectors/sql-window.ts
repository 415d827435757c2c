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

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
/** UTC offset (minutes) per zone and local hour: constant within an hour, so computed once per hour seen. */
const offsets = new Map<string, number>();

/** A local time without offset, as an ERP stores it, read in the client's timezone. */
export function fromLocalTime(value: string | Date, timezone: string): Date {
  if (value instanceof Date) return value;
  const m = LOCAL.exec(value);
  if (!m) {
    const parsed = DateTime.fromISO(value, { zone: timezone });
    if (!parsed.isValid) throw new Error(`not a local date-time: ${value}`);
    return parsed.toJSDate();
  }
  const key = `${timezone}|${value.slice(0, 13)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const hour = DateTime.fromObject({ year: +m[1], month: +m[2], day: +m[3], hour: +m[4] }, { zone: timezone });
    if (!hour.isValid) throw new Error(`not a local date-time: ${value}`);
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(key, hour.offset);
    offset = hour.offset;
  }
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0), +(m[7] ?? 0)) - (offset as number) * 60_000;
  const d = new Date(utc);
  if (Number.isNaN(d.getTime()) || +m[2] > 12 || +m[3] > 31 || +m[4] > 23 || +m[5] > 59)
    throw new Error(`not a local date-time: ${value}`);
  return d;
}
