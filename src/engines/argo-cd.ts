/**
 * Argo CD: delivers the tree (root Application → one child per component, AppProjects).
 *
 * Chart argo-cd 9.5.11 (https://argoproj.github.io/argo-helm) ships Argo CD v3.3.9 — the
 * chart's Chart.yaml at that version (argoproj/argo-helm, charts/argo-cd). The CRD models in
 * `@kubernetes-models/argo-cd@4.0.0` are generated from github.com/argoproj/argo-cd/v3 v3.3.9
 * (tommy351/kubernetes-models-ts third-party/argo-cd/go.mod): the same version, no lag. Newer
 * charts exist (10.x ships v3.4): we stay on the version the models describe.
 */
import { argocdPolicyCsv } from './argo-cd-rbac.js';
import { type Engine, replicas } from './types.js';

/**
 * Argo CD 1.8 removed the health assessment of Applications, so an app-of-apps parent would
 * not wait for a wave of child Applications to be Healthy before the next one. The Argo CD
 * documentation (operator-manual/health.md, "Argocd App") restores it with this Lua in
 * argocd-cm; without it our sync waves would order the children but never wait for them.
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

export const ARGOCD_NAMESPACE = 'argocd';

export const argoCd: Engine = {
  name: 'argo-cd',
  provides: 'GitOps delivery: Applications, AppProjects (argoproj.io)',
  namespace: () => ARGOCD_NAMESPACE,
  chart: {
    repoURL: 'https://argoproj.github.io/argo-helm',
    chart: 'argo-cd',
    version: '9.5.11',
    appVersion: 'v3.3.9',
  },
  // Lowest of all: it delivers every other wave.
  wave: -3,
  crdGroups: ['argoproj.io'],
  bootstrapped:
    'mlp bootstrap installs Argo CD and its CRDs before the tree; this Application then adopts the release',
  enabled: () => true,
  values: (env) => {
    const n = replicas(env);
    const pdb = { enabled: env.ha };
    return {
      // The chart's own NetworkPolicies stay off: the component renders ours (network-policies.yaml).
      global: { networkPolicy: { create: false } },
      configs: {
        cm: { 'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA },
        rbac: {
          'policy.csv': argocdPolicyCsv(env),
          // Empty: an authenticated user matched by no line gets nothing (no role:readonly).
          'policy.default': '',
          // Group claims and e-mail: spec users are matched by their e-mail address.
          scopes: '[groups, email]',
        },
      },
      // The chart README's "HA mode without autoscaling": one controller (it shards, it does
      // not load-balance), two of everything else, Redis HA (needs 3 nodes).
      controller: { replicas: 1 },
      server: { replicas: n, pdb },
      repoServer: { replicas: n, pdb },
      applicationSet: { replicas: n, pdb },
      'redis-ha': { enabled: env.ha },
    };
  },
  podSecurity: {
    level: 'restricted',
    why: "the chart's containers run as non-root with seccomp RuntimeDefault, no privilege escalation and all capabilities dropped",
  },
  network: () => ({
    webhookPorts: [],
    apiServer: true,
    publicPorts: [],
    // Git over HTTPS and SSH, Helm repositories over HTTPS.
    internetEgress: [{ port: 443 }, { port: 22 }],
    teamIngressPorts: false,
  }),
  exemption:
    "Argo CD delivers the tree; its upstream chart's pods carry none of the team/app/environment labels the rules require",
};
