import type { Connection } from 'mysql2/promise';
import { BANBAN_ERP_SCHEMA } from '../support/mysql';
import { variant } from '../support/fixtures';

/**
 * A day (2026-11-28, São Paulo) of Banban's ERP: what the webhooks delivered and what they missed.
 * V-1 and P-1 were delivered identically; V-3 was delivered with other content; V-EXTRA only exists
 * in the hub; V-4 breaks the total rule; P-9 pays an unknown sale; V-6 is the day before.
 */
export const MISSED = Array.from({ length: 20 }, (_, i) => `V-${10 + i}`);

export async function seedBanbanErp(conn: Connection): Promise<void> {
  await conn.query(BANBAN_ERP_SCHEMA);
  await conn.query(`insert into vendas values
    ('V-1', 'LJ-001', 'LOJA', '2026-11-28 10:00:00', 'C-000077', 'Maria Souza', 'maria.souza@example.com',
     '12345678909', 309.70),
    ('V-3', 'LJ-001', 'LOJA', '2026-11-28 11:00:00', null, null, null, null, 39.80),
    ('V-4', 'LJ-002', 'ECOM', '2026-11-28 12:00:00', null, null, null, null, 100.00),
    ('V-6', 'LJ-001', 'LOJA', '2026-11-27 23:59:00', null, null, null, null, 19.90),
    ('V-LATE', 'LJ-001', 'LOJA', '2026-11-28 23:30:00', null, null, null, null, 299.90)`);
  await conn.query(`insert into vendas_itens values
    ('V-1', 1, 'TENIS-RUN-38-PRETO', 'Tênis Run 38 Preto', 1, 299.90, 30.00),
    ('V-1', 2, 'MEIA-ESP-UN', 'Meia Esportiva', 2, 19.90, 0),
    ('V-3', 1, 'MEIA-ESP-UN', 'Meia Esportiva', 2, 19.90, 0),
    ('V-4', 1, 'MEIA-ESP-UN', 'Meia Esportiva', 2, 45.00, 0),
    ('V-6', 1, 'MEIA-ESP-UN', 'Meia Esportiva', 1, 19.90, 0),
    ('V-LATE', 1, 'TENIS-RUN-38-PRETO', 'Tênis Run 38 Preto', 1, 299.90, 0)`);
  for (const id of MISSED) {
    await conn.query(
      `insert into vendas values (?, 'LJ-002', 'ECOM', '2026-11-28 15:00:00', null, null, null, null, 39.80)`,
      [id],
    );
    await conn.query(`insert into vendas_itens values (?, 1, 'MEIA-ESP-UN', 'Meia Esportiva', 2, 19.90, 0)`, [id]);
  }
  await conn.query(`insert into pagamentos values
    ('P-1', 'V-1', 'CC', 309.70, 3, '2026-11-28 10:01:00'),
    ('P-2', 'V-10', 'PIX', 39.80, 1, '2026-11-28 15:01:00'),
    ('P-9', 'V-404', 'DIN', 10.00, 1, '2026-11-28 16:00:00')`);
  await conn.query(`insert into devolucoes values ('D-1', 'V-10', 'LJ-002', '2026-11-28 17:00:00')`);
  await conn.query(`insert into devolucoes_itens values ('D-1', 1, 'MEIA-ESP-UN', 1, 'defeito')`);
  await conn.query(`insert into estoque_posicao values
    ('LJ-001', 'TENIS-RUN-38-PRETO', -3, '2026-11-28'), ('LJ-002', 'MEIA-ESP-UN', 5, '2026-11-28'),
    ('LJ-002', 'MEIA-ESP-UN', 7, '2026-11-27')`);
}

/** What the webhooks delivered during the day. */
export const DELIVERED = [
  variant('sales-flow', 'register_sale', { sale_id: 'V-1', sold_at: '2026-11-28T10:00:00-03:00' }),
  variant('sales-flow', 'register_sale', {
    sale_id: 'V-3',
    sold_at: '2026-11-28T11:00:00-03:00',
    customer: undefined,
    items: [{ sku: 'MEIA-ESP-UN', description: 'Meia Esportiva', quantity: 1, unit_price: '19.90', discount: '0.00' }],
    total: '19.90',
  }),
  variant('sales-flow', 'register_sale', { sale_id: 'V-EXTRA', sold_at: '2026-11-28T15:00:00-03:00' }),
  variant('sales-flow', 'register_payment', {
    sale_id: 'V-1',
    payment_id: 'P-1',
    paid_at: '2026-11-28T10:01:00-03:00',
  }),
];
