/**
 * `npm run bench:startup`: wall time of `mlp --version` and `mlp can-i …` against bare
 * `node -e 0` in the same run, each a fresh process, interleaved so machine load hits all alike.
 * Issue 7's target: both within 0.25 s of bare node. Results go to stdout and BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const mlp = join(root, 'bin', 'mlp.js');
const spec = join(root, 'examples', 'platform.yaml');

const cases: { label: string; args: string[] }[] = [
  { label: 'reference: `node -e 0`', args: ['-e', '0'] },
  { label: '`mlp --version`', args: [mlp, '--version'] },
  {
    label: '`mlp can-i create pods -n ml-team --as … --as-group ml-engineers`',
    args: [
      mlp,
      'can-i',
      'create',
      'pods',
      '-n',
      'ml-team',
      '--as',
      'u',
      '--as-group',
      'ml-engineers',
      '-f',
      spec,
    ],
  },
  { label: '`mlp check -e local`', args: [mlp, 'check', '-e', 'local', '-f', spec] },
];

const times = cases.map(() => [] as number[]);
for (let i = 0; i < RUNS; i++) {
  cases.forEach((c, k) => {
    const started = performance.now();
    const r = spawnSync(process.execPath, c.args, { cwd: root, encoding: 'utf8' });
    times[k]!.push(performance.now() - started);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${c.label} exited ${r.status}: ${r.stderr}`);
  });
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
const base = pct(times[0]!, 0.5);
const rows = cases.map((c, k) => {
  const p50 = pct(times[k]!, 0.5);
  return `| ${c.label} | ${p50.toFixed(0)} | ${pct(times[k]!, 0.9).toFixed(0)} | ${k === 0 ? '' : `+${(p50 - base).toFixed(0)}`} |`;
});
const body = [
  `Command: \`npm run bench:startup\` (${RUNS} fresh processes per command, interleaved).`,
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.`,
  '',
  '| command | p50 ms | p90 ms | over bare node (p50) ms |',
  '|---|---:|---:|---:|',
  ...rows,
].join('\n');
console.log(body);
writeSection('startup', 'CLI start-up vs bare node', body);
