/** Synthesis entry point: one resolved environment in, the components of its GitOps tree out. */

import { argoCd } from '../engines/argo-cd.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { argocdComponent } from './argocd.js';
import { auditPolicy, kindClusterConfig } from './audit.js';
import { allObjects, type Component, type ManifestFile } from './component.js';
import { dataServiceObjects } from './data-services.js';
import { enabledEngines, engineComponent } from './engines.js';
import { consumerSecrets, secretStores } from './external-secrets.js';
import { commonLabels, teamLabels } from './labels.js';
import { modelObjects } from './models.js';
import { sharedNamespace, teamNamespace } from './namespaces.js';
import {
  baselinePolicies,
  dataServiceScrapePolicies,
  sharedServicePolicies,
  teamPolicies,
} from './network.js';
import { observabilityComponents } from './observability.js';
import { admissionPolicies } from './policies.js';
import { limitRange, resourceQuota } from './quotas.js';
import { platformRbac, sharedServiceRbac, teamRbac } from './rbac.js';
import { registryObjects } from './registry.js';
import { clusterIssuers, teamIngresses } from './tls.js';

const byName = (a: ManifestFile, b: ManifestFile) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function synthesize(env: ResolvedEnvironment): Component[] {
  const teams = [...env.teams].sort((a, b) => (a.name < b.name ? -1 : 1));
  const sharedNamespaces = [...new Set(env.sharedServices.map((s) => s.namespace))].sort();
  const labels = commonLabels(env);

  const namespaces: ManifestFile[] = teams.map((t) => ({
    name: `${t.name}.yaml`,
    objects: [teamNamespace(env, t)],
  }));
  if (sharedNamespaces.length > 0) {
    namespaces.push({
      name: 'shared-services.yaml',
      objects: sharedNamespaces.map((ns) => sharedNamespace(env, ns)),
    });
  }

  const quotas = teams.map((t) => ({
    name: `${t.name}.yaml`,
    objects: [resourceQuota(env, t), limitRange(env, t)],
  }));

  const rbac: ManifestFile[] = [
    { name: '_platform.yaml', objects: platformRbac(env) },
    ...teams.map((t) => ({ name: `${t.name}.yaml`, objects: teamRbac(env, t) })),
  ];
  const network: ManifestFile[] = teams.map((t) => ({
    name: `${t.name}.yaml`,
    objects: teamPolicies(env, t, teamLabels(env, t)),
  }));
  for (const ns of sharedNamespaces) {
    const services = env.sharedServices.filter((s) => s.namespace === ns);
    const consumers = teams.filter((t) =>
      t.network.services.some((name) => services.some((s) => s.name === name)),
    );
    rbac.push({ name: `shared-${ns}.yaml`, objects: sharedServiceRbac(env, ns, consumers) });
    network.push({
      name: `shared-${ns}.yaml`,
      objects: [
        ...baselinePolicies(ns, labels),
        ...services.flatMap((s) => sharedServicePolicies(s, teams, labels)),
        ...dataServiceScrapePolicies(env, ns, labels),
      ],
    });
  }

  const secrets: ManifestFile[] = [
    { name: '_stores.yaml', objects: secretStores(env) },
    ...teams.map((t) => ({ name: `${t.name}.yaml`, objects: consumerSecrets(env, t, teamLabels(env, t)) })),
  ].filter((f) => f.objects.length > 0);
  const dataServices: ManifestFile[] = env.sharedServices
    .map((svc) => ({ name: `${svc.name}.yaml`, objects: dataServiceObjects(env, svc) }))
    .filter((f) => f.objects.length > 0);

  const ingresses: ManifestFile[] = teams
    .map((t) => ({ name: `${t.name}.yaml`, objects: teamIngresses(env, t, teamLabels(env, t)) }))
    .filter((f) => f.objects.length > 0);

  // Model servers per team, and the registry they load from (after the engines, the shared
  // services and the ingress their canary Ingress is cloned beside).
  const modelTeams = teams.filter((t) => t.models.length > 0);
  const models: ManifestFile[] = modelTeams.map((t) => ({
    name: `${t.name}.yaml`,
    objects: t.models.flatMap((m) => modelObjects(env, t, m, teamLabels(env, t))),
  }));
  if (modelTeams.length > 0)
    models.push({ name: '_registry.yaml', objects: registryObjects(env, modelTeams) });

  const rest: Component[] = [
    { name: 'namespaces', wave: 0, files: namespaces.sort(byName) },
    { name: 'quotas', wave: 1, files: quotas.sort(byName) },
    { name: 'rbac', wave: 1, files: rbac.sort(byName) },
    { name: 'network-policies', wave: 1, files: network.sort(byName) },
    ...(secrets.length > 0 ? [{ name: 'secrets', wave: 1, files: secrets.sort(byName) }] : []),
    ...(dataServices.length > 0
      ? [{ name: 'data-services', wave: 2, files: dataServices.sort(byName) }]
      : []),
    { name: 'tls', wave: 1, files: [{ name: 'issuers.yaml', objects: clusterIssuers(env) }] },
    ...(ingresses.length > 0 ? [{ name: 'ingress', wave: 2, files: ingresses.sort(byName) }] : []),
    ...(models.length > 0 ? [{ name: 'models', wave: 2, files: models.sort(byName) }] : []),
    // Alerts and SLO rules (after the kube-prometheus-stack engine) and their runbooks (not applied).
    ...observabilityComponents(env),
    // The local cluster's own configuration: `kind create cluster --config gitops/local/kind/cluster.yaml`.
    ...(env.environment === 'local'
      ? [
          {
            name: 'kind',
            wave: 0,
            applied: false,
            files: [
              { name: 'audit-policy.yaml', objects: [auditPolicy()] },
              { name: 'cluster.yaml', objects: [], raw: kindClusterConfig(`${env.platform.name}-local`) },
            ],
          },
        ]
      : []),
  ];
  // Policies first: nothing should be admitted before the rules that judge it exist. Which
  // engine namespaces they exempt depends on what the rest of the tree relies on.
  const policies = admissionPolicies(env, allObjects(rest));
  const tree: Component[] = [
    { name: 'policies', wave: -1, files: [{ name: 'admission.yaml', objects: policies }] },
    ...rest,
  ];
  // Engines before everything that uses their kinds (cert-manager's CA Certificate lives in the
  // namespace its component creates); Argo CD's app-of-apps lists every component, so it comes last.
  const engines = enabledEngines(env, allObjects(tree));
  const withEngines = [...engines.map((e) => engineComponent(env, e, engines)), ...tree];
  const chartRepos = engines.map((e) => e.chart.repoURL);
  return [argocdComponent(env, withEngines, chartRepos, ARGOCD_WAVE), ...withEngines];
}

/** The app-of-apps sits with Argo CD itself: installed by mlp bootstrap before any wave. */
const ARGOCD_WAVE = argoCd.wave;
