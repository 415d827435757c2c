import type { EmbeddedHandle } from '../../src/db/embedded';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as Record<string, unknown>).__EMBEDDED_PG__ as EmbeddedHandle | undefined;
  await pg?.stop();
}
