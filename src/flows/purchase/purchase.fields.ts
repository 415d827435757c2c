import { z } from 'zod';

/**
 * Field rules of the purchase contract. NF-e (Brazilian electronic invoice): the 44-digit access key
 * encodes, among others, the series (digits 23–25) and the number (26–34) and ends with a mod-11
 * check digit.
 */
export const nfeNumber = () =>
  z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, 'the NF-e number: 1 to 9 digits')
    .transform((n) => n.padStart(9, '0'));

export const nfeSeries = () =>
  z
    .string()
    .trim()
    .regex(/^\d{1,3}$/, 'the NF-e series: 1 to 3 digits')
    .transform((s) => String(Number(s)));

export const accessKey = () =>
  z
    .string()
    .trim()
    .regex(/^\d{44}$/, 'the NF-e access key: 44 digits')
    .refine(hasValidCheckDigit, 'the access key check digit (mod 11) does not match');

export function hasValidCheckDigit(key: string): boolean {
  return /^\d{44}$/.test(key) && checkDigit(key.slice(0, 43)) === Number(key[43]);
}

/** The mod-11 check digit of the first 43 digits (weights 2–9 from the right; 0 when the rest is 0 or 1). */
export function checkDigit(first43: string): number {
  let sum = 0;
  let weight = 2;
  for (let i = first43.length - 1; i >= 0; i--) {
    sum += Number(first43[i]) * weight;
    weight = weight === 9 ? 2 : weight + 1;
  }
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** The document's number and series must be the ones its access key encodes. */
export function checkKeyMatchesDocument(
  doc: { number: string; series: string; accessKey: string },
  ctx: z.RefinementCtx,
  keyField: string,
): void {
  if (!hasValidCheckDigit(doc.accessKey)) return; // already reported by the key's own rule
  if (doc.accessKey.slice(25, 34) !== doc.number) {
    ctx.addIssue({
      code: 'custom',
      path: [keyField],
      message: `the access key encodes number ${doc.accessKey.slice(25, 34)}, not ${doc.number}`,
    });
  }
  if (String(Number(doc.accessKey.slice(22, 25))) !== doc.series) {
    ctx.addIssue({
      code: 'custom',
      path: [keyField],
      message: `the access key encodes series ${Number(doc.accessKey.slice(22, 25))}, not ${doc.series}`,
    });
  }
}

/** Each sku appears once in a list of items (an order line or a received quantity per sku). */
export function checkDistinctSkus(items: Array<{ sku: string }>, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.sku))
      ctx.addIssue({ code: 'custom', path: [i, 'sku'], message: `sku ${item.sku} appears more than once` });
    seen.add(item.sku);
  });
}
