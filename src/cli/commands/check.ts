/** `mlp check`: every offline proof for each environment; exit 1 when any check fails. */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Finding } from '../../check/finding.js';
import { type CheckReport, runChecks } from '../../check/run.js';
import { toSarif } from '../../check/sarif.js';
import { scanText } from '../../check/secrets.js';
import { severityOf } from '../../check/severity.js';
import { type K8sObject, objectRef } from '../../k8s/object.js';
import type { ResolvedEnvironment } from '../../spec/model.js';
import { allObjects, type Component, layoutOf } from '../../synth/component.js';
import { runbookFiles } from '../../synth/observability.js';
import { synthesize } from '../../synth/platform.js';
import { environments, openSpec } from '../context.js';
import type { CheckOutput } from '../formats.js';
import { EXIT, type Io } from '../io.js';
import { emit, table } from '../output.js';

export interface CheckOptions {
  readonly file?: string;
  readonly env?: string[];
  readonly output: CheckOutput;
  /** Also list passing findings in the table. */
  readonly all?: boolean;
}

const MATRIX_TABLE_LIMIT = 25;

export async function checkCommand(opts: CheckOptions, io: Io): Promise<number> {
  const spec = openSpec(opts, io);
  const reports: CheckReport[] = [];
  // Where each finding's resource is rendered, per environment (names repeat across them).
  const fileOf = new WeakMap<Finding, string>();
  for (const env of environments(spec, opts.env)) {
    const started = performance.now();
    const components = synthesize(env);
    const files = renderedFiles(env, components);
    const report = await runChecks(allObjects(components), env, {
      fileOf: (o) => files.byObject.get(o),
      layout: layoutOf(components),
      runbooks: runbookFiles(components),
    });
    reports.push(report);
    io.stderr(`checked ${env.environment} in ${Math.round(performance.now() - started)} ms\n`);
    if (opts.output === 'sarif') {
      for (const f of report.findings) {
        const file = files.byRef.get(f.resource);
        if (file) fileOf.set(f, file);
      }
    }
  }
  // The spec itself goes to git too: it must hold no secret material either.
  const specFindings = await scanText(readFileSync(spec.file, 'utf8'), spec.file);
  const failed = specFindings.length > 0 || reports.some((r) => r.summary.fail > 0 || r.summary.error > 0);
  if (opts.output === 'sarif') {
    const findings = [...specFindings, ...reports.flatMap((r) => r.findings)];
    const sarif = toSarif({
      findings,
      fileOf: (f) => fileOf.get(f),
      fallbackFile: relative(io.cwd, spec.file),
      version: '0.1.0',
    });
    io.stdout(`${JSON.stringify(sarif, null, 2)}\n`);
    return failed ? EXIT.failed : EXIT.ok;
  }
  io.stdout(
    emit(opts.output, { spec: spec.file, passed: !failed, specFindings, reports }, () => {
      const head =
        specFindings.length > 0
          ? `Spec ${spec.file}: ${specFindings.length} secret finding(s)\n${table(
              ['rule', 'where', 'message'],
              specFindings.map((f) => [f.ruleId, f.resource, f.message]),
            )}\n`
          : '';
      return head + reports.map((r) => human(r, opts.all ?? false)).join('\n');
    }),
  );
  return failed ? EXIT.failed : EXIT.ok;
}

/** Resource → the file under gitops/<env>/ that holds it, for SARIF locations. */
function renderedFiles(
  env: ResolvedEnvironment,
  components: readonly Component[],
): { byRef: Map<string, string>; byObject: Map<K8sObject, string> } {
  const byRef = new Map<string, string>();
  const byObject = new Map<K8sObject, string>();
  for (const c of components) {
    for (const f of c.files)
      for (const o of f.objects) {
        const file = `gitops/${env.environment}/${c.name}/${f.name}`;
        byRef.set(objectRef(o), file);
        byObject.set(o, file);
      }
  }
  return { byRef, byObject };
}

function human(r: CheckReport, all: boolean): string {
  const shown = r.findings.filter((f: Finding) => all || f.status !== 'pass');
  const sev = r.severity;
  let out = `Environment ${r.environment}: ${r.summary.pass} passed, ${r.summary.fail} failed (${sev.high} high, ${sev.medium} medium, ${sev.low} low), ${r.summary.warn} warnings\n`;
  if (shown.length > 0) {
    out += table(
      ['status', 'severity', 'rule', 'resource', 'path', 'message'],
      shown.map((f) => [
        f.status,
        f.status === 'fail' || f.status === 'error' ? severityOf(f) : '',
        f.ruleId,
        f.resource,
        f.path,
        f.fix ? `${f.message}\nfix: ${f.fix}` : f.message,
      ]),
    );
  }
  // Teams, then the engines' namespaces: who reaches whom on some port.
  const names = [...r.matrix.teams, ...r.matrix.engines];
  if (names.length <= MATRIX_TABLE_LIMIT) {
    out += 'Team isolation matrix, engine namespaces included (row → column reachable on some port):\n';
    out += table(
      ['from \\ to', ...names],
      names.map((from) => [
        from,
        ...names.map((to) => (from === to ? '·' : r.matrix.reachable[from]!.includes(to) ? 'yes' : 'no')),
      ]),
    );
  } else {
    const teams = r.matrix.teams;
    const edges = teams.reduce(
      (n, t) => n + r.matrix.reachable[t]!.filter((to) => teams.includes(to)).length,
      0,
    );
    out += `Team isolation matrix: ${teams.length}×${teams.length}, ${edges} allowed team pairs, ${r.matrix.engines.length} engine namespaces (use --output json for the full matrix)\n`;
  }
  return out;
}
