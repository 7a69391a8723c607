/** Every offline check of one environment's rendered objects, in one report. */
import type { K8sObject } from '../k8s/object.js';
import { evaluatePolicies } from '../policy/evaluate.js';
import { policyRules } from '../policy/rules.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { countByStatus, type Finding, type FindingStatus } from './finding.js';
import { NetworkModel } from './network/reach.js';
import { checkNetwork, type IsolationMatrix } from './network/rules.js';
import { checkCapacity, checkLimitRanges } from './quota/fit.js';
import { RbacAuthorizer } from './rbac/evaluate.js';
import { checkRbac } from './rbac/rules.js';
import { checkSchema } from './schema.js';
import { scanObjects } from './secrets.js';
import { bySeverity, type Severity } from './severity.js';

export interface CheckReport {
  readonly environment: string;
  readonly findings: readonly Finding[];
  readonly summary: Record<FindingStatus, number>;
  /** Failing findings by severity. */
  readonly severity: Record<Severity, number>;
  readonly matrix: IsolationMatrix;
}

/** Namespaces every cluster has without our tree declaring them. */
export function systemNamespaces(env: ResolvedEnvironment): string[] {
  return ['default', 'kube-system', env.platform.monitoringNamespace, env.platform.ingressNamespace];
}

export async function runChecks(
  objects: readonly K8sObject[],
  env: ResolvedEnvironment,
): Promise<CheckReport> {
  const findings: Finding[] = [];
  const passIfClean = (list: Finding[], ruleId: string, message: string): Finding[] =>
    list.some((f) => f.status === 'fail' || f.status === 'error')
      ? list
      : [...list, { ruleId, status: 'pass', resource: `environment/${env.environment}`, path: '', message }];
  const schema = await checkSchema(objects, env.platform.kubernetesVersion);
  findings.push(
    ...passIfClean(
      schema,
      'schema',
      `${objects.length} objects valid for Kubernetes ${env.platform.kubernetesVersion}`,
    ),
  );
  findings.push(...checkRbac(objects, new RbacAuthorizer(objects), env));
  const network = checkNetwork(new NetworkModel(objects, systemNamespaces(env)), env);
  findings.push(...network.findings);
  findings.push(...checkCapacity(objects, env.capacity, env.environment));
  findings.push(...checkLimitRanges(objects));
  findings.push(
    ...passIfClean(await scanObjects(objects), 'secrets', 'no secret material in the rendered tree'),
  );
  // The environment's own admission rules over its own workloads (platform components included).
  const rules = policyRules({ allowedRegistries: env.allowedRegistries });
  findings.push(
    ...evaluatePolicies(objects, rules, { exemptNamespaces: env.platform.policies.exemptNamespaces }),
  );
  return {
    environment: env.environment,
    findings,
    summary: countByStatus(findings),
    severity: bySeverity(findings),
    matrix: network.matrix,
  };
}
