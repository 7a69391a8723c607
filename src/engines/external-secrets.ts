/**
 * External Secrets Operator: credentials from a secret store (AWS Secrets Manager in the cloud,
 * in-cluster generators locally) without secrets in git.
 *
 * Chart external-secrets 0.16.2 (https://charts.external-secrets.io; chart version = release)
 * ships ESO v0.16.2. `@kubernetes-models/external-secrets@2.0.0` is generated from
 * github.com/external-secrets/external-secrets v0.16.2 (kubernetes-models-ts
 * third-party/external-secrets/go.mod): no lag, and it is the first line serving
 * external-secrets.io/v1, the version the tree uses. Newer ESO releases exist; the models do not
 * follow them yet. The chart installs the CRDs (`installCRDs`).
 */
import { ENGINE_NAMESPACES } from '../spec/reserved.js';
import { CHART_PODS, type Engine, replicas, usesGroups } from './types.js';

const GROUPS = ['external-secrets.io', 'generators.external-secrets.io'];

export const externalSecrets: Engine = {
  name: 'external-secrets',
  provides: 'Credentials from a secret store: ExternalSecret, ClusterSecretStore (external-secrets.io)',
  namespace: () => ENGINE_NAMESPACES.externalSecrets,
  chart: {
    repoURL: 'https://charts.external-secrets.io',
    chart: 'external-secrets',
    version: '0.16.2',
    appVersion: 'v0.16.2',
  },
  wave: -2,
  crdGroups: GROUPS,
  enabled: (_env, objects) => usesGroups(objects, GROUPS),
  values: (env) => {
    const n = replicas(env);
    const pdb = { enabled: env.ha };
    return {
      installCRDs: true,
      replicaCount: n,
      podDisruptionBudget: pdb,
      webhook: { replicaCount: n, podDisruptionBudget: pdb },
      certController: { replicaCount: n, podDisruptionBudget: pdb },
    };
  },
  podSecurity: {
    level: 'restricted',
    why: "the chart's default securityContext: non-root, seccomp RuntimeDefault, read-only root filesystem, all capabilities dropped",
  },
  network: (env) => ({
    // The webhook (chart webhook.port, 10250) validates SecretStores and ExternalSecrets.
    webhookPorts: [{ port: 10250 }],
    // The kubernetes provider and the generators talk to the API server.
    apiServer: true,
    publicPorts: [],
    // AWS Secrets Manager and STS (IRSA) over HTTPS.
    internetEgress: env.secretStore.provider === 'aws-secrets-manager' ? [{ port: 443 }] : [],
    teamIngressPorts: false,
  }),
  exemption: `External Secrets delivers the tree's credentials and ${CHART_PODS}`,
};
