import Decimal from 'decimal.js';

/**
 * The value, as sold, of returning `returning` more units of a sku when `alreadyReturned` units of
 * it were returned before. The sale sold `soldQuantity` units of the sku for `soldTotal` (the sum
 * of its lines' line_total, i.e. after discounts).
 *
 * Rounding: the value of the first n units is soldTotal × n / soldQuantity rounded DOWN to the
 * cent, and a return is worth the difference between the value after and before it. So partial
 * returns never over-value the goods (1 of 3 units sold for 10.00 is worth 3.33), successive
 * returns add up exactly to the line total once every unit is back (3.33 + 3.33 + 3.34), and the
 * refundable total can never exceed what the customer paid for those units.
 */
export function returnedValue(
  soldTotal: Decimal.Value,
  soldQuantity: number,
  alreadyReturned: number,
  returning: number,
): Decimal {
  const valueOfFirst = (n: number) =>
    new Decimal(soldTotal).times(n).div(soldQuantity).toDecimalPlaces(2, Decimal.ROUND_DOWN);
  return valueOfFirst(alreadyReturned + returning).minus(valueOfFirst(alreadyReturned));
}
