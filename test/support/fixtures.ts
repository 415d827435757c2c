import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The ERP contract: test/fixtures/<client>/<flow>/<action>.json (a copy of ../shared/fixtures), as
 * the ERP sends them.
 */
export const FIXTURES_DIR = process.env.FIXTURES_DIR ?? join(__dirname, '..', 'fixtures');

export interface Envelope {
  action: string;
  data: Record<string, any>;
}

export function fixture(flow: string, action: string, client = 'banban'): Envelope {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, client, flow, `${action}.json`), 'utf8'));
}

export function rawFixture(flow: string, action: string, client = 'banban'): string {
  return readFileSync(join(FIXTURES_DIR, client, flow, `${action}.json`), 'utf8');
}

/** A fixture with some of its data replaced (new ids for independent cases). */
export function variant(flow: string, action: string, patch: Record<string, unknown>): Envelope {
  const f = fixture(flow, action);
  return { ...f, data: { ...f.data, ...patch } };
}
