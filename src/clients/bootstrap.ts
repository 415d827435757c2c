import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { DEV_KEY_NAME } from '../auth/api-key.service';
import type { Config } from '../config';
import { Database } from '../db/database';
import type { Services } from '../services';
import { clientRepository } from './client.repository';
import { CLIENTS } from './registry';

/**
 * Creates the registered clients that the database lacks. In development, a client created now
 * gets a dev API key that is printed (and kept in .data/), so a newcomer can curl the fixtures;
 * DEV_API_KEY makes that key fixed so scripts can use it. Production creates no dev key and refuses
 * those a development run left in its database (ApiKeyService).
 */
export async function bootstrapClients(
  db: Database,
  services: Services,
  config: Config,
  log: Pick<FastifyBaseLogger, 'info'>,
): Promise<void> {
  const created = await clientRepository.ensure(db, Object.values(CLIENTS));
  if (config.nodeEnv === 'production') return;
  for (const clientId of Object.keys(CLIENTS)) {
    if (config.devApiKey) {
      await services.apiKeys.ensure({ clientId, name: DEV_KEY_NAME, key: config.devApiKey });
      continue;
    }
    if (!created.includes(clientId) || config.nodeEnv !== 'development') continue;
    const { key } = await services.apiKeys.issue({ clientId, name: DEV_KEY_NAME });
    const file = resolve(config.embeddedPg.dir, '..', `dev-api-key.${clientId}.txt`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    log.info({ client: clientId, file }, `dev API key for ${clientId}: ${key}`);
  }
}
