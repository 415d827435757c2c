import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printGatewaySchema } from '../../src/schema/build-schema';

describe('schema.graphql', () => {
  it('is the schema the code builds (run `npm run schema:print` after changing the graph)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'schema.graphql'), 'utf8');
    expect(printGatewaySchema()).toBe(committed);
  });
});
