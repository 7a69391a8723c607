// Pod Security, offline, against upstream's own fixture pods (k8s.io/pod-security-admission
// test/testdata/<level>/<version>/<pass|fail>, generated from test/fixtures_*.go) and against
// the cases those fixtures do not cover (ephemeral containers, user namespaces, labels, bad input).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPod } from '../src/admission/defaults.js';
import {
  denialMessage,
  enforcePolicy,
  evaluateCheck,
  evaluatePodSecurity,
  LATEST_MINOR,
} from '../src/admission/pod-security/evaluate.js';
import { shapeErrors } from '../src/admission/pod-security/pod.js';
import type { K8sObject } from '../src/k8s/object.js';
import { ROOT, readYaml } from './helpers.js';

interface Fixtures {
  source: string;
  cases: [
    level: 'baseline' | 'restricted',
    version: string,
    expect: 'pass' | 'fail',
    name: string,
    pod: string,
  ][];
  pods: Record<string, unknown>;
}
const fixtures = JSON.parse(
  readFileSync(join(ROOT, 'testdata', 'pod-security', 'upstream-fixtures.json'), 'utf8'),
) as Fixtures;
const OVERRIDDEN_BY: Record<string, string> = {
  capabilities_baseline: 'capabilities_restricted',
  hostpathvolumes: 'restrictedvolumes',
  procmount: 'procmount_restricted',
  seccompprofile_baseline: 'seccompprofile_restricted',
};
const minorOf = (v: string) => Number(v.replace(/^v1\./, ''));

describe('upstream fixture pods', () => {
  it('covers every version up to the newest implemented, for both levels', () => {
    const versions = new Set(fixtures.cases.map((c) => minorOf(c[1])));
    expect(Math.max(...versions)).toBe(LATEST_MINOR);
    expect(fixtures.cases.length).toBeGreaterThan(4000);
  });

  const table = fixtures.cases.map(([level, version, verdict, name, pod]) => ({
    level,
    version,
    verdict,
    name,
    pod,
  }));
  it.each(table)('$level $version $verdict/$name', ({ level, version, verdict, name, pod }) => {
    // The fixtures are judged as the API server sees them: after defaulting (a volume without a
    // source becomes an emptyDir).
    const violations = evaluatePodSecurity(level, minorOf(version), defaultPod(fixtures.pods[pod]));
    if (verdict === 'pass') expect(violations).toEqual([]);
    else {
      // The fixture file is named after the check it exercises (runasuser0 → runAsUser); at
      // restricted, a restricted check may replace the baseline one (upstream's overrides).
      const check = name.replace(/\d+$/, '');
      const ids = violations.map((v) => v.check.toLowerCase());
      expect(ids, JSON.stringify(violations)).toContainEqual(
        level === 'restricted' && OVERRIDDEN_BY[check] && !ids.includes(check) ? OVERRIDDEN_BY[check] : check,
      );
    }
  });
});

// Fixtures patch arbitrary fields, wrong types included.
// biome-ignore lint/suspicious/noExplicitAny: a free-form pod spec to patch
type FreeSpec = Record<string, any>;
const restrictedPod = (patch: (spec: FreeSpec) => void = () => {}) => {
  const spec: FreeSpec = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'x:1',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  };
  patch(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec };
};
const checks = (pod: unknown, level: 'baseline' | 'restricted' = 'restricted', minor = 31) =>
  evaluatePodSecurity(level, minor, pod).map((v) => v.check);

describe("upstream's per-check cases, reason and detail word for word", () => {
  interface CheckCase {
    check: string;
    name: string;
    minor: number;
    pod: unknown;
    reason?: string;
    detail?: string;
  }
  const { cases } = readYaml<{ cases: CheckCase[] }>(
    join(ROOT, 'testdata', 'pod-security', 'upstream-check-cases.yaml'),
  );
  it.each(cases)('$check: $name', ({ check, minor, pod, reason, detail }) => {
    const v = evaluateCheck(check, minor, pod);
    if (reason === undefined) expect(v).toBeUndefined();
    else expect(v).toMatchObject({ reason, detail });
  });
});

describe('beyond the upstream fixtures', () => {
  it('judges ephemeral containers like the others', () => {
    const pod = restrictedPod((s) => {
      s.ephemeralContainers = [{ name: 'debug', image: 'busybox:1', securityContext: { privileged: true } }];
    });
    const v = evaluatePodSecurity('restricted', 31, pod);
    expect(v.map((x) => x.check)).toEqual([
      'privileged',
      'allowPrivilegeEscalation',
      'capabilities_restricted',
    ]);
    expect(v[0]!.paths).toEqual(['spec.ephemeralContainers[0].securityContext.privileged']);
  });

  it('runAsUser: 0 at pod and container level, and the 1.35 user-namespace relaxation', () => {
    const pod = restrictedPod((s) => {
      s.securityContext.runAsUser = 0;
      s.containers[0].securityContext.runAsUser = 0;
    });
    const [v] = evaluatePodSecurity('restricted', 31, pod);
    expect(v).toMatchObject({
      check: 'runAsUser',
      detail: 'pod and container "app" must not set runAsUser=0',
      paths: ['spec.securityContext.runAsUser', 'spec.containers[0].securityContext.runAsUser'],
    });
    expect(checks(pod, 'restricted', 22)).toEqual([]); // runAsUser only from 1.23
    const userNs = { ...pod, spec: { ...pod.spec, hostUsers: false } };
    expect(checks(userNs, 'restricted', 34)).toEqual(['runAsUser']);
    expect(checks(userNs, 'restricted', 35)).toEqual([]);
  });

  it('sysctls follow the version: tcp_keepalive_time from 1.29, tcp_rmem from 1.32', () => {
    const pod = restrictedPod((s) => {
      s.securityContext.sysctls = [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }];
    });
    expect(checks(pod, 'baseline', 28)).toEqual(['sysctls']);
    expect(checks(pod, 'baseline', 29)).toEqual([]);
    const rmem = restrictedPod((s) => {
      s.securityContext.sysctls = [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }];
    });
    expect(checks(rmem, 'baseline', 31)).toEqual(['sysctls']);
    expect(checks(rmem, 'baseline', 32)).toEqual([]);
  });

  it('hostPort, nfs, SELinux type and AppArmor unconfined', () => {
    const pod = restrictedPod((s) => {
      s.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }];
      s.volumes = [{ name: 'share', nfs: { server: 'nfs', path: '/' } }];
      s.securityContext.seLinuxOptions = { type: 'spc_t' };
      s.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' };
    });
    const v = evaluatePodSecurity('restricted', 31, pod);
    expect(v.map((x) => x.check)).toEqual([
      'appArmorProfile',
      'hostPorts',
      'seLinuxOptions',
      'restrictedVolumes',
    ]);
    expect(
      denialMessage(
        enforcePolicy({
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.31',
        }),
        v,
      ),
    ).toBe(
      'violates PodSecurity "restricted:v1.31": forbidden AppArmor profile (container "app" must not set AppArmor profile type to "Unconfined"), hostPort (container "app" uses hostPort 8080), seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"), restricted volume types (volume "share" uses restricted volume type "nfs")',
    );
    // Baseline allows nfs: only hostPath is a baseline volume check.
    expect(checks(pod, 'baseline')).toEqual(['appArmorProfile', 'hostPorts', 'seLinuxOptions']);
  });

  it('container_engine_t is an allowed SELinux type from 1.31', () => {
    const pod = restrictedPod((s) => {
      s.securityContext.seLinuxOptions = { type: 'container_engine_t' };
    });
    expect(checks(pod, 'baseline', 30)).toEqual(['seLinuxOptions']);
    expect(checks(pod, 'baseline', 31)).toEqual([]);
  });

  it('Windows pods are exempt from the Linux-only restricted checks from 1.25', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'w' },
      spec: {
        os: { name: 'windows' },
        securityContext: { runAsNonRoot: true },
        containers: [{ name: 'c', image: 'x:1' }],
      },
    };
    expect(checks(pod, 'restricted', 24)).toEqual([
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'seccompProfile_restricted',
    ]);
    expect(checks(pod, 'restricted', 25)).toEqual([]);
  });
});

describe('the namespace labels select level and version', () => {
  it('no labels: privileged; pinned and latest versions; a newer pin means the newest known', () => {
    expect(enforcePolicy(undefined)).toMatchObject({ level: 'privileged', errors: [] });
    expect(enforcePolicy({ 'pod-security.kubernetes.io/enforce': 'baseline' })).toMatchObject({
      level: 'baseline',
      minor: LATEST_MINOR,
      label: 'baseline:latest',
    });
    expect(
      enforcePolicy({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.99',
      }),
    ).toMatchObject({ minor: LATEST_MINOR, label: 'restricted:v1.99', errors: [] });
  });

  it('bad label values enforce restricted / latest and are reported, as upstream', () => {
    const p = enforcePolicy({
      'pod-security.kubernetes.io/enforce': 'strict',
      'pod-security.kubernetes.io/enforce-version': '1.31',
    });
    expect(p).toMatchObject({ level: 'restricted', minor: LATEST_MINOR });
    expect(p.errors).toHaveLength(2);
  });
});

describe('hostile input', () => {
  it('wrong types are shape errors, never a crash or a lenient pass', () => {
    const pod = restrictedPod((s) => {
      s.containers[0].securityContext.privileged = 'true';
      s.containers[0].securityContext.runAsUser = 2 ** 80;
      s.containers[0].ports = 'all';
      s.volumes = [null, 7];
    });
    expect(shapeErrors(pod)).toEqual([
      'spec.volumes[1]: expected object',
      'spec.containers[0].securityContext.privileged: expected boolean',
      'spec.containers[0].securityContext.runAsUser: expected integer',
      'spec.containers[0].ports: expected array',
    ]);
    for (const bad of [null, 42, 'pod', [], { spec: [] }, { spec: { containers: [null, 1, 'x'] } }]) {
      expect(() => evaluatePodSecurity('restricted', 31, bad)).not.toThrow();
      expect(() => shapeErrors(bad)).not.toThrow();
    }
  });
});

describe('the former CEL rules corpus, now judged by Pod Security', () => {
  // testdata/pod-security/policy-corpus: the cases the CEL copies of Pod Security were tested
  // with (each the base workload with one change). Their verdicts must not change.
  const dir = join(ROOT, 'testdata', 'pod-security', 'policy-corpus');
  const BASELINE_RULES = ['pss-privileged', 'pss-host-namespaces', 'pss-host-path', 'pss-capabilities'];
  const table = readdirSync(dir).flatMap((f) => {
    const c = readYaml<{
      rule: string;
      cases: { name: string; expect: 'pass' | 'fail'; object: K8sObject }[];
    }>(join(dir, f));
    return c.cases.map((x) => ({ rule: c.rule, ...x }));
  });
  it.each(table)('$rule: $name → $expect', ({ rule, expect: verdict, object }) => {
    const pod =
      object.kind === 'Pod'
        ? object
        : (object.spec as { template: { metadata: unknown; spec: unknown } }).template;
    const level = BASELINE_RULES.includes(rule) ? 'baseline' : 'restricted';
    const v = evaluatePodSecurity(level, 31, pod);
    expect(v.length > 0 ? 'fail' : 'pass', JSON.stringify(v)).toBe(verdict);
  });
});
