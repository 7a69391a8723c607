/**
 * `mlp policy check FILE… [-e ENV]`: any manifests through the environment's admission chain
 * (src/admission/chain.ts), offline: Pod Security of the target namespace, LimitRange defaults
 * and limits, the policy rules on each workload and on what it creates, ResourceQuota.
 */
import { resolve } from 'node:path';
import { admitObject, isAdmissible } from '../../admission/chain.js';
import { admissionEnv } from '../../admission/env.js';
import { environment, objectsOf, openSpec } from '../context.js';
import { EXIT, type Io } from '../io.js';
import { readManifests } from '../manifests.js';
import { emit, type OutputFormat, table } from '../output.js';

export interface PolicyCheckOptions {
  readonly file?: string;
  readonly env: string;
  readonly output: OutputFormat;
}

export function policyCheckCommand(files: string[], opts: PolicyCheckOptions, io: Io): number {
  const objects = files.flatMap((f) => readManifests(resolve(io.cwd, f)));
  const spec = openSpec(opts, io);
  const env = environment(spec, opts.env);
  // The files' own Namespaces, LimitRanges and quotas join the tree's, as if applied with them.
  const context = admissionEnv(env, [...objectsOf(env), ...objects.filter((o) => !isAdmissible(o))]);
  const findings = objects.filter(isAdmissible).flatMap((o) => admitObject(o, context).findings);
  const failed = findings.filter((f) => f.status === 'fail' || f.status === 'error');
  io.stdout(
    emit(opts.output, { environment: env.environment, passed: failed.length === 0, findings }, () =>
      failed.length === 0
        ? `all ${objects.length} objects pass the ${env.environment} admission chain (${findings.length} checks)\n`
        : table(
            ['rule', 'resource', 'path', 'message'],
            failed.map((f) => [
              f.ruleId,
              f.resource,
              f.path,
              f.fix ? `${f.message}\nfix: ${f.fix}` : f.message,
            ]),
          ),
    ),
  );
  return failed.length === 0 ? EXIT.ok : EXIT.failed;
}
