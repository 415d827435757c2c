import { randomBytes } from 'node:crypto';
import { createConnection, Connection } from 'mysql2/promise';

/**
 * MariaDB/MySQL for the connector tests: TEST_MYSQL_URL (CI sets it). Unset: the tests skip with a
 * message — unless REQUIRE_SERVICES=1, where they must fail.
 */
export const MYSQL_URL = process.env.TEST_MYSQL_URL;

export function describeWithMysql(name: string, fn: () => void): void {
  if (MYSQL_URL) return describe(name, fn);
  if (process.env.REQUIRE_SERVICES === '1') {
    describe(name, () =>
      it('needs TEST_MYSQL_URL (REQUIRE_SERVICES=1)', () => {
        throw new Error('TEST_MYSQL_URL is not set');
      }),
    );
    return;
  }
  describe.skip(`${name} [skipped: TEST_MYSQL_URL is not set]`, fn);

  console.warn(`skipping "${name}": set TEST_MYSQL_URL (e.g. mysql://root@127.0.0.1:3306/test) to run it`);
}

export interface TestMysql {
  url: string;
  conn: Connection;
  drop(): Promise<void>;
}

/** A throwaway database for one test file, dropped at the end. */
export async function createTestMysql(): Promise<TestMysql> {
  const name = `axon_etl_${randomBytes(5).toString('hex')}`;
  const server = new URL(MYSQL_URL!);
  server.pathname = '/';
  const admin = await createConnection({ uri: server.toString(), multipleStatements: true });
  await admin.query(`create database ${name} character set utf8mb4`);
  await admin.end();
  const u = new URL(MYSQL_URL!);
  u.pathname = `/${name}`;
  const conn = await createConnection({ uri: u.toString(), multipleStatements: true });
  return {
    url: u.toString(),
    conn,
    async drop() {
      await conn.query(`drop database if exists ${name}`);
      await conn.end();
    },
  };
}

/** Banban's ERP schema (Portuguese names, local São Paulo times without offset). */
export const BANBAN_ERP_SCHEMA = `
create table vendas (id_venda varchar(64) primary key, cod_loja varchar(20) not null, canal varchar(10) not null,
  dt_venda datetime not null, id_cliente varchar(64), nome_cliente varchar(200), email_cliente varchar(254),
  cpf_cliente varchar(14), vl_total decimal(14,2) not null);
create table vendas_itens (id_venda varchar(64) not null, seq int not null, cod_produto varchar(64) not null,
  desc_produto varchar(200), qtde int not null, vl_unitario decimal(14,2) not null,
  vl_desconto decimal(14,2) not null default 0, primary key (id_venda, seq));
create table pagamentos (id_pagamento varchar(64) primary key, id_venda varchar(64) not null,
  forma_pagto varchar(10) not null, vl_pago decimal(14,2) not null, parcelas int not null default 1,
  dt_pagto datetime not null);
create table devolucoes (id_devolucao varchar(64) primary key, id_venda varchar(64) not null,
  cod_loja varchar(20) not null, dt_devolucao datetime not null);
create table devolucoes_itens (id_devolucao varchar(64) not null, seq int not null, cod_produto varchar(64) not null,
  qtde int not null, motivo varchar(100), primary key (id_devolucao, seq));
create table estoque_posicao (cod_loja varchar(20) not null, cod_produto varchar(64) not null, qtde int not null,
  dt_posicao date not null, primary key (cod_loja, cod_produto, dt_posicao));
`;
