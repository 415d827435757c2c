import 'reflect-metadata';
import Fastify from 'fastify';
import { WebSocketServer } from 'ws';
import { buildApp } from '../../src/app';
import { bootstrapClients } from '../../src/clients/bootstrap';
import { loadConfig } from '../../src/config';
import { Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';

/**
 * Child processes of bench:subscriptions. `gateway`: the real gateway (graphql-ws on /graphql).
 * `baseline`: a bare `ws` server that broadcasts one JSON message to every socket on
 * `POST /broadcast`, the least a live feed can do. Prints `READY <port> [key]`.
 */
process.once('SIGTERM', () => process.exit(0));

async function main(): Promise<void> {
  const [kind, databaseUrl] = process.argv.slice(2);
  if (kind === 'gateway') {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      ...(process.env.BENCH_REDIS_URL && {
        REDIS_URL: process.env.BENCH_REDIS_URL,
        REDIS_CHANNEL_PREFIX: `axon-bench-${process.pid}:`,
      }),
    });
    const db = new Database({ connectionString: databaseUrl, max: config.databasePoolMax });
    await migrate(db);
    const { server, services } = await buildApp({ config, db });
    await bootstrapClients(db, services, config, server.log);
    const { key } = await services.apiKeys.issue({ clientId: 'banban', name: 'bench' });
    await server.listen({ host: '127.0.0.1', port: 0 });
    console.log(`READY ${(server.server.address() as { port: number }).port} ${key}`);
    return;
  }
  const app = Fastify({ logger: false });
  const wss = new WebSocketServer({ server: app.server, path: '/live' });
  let n = 0;
  app.post('/broadcast', async () => {
    const id = `baseline-${++n}`;
    const message = JSON.stringify({
      id,
      client: 'banban',
      flow: 'sales',
      action: 'register_sale',
      outcome: 'processed',
      httpStatus: 200,
      at: new Date().toISOString(),
    });
    for (const socket of wss.clients) socket.send(message);
    return { ok: true, eventId: id, sockets: wss.clients.size };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(`READY ${(app.server.address() as { port: number }).port}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
