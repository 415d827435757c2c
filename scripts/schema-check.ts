import 'reflect-metadata';
import { buildGatewaySchema, printGatewaySchema } from '../src/schema/build-schema';
import { readFileSync } from 'node:fs';
import {
  committedSchema,
  compareSchemas,
  describeChanges,
  readAcknowledged,
  SCHEMA_FILE,
} from '../src/schema/schema-compat';

/**
 * CI: the schema the code builds against the committed schema.graphql. Fails on breaking changes
 * not listed in schema-changes.acknowledged.json, and on a schema.graphql that was not re-printed.
 */
async function main(): Promise<void> {
  const report = await compareSchemas(committedSchema(), buildGatewaySchema(), readAcknowledged());
  console.log(describeChanges(report));
  if (report.unacknowledged.length) {
    console.error(`\nschema:check: ${report.unacknowledged.length} breaking change(s) not acknowledged.`);
    console.error(
      'Acknowledge each message (with a reason and date) ' +
        'in schema-changes.acknowledged.json, then run npm run schema:print.',
    );
    process.exit(1);
  }
  if (readFileSync(SCHEMA_FILE, 'utf8') !== printGatewaySchema()) {
    console.error('\nschema:check: schema.graphql is not the printed schema; run npm run schema:print and commit it.');
    process.exit(1);
  }
  console.log('schema:check: ok');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
