import { z } from 'zod';
import { Queryable } from '../../db/database';
import { inventoryLedgerRepository } from '../../domain/inventory-ledger.repository';
import { masterDataRepository } from '../../domain/master-data.repository';
import { GatewayError } from '../../errors/gateway-error';
import { businessId, code, money as moneyField, parseOrThrow, quantity, token } from '../../shared/fields';
import { contentHash } from '../../shared/hash';
import { formatMoney, money, sumMoney } from '../../shared/money';
import { saleRepository } from '../sales/sale.repository';
import type { ProcessRefundInput, RegisterReturnInput } from './return.input';
import { RefundRow, returnRepository, ReturnRow } from './return.repository';
import { returnedValue } from './return-value';

const returnInput = z.object({
  id: businessId(),
  saleId: businessId(),
  storeCode: code(),
  returnedAt: z.date(),
  items: z
    .array(z.object({ sku: code(), quantity: quantity(), reason: token().nullish() }))
    .min(1)
    .max(500),
});

const refundInput = z.object({
  id: businessId(),
  returnId: businessId(),
  method: token(),
  amount: moneyField().refine((v) => money(v).gt(0), 'must be greater than zero'),
  refundedAt: z.date(),
});

interface Sold {
  quantity: number;
  total: string;
}

/**
 * Returns: bound to a sale of the same client, never more units than sold minus already returned;
 * the goods go back into stock at the returning store. Refunds accumulate per return up to the
 * value of the returned items as sold (see return-value.ts for the rounding).
 */
export class ReturnService {
  async registerReturn(q: Queryable, clientId: string, raw: RegisterReturnInput): Promise<ReturnRow> {
    const input = parseOrThrow(returnInput, raw, ['input']);
    const payloadHash = contentHash(input);
    // serialises the returns of one sale
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
    const existing = await returnRepository.find(q, clientId, input.id);
    if (existing) {
      if (existing.payloadHash === payloadHash) return existing;
      throw new GatewayError(
        'GW_BUSINESS_ID_CONFLICT',
        `A different return with id ${input.id} was already registered`,
        { details: { return_id: input.id } },
      );
    }
    if (sale.status === 'cancelled') {
      throw new GatewayError('GW_INVALID_STATE', `Sale ${sale.id} is cancelled; its goods cannot be returned`, {
        details: { sale_id: sale.id, sale_status: sale.status },
      });
    }

    const sold = new Map<string, Sold>();
    for (const item of await saleRepository.itemsBySaleIds(q, clientId, [sale.id])) {
      const s = sold.get(item.sku) ?? { quantity: 0, total: '0' };
      sold.set(item.sku, {
        quantity: s.quantity + item.quantity,
        total: money(s.total).plus(item.lineTotal).toString(),
      });
    }
    const returned = await returnRepository.returnedBySku(q, clientId, sale.id);
    this.assertWithinSold(input.items, sold, returned);

    const lines = input.items.map((item, i) => {
      const s = sold.get(item.sku)!;
      const before = returned.get(item.sku) ?? 0;
      returned.set(item.sku, before + item.quantity);
      return {
        lineNo: i + 1,
        sku: item.sku,
        quantity: item.quantity,
        reason: item.reason ?? null,
        value: formatMoney(returnedValue(s.total, s.quantity, before, item.quantity)),
      };
    });

    await masterDataRepository.upsertLocations(q, clientId, [input.storeCode]);
    const row = await returnRepository.insert(q, clientId, {
      id: input.id,
      saleId: sale.id,
      storeCode: input.storeCode,
      returnedAt: input.returnedAt,
      value: formatMoney(sumMoney(lines.map((l) => l.value))),
      payloadHash,
    });
    await returnRepository.insertItems(q, clientId, row.id, lines);
    await inventoryLedgerRepository.record(
      q,
      clientId,
      lines.map((l) => ({
        locationCode: row.storeCode,
        sku: l.sku,
        delta: l.quantity,
        kind: 'return',
        sourceType: 'return',
        sourceId: row.id,
        occurredAt: row.returnedAt,
      })),
    );
    return row;
  }

  async processRefund(q: Queryable, clientId: string, raw: ProcessRefundInput): Promise<RefundRow> {
    const input = parseOrThrow(refundInput, raw, ['input']);
    const payloadHash = contentHash(input);
    const ret = await returnRepository.find(q, clientId, input.returnId, { forUpdate: true });
    if (!ret) {
      throw new GatewayError(
        'GW_PREDECESSOR_MISSING',
        `Return ${input.returnId} has not been registered yet; retry after it`,
        {
          details: { missing: { return_id: input.returnId } },
        },
      );
    }
    const previous = await returnRepository.findRefund(q, clientId, input.id);
    if (previous) {
      if (previous.payloadHash === payloadHash) return previous;
      throw new GatewayError(
        'GW_BUSINESS_ID_CONFLICT',
        `A different refund with id ${input.id} was already registered`,
        { details: { refund_id: input.id } },
      );
    }
    const refunded = money(ret.refundedAmount).plus(input.amount);
    if (refunded.gt(ret.value)) {
      throw new GatewayError(
        'GW_REFUND_EXCEEDS_VALUE',
        `Refund of ${input.amount} exceeds what is left to refund on return ${ret.id}`,
        {
          details: {
            return_value: ret.value,
            refunded: ret.refundedAmount,
            remaining: formatMoney(money(ret.value).minus(ret.refundedAmount)),
          },
        },
      );
    }
    const refund = await returnRepository.insertRefund(q, clientId, { ...input, payloadHash });
    await returnRepository.setRefunded(q, clientId, ret.id, formatMoney(refunded));
    return refund;
  }

  private assertWithinSold(
    items: Array<{ sku: string; quantity: number }>,
    sold: Map<string, Sold>,
    returned: Map<string, number>,
  ): void {
    const requested = new Map<string, number>();
    for (const item of items) requested.set(item.sku, (requested.get(item.sku) ?? 0) + item.quantity);
    const exceeded = [...requested]
      .map(([sku, quantity]) => ({
        sku,
        requested: quantity,
        sold: sold.get(sku)?.quantity ?? 0,
        already_returned: returned.get(sku) ?? 0,
      }))
      .filter((e) => e.already_returned + e.requested > e.sold);
    if (exceeded.length === 0) return;
    const returnable = (sku: string) => Math.max(0, (sold.get(sku)?.quantity ?? 0) - (returned.get(sku) ?? 0));
    throw new GatewayError(
      'GW_RETURN_EXCEEDS_SOLD',
      'A return cannot exceed what was sold minus what was already returned',
      {
        issues: items.flatMap((item, i) =>
          exceeded.some((e) => e.sku === item.sku)
            ? [
                {
                  path: `items.${i}.quantity`,
                  code: 'exceeds_returnable',
                  message: `sku ${item.sku}: at most ${returnable(item.sku)} returnable`,
                },
              ]
            : [],
        ),
        details: { exceeded },
      },
    );
  }
}
