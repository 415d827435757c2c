import type { SourceRecord } from '../../connectors/connector';
import type { ConnectorConfig } from '../../connectors/registry';
import { fromLocalTime } from '../../connectors/sql-window';
import { own } from '../../shared/own';
import type {
  CanonicalPayment,
  CanonicalReturn,
  CanonicalSale,
  CanonicalStockPosition,
} from '../../flows/etl/canonical';
import { ClientEtl, groupConsecutive } from '../../flows/etl/etl-source';

/**
 * Banban's ERP (MySQL/MariaDB, Portuguese names, local São Paulo times without offset) mapped to the
 * hub's model, like the webhook transforms map its webhook fields. Its CSV/JSONL exports and its
 * HTTP API use the same field names, so one mapping serves every connector.
 */
const SALES_SQL = `select v.id_venda, v.cod_loja, v.canal, v.dt_venda,
    v.id_cliente, v.nome_cliente, v.email_cliente, v.cpf_cliente,
    v.vl_total, i.seq, i.cod_produto, i.desc_produto, i.qtde, i.vl_unitario, i.vl_desconto
  from vendas v join vendas_itens i on i.id_venda = v.id_venda
 where v.dt_venda >= ? and v.dt_venda < ? order by v.id_venda, i.seq`;
const PAYMENTS_SQL = `select id_pagamento, id_venda, forma_pagto, vl_pago, parcelas, dt_pagto
  from pagamentos where dt_pagto >= ? and dt_pagto < ? order by id_pagamento`;
const RETURNS_SQL = `select d.id_devolucao, d.id_venda, d.cod_loja, d.dt_devolucao,
    i.seq, i.cod_produto, i.qtde, i.motivo
  from devolucoes d join devolucoes_itens i on i.id_devolucao = d.id_devolucao
 where d.dt_devolucao >= ? and d.dt_devolucao < ? order by d.id_devolucao, i.seq`;
const STOCK_SQL = `select cod_loja, cod_produto, qtde from estoque_posicao
 where dt_posicao >= ? and dt_posicao < ? order by cod_loja, cod_produto`;

const CHANNELS: Record<string, string> = { LOJA: 'store', ECOM: 'ecommerce', APP: 'app', MKT: 'marketplace' };
const PAYMENT_METHODS: Record<string, string> = {
  CC: 'credit_card',
  CD: 'debit_card',
  PIX: 'pix',
  DIN: 'cash',
  BOL: 'boleto',
  VALE: 'voucher',
};

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trim());
// Absent optional fields are undefined, as in a webhook, so the same document hashes the same either way.
const opt = (v: unknown): string | undefined => (str(v) === '' ? undefined : str(v));
const int = (v: unknown): number => Number.parseInt(str(v), 10);
/**
 * Amounts stay decimal strings; two decimals when the ERP sent fewer (string work: exact, and cheap
 * per row). More decimals are left for the rules to refuse.
 */
const AMOUNT = /^(\d+)(?:\.(\d{1,2}))?$/;
const amount = (v: unknown): string => {
  const m = AMOUNT.exec(str(v));
  return m ? `${m[1].replace(/^0+(?=\d)/, '')}.${(m[2] ?? '').padEnd(2, '0')}` : str(v);
};
/** ERP times are local to the client unless they carry an offset (the HTTP API sends ISO with offset). */
const when = (v: unknown, tz: string): Date => {
  const s = str(v);
  return /[zZ]|[+-]\d\d:?\d\d$/.test(s) ? new Date(s) : fromLocalTime(s, tz);
};

function sale(rows: SourceRecord[], tz: string): CanonicalSale {
  const h = rows[0];
  return {
    id: str(h.id_venda),
    storeCode: str(h.cod_loja),
    channel: own(CHANNELS, str(h.canal).toUpperCase()) ?? str(h.canal).toLowerCase(),
    soldAt: when(h.dt_venda, tz),
    customer: opt(h.id_cliente)
      ? { id: str(h.id_cliente), name: opt(h.nome_cliente), email: opt(h.email_cliente), document: opt(h.cpf_cliente) }
      : undefined,
    items: rows.map((r) => ({
      sku: str(r.cod_produto),
      description: opt(r.desc_produto),
      quantity: int(r.qtde),
      unitPrice: amount(r.vl_unitario),
      discount: amount(r.vl_desconto ?? '0'),
    })),
    total: amount(h.vl_total),
  };
}

function payment(r: SourceRecord, tz: string): CanonicalPayment {
  return {
    id: str(r.id_pagamento),
    saleId: str(r.id_venda),
    method: own(PAYMENT_METHODS, str(r.forma_pagto).toUpperCase()) ?? str(r.forma_pagto).toLowerCase(),
    amount: amount(r.vl_pago),
    installments: int(r.parcelas ?? 1) || 1,
    paidAt: when(r.dt_pagto, tz),
  };
}

function devolution(rows: SourceRecord[], tz: string): CanonicalReturn {
  const h = rows[0];
  return {
    id: str(h.id_devolucao),
    saleId: str(h.id_venda),
    storeCode: str(h.cod_loja),
    returnedAt: when(h.dt_devolucao, tz),
    items: rows.map((r) => ({ sku: str(r.cod_produto), quantity: int(r.qtde), reason: opt(r.motivo) })),
  };
}

function stock(r: SourceRecord): CanonicalStockPosition {
  return { locationCode: str(r.cod_loja).toUpperCase(), sku: str(r.cod_produto).toUpperCase(), quantity: int(r.qtde) };
}

/** Runs a mapping per document; a record that cannot be read becomes a reject with the reason. */
async function* mapped<T>(
  groups: AsyncIterable<SourceRecord[]>,
  idOf: (r: SourceRecord) => string,
  map: (rows: SourceRecord[]) => T,
) {
  for await (const rows of groups) {
    try {
      yield { id: idOf(rows[0]), rows: rows.length, doc: map(rows) };
    } catch (err) {
      yield { id: idOf(rows[0]), rows: rows.length, error: (err as Error).message };
    }
  }
}

async function* single(records: AsyncIterable<SourceRecord>): AsyncIterable<SourceRecord[]> {
  for await (const r of records) yield [r];
}

const SOURCES: Record<string, (location: string) => ConnectorConfig> = {
  mysql: (url) => ({
    kind: 'mysql',
    url,
    streams: {
      vendas: { sql: SALES_SQL },
      pagamentos: { sql: PAYMENTS_SQL },
      devolucoes: { sql: RETURNS_SQL },
      estoque: { sql: STOCK_SQL },
    },
  }),
  file: (dir) => ({
    kind: 'file',
    dir,
    streams: {
      vendas: { file: 'vendas.csv', format: 'csv', timeField: 'dt_venda' },
      pagamentos: { file: 'pagamentos.csv', format: 'csv', timeField: 'dt_pagto' },
      devolucoes: { file: 'devolucoes.jsonl', format: 'jsonl', timeField: 'dt_devolucao' },
      estoque: { file: 'estoque.csv', format: 'csv', timeField: 'dt_posicao' },
    },
  }),
};

export const banbanEtl: ClientEtl = {
  /** mysql://… is the ERP database; file:///dir the nightly export directory. */
  source: (location) =>
    location.startsWith('file://') ? SOURCES.file(new URL(location).pathname) : SOURCES.mysql(location),
  dailyBatchAt: '02:00',
  mappings: {
    sale: {
      stream: 'vendas',
      transform: (records, tz) =>
        mapped(
          groupConsecutive(records, (r) => str(r.id_venda)),
          (r) => str(r.id_venda),
          (rows) => sale(rows, tz),
        ),
    },
    payment: {
      stream: 'pagamentos',
      transform: (records, tz) =>
        mapped(
          single(records),
          (r) => str(r.id_pagamento),
          ([r]) => payment(r, tz),
        ),
    },
    return: {
      stream: 'devolucoes',
      transform: (records, tz) =>
        mapped(
          groupConsecutive(records, (r) => str(r.id_devolucao)),
          (r) => str(r.id_devolucao),
          (rows) => devolution(rows, tz),
        ),
    },
    stock_position: {
      stream: 'estoque',
      transform: (records) =>
        mapped(
          single(records),
          (r) => `${str(r.cod_loja).toUpperCase()}/${str(r.cod_produto).toUpperCase()}`,
          ([r]) => stock(r),
        ),
    },
  },
};
