import Decimal from 'decimal.js';

/** Money travels as decimal strings and is computed with decimal.js: never a JS float. */
export type Money = string;

export const MONEY_PATTERN = /^\d{1,12}(\.\d{1,2})?$/;

export function money(value: Money | Decimal): Decimal {
  return new Decimal(value);
}

export function formatMoney(value: Decimal): Money {
  return value.toFixed(2);
}

export function sumMoney(values: Array<Money | Decimal>): Decimal {
  return values.reduce<Decimal>((acc, v) => acc.plus(v), new Decimal(0));
}
