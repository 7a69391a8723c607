/** `mlp diff A B` (two environments) or `mlp diff ENV --against DIR` (rendered vs on disk). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { renderTree } from '../../gitops/render.js';
import { readTree } from '../../gitops/write.js';
import { synthesize } from '../../synth/platform.js';
import { environment, openSpec } from '../context.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { emit, type OutputFormat } from '../output.js';

export interface DiffOptions {
  readonly file?: string;
  readonly against?: string;
  readonly output: OutputFormat;
}

export interface FileChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'modified';
  readonly patch: string;
}

export function diffTrees(
  left: ReadonlyMap<string, string>,
  right: ReadonlyMap<string, string>,
  leftName: string,
  rightName: string,
): FileChange[] {
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
  const out: FileChange[] = [];
  for (const p of paths) {
    const a = left.get(p);
    const b = right.get(p);
    if (a === b) continue;
    const change = a === undefined ? 'added' : b === undefined ? 'removed' : 'modified';
    out.push({
      path: p,
      change,
      patch: createTwoFilesPatch(`${leftName}/${p}`, `${rightName}/${p}`, a ?? '', b ?? '', '', '', {
        context: 3,
      }),
    });
  }
  return out;
}

export function diffCommand(
  first: string | undefined,
  second: string | undefined,
  opts: DiffOptions,
  io: Io,
): number {
  if (!first) throw new UsageError('give an environment: mlp diff ENV [OTHER | --against DIR | --live]');
  if (second && opts.against)
    throw new UsageError('give either two environments or one environment and --against DIR, not both');
  if (!second && !opts.against)
    throw new UsageError('give two environments (mlp diff dev prod) or one and --against DIR');
  const spec = openSpec(opts, io);
  const left = renderTree(synthesize(environment(spec, first)));
  let right: Map<string, string>;
  let rightName: string;
  if (opts.against) {
    const dir = resolve(io.cwd, opts.against);
    if (!existsSync(dir)) throw new UsageError(`--against: ${dir} does not exist`);
    right = readTree(dir);
    rightName = opts.against;
  } else {
    right = renderTree(synthesize(environment(spec, second!)));
    rightName = second!;
  }
  // Shown as "what applying the rendered tree would change": the directory is the old side.
  const changes = opts.against
    ? diffTrees(right, left, rightName, first)
    : diffTrees(left, right, first, rightName);
  io.stdout(
    emit(opts.output, { changes: changes.map(({ path, change }) => ({ path, change })) }, () =>
      changes.length === 0 ? 'no differences\n' : changes.map((c) => c.patch).join(''),
    ),
  );
  return changes.length === 0 ? EXIT.ok : EXIT.failed;
}

export interface LiveDiffOptions {
  readonly file?: string;
  readonly env?: string;
  readonly against?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly output: OutputFormat;
}

/** `mlp diff -e ENV --live`: what `mlp apply` would change in the cluster (src/cluster/live-diff.ts). */
export async function liveDiffCommand(
  first: string | undefined,
  second: string | undefined,
  opts: LiveDiffOptions,
  io: Io,
): Promise<number> {
  if (second || opts.against)
    throw new UsageError(
      '--live compares one environment with the cluster: drop the second environment and --against',
    );
  if (first && opts.env && first !== opts.env)
    throw new UsageError(`environment given twice: ${first} and -e ${opts.env}`);
  const name = first ?? opts.env ?? 'local';
  const { liveDiff } = await import('../../cluster/live-diff.js');
  const { parentRefFor } = await import('../../cluster/applyset.js');
  const { Discovery } = await import('../../cluster/discovery.js');
  const { connectCluster, withCluster } = await import('./apply.js');
  const spec = openSpec(opts, io);
  const env = environment(spec, name);
  const components = synthesize(env);
  return withCluster(async () => {
    const cluster = await connectCluster(opts);
    const diffs = await liveDiff(
      cluster,
      new Discovery(cluster),
      components,
      parentRefFor(env.platform.name, env.environment),
    );
    io.stdout(
      emit(
        opts.output,
        {
          environment: env.environment,
          server: cluster.server,
          changes: diffs.map(({ ref, change, note }) => ({ ref, change, ...(note ? { note } : {}) })),
        },
        () =>
          diffs.length === 0
            ? 'no differences\n'
            : diffs.map((d) => (d.note ? `# ${d.ref}: ${d.note}\n${d.patch}` : d.patch)).join(''),
      ),
    );
    return diffs.length === 0 ? EXIT.ok : EXIT.failed;
  });
}
