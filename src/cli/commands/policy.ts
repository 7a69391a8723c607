/** `mlp policy check FILE…`: the environment's admission rules over any manifests, offline. */
import { resolve } from 'node:path';
import { evaluatePolicies } from '../../policy/evaluate.js';
import { policyRules } from '../../policy/rules.js';
import { environment, openSpec } from '../context.js';
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
  const rules = policyRules({ allowedRegistries: env.allowedRegistries });
  const findings = evaluatePolicies(objects, rules, {
    exemptNamespaces: env.platform.policies.exemptNamespaces,
  });
  const failed = findings.filter((f) => f.status === 'fail' || f.status === 'error');
  io.stdout(
    emit(opts.output, { environment: env.environment, passed: failed.length === 0, findings }, () =>
      failed.length === 0
        ? `all ${objects.length} objects pass the ${env.environment} admission rules (${findings.length} checks)\n`
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
