/**
 * The API server audit policy for the local (kind) cluster. The first matching rule decides:
 * secret-bearing resources are logged at Metadata (never their bodies), writes at Request,
 * health probes and reads not at all.
 */
import type { K8sObject } from '../k8s/object.js';

export function auditPolicy(): K8sObject {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    metadata: { name: 'mlp-audit' },
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/readyz*', '/livez*', '/version', '/metrics'] },
      { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'] },
      // Before the write rule: a secret written is logged without its value.
      {
        level: 'Metadata',
        resources: [
          { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
          { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
          { group: 'external-secrets.io', resources: ['externalsecrets'] },
        ],
      },
      { level: 'Request', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] },
      { level: 'None' },
    ],
  };
}

/** A kind cluster config that hands the policy to the API server and keeps the log on the node. */
export function kindClusterConfig(name: string): Record<string, unknown> {
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name,
    nodes: [
      {
        role: 'control-plane',
        kubeadmConfigPatches: [
          [
            'kind: ClusterConfiguration',
            'apiServer:',
            '  extraArgs:',
            '    audit-policy-file: /etc/kubernetes/policies/audit-policy.yaml',
            '    audit-log-path: /var/log/kubernetes/audit.log',
            '    audit-log-maxage: "7"',
            '  extraVolumes:',
            '    - name: policies',
            '      hostPath: /etc/kubernetes/policies',
            '      mountPath: /etc/kubernetes/policies',
            '      readOnly: true',
            '      pathType: DirectoryOrCreate',
            '    - name: audit-logs',
            '      hostPath: /var/log/kubernetes',
            '      mountPath: /var/log/kubernetes',
            '      pathType: DirectoryOrCreate',
            '',
          ].join('\n'),
        ],
        extraMounts: [
          {
            hostPath: './audit-policy.yaml',
            containerPath: '/etc/kubernetes/policies/audit-policy.yaml',
            readOnly: true,
          },
        ],
      },
      { role: 'worker' },
    ],
  };
}

interface AuditRule {
  level: string;
  users?: string[];
  verbs?: string[];
  resources?: { group: string; resources: string[] }[];
  nonResourceURLs?: string[];
}

/** Which level the policy logs a request at: first matching rule wins, as in the API server. */
export function auditLevel(
  policy: K8sObject,
  req: { user: string; verb: string; group?: string; resource?: string; nonResourceURL?: string },
): string {
  for (const r of (policy.rules as AuditRule[]) ?? []) {
    if (r.users && !r.users.includes(req.user)) continue;
    if (r.verbs && !r.verbs.includes(req.verb)) continue;
    if (r.nonResourceURLs) {
      const url = req.nonResourceURL;
      if (
        !url ||
        !r.nonResourceURLs.some((p) => (p.endsWith('*') ? url.startsWith(p.slice(0, -1)) : url === p))
      )
        continue;
    }
    if (r.resources) {
      if (req.resource === undefined) continue;
      if (!r.resources.some((g) => g.group === (req.group ?? '') && g.resources.includes(req.resource!)))
        continue;
    }
    return r.level;
  }
  return 'None';
}
