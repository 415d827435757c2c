import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository's fixtures are a byte-for-byte copy of the shared ERP contract beside the checkout. */
const OWN = join(__dirname, '..', 'fixtures');
const SHARED = join(__dirname, '..', '..', '..', 'shared', 'fixtures');

function files(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(root, path) : [relative(root, path)];
  });
}

const describeShared = existsSync(SHARED) ? describe : describe.skip;
if (!existsSync(SHARED)) console.warn(`${SHARED} not found: comparing test/fixtures with the shared contract skipped`);

describeShared('test/fixtures mirrors ../shared/fixtures', () => {
  it('has the same files', () => {
    expect(files(OWN).sort()).toEqual(files(SHARED).sort());
  });

  it('has the same bytes in each file', () => {
    const differing = files(SHARED).filter((f) => !readFileSync(join(OWN, f)).equals(readFileSync(join(SHARED, f))));
    expect(differing).toEqual([]);
  });
});

it('each fixture is an envelope named after its action', () => {
  const misnamed = files(OWN).filter((f) => {
    const body = JSON.parse(readFileSync(join(OWN, f), 'utf8')) as { action?: unknown; data?: unknown };
    return `${body.action}.json` !== f.split('/').pop() || typeof body.data !== 'object';
  });
  expect(files(OWN).length).toBeGreaterThan(0);
  expect(misnamed).toEqual([]);
});
