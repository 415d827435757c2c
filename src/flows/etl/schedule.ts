import { DateTime } from 'luxon';

export interface ScheduledBatch {
  /** When the batch should run (UTC instant). */
  runAt: Date;
  /** The business date it covers: the client's local day before `runAt`. */
  businessDate: string;
}

function parseAt(at: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!m) throw new Error(`not a HH:MM time: ${at}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/**
 * The next daily batch strictly after `now`: `at` local time in `timezone` (02:00 by default), for
 * the local day before. DST-safe: a local time that does not exist that day moves forward, as luxon does.
 */
export function nextDailyBatch(now: Date, timezone: string, at = '02:00'): ScheduledBatch {
  const { hour, minute } = parseAt(at);
  const local = DateTime.fromJSDate(now, { zone: timezone });
  if (!local.isValid) throw new Error(`unknown timezone: ${timezone}`);
  let run = local.set({ hour, minute, second: 0, millisecond: 0 });
  if (run <= local) run = run.plus({ days: 1 }).set({ hour, minute });
  return { runAt: run.toJSDate(), businessDate: run.minus({ days: 1 }).toISODate()! };
}

/** The business date a batch fired at `firedAt` covers (pg-boss passes the fire time to the job). */
export function businessDateFor(firedAt: Date, timezone: string): string {
  return DateTime.fromJSDate(firedAt, { zone: timezone }).minus({ days: 1 }).toISODate()!;
}

/** The local day [00:00, next 00:00) of a business date, as UTC instants. */
export function businessDayWindow(businessDate: string, timezone: string): { from: Date; to: Date } {
  const start = DateTime.fromISO(businessDate, { zone: timezone }).startOf('day');
  if (!start.isValid) throw new Error(`not a date in ${timezone}: ${businessDate}`);
  return { from: start.toJSDate(), to: start.plus({ days: 1 }).toJSDate() };
}

/** The pg-boss cron for a client's daily batch (evaluated by pg-boss in the client's timezone). */
export function dailyBatchCron(at = '02:00'): string {
  const { hour, minute } = parseAt(at);
  return `${minute} ${hour} * * *`;
}
