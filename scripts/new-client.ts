import 'reflect-metadata';
import { join } from 'node:path';
import { newClient } from './generator/generate';

/** `npm run new:client -- <id>`: a client module with every flow mapped (canonical shape), registered, with tests. */
const id = process.argv[2];
if (!id) {
  console.error('usage: npm run new:client -- <client-id>');
  process.exit(1);
}
try {
  const out = newClient(join(__dirname, '..'), id);
  console.log(`created:\n  ${out.created.join('\n  ')}\nedited:\n  ${out.edited.join('\n  ')}`);
  console.log(
    `\nNext: npx jest test/clients/${id}. On the next start in development the client row ` +
      `is created and its dev API key printed (and saved to .data/dev-api-key.${id}.txt).`,
  );
} catch (err) {
  console.error(`new:client: ${(err as Error).message}`);
  process.exit(1);
}
