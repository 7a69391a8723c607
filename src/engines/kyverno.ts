/**
 * Kyverno: enforces the admission rules when `platform.policies.engine: kyverno`.
 *
 * Chart kyverno 3.5.2 (https://kyverno.github.io/kyverno) ships Kyverno v1.15.2. No CRD model
 * package exists for Kyverno, so its ClusterPolicies are recognised but not field-validated.
 */
import { ENGINE_NAMESPACES } from '../spec/reserved.js';
import { type Engine, replicas } from './types.js';

export const kyverno: Engine = {
  name: 'kyverno',
  provides: 'Policy engine: ClusterPolicy (kyverno.io) when policies.engine is kyverno',
  namespace: () => ENGINE_NAMESPACES.kyverno,
  chart: {
    repoURL: 'https://kyverno.github.io/kyverno',
    chart: 'kyverno',
    version: '3.5.2',
    appVersion: 'v1.15.2',
  },
  wave: -2,
  crdGroups: ['kyverno.io'],
  enabled: (env) => env.platform.policies.engine === 'kyverno',
  values: (env) => {
    // Kyverno's docs: 3 admission controller replicas for HA (leader election, webhook quorum).
    const admission = env.ha ? 3 : 1;
    const pdb = { enabled: env.ha };
    return {
      admissionController: { replicas: admission, podDisruptionBudget: pdb },
      backgroundController: { replicas: replicas(env), podDisruptionBudget: pdb },
      cleanupController: { replicas: replicas(env), podDisruptionBudget: pdb },
      reportsController: { replicas: replicas(env), podDisruptionBudget: pdb },
    };
  },
  podSecurity: {
    level: 'restricted',
    why: "the chart's containers run non-root with seccomp RuntimeDefault and all capabilities dropped",
  },
  network: () => ({
    // The admission webhook (the chart's service port 443 → container 9443).
    webhookPorts: [{ port: 9443 }],
    apiServer: true,
    publicPorts: [],
    internetEgress: [],
    teamIngressPorts: false,
  }),
  exemption:
    'Kyverno enforces these rules: judged by them, a denied Kyverno pod would leave every admission request failing closed',
};
