import { z } from 'zod';
import { Queryable } from '../../db/database';
import { inventoryLedgerRepository } from '../../domain/inventory-ledger.repository';
import { masterDataRepository } from '../../domain/master-data.repository';
import { checkFactRemovals } from '../../domain/stock-guard';
import { GatewayError } from '../../errors/gateway-error';
import {
  businessId,
  code,
  money as moneyField,
  parseOrThrow,
  positiveMoney,
  quantity,
  text,
  token,
} from '../../shared/fields';
import { contentHash } from '../../shared/hash';
import { formatMoney, money, sumMoney } from '../../shared/money';
import type { RegisterCancellationInput, RegisterPaymentInput, RegisterSaleInput } from './sale.input';
import { returnRepository } from '../returns/return.repository';
import { PaymentRow, SaleRow, saleRepository } from './sale.repository';
import { registerSalesBatch, SaleBatchOutcome } from './sale-batch';
import { fastSaleInput } from './sale.fast-input';

/** The sale contract (zod). sale.fast-input.ts accepts the same, already-canonical input without it. */
export const saleInput = z.object({
  id: businessId(),
  storeCode: code(),
  channel: token(),
  soldAt: z.date(),
  customer: z
    .object({
      id: businessId(),
      name: text(200).nullish(),
      email: z.email().max(254).nullish(),
      document: z
        .string()
        .regex(/^\d{11}$|^\d{14}$/, 'CPF (11 digits) or CNPJ (14 digits)')
        .nullish(),
    })
    .nullish(),
  items: z
    .array(
      z.object({
        sku: code(),
        description: text(200).nullish(),
        quantity: quantity(),
        unitPrice: moneyField(),
        discount: moneyField(),
      }),
    )
    .min(1)
    .max(500),
  total: moneyField(),
});

const paymentInput = z.object({
  id: businessId(),
  saleId: businessId(),
  method: token(),
  amount: positiveMoney(),
  installments: z.number().int().min(1).max(48),
  paidAt: z.date(),
});

const cancellationInput = z.object({ saleId: businessId(), reason: text(200), cancelledAt: z.date() });

/** Pure, so a sale object checked once (the ETL's validate stage) is not checked again when it is loaded. */
const prepared = new WeakMap<RegisterSaleInput, PreparedSale>();

/** A sale checked against the rules (contract, discounts, total to the cent), ready to store. Pure: no I/O. */
export function prepareSale(raw: RegisterSaleInput): PreparedSale {
  const known = prepared.get(raw);
  if (known) return known;
  const result = checkSale(raw);
  prepared.set(raw, result);
  return result;
}

function checkSale(raw: RegisterSaleInput) {
  // Canonical input (every ETL row, most webhooks) skips the zod parse; anything else is parsed and explained.
  const input: z.output<typeof saleInput> =
    (fastSaleInput(raw) as z.output<typeof saleInput> | null) ?? parseOrThrow(saleInput, raw, ['input']);
  const lines = input.items.map((item, i) => {
    const gross = money(item.unitPrice).times(item.quantity);
    if (money(item.discount).gt(gross)) {
      throw new GatewayError('GW_BUSINESS_RULE', `Item ${i} has a discount larger than its value`, {
        issues: [
          { path: `items.${i}.discount`, code: 'discount_exceeds_value', message: `at most ${formatMoney(gross)}` },
        ],
      });
    }
    return {
      ...item,
      lineNo: i + 1,
      description: item.description ?? null,
      lineTotal: formatMoney(gross.minus(item.discount)),
    };
  });
  const computed = sumMoney(lines.map((l) => l.lineTotal));
  if (!computed.eq(input.total)) {
    throw new GatewayError(
      'GW_SALE_TOTAL_MISMATCH',
      `total ${input.total} does not equal the items' ${formatMoney(computed)}`,
      {
        issues: [{ path: 'total', code: 'total_mismatch', message: `expected ${formatMoney(computed)}` }],
        details: { expected: formatMoney(computed), received: input.total },
      },
    );
  }
  return { input, lines, total: formatMoney(computed), payloadHash: contentHash(input) };
}

export type PreparedSale = ReturnType<typeof checkSale>;

/** Sales business rules: totals to the cent, payments up to the total, cancellations reverse stock. */
export class SaleService {
  async registerSale(q: Queryable, clientId: string, raw: RegisterSaleInput): Promise<SaleRow> {
    const { input, lines, total: computedTotal, payloadHash } = prepareSale(raw);
    const c = input.customer;
    await masterDataRepository.register(q, clientId, {
      locations: [input.storeCode],
      products: lines,
      customer: c && { id: c.id, name: c.name ?? null, email: c.email ?? null, document: c.document ?? null },
    });
    const sale = await saleRepository.insertWithItems(q, clientId, {
      id: input.id,
      storeCode: input.storeCode,
      channel: input.channel,
      customerId: input.customer?.id ?? null,
      soldAt: input.soldAt,
      total: computedTotal,
      payloadHash,
      items: lines,
    });
    if (!sale)
      return this.existingOrConflict(await saleRepository.find(q, clientId, input.id), payloadHash, 'sale', input.id);

    // A sale reports what happened at the till; whether it may take stock below zero is the client's call.
    const removals = lines.map((l) => ({ locationCode: input.storeCode, sku: l.sku, quantity: l.quantity }));
    await checkFactRemovals(q, clientId, removals);
    // Last, so the stock rows (shared by every sale of the sku at the store) stay locked briefly.
    await inventoryLedgerRepository.record(
      q,
      clientId,
      lines.map((l) => ({
        locationCode: sale.storeCode,
        sku: l.sku,
        delta: -l.quantity,
        kind: 'sale',
        sourceType: 'sale',
        sourceId: sale.id,
        occurredAt: sale.soldAt,
      })),
    );
    return sale;
  }

  /**
   * Many sales in a few set-based statements, under the same rules as registerSale (see
   * sale-batch.ts). For bulk loads (ETL); each sale's outcome is reported, none is lost silently.
   */
  registerSales(q: Queryable, clientId: string, raws: RegisterSaleInput[]): Promise<SaleBatchOutcome[]> {
    return registerSalesBatch(q, clientId, raws, (one) => this.registerSale(q, clientId, one));
  }

  async registerPayment(q: Queryable, clientId: string, raw: RegisterPaymentInput): Promise<PaymentRow> {
    const input = parseOrThrow(paymentInput, raw, ['input']);
    const payloadHash = contentHash(input);
    const sale = await saleRepository.find(q, clientId, input.saleId, { forUpdate: true });
    if (!sale) {
      throw new GatewayError(
        'GW_PREDECESSOR_MISSING',
        `Sale ${input.saleId} has not been registered yet; retry after it`,
        {
          details: { missing: { sale_id: input.saleId } },
        },
      );
    }
    const previous = await saleRepository.findPayment(q, clientId, input.id);
    if (previous) return this.existingOrConflict(previous, payloadHash, 'payment', input.id);
    if (sale.status === 'cancelled') {
      throw new GatewayError('GW_INVALID_STATE', `Sale ${sale.id} is cancelled and takes no payments`, {
        details: { sale_status: sale.status },
      });
    }
    const paid = money(sale.paidAmount).plus(input.amount);
    if (paid.gt(sale.total)) {
      throw new GatewayError(
        'GW_OVERPAYMENT',
        `Payment of ${input.amount} exceeds the open balance of sale ${sale.id}`,
        {
          details: {
            total: sale.total,
            paid: sale.paidAmount,
            remaining: formatMoney(money(sale.total).minus(sale.paidAmount)),
          },
        },
      );
    }
    const payment = await saleRepository.insertPayment(q, clientId, { ...input, payloadHash });
    await saleRepository.setPaid(q, clientId, sale.id, formatMoney(paid), paid.eq(sale.total) ? 'paid' : 'open');
    return payment;
  }

  async registerCancellation(q: Queryable, clientId: string, raw: RegisterCancellationInput): Promise<SaleRow> {
    const input = parseOrThrow(cancellationInput, raw, ['input']);
    const sale = await saleRepository.find(q, clientId, input.saleId, { forUpdate: true });
    if (!sale)
      throw new GatewayError('GW_SALE_NOT_FOUND', `Sale ${input.saleId} does not exist`, {
        details: { sale_id: input.saleId },
      });
    if (sale.status === 'cancelled') return sale; // cancelling twice changes nothing
    // Goods already returned came back into stock with their return; only the rest comes back now.
    const sold = await inventoryLedgerRepository.bySource(q, clientId, 'sale', sale.id);
    const returned = await returnRepository.returnedBySku(q, clientId, sale.id);
    const reversals = [];
    for (const m of sold) {
      const alreadyBack = Math.min(-m.delta, returned.get(m.sku) ?? 0);
      returned.set(m.sku, (returned.get(m.sku) ?? 0) - alreadyBack);
      if (-m.delta - alreadyBack > 0) reversals.push({ ...m, quantity: -m.delta - alreadyBack });
    }
    await inventoryLedgerRepository.record(
      q,
      clientId,
      reversals.map((m) => ({
        locationCode: m.locationCode,
        sku: m.sku,
        delta: m.quantity,
        kind: 'sale_cancellation',
        sourceType: 'sale_cancellation',
        sourceId: sale.id,
        occurredAt: input.cancelledAt,
      })),
    );
    return saleRepository.markCancelled(q, clientId, sale.id, input.reason, input.cancelledAt);
  }

  /** The same business id again: identical content is a harmless redelivery, anything else a conflict. */
  private existingOrConflict<T extends { payloadHash: string }>(
    existing: T | null,
    payloadHash: string,
    what: string,
    id: string,
  ): T {
    if (existing && existing.payloadHash === payloadHash) return existing;
    throw new GatewayError('GW_BUSINESS_ID_CONFLICT', `A different ${what} with id ${id} was already registered`, {
      details: { [`${what}_id`]: id },
    });
  }
}
