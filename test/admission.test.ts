// The offline admission chain (src/admission/chain.ts), stage by stage, on the local
// environment's tree; LimitRanger and pod resource arithmetic against upstream's own cases.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AdmissionEnv, admitObject } from '../src/admission/chain.js';
import { admissionEnv } from '../src/admission/env.js';
import { limitRangeViolations } from '../src/admission/limit-ranger.js';
import { podUsage } from '../src/admission/quota.js';
import { podContainers, podLimits, podRequests, toMilli } from '../src/admission/resources.js';
import type { Finding } from '../src/check/finding.js';
import type { K8sObject } from '../src/k8s/object.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, ROOT, readYaml } from './helpers.js';

const local = exampleSpec().environments.get('local')!;
const tree = () => structuredClone(allObjects(synthesize(local)));
const envOf = (objects = tree()): AdmissionEnv => admissionEnv(local, objects);
const noRules = (objects = tree()): AdmissionEnv => ({ objects, rules: [], exemptNamespaces: [] });

/** A container that meets restricted Pod Security and every policy rule of local. */
const container = (extra: Record<string, unknown> = {}) => ({
  name: 'app',
  image: 'ghcr.io/acme-ml/app:1.0.0',
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  livenessProbe: { httpGet: { path: '/health', port: 8080 } },
  readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
  ...extra,
});
const sized = {
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
};
const labels = { team: 'ml-team', app: 'app', environment: 'local' };
const podSpec = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers,
  ...extra,
});
const pod = (containers: unknown[], extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ml-team', labels },
  spec: podSpec(containers, extra),
});
const deployment = (
  replicas: number,
  containers: unknown[],
  templateLabels: Record<string, string> = labels,
): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', namespace: 'ml-team', labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'app' } },
    template: { metadata: { labels: templateLabels }, spec: podSpec(containers) },
  },
});
const failures = (r: { findings: readonly Finding[] }) =>
  r.findings.filter((f) => f.status === 'fail' || f.status === 'error');
const gpu = (n: string) => ({ limits: { 'nvidia.com/gpu': n } });

describe('8. extended resources and workloads against the quota', () => {
  it('a GPU container beside a sidecar without GPU counts against a GPU quota of 0', () => {
    const r = admitObject(
      pod([container({ resources: gpu('1') }), container({ name: 'sidecar' })]),
      noRules(),
    );
    expect(failures(r)).toEqual([
      expect.objectContaining({
        ruleId: 'admission.quota',
        message: 'ResourceQuota ml-team-quota: requests.nvidia.com/gpu 1 exceeds the quota of 0',
      }),
    ]);
    expect(r.usage['requests.nvidia.com/gpu']).toBe(1000);
  });

  it('a GPU in a sidecar (restartPolicy Always) or an init container is not hidden', () => {
    const sidecar = pod([container()], {
      initContainers: [container({ name: 'gpu-sidecar', restartPolicy: 'Always', resources: gpu('1') })],
    });
    expect(failures(admitObject(sidecar, noRules())).map((f) => f.ruleId)).toEqual(['admission.quota']);
    const init = pod([container()], { initContainers: [container({ name: 'warmup', resources: gpu('2') })] });
    expect(admitObject(init, noRules()).usage['requests.nvidia.com/gpu']).toBe(2000);
  });

  it('extended resources: whole units, a limit, and request equal to it', () => {
    const r = admitObject(
      pod([
        container({ resources: { requests: { 'nvidia.com/gpu': '1' } } }),
        container({
          name: 'b',
          resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '2' } },
        }),
        container({ name: 'c', resources: { limits: { 'nvidia.com/gpu': '500m' } } }),
      ]),
      noRules(),
    );
    const messages = r.findings.filter((f) => f.ruleId === 'admission.resources').map((f) => f.message);
    expect(messages).toEqual([
      'containers[0] (app): nvidia.com/gpu needs a limit: it cannot be overcommitted',
      'containers[1] (b): nvidia.com/gpu request 1 must equal its limit 2',
      'containers[2] (c): nvidia.com/gpu requests must be a whole number',
      'containers[2] (c): nvidia.com/gpu limits must be a whole number',
    ]);
  });

  it('a Deployment is judged as replicas × its pod', () => {
    const two = { resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } } };
    expect(failures(admitObject(deployment(3, [container(two)]), envOf()))).toEqual([]);
    const r = admitObject(deployment(4, [container(two)]), envOf());
    expect(r.replicas).toBe(4);
    expect(failures(r)).toEqual([
      expect.objectContaining({
        ruleId: 'admission.quota',
        resource: 'Deployment/ml-team/d',
        path: 'spec.template.spec',
        message: 'its Pods: ResourceQuota ml-team-quota: requests.cpu 8 (4 pods × 2) exceeds the quota of 6',
      }),
    ]);
  });

  it('a quota with scopes is reported as not evaluated, never guessed', () => {
    const objects = tree();
    const q = objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === 'ml-team')!;
    (q.spec as Record<string, unknown>).scopes = ['BestEffort'];
    const r = admitObject(pod([container({ resources: gpu('1') })]), noRules(objects));
    expect(
      r.findings.filter((f) => f.ruleId === 'admission.quota').map((f) => [f.status, f.message]),
    ).toEqual([
      ['warn', 'ResourceQuota ml-team-quota has scopes; which pods it tracks is not evaluated offline'],
    ]);
  });

  it('a Deployment that fits but cannot roll out within the quota (maxSurge) is warned about', () => {
    const two = { resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } } };
    const r = admitObject(deployment(3, [container(two)]), envOf());
    expect(r.admitted).toBe(true);
    expect(r.findings.filter((f) => f.status === 'warn')).toEqual([
      expect.objectContaining({
        ruleId: 'admission.quota',
        path: 'spec.strategy.rollingUpdate.maxSurge',
        message:
          'a rolling update runs 4 pods (maxSurge 1): ResourceQuota ml-team-quota: requests.cpu 8 (4 pods × 2) exceeds the quota of 6',
      }),
    ]);
    const recreate = deployment(3, [container(two)]);
    (recreate.spec as Record<string, unknown>).strategy = { type: 'Recreate' };
    expect(admitObject(recreate, envOf()).findings.filter((f) => f.status === 'warn')).toEqual([]);
  });

  it('a Job runs min(parallelism, completions) pods at once', () => {
    const job: K8sObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: 'ml-team', labels },
      spec: {
        parallelism: 10,
        completions: 2,
        template: { metadata: { labels }, spec: podSpec([container()], { restartPolicy: 'Never' }) },
      },
    };
    expect(admitObject(job, envOf()).replicas).toBe(2);
  });
});

describe('quota usage of one pod (upstream TestPodEvaluatorUsage)', () => {
  interface UsageCase {
    name: string;
    overhead?: Record<string, string>;
    containers?: { requests?: object; limits?: object }[];
    initContainers?: { requests?: object; limits?: object }[];
    usage: Record<string, string>;
  }
  const { cases } = readYaml<{ cases: UsageCase[] }>(join(ROOT, 'testdata', 'admission', 'quota-usage.yaml'));
  it.each(cases)('$name', (c) => {
    const errors: string[] = [];
    const asContainer = (x: { requests?: object; limits?: object }, i: number) => ({
      name: `c${i}`,
      resources: { requests: x.requests ?? {}, limits: x.limits ?? {} },
    });
    const containers = podContainers(
      {
        containers: (c.containers ?? []).map(asContainer),
        initContainers: (c.initContainers ?? []).map(asContainer),
      },
      errors,
    );
    const overhead = toMilli(c.overhead, 'overhead', errors);
    const usage = podUsage(podRequests(containers, overhead), podLimits(containers, overhead));
    expect(usage).toEqual(toMilli(c.usage, 'expected', errors));
    expect(errors).toEqual([]);
  });
});

describe('13. the chain runs in the API server order', () => {
  it('a pod without resources passes resources-required where a LimitRange defaults them', () => {
    const bare = pod([container()]);
    const r = admitObject(bare, envOf());
    expect(failures(r)).toEqual([]);
    expect(r.findings.find((f) => f.ruleId === 'policy.resources-required')?.status).toBe('pass');
    expect(r.containers[0]).toMatchObject({
      requests: { cpu: 250, memory: 512 * 2 ** 20 * 1000 },
      limits: { cpu: 1000 },
    });
  });

  it('without a LimitRange the same pod fails resources-required (and the quota wants cpu and memory)', () => {
    const objects = tree().filter((o) => o.kind !== 'LimitRange');
    const r = admitObject(pod([container()]), envOf(objects));
    expect(failures(r).map((f) => f.ruleId)).toEqual([
      'policy.resources-required',
      'admission.quota',
      'admission.quota',
      'admission.quota',
      'admission.quota',
    ]);
    expect(r.findings.find((f) => f.ruleId === 'admission.quota')!.message).toBe(
      'ResourceQuota ml-team-quota: must specify requests.cpu for app (set it or add a LimitRange default)',
    );
  });

  it('defaulting runs before LimitRanger: a limit without a request requests the limit', () => {
    const r = admitObject(
      pod([container({ resources: { limits: { cpu: '3', memory: '1Gi' } } })]),
      noRules(),
    );
    expect(r.containers[0]!.requests).toEqual({ cpu: 3000, memory: 2 ** 30 * 1000 });
  });

  it('validation after LimitRanger: a request above the defaulted limit, a limit above the maximum', () => {
    const r = admitObject(pod([container({ resources: { requests: { cpu: '2' } } })]), noRules());
    expect(failures(r).map((f) => f.message)).toEqual([
      'containers[0] (app): cpu request 2 must be less than or equal to its limit 1',
    ]);
    const r2 = admitObject(
      pod([container({ resources: { requests: { cpu: '2' }, limits: { cpu: '5' } } })]),
      noRules(),
    );
    expect(failures(r2).map((f) => f.message)).toEqual([
      'containers[0] (app): cpu limit 5 exceeds the LimitRange maximum 4',
    ]);
  });

  it('a LimitRange max alone defaults the limit, and min the request (SetDefaults_LimitRangeItem)', () => {
    const objects = tree();
    const lr = objects.find((o) => o.kind === 'LimitRange' && o.metadata.namespace === 'ml-team')!;
    (lr.spec as { limits: unknown[] }).limits = [
      { type: 'Container', max: { cpu: '4', memory: '16Gi' }, min: { cpu: '100m', memory: '64Mi' } },
    ];
    const r = admitObject(pod([container()]), noRules(objects));
    expect(r.containers[0]).toMatchObject({
      requests: { cpu: 4000, memory: 16 * 2 ** 30 * 1000 },
      limits: { cpu: 4000, memory: 16 * 2 ** 30 * 1000 },
    });
  });

  interface LrCase {
    name: string;
    expect: 'pass' | 'fail';
    type: string;
    min?: Record<string, string>;
    max?: Record<string, string>;
    ratio?: Record<string, string>;
    containers: number;
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  }
  const lr = readYaml<{ cases: LrCase[] }>(join(ROOT, 'testdata', 'admission', 'limitranger-validate.yaml'));
  it.each(lr.cases)('LimitRanger validation (upstream TestPodLimitFunc): $name → $expect', (c) => {
    const errors: string[] = [];
    const spec = {
      containers: Array.from({ length: c.containers }, (_, i) => ({
        name: `foo-${i}`,
        resources: { requests: c.requests ?? {}, limits: c.limits ?? {} },
      })),
    };
    const containers = podContainers(spec, errors);
    const item = {
      type: c.type,
      default: {},
      defaultRequest: {},
      min: c.min ?? {},
      max: c.max ?? {},
      maxLimitRequestRatio: c.ratio ?? {},
    };
    const v = limitRangeViolations(
      containers,
      { requests: podRequests(containers, {}), limits: podLimits(containers, {}) },
      [item],
    );
    expect(errors).toEqual([]);
    expect(v.length > 0 ? 'fail' : 'pass', JSON.stringify(v)).toBe(c.expect);
  });

  interface ResCase {
    name: string;
    overhead?: Record<string, string>;
    containers: { requests?: object; limits?: object }[];
    initContainers?: { sidecar?: boolean; requests?: object; limits?: object }[];
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  }
  const res = readYaml<{ cases: ResCase[] }>(join(ROOT, 'testdata', 'admission', 'pod-resources.yaml'));
  it.each(res.cases)('pod requests and limits (upstream component-helpers): $name', (c) => {
    const errors: string[] = [];
    const asContainer = (x: { sidecar?: boolean; requests?: object; limits?: object }, i: number) => ({
      name: `c${i}`,
      ...(x.sidecar ? { restartPolicy: 'Always' } : {}),
      resources: { requests: x.requests ?? {}, limits: x.limits ?? {} },
    });
    const containers = podContainers(
      {
        containers: c.containers.map(asContainer),
        initContainers: (c.initContainers ?? []).map(asContainer),
      },
      errors,
    );
    const overhead = toMilli(c.overhead, 'overhead', errors);
    if (c.requests)
      expect(podRequests(containers, overhead)).toEqual(toMilli(c.requests, 'expected', errors));
    if (c.limits) expect(podLimits(containers, overhead)).toEqual(toMilli(c.limits, 'expected', errors));
    expect(errors).toEqual([]);
  });
});

describe('14. a workload is judged by what it creates, reported on the workload', () => {
  it('a Deployment whose template lacks the labels: its ReplicaSets and Pods would be refused', () => {
    const r = admitObject(deployment(1, [container(sized)], { app: 'app' }), envOf());
    expect(failures(r)).toEqual([
      {
        ruleId: 'policy.labels-required',
        status: 'fail',
        resource: 'Deployment/ml-team/d',
        path: 'spec.template.metadata.labels',
        message: 'the ReplicaSets it creates: metadata.labels must include team, app and environment',
        fix: 'add labels team, app and environment in spec.template.metadata',
      },
    ]);
  });

  it('a Deployment without resources is refused by the rule itself: LimitRanger defaults only Pods', () => {
    const r = admitObject(deployment(1, [container()]), envOf());
    expect(failures(r)).toEqual([
      expect.objectContaining({
        ruleId: 'policy.resources-required',
        path: 'spec.template.spec.containers[0]',
      }),
    ]);
    // …while the Pods it would create get the LimitRange defaults and satisfy the quota.
    expect(r.containers[0]!.requests).toEqual({ cpu: 250, memory: 512 * 2 ** 20 * 1000 });
  });

  it('a CronJob: the Job takes the jobTemplate labels, the Pod the template labels', () => {
    const cron = (jobLabels: object, podLabels: object): K8sObject => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c', namespace: 'ml-team', labels },
      spec: {
        schedule: '0 * * * *',
        jobTemplate: {
          metadata: { labels: jobLabels },
          spec: {
            template: {
              metadata: { labels: podLabels },
              spec: podSpec([container(sized)], { restartPolicy: 'Never' }),
            },
          },
        },
      },
    });
    expect(failures(admitObject(cron(labels, labels), envOf()))).toEqual([]);
    expect(failures(admitObject(cron({}, labels), envOf())).map((f) => f.path)).toEqual([
      'spec.jobTemplate.metadata.labels',
    ]);
    expect(failures(admitObject(cron(labels, {}), envOf())).map((f) => f.path)).toEqual([
      'spec.jobTemplate.spec.template.metadata.labels',
    ]);
  });

  it('Pod Security of the namespace on the template, located inside it', () => {
    const d = deployment(1, [
      container({
        ...sized,
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsUser: 0 },
      }),
    ]);
    expect(failures(admitObject(d, envOf()))).toEqual([
      expect.objectContaining({
        ruleId: 'pod-security.runAsUser',
        path: 'spec.template.spec.containers[0].securityContext.runAsUser',
        message:
          'its Pods: violates PodSecurity "restricted:v1.31": runAsUser=0 (container "app" must not set runAsUser=0)',
      }),
    ]);
  });
});

describe('12. Pod Security follows the namespace labels', () => {
  it('restricted in ml-team refuses hostPort, nfs, sysctls, SELinux type, AppArmor unconfined', () => {
    const bad = pod([container({ ports: [{ containerPort: 80, hostPort: 80 }] })], {
      securityContext: {
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
        sysctls: [{ name: 'kernel.msgmax', value: '1' }],
        seLinuxOptions: { type: 'spc_t' },
        appArmorProfile: { type: 'Unconfined' },
      },
      volumes: [{ name: 'nfs', nfs: { server: 'x', path: '/' } }],
    });
    expect(failures(admitObject(bad, envOf())).map((f) => f.ruleId)).toEqual([
      'pod-security.appArmorProfile',
      'pod-security.hostPorts',
      'pod-security.seLinuxOptions',
      'pod-security.sysctls',
      'pod-security.restrictedVolumes',
    ]);
  });

  it('a baseline namespace admits what only restricted refuses; a privileged one admits all', () => {
    const objects = tree();
    const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'ml-team')!;
    const rootPod = pod([{ name: 'app', image: 'ghcr.io/acme-ml/app:1.0.0' }], {});
    (rootPod.spec as Record<string, unknown>).securityContext = { runAsUser: 0 };
    ns.metadata.labels!['pod-security.kubernetes.io/enforce'] = 'baseline';
    expect(failures(admitObject(rootPod, noRules(objects)))).toEqual([]);
    ns.metadata.labels!['pod-security.kubernetes.io/enforce'] = 'restricted';
    expect(failures(admitObject(rootPod, noRules(objects))).length).toBeGreaterThan(0);
    ns.metadata.labels!['pod-security.kubernetes.io/enforce'] = 'privileged';
    const host = pod([container({ securityContext: { privileged: true } })], { hostNetwork: true });
    expect(failures(admitObject(host, noRules(objects)))).toEqual([]);
  });

  it('the policy bindings exempt platform namespaces; Pod Security still applies by labels', () => {
    const r = admitObject(
      { ...pod([container()]), metadata: { name: 'p', namespace: 'kube-system' } },
      envOf(),
    );
    // kube-system carries no enforce label in our tree: the cluster default, privileged.
    expect(r.podSecurity).toBe('privileged:latest');
    expect(r.findings.some((f) => f.ruleId.startsWith('policy.'))).toBe(false);
  });
});

describe('hostile input', () => {
  it('a pod the API server cannot decode is refused with the reasons, and judged no further', () => {
    const bad = pod([
      container({ securityContext: { privileged: 'yes' }, resources: { limits: { cpu: '1e999' } } }),
    ]);
    const r = admitObject(bad, envOf());
    expect(r.findings.map((f) => [f.ruleId, f.path, f.message])).toEqual([
      [
        'admission.input',
        'spec.containers[0].securityContext.privileged',
        'spec.containers[0].securityContext.privileged: expected boolean',
      ],
      [
        'admission.input',
        'spec.containers[0].resources.limits.cpu',
        'spec.containers[0].resources.limits.cpu: "1e999" is not a Kubernetes quantity',
      ],
    ]);
    expect(r.admitted).toBe(false);
  });

  it('malformed pods and workloads give findings, never a crash', () => {
    const weird: unknown[] = [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: 'nope' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'x' },
        spec: { containers: [null, 7, { resources: { limits: { cpu: 'lots' } } }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: null,
        spec: { containers: [{ name: 'a', resources: { requests: { cpu: '1e999' } } }] },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd' },
        spec: { replicas: 1e300, template: 5 },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd' },
        spec: { replicas: -1, template: { spec: { containers: [{ name: 'a' }] } } },
      },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: [] } },
    ];
    for (const o of weird) {
      const r = admitObject(o as K8sObject, envOf(), 'ml-team');
      expect(r.admitted, JSON.stringify(o)).toBe(false);
      expect(failures(r).length).toBeGreaterThan(0);
    }
  });
});
