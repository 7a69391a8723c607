// Admission rules: one table-driven fixture corpus, the bad-workload case, and emitted policies.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSchema } from '../src/check/schema.js';
import type { K8sObject } from '../src/k8s/object.js';
import { kyvernoPolicies, validatingAdmissionPolicies } from '../src/policy/emit.js';
import { evaluatePolicies } from '../src/policy/evaluate.js';
import { policyRules, ruleExpression } from '../src/policy/rules.js';
import { ROOT, readYaml } from './helpers.js';

const dir = join(ROOT, 'testdata', 'policy');
const rules = policyRules({ allowedRegistries: ['ghcr.io/acme'] });
const corpus = readdirSync(dir)
  .filter((f) => !f.startsWith('_') && f !== 'bad-workload.yaml')
  .map((f) =>
    readYaml<{ rule: string; cases: { name: string; expect: 'pass' | 'fail'; object: K8sObject }[] }>(
      join(dir, f),
    ),
  );

describe('fixture corpus', () => {
  it('covers every rule with good and bad cases', () => {
    expect(corpus.map((c) => c.rule).sort()).toEqual(rules.map((r) => r.id).sort());
    for (const c of corpus) {
      expect(
        c.cases.some((x) => x.expect === 'pass'),
        c.rule,
      ).toBe(true);
      expect(
        c.cases.some((x) => x.expect === 'fail'),
        c.rule,
      ).toBe(true);
    }
  });

  const table = corpus.flatMap((c) => c.cases.map((x) => ({ rule: c.rule, ...x })));
  it.each(table)('$rule: $name → $expect', ({ rule, expect: verdict, object }) => {
    const only = rules.filter((r) => r.id === rule);
    const findings = evaluatePolicies([object], only, { exemptNamespaces: [] });
    expect(findings.map((f) => f.status)).toEqual([verdict]);
  });
});

it('the deliberately bad workload fails with exactly the expected rule ids', () => {
  const { expect: ids, object } = readYaml<{ expect: string[]; object: K8sObject }>(
    join(dir, 'bad-workload.yaml'),
  );
  const findings = evaluatePolicies([object], rules, { exemptNamespaces: [] });
  expect(
    findings
      .filter((f) => f.status === 'fail')
      .map((f) => f.ruleId.replace(/^policy\./, ''))
      .sort(),
  ).toEqual(ids);
  expect(findings.find((f) => f.ruleId === 'policy.resources-required')).toMatchObject({
    path: 'spec.template.spec.containers[0]',
    fix: 'set resources.requests and resources.limits for cpu and memory',
  });
});

it('exempts the namespaces the bindings exempt', () => {
  const { object } = readYaml<{ object: K8sObject }>(join(dir, 'bad-workload.yaml'));
  expect(evaluatePolicies([object], rules, { exemptNamespaces: ['ml-team'] })).toEqual([]);
});

describe('emitted admission policies', () => {
  it('carry the same expressions, with bindings that exempt platform namespaces', async () => {
    const kubeSystem = { namespace: 'kube-system', reason: 'the control plane', source: 'platform' as const };
    const objects = validatingAdmissionPolicies(rules, [kubeSystem], {
      'app.kubernetes.io/managed-by': 'mlp',
    });
    expect(objects).toHaveLength(rules.length * 2);
    const vap = objects.find(
      (o) => o.metadata.name === 'mlp-image-tag-pinned' && o.kind === 'ValidatingAdmissionPolicy',
    )!;
    const spec = vap.spec as { validations: { expression: string }[]; variables: { name: string }[] };
    expect(spec.validations[0]!.expression).toBe(
      ruleExpression(rules.find((r) => r.id === 'image-tag-pinned')!),
    );
    expect(spec.variables.map((v) => v.name)).toEqual(['podSpec', 'containers']);
    const binding = objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding')!;
    expect(binding.metadata.annotations).toEqual({
      'mlp.dev/exemptions': 'kube-system: the control plane (platform)',
    });
    expect(binding.spec).toMatchObject({
      validationActions: ['Deny'],
      matchResources: {
        namespaceSelector: {
          matchExpressions: [
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] },
          ],
        },
      },
    });
    // Valid Kubernetes objects for a version that serves ValidatingAdmissionPolicy (1.30+), not for 1.29.
    expect((await checkSchema(objects, '1.31')).filter((f) => f.status === 'fail')).toEqual([]);
    expect((await checkSchema(objects.slice(0, 1), '1.29')).map((f) => f.ruleId)).toEqual([
      'schema.api-version',
    ]);
  });

  it('emits Kyverno CEL policies from the same rules when chosen', () => {
    const objects = kyvernoPolicies(
      rules,
      [{ namespace: 'kube-system', reason: 'the control plane', source: 'platform' }],
      {},
    );
    const rule = (
      objects[0]!.spec as { rules: { validate: { cel: { expressions: { expression: string }[] } } }[] }
    ).rules[0]!;
    expect(rule.validate.cel.expressions[0]!.expression).toBe(ruleExpression(rules[0]!));
  });
});
