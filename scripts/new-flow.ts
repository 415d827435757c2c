import 'reflect-metadata';
import { join } from 'node:path';
import { newFlow } from './generator/generate';

/**
 * `npm run new:flow -- <client> <flow>`: maps one more flow for an existing client (canonical
 * shape), with its test.
 */
const [client, flow] = process.argv.slice(2);
if (!client || !flow) {
  console.error('usage: npm run new:flow -- <client-id> <flow-key>');
  process.exit(1);
}
try {
  const out = newFlow(join(__dirname, '..'), client, flow);
  console.log(`created:\n  ${out.created.join('\n  ')}\nedited:\n  ${out.edited.join('\n  ')}`);
} catch (err) {
  console.error(`new:flow: ${(err as Error).message}`);
  process.exit(1);
}
