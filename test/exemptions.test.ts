// Issue 7 A7: which namespaces the admission rules skip is a recorded decision, never a default.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../src/k8s/object.js';
import { admissionExemptions } from '../src/policy/exemptions.js';
import { parseSpec } from '../src/spec/load.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, mlp, tempDir } from './helpers.js';
import { lineOf, problems, replace } from './spec-helpers.js';

const EXEMPT = '    exemptions: []';

/** A Deployment as cert-manager's chart renders it: no team labels, no probes on every pod. */
const engineDeployment = (namespace: string): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'cert-manager-cainjector', namespace },
  spec: {
    selector: { matchLabels: { app: 'cainjector' } },
    template: {
      metadata: { labels: { app: 'cainjector' } },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'cert-manager-cainjector',
            image: 'quay.io/jetstack/cert-manager-cainjector:v1.16.2',
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    },
  },
});

describe('admission exemptions', () => {
  const spec = exampleSpec();
  const local = spec.environments.get('local')!;
  const tree = allObjects(synthesize(local));

  it('exempts kube-system and exactly the engines the tree relies on, each with its reason', () => {
    const exemptions = admissionExemptions(local, tree);
    expect(exemptions.map((e) => e.namespace)).toEqual([
      'argo-rollouts',
      'argocd',
      'cert-manager',
      'external-secrets',
      'ingress-nginx',
      'kube-system',
      'monitoring',
    ]);
    for (const e of exemptions) {
      expect(e.source).toBe('platform');
      expect(e.reason.length).toBeGreaterThan(30);
    }
    // A tree that uses no External Secrets kinds does not exempt their namespace.
    const noEso = tree.filter((o) => !o.apiVersion.includes('external-secrets.io'));
    expect(admissionExemptions(local, noEso).map((e) => e.namespace)).not.toContain('external-secrets');
    // Kyverno only when it is the engine.
    expect(admissionExemptions(local, tree).map((e) => e.namespace)).not.toContain('kyverno');
    const kyverno = {
      ...local,
      platform: { ...local.platform, policies: { ...local.platform.policies, engine: 'kyverno' as const } },
    };
    expect(admissionExemptions(kyverno, tree).map((e) => e.namespace)).toContain('kyverno');
  });

  it('the bindings exempt the same namespaces and carry the reasons', () => {
    const bindings = tree.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    expect(bindings.length).toBeGreaterThan(0);
    for (const b of bindings) {
      const selector = (
        b.spec as { matchResources: { namespaceSelector: { matchExpressions: { values: string[] }[] } } }
      ).matchResources.namespaceSelector.matchExpressions[0]!;
      expect(selector.values).toEqual([
        'argo-rollouts',
        'argocd',
        'cert-manager',
        'external-secrets',
        'ingress-nginx',
        'kube-system',
        'monitoring',
      ]);
      const annotation = b.metadata.annotations?.['mlp.dev/exemptions'] ?? '';
      expect(annotation.split('\n')).toHaveLength(7);
      expect(annotation).toMatch(/^argo-rollouts: the canary controller/);
      expect(annotation).toContain('\nargocd: Argo CD delivers the tree');
      expect(annotation).toContain("\ncert-manager: cert-manager issues the tree's certificates");
    }
  });

  it("an engine's own workload passes in its namespace and fails the team rules elsewhere", async () => {
    const dir = tempDir();
    const inEngine = join(dir, 'engine.yaml');
    const inTeam = join(dir, 'team.yaml');
    writeFileSync(inEngine, JSON.stringify(engineDeployment('cert-manager')));
    writeFileSync(inTeam, JSON.stringify(engineDeployment('ml-team')));
    const passed = await mlp(['policy', 'check', inEngine, '-e', 'local']);
    expect(passed.code, passed.stdout).toBe(0);
    const failed = await mlp(['policy', 'check', inTeam, '-e', 'local']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('labels-required');
  });

  it('mlp check lists every exemption and its reason', async () => {
    const r = await mlp(['check', '-e', 'local', '-o', 'json']);
    const report = JSON.parse(r.stdout) as {
      reports: { findings: { ruleId: string; resource: string; message: string }[] }[];
    };
    const listed = report.reports[0]!.findings.filter((f) => f.ruleId === 'policy.exemption');
    expect(listed.map((f) => f.resource)).toEqual([
      'Namespace/argo-rollouts',
      'Namespace/argocd',
      'Namespace/cert-manager',
      'Namespace/external-secrets',
      'Namespace/ingress-nginx',
      'Namespace/kube-system',
      'Namespace/monitoring',
    ]);
    expect(listed[5]!.message).toContain("(mlp): Kubernetes' own control plane");
  });

  it('the spec adds exemptions only with a reason, once, and never for a team or a data service', () => {
    const withReason = replace(
      EXEMPT,
      '    exemptions:\n      - { namespace: legacy-batch, reason: "vendor jobs we cannot relabel until Q3" }',
    );
    expect(problems(withReason)).toEqual([]);
    const env = (t: string) => parseSpec(t, 'p.yaml').environments.get('local')!;
    const added = admissionExemptions(env(withReason), tree).find((e) => e.namespace === 'legacy-batch');
    expect(added).toEqual({
      namespace: 'legacy-batch',
      reason: 'vendor jobs we cannot relabel until Q3',
      source: 'spec',
    });

    const noReason = replace(EXEMPT, '    exemptions:\n      - { namespace: legacy-batch }');
    expect(problems(noReason)).toEqual([
      `p.yaml:${lineOf(noReason, '- { namespace: legacy-batch }')}:9: platform.policies.exemptions[0].reason: required field is missing; expected a string`,
    ]);
    const shortReason = replace(
      EXEMPT,
      '    exemptions:\n      - { namespace: legacy-batch, reason: because }',
    );
    expect(problems(shortReason)[0]).toContain(
      'platform.policies.exemptions[0].reason: the reason this namespace escapes the admission rules, in a sentence',
    );
    const twice = replace(
      EXEMPT,
      '    exemptions:\n      - { namespace: x-batch, reason: "vendor jobs, see ticket 12" }\n      - { namespace: x-batch, reason: "same again, see ticket 12" }',
    );
    expect(problems(twice)).toEqual([
      `p.yaml:${lineOf(twice, 'same again')}:22: platform.policies.exemptions[1].namespace: namespace "x-batch" is already exempted at exemptions[0]`,
    ]);
    const team = replace(
      EXEMPT,
      '    exemptions:\n      - { namespace: app-team, reason: "too many alerts from it lately" }',
    );
    expect(problems(team).join('\n')).toContain(
      'teams[2].name: team name "app-team" is reserved: the team namespace would be exempt from the admission rules (platform.policies.exemptions); choose another',
    );
    const data = replace(
      EXEMPT,
      '    exemptions:\n      - { namespace: database, reason: "the databases are ours anyway" }',
    );
    expect(problems(data).join('\n')).toMatch(
      /sharedServices\[0\]\.namespace: namespace "database" is reserved: exempt from the admission rules/,
    );
    // The old key, a bare list of names, is refused: it recorded no reasons.
    const old = replace(EXEMPT, '    exemptNamespaces: [kube-system, monitoring]');
    expect(problems(old).join('\n')).toContain(
      'platform.policies.exemptNamespaces: unknown field "exemptNamespaces"',
    );
  });
});
