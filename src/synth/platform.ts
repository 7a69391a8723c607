/** Synthesis entry point: one resolved environment in, the components of its GitOps tree out. */
import type { ResolvedEnvironment } from '../spec/model.js';
import { auditPolicy, kindClusterConfig } from './audit.js';
import { allObjects, type Component, type ManifestFile } from './component.js';
import { dataServiceObjects } from './data-services.js';
import { consumerSecrets, secretStores } from './external-secrets.js';
import { commonLabels, teamLabels } from './labels.js';
import { sharedNamespace, teamNamespace } from './namespaces.js';
import { baselinePolicies, sharedServicePolicies, teamPolicies } from './network.js';
import { admissionPolicies } from './policies.js';
import { limitRange, resourceQuota } from './quotas.js';
import { platformRbac, sharedServiceRbac, teamRbac } from './rbac.js';
import { certManagerNamespace, clusterIssuers, teamIngresses } from './tls.js';

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

  // The local CA's Certificate lives in cert-manager's namespace, which nothing else in the
  // tree creates yet (engines are issue 9): create it here, in the wave before the issuers.
  const cmNamespace = certManagerNamespace(env);
  if (cmNamespace) namespaces.push({ name: 'cert-manager.yaml', objects: [cmNamespace] });

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

  const rest: Component[] = [
    { name: 'namespaces', wave: 0, files: namespaces.sort(byName) },
    { name: 'quotas', wave: 1, files: quotas.sort(byName) },
    { name: 'rbac', wave: 1, files: rbac.sort(byName) },
    { name: 'network-policies', wave: 1, files: network.sort(byName) },
    ...(secrets.length > 0 ? [{ name: 'external-secrets', wave: 1, files: secrets.sort(byName) }] : []),
    ...(dataServices.length > 0
      ? [{ name: 'data-services', wave: 2, files: dataServices.sort(byName) }]
      : []),
    { name: 'tls', wave: 1, files: [{ name: 'issuers.yaml', objects: clusterIssuers(env) }] },
    ...(ingresses.length > 0 ? [{ name: 'ingress', wave: 2, files: ingresses.sort(byName) }] : []),
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
  return [{ name: 'policies', wave: -1, files: [{ name: 'admission.yaml', objects: policies }] }, ...rest];
}
