/**
 * `npm run bench`: synth + every check for synthetic platforms of 10, 100 and 1,000 teams, and
 * in the same run `kubectl kustomize` building the same tree, as the reference. Results go to
 * stdout and to BENCHMARKS.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const here = fileURLToPath(new URL('.', import.meta.url));

interface Run {
  teams: number;
  objects: number;
  files: number;
  loadMs: number;
  synthMs: number;
  writeMs: number;
  checkMs: number;
  totalMs: number;
  failed: number;
  maxRssMiB: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function kustomize(dir: string): { ms: number; maxRssMiB: number } {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'kubectl', 'kustomize', dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`kubectl kustomize failed: ${r.stderr}`);
  const rssKiB = Number(r.stderr.trim().split('\n').pop());
  return { ms, maxRssMiB: rssKiB / 1024 };
}

const rows: string[] = [];
for (const teams of SIZES) {
  const runs: Run[] = [];
  const refs: { ms: number; maxRssMiB: number }[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const dir = mkdtempSync(join(tmpdir(), `mlp-bench-${teams}-`));
    const out = execFileSync(process.execPath, [join(here, 'run-one.js'), String(teams), dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    runs.push(JSON.parse(out) as Run);
    // kustomize grows much faster than linearly: one reference run per size is enough.
    if (i === 0) refs.push(kustomize(join(dir, 'gitops', 'local')));
    rmSync(dir, { recursive: true, force: true });
  }
  const r = runs[0]!;
  const m = (k: keyof Run) => median(runs.map((x) => x[k] as number));
  const ref = median(refs.map((x) => x.ms));
  const line = `| ${teams} | ${r.objects} | ${r.files} | ${m('loadMs').toFixed(0)} | ${m('synthMs').toFixed(0)} | ${m('writeMs').toFixed(0)} | ${m('checkMs').toFixed(0)} | **${m('totalMs').toFixed(0)}** | ${m('maxRssMiB').toFixed(0)} | **${ref.toFixed(0)}** | ${median(refs.map((x) => x.maxRssMiB)).toFixed(0)} | ${(m('totalMs') / ref).toFixed(2)} | ${r.failed} |`;
  console.log(line);
  rows.push(line);
}

const table = [
  '| teams | objects | files | load ms | synth+render ms | write ms | check ms | mlp total ms | mlp peak RSS MiB | `kubectl kustomize` ms | kustomize peak RSS MiB | mlp / kustomize | failed checks |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows,
].join('\n');
const kubectl = execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).split('\n')[0];
const section = `<!-- bench:platform:start -->
Command: \`npm run bench\` (mlp: median of ${REPEATS} runs per size, each in a fresh process; kustomize: one run per size).
Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; reference ${kubectl}.

${table}
<!-- bench:platform:end -->`;
const path = join(here, '..', '..', 'BENCHMARKS.md');
let doc: string;
try {
  doc = readFileSync(path, 'utf8');
} catch {
  doc =
    '# Benchmarks\n\n## Platform synth + check vs `kubectl kustomize`\n\n<!-- bench:platform:start -->\n<!-- bench:platform:end -->\n';
}
writeFileSync(path, doc.replace(/<!-- bench:platform:start -->[\s\S]*<!-- bench:platform:end -->/, section));
console.log(`\nwrote ${path}`);
