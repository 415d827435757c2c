import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const PUBLIC_DIR = path.join(__dirname, 'public');

/** Browser builds served from node_modules (no CDN at run time): name → [package-relative folder, file]. */
const VENDOR: Record<string, { pkg: string; dir: string; file: string }> = {
  'graphql-ws.js': { pkg: 'graphql-ws', dir: 'umd', file: 'graphql-ws.min.js' },
  'uplot.js': { pkg: 'uplot', dir: 'dist', file: 'uPlot.iife.min.js' },
  'uplot.css': { pkg: 'uplot', dir: 'dist', file: 'uPlot.min.css' },
};

function packageDir(pkg: string): string {
  return path.dirname(require.resolve(`${pkg}/package.json`));
}

/** The ops console: static page at /ops, its vendored libraries at /ops/vendor/…; data comes from /graphql. */
export async function opsRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/ops/',
    redirect: true,
    index: ['index.html'],
    cacheControl: true,
    maxAge: 60_000,
  });
  app.get('/ops', (_req, reply) => reply.redirect('/ops/'));
  for (const [name, v] of Object.entries(VENDOR)) {
    const root = path.join(packageDir(v.pkg), v.dir);
    app.get(`/ops/vendor/${name}`, (_req, reply) => reply.sendFile(v.file, root, { maxAge: 3_600_000 }));
  }
}
