import { buildApp } from '../../src/app';
import { bootstrapClients } from '../../src/clients/bootstrap';
import { Config, loadConfig } from '../../src/config';
import { Database } from '../../src/db/database';
import { createTestDatabase, TestDatabase } from './test-db';

export interface TestApp {
  app: Awaited<ReturnType<typeof buildApp>>['server'];
  services: Awaited<ReturnType<typeof buildApp>>['services'];
  db: Database;
  database: TestDatabase;
  config: Config;
  /** An API key for the banban client. */
  apiKey: string;
  close(): Promise<void>;
}

/** The Prometheus scrape token of test apps (`METRICS_TOKEN`): `scrapeMetrics` sends it. */
export const TEST_METRICS_TOKEN = 'test-prometheus-scrape-token-0123456789abcdef';

/** The real gateway (Fastify + Apollo + pipeline) on its own migrated database, clients bootstrapped. */
export async function startTestApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  // Load shedding reacts to event-loop delay, which a busy CI machine produces by itself: off
  // unless a test asks for it.
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...env,
  });
  const { server, services } = await buildApp({ config, db: database.db });
  await bootstrapClients(database.db, services, config, server.log);
  const { key } = await services.apiKeys.issue({ clientId: 'banban', name: 'test' });
  await server.ready();
  return {
    app: server,
    services,
    db: database.db,
    database,
    config,
    apiKey: key,
    async close() {
      await server.close();
      await database.drop();
    },
  };
}
