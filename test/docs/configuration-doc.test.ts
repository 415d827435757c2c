import { readFileSync } from 'node:fs';
import { envSchema } from '../../src/config';
import { SETTING_DOCS } from '../../src/config/descriptions';
import { CONFIG_DOC_PATH, renderConfigDoc } from '../../scripts/config-docs';

describe('docs/configuration.md', () => {
  it('describes every setting of the config schema, and nothing else', () => {
    expect(Object.keys(SETTING_DOCS).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('is what `npm run docs:config` generates from the schema', () => {
    expect(readFileSync(CONFIG_DOC_PATH, 'utf8')).toBe(renderConfigDoc());
  });

  it('shows each default and each enumeration as the schema has them', () => {
    const doc = renderConfigDoc();
    expect(doc).toContain('| `PORT` | `4000` | 0–65535 |');
    expect(doc).toContain('| `DATABASE_SSL` | `disable` | `disable`, `require`, `no-verify` |');
    expect(doc).toContain('| `DATABASE_URL` | — |');
  });
});
