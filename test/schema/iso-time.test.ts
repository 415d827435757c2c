import { isoUtc } from '../../src/shared/iso-time';

/** `isoUtc(ms)` must be `new Date(ms).toISOString()`, character for character. */
describe('isoUtc writes what toISOString writes', () => {
  const same = (ms: number) => expect(isoUtc(ms)).toBe(new Date(ms).toISOString());

  it('at calendar edges: epoch, leap days, century rules, month and year ends, the last ms of year 9999', () => {
    const edges = [
      '1970-01-01T00:00:00.000Z',
      '1999-12-31T23:59:59.999Z',
      '2000-02-29T12:00:00.001Z',
      '2000-03-01T00:00:00.000Z',
      '2100-02-28T23:59:59.999Z',
      '2100-03-01T00:00:00.000Z',
      '2024-02-29T00:00:00.010Z',
      '2026-11-30T02:34:51.123Z',
      '2400-02-29T06:07:08.090Z',
      '0001-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
    ];
    for (const iso of edges) {
      expect(isoUtc(Date.parse(iso))).toBe(iso);
      same(Date.parse(iso));
    }
  });

  it('for 200,000 random instants between 1970 and 9999', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const mismatches: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const ms = Math.floor(random() * 253_402_300_799_999);
      if (isoUtc(ms) !== new Date(ms).toISOString()) mismatches.push(ms);
    }
    expect(mismatches).toEqual([]);
  });

  it('outside years 0–9999 and for fractional ms it defers to toISOString (extended years, truncation)', () => {
    for (const ms of [-1, -62_198_755_200_001, 253_402_300_800_000, 8.64e15, 1234.5]) same(ms);
    expect(() => isoUtc(Number.NaN)).toThrow(RangeError);
  });
});
