import { buildApp } from '../../src/app';
import { bootstrapClients } from '../../src/clients/bootstrap';
import { Config, loadConfig } from '../../src/config';
import { Database } from '../../src/db/database';
import { TcpProxy } from './tcp-proxy';
import { createTestDatabase, TestDatabase } from './test-db';

export interface OutageApp {
  app: Awaited<ReturnType<typeof buildApp>>['server'];
  services: Awaited<ReturnType<typeof buildApp>>['services'];
  /** The gateway's own pool: through the proxy, with the configured timeouts (as src/main.ts builds it). */
  db: Database;
  /** Straight to PostgreSQL, for the test's checks (never through the proxy). */
  direct: Database;
  database: TestDatabase;
  proxy: TcpProxy;
  config: Config;
  apiKey: string;
  close(): Promise<void>;
}

/**
 * The real gateway on its own migrated database, reaching PostgreSQL only through a TCP proxy the
 * test can make pass, refuse or stall (test/support/tcp-proxy.ts).
 */
export async function startOutageApp(env: Record<string, string> = {}): Promise<OutageApp> {
  const database = await createTestDatabase();
  const server = new URL(database.url);
  const proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
  const url = proxy.via(database.url);
  const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', QUEUE_WORKERS: '0' };
  const config = loadConfig({ ...base, DATABASE_URL: url, ...env });
  const db = new Database({
    connectionString: url,
    max: 10,
    connectTimeoutMs: config.databaseTimeouts.connectMs,
    statementTimeoutMs: config.databaseTimeouts.statementMs,
  });
  const { server: app, services } = await buildApp({ config, db });
  await bootstrapClients(db, services, config, app.log);
  const { key } = await services.apiKeys.issue({ clientId: 'banban', name: 'outage' });
  await app.ready();
  return {
    app,
    services,
    db,
    direct: database.db,
    database,
    proxy,
    config,
    apiKey: key,
    async close() {
      await proxy.setMode('pass');
      await app.close();
      await db.close().catch(() => undefined);
      await proxy.close();
      await database.drop();
    },
  };
}
