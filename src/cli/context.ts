/** What most commands share: find and load the spec, pick environments, synthesize. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { K8sObject } from '../k8s/object.js';
import { loadSpec } from '../spec/load.js';
import type { ResolvedEnvironment, Spec } from '../spec/model.js';
import { ENVIRONMENTS, type EnvironmentName } from '../spec/schema.js';
import { allObjects } from '../synth/component.js';
import { synthesize } from '../synth/platform.js';
import { type Io, UsageError } from './io.js';

/** The example platform shipped with the tool: the embedded default when no spec is given. */
export const BUNDLED_SPEC = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'examples',
  'platform.yaml',
);

export interface SpecOptions {
  file?: string;
}

export function openSpec(opts: SpecOptions, io: Io): Spec {
  if (opts.file) return loadSpec(resolve(io.cwd, opts.file));
  const local = resolve(io.cwd, 'platform.yaml');
  if (existsSync(local)) return loadSpec(local);
  io.stderr(`mlp: no platform.yaml here; using the bundled example ${BUNDLED_SPEC}\n`);
  return loadSpec(BUNDLED_SPEC);
}

export function parseEnvironment(value: string): EnvironmentName {
  if (!(ENVIRONMENTS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown environment "${value}"; expected one of ${ENVIRONMENTS.join(', ')}`);
  }
  return value as EnvironmentName;
}

export function environment(spec: Spec, name: string): ResolvedEnvironment {
  const env = spec.environments.get(parseEnvironment(name));
  if (!env) {
    throw new UsageError(
      `environment "${name}" is not defined in ${spec.file}; defined: ${[...spec.environments.keys()].join(', ')}`,
    );
  }
  return env;
}

/** The environments a command works on: the ones named, or all the spec defines. */
export function environments(spec: Spec, names: readonly string[] | undefined): ResolvedEnvironment[] {
  if (!names || names.length === 0) return [...spec.environments.values()];
  return names.map((n) => environment(spec, n));
}

export function objectsOf(env: ResolvedEnvironment): K8sObject[] {
  return allObjects(synthesize(env));
}
