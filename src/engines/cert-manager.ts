/**
 * cert-manager: Certificates and (Cluster)Issuers for team ingresses and the local CA.
 *
 * Chart cert-manager v1.20.2 (https://charts.jetstack.io; cert-manager's chart version is the
 * release tag) ships cert-manager v1.20.2. `@kubernetes-models/cert-manager@6.0.0` is generated
 * from github.com/cert-manager/cert-manager v1.20.2 (kubernetes-models-ts
 * third-party/cert-manager/go.mod): no lag. The chart installs the CRDs (`crds.enabled`) and
 * keeps them on uninstall (`crds.keep`, its default), so deleting the Application never deletes
 * every Certificate in the cluster.
 */
import { ENGINE_NAMESPACES } from '../spec/reserved.js';
import { CHART_PODS, type Engine, replicas, usesGroups } from './types.js';

const GROUPS = ['cert-manager.io', 'acme.cert-manager.io'];

export const certManager: Engine = {
  name: 'cert-manager',
  provides: 'TLS certificates: Certificate, ClusterIssuer (cert-manager.io)',
  namespace: () => ENGINE_NAMESPACES.certManager,
  chart: {
    repoURL: 'https://charts.jetstack.io',
    chart: 'cert-manager',
    version: 'v1.20.2',
    appVersion: 'v1.20.2',
  },
  wave: -2,
  crdGroups: GROUPS,
  enabled: (_env, objects) => usesGroups(objects, GROUPS),
  values: (env) => {
    const n = replicas(env);
    const pdb = { enabled: env.ha };
    return {
      crds: { enabled: true, keep: true },
      replicaCount: n,
      podDisruptionBudget: pdb,
      webhook: { replicaCount: n, podDisruptionBudget: pdb },
      cainjector: { replicaCount: n, podDisruptionBudget: pdb },
    };
  },
  podSecurity: {
    level: 'restricted',
    why: 'the chart runs every container as non-root with seccomp RuntimeDefault, allowPrivilegeEscalation false and all capabilities dropped',
  },
  network: (env) => ({
    // The webhook's secure port (the chart's webhook.securePort, 10250).
    webhookPorts: [{ port: 10250 }],
    apiServer: true,
    publicPorts: [],
    // ACME: the directory over HTTPS, and the HTTP-01 self-check of the challenge URL on 80.
    internetEgress: env.tls.issuer === 'acme' ? [{ port: 443 }, { port: 80 }] : [],
    teamIngressPorts: false,
  }),
  exemption: `cert-manager issues the tree's certificates and ${CHART_PODS}`,
};
