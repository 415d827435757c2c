import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { buildApp } from '../../src/app';
import { requestPrincipal } from '../../src/auth/request-principal';
import { bootstrapClients } from '../../src/clients/bootstrap';
import { loadConfig } from '../../src/config';
import { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { saleCursor, saleRepository } from '../../src/flows/sales/sale.repository';
import { clientIdOf } from '../../src/schema/context';
import { groupByKey } from '../../src/schema/loaders';
import { pageSize } from '../../src/shared/pagination';

/**
 * Child process of bench:graphql: the real gateway and, on the same Fastify instance (so behind the
 * same hooks: guards, logging, metrics) and the same pool, a plain route `GET /bench/sales` that
 * authenticates the same way, runs the same three queries (page, items, payments) and answers the
 * same JSON. Prints `READY <port> <key>`; answers `stats` messages (IPC) with the process's CPU time
 * and query count so the bench can report CPU per request for each side.
 */
process.once('SIGTERM', () => void stopHeapSampling().finally(() => process.exit(0)));

/**
 * BENCH_HEAP_PROF_DIR: samples allocations, including objects the GC already collected (what
 * `--heap-prof` leaves out), and writes a .heapprofile there at exit: where the garbage comes from.
 */
const heapDir = process.env.BENCH_HEAP_PROF_DIR;
const heapSession = heapDir ? new Session() : null;
async function startHeapSampling(): Promise<void> {
  if (!heapSession) return;
  heapSession.connect();
  await heapSession.post('HeapProfiler.startSampling', {
    samplingInterval: 8192,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}
async function stopHeapSampling(): Promise<void> {
  if (!heapSession || !heapDir) return;
  const { profile } = await heapSession.post('HeapProfiler.stopSampling');
  mkdirSync(heapDir, { recursive: true });
  writeFileSync(join(heapDir, `graphql-servers.${process.pid}.heapprofile`), JSON.stringify(profile));
}

async function main(): Promise<void> {
  const [databaseUrl] = process.argv.slice(2);
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '20',
    PORT: '0',
    HOST: '127.0.0.1',
    RATE_LIMIT_ENABLED: 'false',
    QUEUE_WORKERS: '0',
  });
  const db = new Database({ connectionString: databaseUrl, max: config.databasePoolMax });
  await migrate(db);
  const { server, services } = await buildApp({ config, db });
  await bootstrapClients(db, services, config, server.log);
  const { key } = await services.apiKeys.issue({ clientId: 'banban', name: 'bench' });

  server.get<{ Querystring: { first?: string } }>('/bench/sales', async (req, reply) => {
    const principal = await requestPrincipal(req, services);
    if (!principal) return reply.code(401).send({ ok: false });
    const clientId = clientIdOf(principal);
    const first = pageSize(req.query.first === undefined ? undefined : Number(req.query.first));
    const rows = await saleRepository.page(db, clientId, {}, first + 1);
    const page = rows.slice(0, first);
    const ids = page.map((s) => s.id);
    const [items, payments] = await Promise.all([
      saleRepository.itemsBySaleIds(db, clientId, ids),
      saleRepository.paymentsBySaleIds(db, clientId, ids),
    ]);
    const itemsOf = groupByKey(ids, items, (r) => r.saleId);
    const paymentsOf = groupByKey(ids, payments, (r) => r.saleId);
    return {
      data: {
        sales: {
          edges: page.map((s, n) => ({
            cursor: saleCursor(s),
            node: {
              id: s.id,
              storeCode: s.storeCode,
              channel: s.channel,
              customerId: s.customerId,
              soldAt: s.soldAt.toISOString(),
              status: s.status.toUpperCase(),
              total: s.total,
              paidAmount: s.paidAmount,
              items: itemsOf[n].map((i) => ({
                lineNo: i.lineNo,
                sku: i.sku,
                description: i.description,
                quantity: i.quantity,
                unitPrice: i.unitPrice,
                discount: i.discount,
                lineTotal: i.lineTotal,
              })),
              payments: paymentsOf[n].map((p) => ({
                id: p.id,
                method: p.method,
                amount: p.amount,
                installments: p.installments,
                paidAt: p.paidAt.toISOString(),
              })),
            },
          })),
          pageInfo: {
            hasNextPage: rows.length > first,
            endCursor: page.length ? saleCursor(page[page.length - 1]) : null,
          },
        },
      },
    };
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  await startHeapSampling();
  process.on('message', (m) => {
    if (m !== 'stats') return;
    const cpu = process.cpuUsage();
    process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000, queries: db.queryCount });
  });
  console.log(`READY ${(server.server.address() as { port: number }).port} ${key}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
