/**
 * A throwaway embedded PostgreSQL in its own process (jest's module runtime cannot load the
 * platform package): prints `READY <url>`, stops the cluster and exits on SIGTERM.
 *   node -r @swc-node/register test/support/embedded-pg-process.ts <dataDir> <port>
 */
import { startEmbeddedPostgres } from '../../src/db/embedded';

async function main(): Promise<void> {
  const [dir, port] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres({ dir, port: Number(port) });
  process.stdout.write(`READY ${pg.url}\n`);
  process.once('SIGTERM', () => {
    pg.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  setInterval(() => undefined, 1 << 30);
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err));
  process.exit(1);
});
