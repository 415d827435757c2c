import { businessDateFor, businessDayWindow, dailyBatchCron, nextDailyBatch } from '../../src/flows/etl/schedule';

describe('daily batch schedule (pure)', () => {
  it('runs at 02:00 São Paulo (05:00Z) for the local day before', () => {
    expect(nextDailyBatch(new Date('2026-11-29T04:59:00Z'), 'America/Sao_Paulo')).toEqual({
      runAt: new Date('2026-11-29T05:00:00Z'),
      businessDate: '2026-11-28',
    });
    expect(nextDailyBatch(new Date('2026-11-29T05:00:00Z'), 'America/Sao_Paulo')).toEqual({
      runAt: new Date('2026-11-30T05:00:00Z'),
      businessDate: '2026-11-29',
    });
  });

  it('uses the local date, not the UTC one (22:30 local is already the next day in UTC)', () => {
    expect(nextDailyBatch(new Date('2026-11-29T01:30:00Z'), 'America/Sao_Paulo')).toEqual({
      runAt: new Date('2026-11-29T05:00:00Z'),
      businessDate: '2026-11-28',
    });
  });

  it('follows daylight saving time where the zone has it', () => {
    // New York: EDT (-4) until 2026-11-01 02:00, EST (-5) from then on.
    expect(nextDailyBatch(new Date('2026-10-30T12:00:00Z'), 'America/New_York').runAt).toEqual(
      new Date('2026-10-31T06:00:00Z'),
    );
    expect(nextDailyBatch(new Date('2026-10-31T12:00:00Z'), 'America/New_York').runAt).toEqual(
      new Date('2026-11-01T07:00:00Z'),
    );
    expect(nextDailyBatch(new Date('2026-11-01T12:00:00Z'), 'America/New_York').runAt).toEqual(
      new Date('2026-11-02T07:00:00Z'),
    );
    // 02:30 does not exist on 2026-03-08 in New York: it moves to 03:30 EDT.
    expect(nextDailyBatch(new Date('2026-03-08T05:00:00Z'), 'America/New_York', '02:30').runAt).toEqual(
      new Date('2026-03-08T07:30:00Z'),
    );
  });

  it('derives the business date from the fire time, the window from the date, and the cron from the time', () => {
    expect(businessDateFor(new Date('2026-11-29T05:00:00Z'), 'America/Sao_Paulo')).toBe('2026-11-28');
    expect(businessDayWindow('2026-11-28', 'America/Sao_Paulo')).toEqual({
      from: new Date('2026-11-28T03:00:00Z'),
      to: new Date('2026-11-29T03:00:00Z'),
    });
    expect(dailyBatchCron('02:00')).toBe('0 2 * * *');
    expect(dailyBatchCron('23:45')).toBe('45 23 * * *');
    expect(() => dailyBatchCron('24:00')).toThrow('HH:MM');
    expect(() => nextDailyBatch(new Date(), 'Mars/Olympus')).toThrow('unknown timezone');
  });
});
