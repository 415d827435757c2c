import 'reflect-metadata';
import Fastify from 'fastify';
import { buildApp } from '../../src/app';
import { requestPrincipal } from '../../src/auth/request-principal';
import { bootstrapClients } from '../../src/clients/bootstrap';
import { loadConfig } from '../../src/config';
import { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { saleCursor, saleRepository } from '../../src/flows/sales/sale.repository';
import { clientIdOf } from '../../src/schema/context';

/**
 * Child process of bench:graphql: the real gateway and, beside it in the same process and on the same
 * pool, a bare Fastify route that authenticates the same way and calls the same repository methods
 * (sales page + items + payments) and answers the same JSON. Prints `READY <gateway> <plain> <key>`.
 */
process.once('SIGTERM', () => process.exit(0));

async function main(): Promise<void> {
  const [databaseUrl] = process.argv.slice(2);
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: '20', PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_ENABLED: 'false', QUEUE_WORKERS: '0' });
  const db = new Database({ connectionString: databaseUrl, max: config.databasePoolMax });
  await migrate(db);
  const { server, services } = await buildApp({ config, db });
  await bootstrapClients(db, services, config, server.log);
  const { key } = await services.apiKeys.issue({ clientId: 'banban', name: 'bench' });
  await server.listen({ host: '127.0.0.1', port: 0 });

  const plain = Fastify({ logger: false });
  plain.get<{ Querystring: { first?: string } }>('/sales', async (req, reply) => {
    const principal = await requestPrincipal(req, services);
    if (!principal) return reply.code(401).send({ ok: false });
    const clientId = clientIdOf(principal);
    const first = Math.min(Number(req.query.first ?? 50), 200);
    const rows = await saleRepository.page(db, clientId, {}, first + 1);
    const page = rows.slice(0, first);
    const ids = page.map((s) => s.id);
    const [items, payments] = await Promise.all([saleRepository.itemsBySaleIds(db, clientId, ids), saleRepository.paymentsBySaleIds(db, clientId, ids)]);
    const group = <T extends { saleId: string }>(list: T[]) => list.reduce((m, r) => m.set(r.saleId, [...(m.get(r.saleId) ?? []), r]), new Map<string, T[]>());
    const itemsOf = group(items);
    const paymentsOf = group(payments);
    return {
      data: {
        sales: {
          edges: page.map((s) => ({
            cursor: saleCursor(s),
            node: {
              id: s.id, storeCode: s.storeCode, channel: s.channel, customerId: s.customerId, soldAt: s.soldAt.toISOString(), status: s.status.toUpperCase(), total: s.total, paidAmount: s.paidAmount,
              items: (itemsOf.get(s.id) ?? []).map((i) => ({ lineNo: i.lineNo, sku: i.sku, description: i.description, quantity: i.quantity, unitPrice: i.unitPrice, discount: i.discount, lineTotal: i.lineTotal })),
              payments: (paymentsOf.get(s.id) ?? []).map((p) => ({ id: p.id, method: p.method, amount: p.amount, installments: p.installments, paidAt: p.paidAt.toISOString() })),
            },
          })),
          pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? saleCursor(page[page.length - 1]) : null },
        },
      },
    };
  });
  await plain.listen({ host: '127.0.0.1', port: 0 });
  const port = (f: { server: { address(): unknown } }) => (f.server.address() as { port: number }).port;
  console.log(`READY ${port(server)} ${port(plain)} ${key}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
