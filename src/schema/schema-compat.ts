import { Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { buildSchema, GraphQLSchema, lexicographicSortSchema } from 'graphql';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const ROOT = join(__dirname, '..', '..');
export const SCHEMA_FILE = join(ROOT, 'schema.graphql');
export const ACKNOWLEDGED_FILE = join(ROOT, 'schema-changes.acknowledged.json');

/** Breaking changes that were accepted on purpose: the inspector's message and why. */
const acknowledgedSchema = z.strictObject({
  $comment: z.string().optional(),
  acknowledged: z.array(z.strictObject({ message: z.string().min(1), reason: z.string().min(1), date: z.iso.date() })),
});

export function readAcknowledged(file = ACKNOWLEDGED_FILE): Set<string> {
  if (!existsSync(file)) return new Set();
  return new Set(acknowledgedSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).acknowledged.map((a) => a.message));
}

export interface CompatReport {
  changes: Change[];
  breaking: Change[];
  /** Breaking changes nobody acknowledged: any of these fails `schema:check` and blocks `schema:print`. */
  unacknowledged: Change[];
}

/** Compares the schema the code builds with the committed SDL (the published contract). */
export async function compareSchemas(
  committed: GraphQLSchema,
  built: GraphQLSchema,
  acknowledged: Set<string>,
): Promise<CompatReport> {
  // Identical SDL is no change (the inspector would report the schema's two @link usages as removed and re-added).
  if (
    printSchemaWithDirectives(lexicographicSortSchema(committed)) ===
    printSchemaWithDirectives(lexicographicSortSchema(built))
  ) {
    return { changes: [], breaking: [], unacknowledged: [] };
  }
  const changes = await diff(committed, built);
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  return { changes, breaking, unacknowledged: breaking.filter((c) => !acknowledged.has(c.message)) };
}

export function committedSchema(file = SCHEMA_FILE): GraphQLSchema {
  return buildSchema(readFileSync(file, 'utf8'));
}

/** Breaking and dangerous changes one per line; safe ones only counted. */
export function describeChanges(report: CompatReport): string {
  const lines: string[] = [];
  for (const c of report.changes) {
    if (c.criticality.level === CriticalityLevel.Breaking)
      lines.push(`${report.unacknowledged.includes(c) ? '✖ BREAKING' : '✔ BREAKING (acknowledged)'}  ${c.message}`);
    else if (c.criticality.level === CriticalityLevel.Dangerous) lines.push(`⚠ DANGEROUS  ${c.message}`);
  }
  const safe = report.changes.filter((c) => c.criticality.level === CriticalityLevel.NonBreaking).length;
  lines.push(`${report.changes.length} change(s): ${report.breaking.length} breaking, ${safe} safe`);
  return lines.join('\n');
}
