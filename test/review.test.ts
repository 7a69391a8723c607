/** Review of issue 7: what `mlp check` passed although the API server refuses it. */
import { describe, expect, it } from 'vitest';
import { runChecks } from '../src/check/run.js';
import { parseSpec as parseSpecText } from '../src/spec/load.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec } from './helpers.js';
import { problems, replace } from './spec-helpers.js';

const spec = exampleSpec();
const local = spec.environments.get('local')!;
const fresh = () => structuredClone(allObjects(synthesize(local)));
const failures = async (objects: ReturnType<typeof fresh>) =>
  (await runChecks(objects, local)).findings
    .filter((f) => f.status === 'fail' || f.status === 'error')
    .map((f) => `${f.ruleId} ${f.resource} ${f.path}: ${f.message}`);

describe('names and selectors the API server validates', () => {
  it('fails a StatefulSet whose selector is empty (apps validation: empty selector is invalid)', async () => {
    const objects = fresh();
    const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'postgres')!;
    (sts.spec as { selector: unknown }).selector = { matchLabels: {} };
    expect(await failures(objects)).toContain(
      'schema.invalid StatefulSet/database/postgres spec.selector: empty selector is invalid for statefulset',
    );
  });

  it('fails a workload whose template its own selector does not select', async () => {
    const objects = fresh();
    const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'postgres')!;
    (sts.spec as { selector: unknown }).selector = { matchLabels: { app: 'other' } };
    expect(await failures(objects)).toContain(
      'schema.invalid StatefulSet/database/postgres spec.template.metadata.labels: `selector` does not match template `labels`',
    );
  });

  it('fails a Service whose name starts with a digit (DNS-1035), and an Ingress backend naming one', async () => {
    const objects = fresh();
    const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'postgres')!;
    svc.metadata.name = '1pg';
    const ing = objects.find((o) => o.kind === 'Ingress' && o.metadata.namespace === 'ml-team')!;
    // biome-ignore lint/suspicious/noExplicitAny: test fixture surgery
    (ing.spec as any).rules[0].http.paths[0].backend.service.name = '9svc';
    const fails = await failures(objects);
    expect(fails.some((f) => f.startsWith('schema.name Service/database/1pg metadata.name'))).toBe(true);
    expect(
      fails.some((f) =>
        f.startsWith(
          `schema.invalid Ingress/ml-team/${ing.metadata.name} spec.rules[0].http.paths[0].backend.service.name`,
        ),
      ),
    ).toBe(true);
  });

  it('fails invalid label keys, not only values', async () => {
    const objects = fresh();
    const sa = objects.find((o) => o.kind === 'ServiceAccount')!;
    sa.metadata.labels = { ...sa.metadata.labels, 'bad key!': 'ok' };
    expect((await failures(objects)).some((f) => f.includes('"bad key!" is not a valid label key'))).toBe(
      true,
    );
  });
});

describe('the spec refuses what would render such objects, located', () => {
  it('an in-cluster shared service without a podSelector', () => {
    const text = replace('    podSelector: { app.kubernetes.io/name: postgres }\n', '');
    expect(problems(text)).toEqual([
      expect.stringMatching(
        /^p\.yaml:\d+:\d+: sharedServices\[0\]: shared service "postgres" runs in-cluster .*empty selector/,
      ),
    ]);
  });

  it('a shared service or ingress backend named with a leading digit', () => {
    expect(problems(replace('service: ml-inference', 'service: 9inference'))).toEqual([
      expect.stringContaining('teams[0].ingress[0].service: expected a Service name (DNS-1035 label)'),
    ]);
    const text = replace('  - name: redis\n', '  - name: 2redis\n')
      .replace('services: [postgres, redis, minio]', 'services: [postgres, 2redis, minio]')
      .replace('services: [postgres, redis]', 'services: [postgres, 2redis]')
      .replaceAll('      redis: { managed', '      2redis: { managed');
    expect(problems(text)).toEqual([
      expect.stringContaining('sharedServices[1].name: shared service "2redis" renders a Service'),
    ]);
  });

  it('a podSelector with an invalid label key', () => {
    expect(
      problems(
        replace('podSelector: { app.kubernetes.io/name: redis }', 'podSelector: { "bad key": redis }'),
      ),
    ).toEqual([expect.stringContaining('sharedServices[1].podSelector: label key "bad key" is invalid')]);
  });
});

describe('mlp admit runs the API server field validation before admission', () => {
  it('refuses a pod with two containers of one name, which kubectl apply would be refused', async () => {
    const { admitObject } = await import('../src/admission/chain.js');
    const { admissionEnv } = await import('../src/admission/env.js');
    const env = admissionEnv(local, allObjects(synthesize(local)));
    const container = (name: string) => ({
      name,
      image: 'ghcr.io/acme-ml/x:1.0.0',
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    });
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'ml-team',
        labels: { team: 'ml-team', app: 'p', environment: 'local' },
      },
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [container('s'), container('s')],
      },
    };
    const ok = admitObject({ ...pod, spec: { ...pod.spec, containers: [container('s')] } }, env);
    expect(ok.admitted).toBe(true);
    const r = admitObject(pod, env);
    expect(r.admitted).toBe(false);
    expect(r.findings.filter((f) => f.status === 'fail').map((f) => [f.ruleId, f.path])).toEqual([
      ['admission.validation', 'spec.containers[1].name'],
    ]);
  });
});

describe('quantities in the spec', () => {
  it('refuses a negative quantity written as a string, as it refuses a negative number', () => {
    const text = replace('requests: { cpu: "20", memory: 64Gi }', 'requests: { cpu: "-20", memory: 64Gi }');
    expect(problems(text)).toEqual([
      expect.stringContaining('teams[0].quota.requests.cpu: expected a quantity of at least 0'),
    ]);
  });
});

describe('managed endpoints render ExternalName Services', () => {
  it('check fails an externalName that is not a DNS-1123 subdomain', async () => {
    const dev = spec.environments.get('dev')!;
    const objects = structuredClone(allObjects(synthesize(dev)));
    const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'postgres')!;
    (svc.spec as { externalName: string }).externalName = '-rds..example.com';
    const fails = (await runChecks(objects, dev)).findings.filter((f) => f.status === 'fail');
    expect(fails.map((f) => `${f.ruleId} ${f.resource} ${f.path}`)).toEqual([
      'schema.invalid Service/database/postgres spec.externalName',
    ]);
  });

  it('the spec refuses such an endpoint host, located', () => {
    const text = replace(
      'endpoint: "ml-platform-dev.cluster-c1x2.eu-west-1.rds.amazonaws.com:5432"',
      'endpoint: "-ml-platform-dev..rds.amazonaws.com:5432"',
    );
    expect(problems(text)).toEqual([
      expect.stringContaining(
        'environments.dev.services.postgres.managed.endpoint: expected a DNS name as host',
      ),
    ]);
  });
});

describe('mlp admit refuses workloads and pods the API server validation refuses', () => {
  const podSpec = () => ({
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 's',
        image: 'ghcr.io/acme-ml/x:1.0.0',
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        livenessProbe: { httpGet: { path: '/', port: 8080 } },
        readinessProbe: { httpGet: { path: '/', port: 8080 } },
      },
    ],
  });
  const labels = { team: 'ml-team', app: 'd', environment: 'local' };
  const admit = async (o: Parameters<typeof import('../src/admission/chain.js').admitObject>[0]) => {
    const { admitObject } = await import('../src/admission/chain.js');
    const { admissionEnv } = await import('../src/admission/env.js');
    const r = admitObject(o, admissionEnv(local, allObjects(synthesize(local))));
    return r.findings.filter((f) => f.status === 'fail').map((f) => `${f.ruleId} ${f.path}`);
  };

  it('a Deployment whose selector does not select its template', async () => {
    const deployment = (selector: Record<string, string>) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'ml-team', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: { metadata: { labels }, spec: podSpec() },
      },
    });
    expect(await admit(deployment({ app: 'd' }))).toEqual([]);
    expect(await admit(deployment({ app: 'other' }))).toEqual([
      'admission.validation spec.template.metadata.labels',
    ]);
  });

  it('a Pod created with ephemeral containers (they only come through pods/ephemeralcontainers)', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ml-team', labels },
      spec: {
        ...podSpec(),
        ephemeralContainers: [
          {
            name: 'dbg',
            image: 'evil.example/x:1',
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    };
    expect(await admit(pod)).toEqual(['admission.validation spec.ephemeralContainers']);
  });
});

describe('quota.capacity counts what the platform itself runs outside any quota', () => {
  it('fails when the data services storage plus the team quotas exceed the capacity', async () => {
    const text = replace('    storage: 20Gi\n', '    storage: 400Gi\n');
    const { environments } = parseSpecText(text);
    const env = environments.get('local')!;
    const report = await runChecks(allObjects(synthesize(env)), env);
    const storage = report.findings.find(
      (f) => f.ruleId === 'quota.capacity' && f.path === 'capacity.storage',
    )!;
    expect(storage.status).toBe('fail');
    expect(storage.message).toBe(
      "team quotas claim 350Gi and the platform's workloads outside any quota request 455Gi (storage/minio, database/postgres, cache/redis): 805Gi of 500Gi allocatable (161%)",
    );
  });
});

describe('ingress hosts fit the API server limit', () => {
  const longDomain = `${Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.')}.com`;

  it('check fails an Ingress whose host is longer than 253 characters', async () => {
    const objects = fresh();
    const ing = objects.find((o) => o.kind === 'Ingress' && o.metadata.namespace === 'ml-team')!;
    // biome-ignore lint/suspicious/noExplicitAny: test fixture surgery
    (ing.spec as any).rules[0].host = `ml-api.${longDomain}`;
    expect(
      (await failures(objects)).some((f) =>
        f.startsWith(`schema.invalid Ingress/ml-team/${ing.metadata.name} spec.rules[0].host`),
      ),
    ).toBe(true);
  });

  it('the spec refuses a domain under which a host would be longer, located at the domain', () => {
    const text = replace('domain: local.ml-platform.dev', `domain: ${longDomain}`);
    expect(problems(text)).toEqual([
      expect.stringContaining(
        'environments.local.domain: host ml-api of team ml-team would be 254 characters',
      ),
    ]);
  });
});

describe('Job names are label values', () => {
  it('check fails a Job whose name is longer than 63 characters', async () => {
    const objects = fresh();
    const job = objects.find((o) => o.kind === 'Job')!;
    job.metadata.name = `${'m'.repeat(56)}-buckets`;
    expect((await failures(objects)).some((f) => f.includes('a Job name may be at most 63 characters'))).toBe(
      true,
    );
  });

  it('the spec refuses a minio service whose bucket Job name would be longer', () => {
    const long = 'm'.repeat(56);
    const text = replace('  - name: minio\n', `  - name: ${long}\n`)
      .replace('services: [postgres, redis, minio]', `services: [postgres, redis, ${long}]`)
      .replace('services: [postgres, minio]', `services: [postgres, ${long}]`)
      .replaceAll('      minio: { managed', `      ${long}: { managed`);
    expect(problems(text)).toEqual([
      expect.stringContaining(`Job ${long}-buckets, longer than the 63 characters`),
    ]);
  });
});

describe('ingress hosts stay with the team that declared them', () => {
  it('team roles only read Ingresses; a tree that lets a team write them fails rbac.ingress', async () => {
    const { RbacAuthorizer } = await import('../src/check/rbac/evaluate.js');
    const objects = fresh();
    const rbac = new RbacAuthorizer(objects);
    const ask = (verb: string, namespace: string) =>
      rbac.authorize({
        user: 'probe',
        groups: ['app-developers'],
        verb,
        resource: 'ingresses',
        apiGroup: 'networking.k8s.io',
        namespace,
      }).allowed;
    expect(ask('get', 'app-team')).toBe(true);
    expect(ask('create', 'app-team')).toBe(false);
    expect(ask('patch', 'app-team')).toBe(false);
    expect(await failures(objects)).toEqual([]);
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'app-team-developer')!;
    (role.rules as unknown[]).push({
      apiGroups: ['networking.k8s.io'],
      resources: ['ingresses'],
      verbs: ['create'],
    });
    expect((await failures(objects)).filter((f) => f.startsWith('rbac.ingress'))).toEqual([
      expect.stringContaining(
        'rbac.ingress namespace/app-team members.developer: developer group app-developers may write Ingresses in app-team',
      ),
    ]);
  });
});

describe('cert-manager Certificates', () => {
  it('check fails a commonName over 64 bytes, which the cert-manager webhook refuses', async () => {
    const objects = fresh();
    const ca = objects.find((o) => o.kind === 'Certificate' && o.metadata.name === 'platform-ca')!;
    (ca.spec as { commonName: string }).commonName = `${'p'.repeat(56)} local CA`;
    expect(await failures(objects)).toEqual([
      expect.stringContaining(
        'schema.invalid Certificate/cert-manager/platform-ca spec.commonName: Too long',
      ),
    ]);
  });

  it('synth keeps the local CA commonName within 64 bytes for a long platform name', () => {
    const text = replace('name: ml-platform\n', `name: ${'p'.repeat(63)}\n`);
    const env = parseSpecText(text).environments.get('local')!;
    const ca = allObjects(synthesize(env)).find(
      (o) => o.kind === 'Certificate' && o.metadata.name === 'platform-ca',
    )!;
    const cn = (ca.spec as { commonName: string }).commonName;
    expect(cn.length).toBeLessThanOrEqual(64);
    expect(cn.endsWith(' local CA')).toBe(true);
  });
});

describe('environment variable names by Kubernetes version', () => {
  it('admits a name starting with a digit from 1.32 (relaxed validation), refuses it before', async () => {
    const { admitObject } = await import('../src/admission/chain.js');
    const { admissionEnv } = await import('../src/admission/env.js');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'ml-team',
        labels: { team: 'ml-team', app: 'p', environment: 'local' },
      },
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 's',
            image: 'ghcr.io/acme-ml/x:1.0.0',
            env: [{ name: '1ST_RUN', value: 'yes' }],
            resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    };
    const at = (version: string) => {
      const text = replace('kubernetesVersion: "1.31"', `kubernetesVersion: "${version}"`);
      const env = parseSpecText(text).environments.get('local')!;
      const r = admitObject(pod, admissionEnv(env, allObjects(synthesize(env))));
      return r.findings.filter((f) => f.status === 'fail').map((f) => f.path);
    };
    expect(at('1.31')).toEqual(['spec.containers[0].env[0].name']);
    expect(at('1.32')).toEqual([]);
  });
});

describe('the cloud metadata endpoint stays out of team egress', () => {
  const withEgress = (cidr: string) =>
    replace(
      '      metricsPorts: [8080/TCP]\n\n  - name: app-team',
      `      metricsPorts: [8080/TCP]\n      egressCidrs: ["${cidr}"]\n\n  - name: app-team`,
    );

  it('renders 0.0.0.0/0 with the metadata address excepted, and check proves it unreachable', async () => {
    const env = parseSpecText(withEgress('0.0.0.0/0')).environments.get('dev')!;
    const objects = allObjects(synthesize(env));
    const np = objects.find(
      (o) =>
        o.kind === 'NetworkPolicy' &&
        o.metadata.namespace === 'data-team' &&
        o.metadata.name === 'allow-egress-cidrs',
    )!;
    expect((np.spec as { egress: unknown[] }).egress).toEqual([
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] },
    ]);
    const report = await runChecks(objects, env);
    expect(
      report.findings.find((f) => f.ruleId === 'network.metadata' && f.resource === 'namespace/data-team')
        ?.status,
    ).toBe('pass');
  });

  it('check fails a tree whose egress reaches the metadata endpoint', async () => {
    const objects = fresh();
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-egress-world', namespace: 'data-team' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
      },
    });
    expect((await failures(objects)).filter((f) => f.startsWith('network.metadata'))).toEqual([
      expect.stringContaining(
        'network.metadata namespace/data-team network.egressCidrs: data-team can reach the cloud metadata endpoint 169.254.169.254',
      ),
    ]);
  });

  it('the spec refuses the metadata address itself as an egress CIDR', () => {
    expect(problems(withEgress('169.254.169.254/32'))).toEqual([
      expect.stringContaining(
        'teams[1].network.egressCidrs[0]: expected a network, not the cloud metadata endpoint',
      ),
    ]);
  });
});
