import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { buildGatewaySchema, printGatewaySchema } from '../src/schema/build-schema';
import {
  committedSchema,
  compareSchemas,
  describeChanges,
  readAcknowledged,
  SCHEMA_FILE,
} from '../src/schema/schema-compat';

/**
 * Writes schema.graphql (the published contract), unless the new schema breaks it in ways not yet
 * acknowledged in schema-changes.acknowledged.json. `npm run schema:check` (CI) fails on drift.
 */
async function main(): Promise<void> {
  const report = await compareSchemas(committedSchema(), buildGatewaySchema(), readAcknowledged());
  if (report.unacknowledged.length) {
    console.error(describeChanges(report));
    console.error(
      '\nschema.graphql NOT written: acknowledge these breaking changes in schema-changes.acknowledged.json first.',
    );
    process.exit(1);
  }
  writeFileSync(SCHEMA_FILE, printGatewaySchema());
  console.log(`${describeChanges(report)}\nschema.graphql written`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
