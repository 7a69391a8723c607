// The tree and the image agree: every container the tree runs with the `mlp` entrypoint names a
// real subcommand and only options that subcommand declares, as the CLI's own parser reads them.

import type { Command } from 'commander';
import { expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { loadSpec } from '../src/spec/load.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { ROOT } from './helpers.js';

interface Container {
  name: string;
  command?: string[];
  args?: string[];
}

function containers(o: { kind: string; spec?: Record<string, unknown> }): Container[] {
  const spec = o.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

/** Walks `serve` / `registry serve` down the command tree; the rest are the subcommand's argv. */
function resolve(program: Command, argv: readonly string[]): { cmd: Command; rest: string[] } {
  let cmd = program;
  let i = 0;
  for (; i < argv.length; i++) {
    const sub = cmd.commands.find((c) => c.name() === argv[i]);
    if (!sub) break;
    cmd = sub;
  }
  return { cmd, rest: argv.slice(i) };
}

it('every mlp container command of every environment parses with the CLI it runs', () => {
  const spec = loadSpec(`${ROOT}/examples/platform.yaml`);
  const seen = new Set<string>();
  for (const env of spec.environments.values()) {
    for (const o of allObjects(synthesize(env))) {
      for (const c of containers(o)) {
        const argv = [...(c.command ?? []), ...(c.args ?? [])];
        if (argv[0] !== 'mlp') continue;
        const program = buildProgram({ stdout: () => {}, stderr: () => {}, cwd: ROOT }, () => {});
        const { cmd, rest } = resolve(program, argv.slice(1));
        expect(cmd, `${o.kind} ${c.name}: ${argv.join(' ')}`).not.toBe(program);
        expect(cmd.commands, `${argv.join(' ')} ends at a runnable command`).toEqual([]);
        const parsed = cmd.parseOptions(rest);
        expect(parsed.unknown, `${argv.join(' ')}: options ${cmd.name()} does not declare`).toEqual([]);
        expect(parsed.operands).toEqual([]);
        // Every option given takes the value that follows it (none is a bare flag eating one).
        for (let i = 0; i < rest.length; i++) {
          if (!rest[i]!.startsWith('--')) continue;
          const opt = cmd.options.find((x) => x.long === rest[i]);
          expect(opt, `${rest[i]} on ${cmd.name()}`).toBeDefined();
          if (opt!.required) i++;
        }
        seen.add(argv.slice(0, cmd.name() === 'serve' && argv[1] === 'registry' ? 3 : 2).join(' '));
      }
    }
  }
  // Both entrypoints are exercised: a model server and the registry.
  expect([...seen].sort()).toEqual(['mlp registry serve', 'mlp serve']);
});
