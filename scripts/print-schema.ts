import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printGatewaySchema } from '../src/schema/build-schema';

/** Writes schema.graphql; a test fails when the committed file drifts from the code. */
writeFileSync(join(__dirname, '..', 'schema.graphql'), printGatewaySchema());
console.log('schema.graphql written');
