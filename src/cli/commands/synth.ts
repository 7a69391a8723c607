/** `mlp synth`: the spec → `gitops/<env>/` for each environment, written atomically. */
import { resolve } from 'node:path';
import { renderTree } from '../../gitops/render.js';
import { writeTree } from '../../gitops/write.js';
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
  io.stdout(
    emit(opts.output, { spec: spec.file, environments: results }, () =>
      table(
        ['environment', 'files', 'objects', 'directory'],
        results.map((r) => [r.environment, String(r.files), String(r.objects), r.directory]),
      ),
    ),
  );
  return EXIT.ok;
}
