import { buildSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import { buildGatewaySchema, printGatewaySchema } from '../../src/schema/build-schema';
import { committedSchema, compareSchemas, readAcknowledged, SCHEMA_FILE } from '../../src/schema/schema-compat';

const committedSdl = readFileSync(SCHEMA_FILE, 'utf8');

/** The published contract as it would have been with one more field on Sale. */
const withLegacyField = buildSchema(
  committedSdl.replace('type Sale @key(fields: "id") {', 'type Sale @key(fields: "id") {\n  legacyCode: String'),
);

describe('schema.graphql, the published contract', () => {
  it('is exactly the printed schema, federation directives included (run npm run schema:print)', () => {
    expect(committedSdl).toBe(printGatewaySchema());
    expect(committedSdl).toContain('type Product @key(fields: "sku")');
    expect(committedSdl).toContain('_entities(representations: [_Any!]!): [_Entity]!');
  });

  it('has no unacknowledged breaking change against the code', async () => {
    const report = await compareSchemas(committedSchema(), buildGatewaySchema(), readAcknowledged());
    expect(report.unacknowledged).toEqual([]);
  });
});

describe('schema:check with @graphql-inspector/core', () => {
  const removed = "Field 'legacyCode' was removed from object type 'Sale'";

  it('flags a removed field as a breaking change nobody acknowledged', async () => {
    const report = await compareSchemas(withLegacyField, buildGatewaySchema(), new Set());
    expect(report.unacknowledged.map((c) => c.message)).toEqual([removed]);
  });

  it('lets it through once its exact message is acknowledged', async () => {
    const report = await compareSchemas(withLegacyField, buildGatewaySchema(), new Set([removed]));
    expect(report.breaking.map((c) => c.message)).toEqual([removed]);
    expect(report.unacknowledged).toEqual([]);
  });

  it('does not count additions as breaking', async () => {
    const report = await compareSchemas(buildGatewaySchema(), withLegacyField, new Set());
    expect(report.changes.map((c) => c.message)).toContain("Field 'legacyCode' was added to object type 'Sale'");
    expect(report.breaking).toEqual([]);
  });
});
