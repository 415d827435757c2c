import 'reflect-metadata';
import Fastify from 'fastify';
import { buildApp } from '../../src/app';
import { bootstrapClients } from '../../src/clients/bootstrap';
import { loadConfig } from '../../src/config';
import { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { registerFloorRoute } from './webhook-floor';

/**
 * Started as a child process by the benchmarks: `gateway` is the real gateway; `baseline` is a bare
 * Fastify route that only INSERTs the raw JSON into the same database; `floor` is a bare route that
 * writes what the gateway must store for a sale in one statement (./webhook-floor.ts). Prints
 * `READY <port> [key]`.
 */
process.once('SIGTERM', () => process.exit(0));

/** BENCH_CONFIG: a JSON object of settings laid over the ones above, to measure what one of them costs. */
function overrides(): Record<string, string> {
  return JSON.parse(process.env.BENCH_CONFIG ?? '{}');
}

async function main(): Promise<void> {
  const [kind, databaseUrl] = process.argv.slice(2);
  // Production settings, except what would change what is measured: no rate limit, no load shedding to the queue.
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '20',
    PORT: '0',
    HOST: '127.0.0.1',
    RATE_LIMIT_ENABLED: 'false',
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...overrides(),
  });
  const db = new Database({ connectionString: databaseUrl, max: config.databasePoolMax });
  if (kind === 'gateway') {
    await migrate(db);
    const { server, services } = await buildApp({ config, db });
    await bootstrapClients(db, services, config, server.log);
    const { key } = await services.apiKeys.issue({ clientId: 'banban', name: 'bench' });
    await server.listen({ host: '127.0.0.1', port: 0 });
    console.log(`READY ${(server.server.address() as { port: number }).port} ${key}`);
    return;
  }
  if (kind === 'floor') {
    await migrate(db);
    await db.query(`insert into clients (id, name) values ('banban', 'Banban') on conflict do nothing`);
    const app = Fastify({ logger: false });
    registerFloorRoute(app, db);
    await app.listen({ host: '127.0.0.1', port: 0 });
    console.log(`READY ${(app.server.address() as { port: number }).port}`);
    return;
  }
  await db.query(
    `create table if not exists baseline_events
       (id bigserial primary key, body jsonb not null, received_at timestamptz not null default now())`,
  );
  const app = Fastify({ logger: false });
  app.post('/baseline', async (req) => {
    const { rows } = await db.query<{ id: number }>('insert into baseline_events (body) values ($1) returning id', [
      JSON.stringify(req.body),
    ]);
    return { ok: true, id: rows[0].id };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(`READY ${(app.server.address() as { port: number }).port}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
