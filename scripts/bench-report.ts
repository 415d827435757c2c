import { execSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import * as PImage from 'pureimage';
import type { BenchResult } from '../bench/support/report';

/**
 * `npm run bench`: runs every `bench:*` script of package.json one after another (each against the
 * real server and PostgreSQL), collects their BENCH_RESULT lines and writes bench/REPORT.md with
 * the machine, the figures, the baselines, the ratios, and bench/ratios.png.
 */
const ROOT = join(__dirname, '..');
const BENCH_DIR = join(ROOT, 'bench');

function runScript(name: string): Promise<{ results: BenchResult[]; output: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '-s', name], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
      process.stdout.write(c);
    });
    child.stderr.on('data', (c) => process.stderr.write(c));
    child.on('exit', (code) => {
      const results = output
        .split('\n')
        .filter((l) => l.startsWith('BENCH_RESULT '))
        .map((l) => JSON.parse(l.slice('BENCH_RESULT '.length)) as BenchResult);
      resolve({ results, output, code: code ?? 1 });
    });
  });
}

async function postgresVersion(): Promise<string> {
  const url =
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const c = new Client({ connectionString: url });
  try {
    await c.connect();
    return (await c.query<{ server_version: string }>('show server_version')).rows[0].server_version;
  } catch {
    return 'unreachable';
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function chart(results: BenchResult[], file: string): Promise<void> {
  const width = 900;
  const rowH = 44;
  const height = 70 + rowH * Math.max(results.length, 1);
  const img = PImage.make(width, height);
  const ctx = img.getContext('2d');
  const font = PImage.registerFont(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), 'DejaVu');
  await font.load();
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#111111';
  ctx.font = '18px DejaVu';
  ctx.fillText('Axon Integration Hub — ratio to the same-run baseline', 20, 30);
  const left = 240;
  const maxRatio = Math.max(1.5, ...results.map((r) => r.ratio));
  const scale = (width - left - 60) / maxRatio;
  results.forEach((r, i) => {
    const y = 55 + i * rowH;
    ctx.fillStyle = '#111111';
    ctx.font = '14px DejaVu';
    ctx.fillText(r.name, 20, y + 20);
    ctx.fillStyle = r.pass ? '#2e7d32' : '#c62828';
    ctx.fillRect(left, y + 4, Math.max(2, r.ratio * scale), rowH - 14);
    ctx.fillStyle = '#111111';
    ctx.fillText(`${r.ratio.toFixed(2)}×  (target ${r.target})`, left + Math.max(2, r.ratio * scale) + 8, y + 20);
  });
  ctx.strokeStyle = '#555555';
  ctx.beginPath();
  ctx.moveTo(left + scale, 45);
  ctx.lineTo(left + scale, height - 10);
  ctx.stroke();
  const { createWriteStream } = await import('node:fs');
  await PImage.encodePNGToStream(img, createWriteStream(file));
}

/**
 * Lets the machine quiet down after a bench (its server's and PostgreSQL's work trails it: the
 * p99 of bench:subscriptions measured right after bench:webhooks was 102–111 ms, against 62–85 ms
 * alone): waits for the 1-minute load average to fall below half the number of cores, at most
 * BENCH_SETTLE_MAX_MS (30 s).
 */
const SETTLE_MAX_MS = Number(process.env.BENCH_SETTLE_MAX_MS ?? 30_000);
async function settle(): Promise<void> {
  const until = Date.now() + SETTLE_MAX_MS;
  while (loadavg()[0] > cpus().length / 2 && Date.now() < until) await sleep(1000);
}

async function main(): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const only = process.argv.slice(2);
  const names = Object.keys(pkg.scripts).filter(
    (n) => n.startsWith('bench:') && (only.length === 0 || only.includes(n)),
  );
  const all: BenchResult[] = [];
  const failures: string[] = [];
  for (const [i, name] of names.entries()) {
    if (i > 0) await settle();
    console.log(`\n=== ${name}`);
    const { results, code } = await runScript(name);
    if (code !== 0 || results.length === 0) failures.push(`${name} (exit ${code}, ${results.length} results)`);
    all.push(...results);
  }
  const machine = [
    `- cores: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    `- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node: ${process.version}`,
    `- PostgreSQL: ${await postgresVersion()}`,
    `- commit: ${execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim()}`,
    `- date: ${new Date().toISOString()}`,
  ];
  const table = [
    '| bench | figure | baseline (same run) | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- |',
    ...all.map(
      (r) =>
        `| ${r.name} | ${r.figure} | ${r.baseline} | ${r.ratio.toFixed(2)}× | ${r.target} | ${r.pass ? 'yes' : 'no'} |`,
    ),
  ];
  await chart(all, join(BENCH_DIR, 'ratios.png'));
  const report = [
    '# Benchmark report',
    '',
    'Written by `npm run bench`, which runs every `bench:*` script against the real server and PostgreSQL.',
    'Each ratio compares the hub with a baseline measured in the same run, on the same machine.',
    '',
    '## Machine',
    ...machine,
    '',
    '## Results',
    ...table,
    '',
    '![ratios](ratios.png)',
    '',
    ...(failures.length ? ['## Benches that did not report', ...failures.map((f) => `- ${f}`), ''] : []),
    '## Details',
    '```json',
    JSON.stringify(
      all.map((r) => ({ name: r.name, details: r.details })),
      null,
      2,
    ),
    '```',
    '',
  ];
  writeFileSync(join(BENCH_DIR, 'REPORT.md'), report.join('\n'));
  console.log(
    `\nbench/REPORT.md written (${all.length} results${failures.length ? `, ${failures.length} failed` : ''})`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
