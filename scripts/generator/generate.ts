import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * The client and flow generator behind `npm run new:client` and `npm run new:flow`: copies
 * templates/client and templates/flow (which compile where they are) into place, fills in the
 * client and flow, re-points their imports, and registers the result in the typed maps.
 */
export interface Generated {
  created: string[];
  edited: string[];
}

const CLIENT_ID = /^[a-z][a-z0-9-]{1,30}$/;

export function identifierOf(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function displayNameOf(id: string): string {
  return id
    .split('-')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

/** The template's text for its destination: placeholders filled, `../../src/` and `../../test/` re-pointed. */
function render(text: string, destFile: string, root: string, vars: { client: string; flow?: string }): string {
  const rel = (dir: string) => {
    const r = relative(dirname(destFile), join(root, dir)).split('\\').join('/');
    return r.startsWith('.') ? r : `./${r}`;
  };
  let out = text
    .replace(/'\.\.\/\.\.\/src\//g, `'${rel('src')}/`)
    .replace(/'\.\.\/\.\.\/test\//g, `'${rel('test')}/`)
    .replace(/__client__/g, vars.client)
    .replace(/__Client__/g, displayNameOf(vars.client));
  if (vars.flow) out = out.replace(/'[a-z-]+'( as const.*\/\/ generator: flow)/g, `'${vars.flow}'$1`);
  return out;
}

function write(file: string, text: string, out: Generated, root: string): void {
  if (existsSync(file)) throw new Error(`${relative(root, file)} already exists`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  out.created.push(relative(root, file));
}

/** Inserts `line` after the marker comment (keeping its indentation). */
function insertAfterMarker(file: string, marker: string, line: string, out: Generated, root: string): void {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${relative(root, file)} has no "${marker}" marker`);
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const indent = text.slice(lineStart, at);
  const lineEnd = text.indexOf('\n', at);
  writeFileSync(file, `${text.slice(0, lineEnd + 1)}${indent}${line}\n${text.slice(lineEnd + 1)}`);
  if (!out.edited.includes(relative(root, file))) out.edited.push(relative(root, file));
}

export function flowKeys(root: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return Object.keys(require(join(root, 'src', 'webhooks', 'flows')).FLOWS);
}

export function newFlow(
  root: string,
  client: string,
  flow: string,
  out: Generated = { created: [], edited: [] },
): Generated {
  const clientDir = join(root, 'src', 'clients', client);
  if (!existsSync(join(clientDir, 'mapper.ts')))
    throw new Error(`no client module at src/clients/${client} (npm run new:client -- ${client})`);
  if (!flowKeys(root).includes(flow)) throw new Error(`unknown flow "${flow}"; flows: ${flowKeys(root).join(', ')}`);
  if (existsSync(join(clientDir, 'flows', flow))) throw new Error(`${client} already maps the ${flow} flow`);
  const templates = join(root, 'templates', 'flow');
  for (const name of readdirSync(templates).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const dest = join(clientDir, 'flows', flow, name);
    write(dest, render(readFileSync(join(templates, name), 'utf8'), dest, root, { client, flow }), out, root);
  }
  const testDest = join(root, 'test', 'clients', client, `${flow}.flow.test.ts`);
  write(
    testDest,
    render(readFileSync(join(templates, 'flow.test.ts'), 'utf8'), testDest, root, { client, flow }),
    out,
    root,
  );
  const mapper = join(clientDir, 'mapper.ts');
  const id = `${identifierOf(flow)}Mapping`;
  insertAfterMarker(
    mapper,
    '// generator: flow imports',
    `import { mapping as ${id} } from './flows/${flow}/handler';`,
    out,
    root,
  );
  insertAfterMarker(mapper, '// generator: flow entries', `${flow}: ${id},`, out, root);
  return out;
}

export function newClient(root: string, client: string): Generated {
  if (!CLIENT_ID.test(client))
    throw new Error(`client id "${client}" must be lower-case letters, digits and dashes (2–31)`);
  const clientDir = join(root, 'src', 'clients', client);
  if (existsSync(clientDir)) throw new Error(`src/clients/${client} already exists`);
  const out: Generated = { created: [], edited: [] };
  const templates = join(root, 'templates', 'client');
  for (const name of readdirSync(templates)) {
    const dest = join(clientDir, name);
    write(dest, render(readFileSync(join(templates, name), 'utf8'), dest, root, { client }), out, root);
  }
  for (const flow of flowKeys(root)) newFlow(root, client, flow, out);
  registerClient(root, client, out);
  return out;
}

/** One import and one entry in the typed map of src/clients/registry.ts. */
function registerClient(root: string, client: string, out: Generated): void {
  const file = join(root, 'src', 'clients', 'registry.ts');
  const id = identifierOf(client);
  let text = readFileSync(file, 'utf8');
  const imports = [...text.matchAll(/^import .* from '\.\/[^']+';\n/gm)];
  const lastImport = imports[imports.length - 1];
  if (!lastImport) throw new Error('src/clients/registry.ts: no client import to follow');
  const afterImports = lastImport.index + lastImport[0].length;
  text = `${text.slice(0, afterImports)}import { client as ${id} } from './${client}';\n${text.slice(afterImports)}`;
  const map = text.match(/export const CLIENTS[^=]*= \{\n([\s\S]*?)\n\};/);
  if (!map || map.index === undefined) throw new Error('src/clients/registry.ts: no CLIENTS map');
  const close = map.index + map[0].length - 3;
  text = `${text.slice(0, close)}\n  [${id}.id]: ${id},${text.slice(close)}`;
  writeFileSync(file, text);
  out.edited.push(relative(root, file));
}
