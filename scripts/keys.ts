import 'reflect-metadata';
import { runKeysCli } from '../src/auth/keys-cli';
import { clientRepository } from '../src/clients/client.repository';
import { CLIENTS } from '../src/clients/registry';
import { ConfigError, loadConfig } from '../src/config';
import { Database } from '../src/db/database';
import {
  DEFAULT_EMBEDDED_PG_PORT,
  EmbeddedHandle,
  runningEmbeddedPort,
  startEmbeddedPostgres,
} from '../src/db/embedded';
import { migrate } from '../src/db/migrate';

/**
 * `npm run keys -- create --client banban --flow sales-flow` (see KEYS_USAGE). Uses the gateway's
 * database from the config module: DATABASE_URL, else the embedded PostgreSQL (the running one, or
 * started for this command).
 */
async function main(): Promise<number> {
  const config = loadConfig();
  let embedded: EmbeddedHandle | undefined;
  // The running gateway's cluster may listen on a port picked at its start: its postmaster.pid says which.
  const port = config.embeddedPg.port ?? runningEmbeddedPort(config.embeddedPg.dir) ?? DEFAULT_EMBEDDED_PG_PORT;
  let url = config.databaseUrl ?? `postgres://postgres:postgres@127.0.0.1:${port}/axon`;
  let db = new Database({ connectionString: url, max: 2, ssl: config.databaseSsl, applicationName: 'axon-keys' });
  if (!config.databaseUrl && !(await db.ping())) {
    await db.close();
    embedded = await startEmbeddedPostgres({ dir: config.embeddedPg.dir, port: config.embeddedPg.port });
    url = embedded.url;
    db = new Database({ connectionString: url, max: 2, applicationName: 'axon-keys' });
  }
  try {
    await migrate(db);
    await clientRepository.ensure(db, Object.values(CLIENTS));
    return await runKeysCli(process.argv.slice(2), db, (line) => console.log(line));
  } finally {
    await db.close();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
