/**
 * `npm run bench:serving`: /predict and OIP infer under autocannon over loopback, the model
 * server pinned to one core, against a bare node:http server on the same core as the ceiling;
 * registry create/get throughput on PostgreSQL. Results go to stdout and BENCHMARKS.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openRegistry } from '../registry/service.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function startChild(script: string): Promise<{ url: string; child: ChildProcess }> {
  // Core 0 for the server under test; this process (the load generator) runs on core 1.
  const child = spawn('taskset', ['-c', '0', process.execPath, join(here, script)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

interface Load {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(
  name: string,
  url: string,
  connections: number,
  body?: unknown,
  method: 'POST' | 'GET' = 'POST',
): Promise<Load> {
  const r = await autocannon({
    url,
    connections,
    duration: DURATION,
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const out = {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
  console.log(
    `${name}: ${out.rps.toFixed(0)} req/s, p50 ${out.p50} ms, p99 ${out.p99} ms, errors ${out.errors}`,
  );
  return out;
}

const predict = { text: 'The start was rough but the result is excellent and the support was helpful' };
// The largest batch the server accepts: 64 texts of 10,000 characters.
const heavyBatch = {
  texts: Array.from({ length: 64 }, (_, i) =>
    `request ${i}: the service was good but the wait was long and nothing worked `
      .repeat(200)
      .slice(0, 10_000),
  ),
};
const infer = { inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: [predict.text] }] };

const ceiling = await startChild('ceiling.js');
const fastify = await startChild('ceiling-fastify.js');
const server = await startChild('serve-child.js');
const rows: Load[] = [];
try {
  rows.push(await load('ceiling: node:http fixed JSON, 50 conn', ceiling.url, 50, predict));
  rows.push(await load('reference: bare Fastify fixed JSON, 50 conn', `${fastify.url}/predict`, 50, predict));
  rows.push(await load('POST /predict, 50 conn', `${server.url}/predict`, 50, predict));
  rows.push(
    await load(
      'POST /v2/models/sentiment/infer, 50 conn',
      `${server.url}/v2/models/sentiment/infer`,
      50,
      infer,
    ),
  );
  // Fairness: small clients beside one client posting the largest batches, at the same time.
  const [small, heavy] = await Promise.all([
    load('POST /predict, 50 conn, beside a heavy client', `${server.url}/predict`, 50, predict),
    load(
      'heavy client: POST /predict/batch 64 × 10k chars, 1 conn',
      `${server.url}/predict/batch`,
      1,
      heavyBatch,
    ),
  ]);
  rows.push(small, heavy);
  rows.push(await load('POST /predict, 1 conn (unloaded)', `${server.url}/predict`, 1, predict));
  rows.push(await load('ceiling, 1 conn (unloaded)', ceiling.url, 1, predict));
} finally {
  for (const c of [ceiling, fastify, server]) c.child.kill('SIGTERM');
}

// Registry on PostgreSQL, in this process.
const registry = await openRegistry({
  databaseUrl: PG,
  schema: `mlp_bench_${Date.now()}`,
  stateDir: join(here, '..', '..', '.mlp', 'bench'),
});
const registryUrl = await registry.app.listen({ port: 0, host: '127.0.0.1' });
await registry.store.createRegisteredModel({ name: 'bench' });
rows.push(
  await load(
    'registry model-versions/create (PostgreSQL), 10 conn',
    `${registryUrl}/api/2.0/mlflow/model-versions/create`,
    10,
    { name: 'bench', source: 's3://bucket/model' },
  ),
);
rows.push(
  await load(
    'registry model-versions/get (PostgreSQL), 10 conn',
    `${registryUrl}/api/2.0/mlflow/model-versions/get?name=bench&version=1`,
    10,
    undefined,
    'GET',
  ),
);
const schema = (await registry.db.query<{ s: string }>('select current_schema() as s')).rows[0]!.s;
await registry.db.query(`drop schema ${schema} cascade`);
await registry.close();

const ceilingRps = rows[0]!.rps;
const table = [
  '| load | req/s | % of ceiling | p50 ms | p99 ms | errors |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.rps.toFixed(0)} | ${r.name.endsWith('50 conn') ? `${((r.rps / ceilingRps) * 100).toFixed(0)}%` : ''} | ${r.p50} | ${r.p99} | ${r.errors} |`,
  ),
].join('\n');
const section = `<!-- bench:serving:start -->
Command: \`npm run bench:serving\` (autocannon, ${DURATION} s per load; servers pinned to core 0 with taskset, load generator on core 1).
Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.

${table}
<!-- bench:serving:end -->`;
const path = join(here, '..', '..', 'BENCHMARKS.md');
const doc = readFileSync(path, 'utf8');
writeFileSync(
  path,
  doc.includes('<!-- bench:serving:start -->')
    ? doc.replace(/<!-- bench:serving:start -->[\s\S]*<!-- bench:serving:end -->/, section)
    : `${doc.trimEnd()}\n\n## Model server and registry\n\n${section}\n`,
);
console.log(`\nwrote ${path}`);
process.exit(0);
