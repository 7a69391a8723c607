/** Every offline check of one environment's rendered objects, in one report. */

import { admitObject, isAdmissible } from '../admission/chain.js';
import { admissionEnv } from '../admission/env.js';
import { ENGINES } from '../engines/index.js';
import type { K8sObject } from '../k8s/object.js';
import { checkMetricsExported, checkPromqlParse, checkRunbooksExist } from '../observability/checks.js';
import { checkDashboards, checkLogqlParse } from '../observability/dashboards/checks.js';
import { admissionExemptions } from '../policy/exemptions.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { checkCrdWaves, checkGitopsSource, type LayoutComponent } from './delivery.js';
import { countByStatus, type Finding, type FindingStatus } from './finding.js';
import { systemNamespaces } from './namespaces.js';
import { checkEngineReach } from './network/engines.js';
import { NetworkModel } from './network/reach.js';
import { checkNetwork, type IsolationMatrix } from './network/rules.js';
import { validateNetworkPolicies } from './network/validate.js';
import { checkMonitorsSelect, checkScrapeReachable } from './observability-scrape.js';
import { checkCapacity, checkLimitRanges } from './quota/fit.js';
import { checkDangerousSubjects, checkEscalation } from './rbac/escalation-rules.js';
import { RbacAuthorizer } from './rbac/evaluate.js';
import { checkRbac } from './rbac/rules.js';
import { checkAnalysisNanSafe, checkReplicasFight } from './rollout-rules.js';
import { checkNamespacesExist, checkSchema } from './schema.js';
import { scanObjects } from './secrets.js';
import { bySeverity, type Severity } from './severity.js';
import { checkUnique } from './unique.js';

export interface CheckReport {
  readonly environment: string;
  readonly findings: readonly Finding[];
  readonly summary: Record<FindingStatus, number>;
  /** Failing findings by severity. */
  readonly severity: Record<Severity, number>;
  readonly matrix: IsolationMatrix;
}

export interface CheckOptions {
  /** Where an object is rendered (`gitops/<env>/<component>/<file>`), to locate findings. */
  readonly fileOf?: (o: K8sObject) => string | undefined;
  /** The components with their sync waves, for the delivery-order proof (`delivery.crd-wave`). */
  readonly layout?: readonly LayoutComponent[];
  /**
   * The runbook files the tree writes (`<alert>.md` under `gitops/<env>/runbooks/`), for
   * `observability.runbook-exists`; undefined skips that rule (a caller without the tree).
   */
  readonly runbooks?: readonly string[];
}

export async function runChecks(
  objects: readonly K8sObject[],
  env: ResolvedEnvironment,
  options: CheckOptions = {},
): Promise<CheckReport> {
  const findings: Finding[] = [];
  const passIfClean = (list: Finding[], ruleId: string, message: string): Finding[] =>
    list.some((f) => f.status === 'fail' || f.status === 'error')
      ? list
      : [...list, { ruleId, status: 'pass', resource: `environment/${env.environment}`, path: '', message }];
  const schema = [
    ...checkUnique(objects, options.fileOf),
    ...validateNetworkPolicies(objects),
    ...(await checkSchema(objects, env.platform.kubernetesVersion)),
    ...checkNamespacesExist(objects, systemNamespaces(env)),
  ];
  findings.push(
    ...passIfClean(
      schema,
      'schema',
      `${objects.length} objects valid for Kubernetes ${env.platform.kubernetesVersion}`,
    ),
  );
  const rbac = new RbacAuthorizer(objects);
  findings.push(...checkRbac(objects, rbac, env));
  findings.push(...checkDangerousSubjects(rbac));
  findings.push(...checkEscalation(objects, rbac));
  const networkModel = new NetworkModel(objects, systemNamespaces(env));
  const network = checkNetwork(networkModel, env);
  findings.push(...network.findings);
  findings.push(...checkEngineReach(networkModel, env, objects, ENGINES));
  findings.push(
    ...checkCapacity(
      objects,
      env.capacity,
      env.environment,
      env.teams.map((t) => t.name),
    ),
  );
  findings.push(...checkLimitRanges(objects));
  // Progressive delivery: one owner of each replica count, analyses that never pass on silence.
  findings.push(...checkReplicasFight(objects), ...checkAnalysisNanSafe(objects));
  if (options.layout) findings.push(...checkCrdWaves(options.layout));
  findings.push(...checkGitopsSource(env.gitops !== undefined, env.environment));
  // Alert and recording rules: parse with Prometheus' grammar, read exported series, link runbooks.
  findings.push(...checkPromqlParse(objects), ...checkMetricsExported(objects));
  if (options.runbooks)
    findings.push(
      ...checkRunbooksExist(objects, {
        runbookPaths: options.runbooks,
        runbookBaseUrl: env.observability.runbookBaseUrl,
      }),
    );
  // Scrape targets: every monitor is loaded and selects named ports; Prometheus reaches each target.
  findings.push(
    ...checkMonitorsSelect(objects, networkModel.namespaces),
    ...checkScrapeReachable(objects, env, networkModel),
  );
  // Grafana dashboards (sidecar ConfigMaps): LogQL with Loki's grammar, and what Grafana loads.
  findings.push(...checkLogqlParse(objects), ...checkDashboards(objects));
  findings.push(
    ...passIfClean(await scanObjects(objects), 'secrets', 'no secret material in the rendered tree'),
  );
  // Every workload of the tree (platform components included) through the admission chain the
  // API server will run on it and on the Pods it creates: Pod Security, LimitRanger, the
  // environment's policies, ResourceQuota.
  const exemptions = admissionExemptions(env, objects);
  const admission = admissionEnv(env, objects, exemptions);
  for (const o of objects) if (isAdmissible(o)) findings.push(...admitObject(o, admission).findings);
  // Where the rules do not apply, and why: an exemption is a decision the report shows.
  for (const e of exemptions) {
    findings.push({
      ruleId: 'policy.exemption',
      status: 'skip',
      resource: `Namespace/${e.namespace}`,
      path: '',
      message: `admission rules do not apply here (${e.source === 'spec' ? 'platform.policies.exemptions' : 'mlp'}): ${e.reason}`,
    });
  }
  return {
    environment: env.environment,
    findings,
    summary: countByStatus(findings),
    severity: bySeverity(findings),
    matrix: network.matrix,
  };
}
