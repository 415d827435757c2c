import { z } from 'zod';
import { MONEY_PATTERN } from '../../shared/money';
import type { RegisterSaleInput } from './sale.input';

/**
 * The sale contract checked without zod, for bulk loads where a per-row zod parse of the whole
 * (deep) schema dominated the run. It accepts only input that the schema (sale.service.ts) would
 * accept *unchanged* — ids and codes already trimmed and upper-cased, texts trimmed — and returns
 * what the schema would return (known keys only). Anything else answers null and goes through zod,
 * which decides and names the offending fields. A property test keeps the two in step.
 */
const BUSINESS_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
const CODE = /^[A-Z0-9][A-Z0-9._-]*$/;
const TOKEN = /^[a-z][a-z0-9_]*$/;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;
const DOCUMENT = /^\d{11}$|^\d{14}$/;
const EMAIL = z.regexes.email;

type Out = RegisterSaleInput;

const str = (v: unknown): v is string => typeof v === 'string';
const businessId = (v: unknown) => str(v) && v.length <= 64 && BUSINESS_ID.test(v);
const code = (v: unknown) => str(v) && v.length <= 64 && CODE.test(v);
const token = (v: unknown) => str(v) && v.length <= 32 && TOKEN.test(v);
const money = (v: unknown) => str(v) && MONEY_PATTERN.test(v);
/** text(max): already trimmed, non-empty, bounded, no control characters. */
const text = (v: unknown, max: number) =>
  str(v) && v.length >= 1 && v.length <= max && v.trim() === v && NO_CONTROL_CHARS.test(v);
const nullish = (v: unknown, check: (v: unknown) => boolean) => v === null || v === undefined || check(v);
const quantity = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1_000_000;

function customer(c: unknown): Out['customer'] | false {
  if (c === null || c === undefined) return c;
  if (typeof c !== 'object' || Array.isArray(c)) return false;
  const k = c as Record<string, unknown>;
  if (
    !businessId(k.id) ||
    !nullish(k.name, (v) => text(v, 200)) ||
    !nullish(k.document, (v) => str(v) && DOCUMENT.test(v))
  )
    return false;
  if (!nullish(k.email, (v) => str(v) && v.length <= 254 && EMAIL.test(v))) return false;
  return {
    id: k.id as string,
    name: k.name as string | null | undefined,
    email: k.email as string | null | undefined,
    document: k.document as string | null | undefined,
  };
}

export function fastSaleInput(raw: unknown): Out | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const s = raw as Record<string, unknown>;
  if (!businessId(s.id) || !code(s.storeCode) || !token(s.channel) || !money(s.total)) return null;
  if (!(s.soldAt instanceof Date) || Number.isNaN(s.soldAt.getTime())) return null;
  const c = customer(s.customer);
  if (c === false) return null;
  if (!Array.isArray(s.items) || s.items.length < 1 || s.items.length > 500) return null;
  const items: Out['items'] = [];
  for (const i of s.items as unknown[]) {
    if (typeof i !== 'object' || i === null) return null;
    const it = i as Record<string, unknown>;
    if (
      !code(it.sku) ||
      !nullish(it.description, (v) => text(v, 200)) ||
      !quantity(it.quantity) ||
      !money(it.unitPrice) ||
      !money(it.discount)
    )
      return null;
    items.push({
      sku: it.sku as string,
      description: it.description as string | null | undefined,
      quantity: it.quantity as number,
      unitPrice: it.unitPrice as string,
      discount: it.discount as string,
    });
  }
  return {
    id: s.id as string,
    storeCode: s.storeCode as string,
    channel: s.channel as string,
    soldAt: s.soldAt,
    customer: c,
    items,
    total: s.total as string,
  };
}
