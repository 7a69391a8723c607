/** `mlp synth`: the spec → `gitops/<env>/` for each environment, written atomically. */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderTree } from '../../gitops/render.js';
import { sweepLeftovers, writeTree } from '../../gitops/write.js';
import { ENVIRONMENTS } from '../../spec/schema.js';
import { synthesize } from '../../synth/platform.js';
import { environments, openSpec } from '../context.js';
import { EXIT, type Io } from '../io.js';
import { emit, type OutputFormat, table } from '../output.js';

export interface SynthOptions {
  readonly file?: string;
  readonly env?: string[];
  readonly out: string;
  readonly output: OutputFormat;
}

export function synthCommand(opts: SynthOptions, io: Io): number {
  // Everything is validated and rendered before the first byte is written.
  const spec = openSpec(opts, io);
  const rendered = environments(spec, opts.env).map((env) => {
    const components = synthesize(env);
    return {
      env: env.environment,
      files: renderTree(components),
      objects: components.reduce((n, c) => n + c.files.reduce((m, f) => m + f.objects.length, 0), 0),
    };
  });
  const results = rendered.map((r) => {
    const dir = resolve(io.cwd, opts.out, r.env);
    const started = performance.now();
    writeTree(dir, r.files);
    io.stderr(`wrote ${dir} (${r.files.size} files) in ${Math.round(performance.now() - started)} ms\n`);
    return { environment: r.env, directory: dir, files: r.files.size, objects: r.objects };
  });
  const removed = opts.env?.length
    ? []
    : removeDroppedEnvironments(resolve(io.cwd, opts.out), spec.environments);
  for (const r of removed)
    io.stderr(`removed ${r.directory}: environment "${r.environment}" is no longer in the spec\n`);
  io.stdout(
    emit(opts.output, { spec: spec.file, environments: results, removed }, () =>
      table(
        ['environment', 'files', 'objects', 'directory'],
        results.map((r) => [r.environment, String(r.files), String(r.objects), r.directory]),
      ),
    ),
  );
  return EXIT.ok;
}

/**
 * After a full synth, the trees of environments the spec no longer defines would otherwise stay
 * in git and keep being applied. Only folders named like an environment and holding a
 * kustomization (so: a tree we wrote) are removed; anything else under the output is left alone.
 * With `-e`, the user asked for part of the output, so nothing is removed.
 */
function removeDroppedEnvironments(
  out: string,
  defined: ReadonlyMap<string, unknown>,
): { environment: string; directory: string }[] {
  const removed: { environment: string; directory: string }[] = [];
  for (const name of ENVIRONMENTS) {
    const dir = join(out, name);
    sweepLeftovers(dir);
    if (defined.has(name) || !existsSync(join(dir, 'kustomization.yaml'))) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push({ environment: name, directory: dir });
  }
  return removed;
}
