/** `mlp policy check FILE…`: the environment's admission rules over any manifests, offline. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../k8s/object.js';
import { evaluatePolicies } from '../../policy/evaluate.js';
import { policyRules } from '../../policy/rules.js';
import { environment, openSpec } from '../context.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { emit, type OutputFormat, table } from '../output.js';

export interface PolicyCheckOptions {
  readonly file?: string;
  readonly env: string;
  readonly output: OutputFormat;
}

function readManifests(path: string): K8sObject[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}`);
  }
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text) as ReturnType<typeof parseAllDocuments> & unknown[]) {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw new UsageError(
        `${path}:${pos?.line ?? 1}:${pos?.col ?? 1}: invalid YAML: ${err.message.split('\n')[0]}`,
      );
    }
    const o = doc.toJS() as K8sObject | null;
    if (o && typeof o === 'object' && o.kind) out.push(o);
  }
  return out;
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
