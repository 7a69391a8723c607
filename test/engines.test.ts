/** Issue 9 §1–2: engines as pinned chart components, the app-of-apps, AppProjects, wave proof. */

import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { describe, expect, it } from 'vitest';
import { checkCrdWaves } from '../src/check/delivery.js';
import { runChecks } from '../src/check/run.js';
import { argocdPolicyCsv } from '../src/engines/argo-cd-rbac.js';
import { ENGINES } from '../src/engines/index.js';
import type { K8sObject } from '../src/k8s/object.js';
import { PLATFORM_EXEMPTIONS } from '../src/policy/exemptions.js';
import { parseSpec } from '../src/spec/load.js';
import type { ResolvedEnvironment } from '../src/spec/model.js';
import { ENGINE_NAMESPACES } from '../src/spec/reserved.js';
import { allObjects, type Component, layoutOf } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, exampleText, mlp } from './helpers.js';
import { replace } from './spec-helpers.js';

const spec = exampleSpec();
const env = (name: 'local' | 'dev' | 'staging' | 'prod') => spec.environments.get(name)!;
const component = (cs: readonly Component[], name: string) => cs.find((c) => c.name === name);
const objectsOf = (c: Component | undefined) => c?.files.flatMap((f) => f.objects) ?? [];
const find = (objs: readonly K8sObject[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name);
// biome-ignore lint/suspicious/noExplicitAny: reading nested rendered fields in assertions
const spec_ = (o: K8sObject | undefined) => (o as any)?.spec;

describe('engine data', () => {
  it('pins every chart to an exact version (no ranges) and names an app version', () => {
    for (const e of ENGINES) {
      expect(e.chart.version, e.name).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(e.chart.appVersion, e.name).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(e.chart.repoURL, e.name).toMatch(/^https:\/\//);
    }
    expect(Object.fromEntries(ENGINES.map((e) => [e.name, e.chart.version]))).toEqual({
      'argo-cd': '9.5.11',
      'argo-rollouts': '2.41.0',
      'cert-manager': 'v1.20.2',
      'external-secrets': '0.16.2',
      'ingress-nginx': '4.15.1',
      'kube-prometheus-stack': '86.2.3',
      kyverno: '3.5.2',
      loki: '6.49.0',
      'otel-collector': '0.170.0',
      'otel-logs': '0.170.0',
      tempo: '2.2.4',
    });
  });

  it("the spec's reserved engine namespaces are exactly the engines' own (ingress-nginx follows platform.ingressNamespace)", () => {
    const local = env('local');
    // The logs and traces engines share the monitoring namespace with kube-prometheus-stack.
    const inMonitoring = ['kube-prometheus-stack', 'loki', 'otel-collector', 'otel-logs', 'tempo'];
    const fromEngines = ENGINES.filter((e) => e.name !== 'ingress-nginx' && !inMonitoring.includes(e.name))
      .map((e) => e.namespace(local))
      .sort();
    expect(fromEngines).toEqual(Object.values(ENGINE_NAMESPACES).sort());
    expect(ENGINES.find((e) => e.name === 'ingress-nginx')!.namespace(local)).toBe(
      local.platform.ingressNamespace,
    );
    for (const name of inMonitoring)
      expect(ENGINES.find((e) => e.name === name)!.namespace(local)).toBe(local.platform.monitoringNamespace);
  });

  it('exemptions come from the engine data (monitoring is kube-prometheus-stack’s), kube-system kept', () => {
    const local = env('local');
    const namespaces = PLATFORM_EXEMPTIONS.map((e) => e.namespace(local));
    expect(namespaces).toEqual(['kube-system', ...ENGINES.map((e) => e.namespace(local))]);
    expect(namespaces).toContain('monitoring');
  });

  it('values are pure: the same environment gives deep-equal values twice', () => {
    for (const e of ENGINES) expect(e.values(env('prod'))).toEqual(e.values(env('prod')));
  });
});

describe('engine components', () => {
  const local = synthesize(env('local'));
  const prod = synthesize(env('prod'));

  it('one component per engine the tree relies on, each before what uses its kinds', () => {
    expect(local.map((c) => [c.name, c.wave])).toEqual([
      ['argocd', -3],
      ['argo-cd', -3],
      ['argo-rollouts', -1],
      ['cert-manager', -2],
      ['external-secrets', -2],
      ['ingress-nginx', -2],
      ['kube-prometheus-stack', -2],
      ['loki', -1],
      ['otel-collector', -1],
      ['otel-logs', -1],
      ['tempo', -1],
      ['policies', -1],
      ['namespaces', 0],
      ['quotas', 1],
      ['rbac', 1],
      ['network-policies', 1],
      ['secrets', 1],
      ['data-services', 2],
      ['tls', 1],
      ['ingress', 2],
      ['models', 2],
      ['observability', 1],
      ['runbooks', 1],
      ['kind', 0],
    ]);
    // Kyverno only where it enforces the rules.
    expect(component(local, 'kyverno')).toBeUndefined();
    const kyvernoSpec = parseSpec(
      replace('engine: validating-admission-policy', 'engine: kyverno'),
      'p.yaml',
    );
    const withKyverno = synthesize(kyvernoSpec.environments.get('local')!);
    expect(component(withKyverno, 'kyverno')?.wave).toBe(-2);
    expect(component(withKyverno, 'policies')?.wave).toBe(-1);
  });

  it('each engine component holds its Namespace, its Application and its NetworkPolicies', () => {
    for (const e of ['argo-cd', 'cert-manager', 'external-secrets', 'ingress-nginx']) {
      expect(component(local, e)!.files.map((f) => f.name)).toEqual([
        'application.yaml',
        'namespace.yaml',
        'network-policies.yaml',
      ]);
    }
    // The ad-hoc cert-manager Namespace left the namespaces component.
    expect(component(local, 'namespaces')!.files.map((f) => f.name)).not.toContain('cert-manager.yaml');
    const ns = find(objectsOf(component(local, 'cert-manager')), 'Namespace', 'cert-manager')!;
    expect(ns.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const nginx = find(objectsOf(component(local, 'ingress-nginx')), 'Namespace', 'ingress-nginx')!;
    expect(nginx.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('baseline');
  });

  it('the Application installs the pinned chart with values from the spec', () => {
    const app = find(objectsOf(component(local, 'cert-manager')), 'Application', 'cert-manager')!;
    expect(spec_(app).source).toMatchObject({
      repoURL: 'https://charts.jetstack.io',
      chart: 'cert-manager',
      targetRevision: 'v1.20.2',
      helm: { releaseName: 'cert-manager', valuesObject: { crds: { enabled: true } } },
    });
    expect(spec_(app).destination).toEqual({
      server: 'https://kubernetes.default.svc',
      namespace: 'cert-manager',
    });
    expect(spec_(app).project).toBe('platform');
    const eso = find(objectsOf(component(local, 'external-secrets')), 'Application', 'external-secrets')!;
    expect(spec_(eso).source.helm.valuesObject.installCRDs).toBe(true);
  });

  it('HA in prod only: two replicas and PDBs; one replica elsewhere', () => {
    const values = (cs: Component[], name: string) =>
      spec_(find(objectsOf(component(cs, name)), 'Application', name)).source.helm.valuesObject;
    expect(values(prod, 'argo-cd').server).toEqual({ pdb: { enabled: true }, replicas: 2 });
    expect(values(prod, 'argo-cd')['redis-ha']).toEqual({ enabled: true });
    expect(values(local, 'argo-cd').server).toEqual({ pdb: { enabled: false }, replicas: 1 });
    expect(values(prod, 'cert-manager').webhook.replicaCount).toBe(2);
    expect(values(prod, 'ingress-nginx').controller.replicaCount).toBe(2);
    expect(values(local, 'ingress-nginx').controller.replicaCount).toBe(1);
    const noHa = parseSpec(
      replace('    gitops: { revision: release }', '    gitops: { revision: release }\n    ha: false'),
    );
    const prodNoHa = synthesize(noHa.environments.get('prod')!);
    expect(values(prodNoHa, 'cert-manager').replicaCount).toBe(1);
  });

  it('the argo-cd values carry the Application health check and the RBAC of the contract', () => {
    const app = find(objectsOf(component(local, 'argo-cd')), 'Application', 'argo-cd')!;
    const configs = spec_(app).source.helm.valuesObject.configs;
    expect(configs.cm['resource.customizations.health.argoproj.io_Application']).toContain(
      'hs.status = obj.status.health.status',
    );
    expect(configs.rbac).toEqual({
      'policy.csv': argocdPolicyCsv(env('local')),
      'policy.default': '',
      scopes: '[groups, email]',
    });
  });

  it('every Application and AppProject is valid for the Argo CD CRD models', () => {
    for (const name of ['local', 'dev', 'staging', 'prod'] as const) {
      for (const o of allObjects(synthesize(env(name)))) {
        if (o.kind === 'Application') expect(() => new Application(o as never).validate()).not.toThrow();
        if (o.kind === 'AppProject') expect(() => new AppProject(o as never).validate()).not.toThrow();
      }
    }
    // …and the models do catch a mistake of the kind we could make.
    const bad = { ...find(allObjects(local), 'Application', 'argo-cd')! };
    bad.spec = { ...spec_(bad), syncPolicy: { automated: { prune: 'yes' } } };
    expect(() => new Application(bad as never).validate()).toThrow();
  });

  it('renders the same bytes twice', async () => {
    const { renderTree } = await import('../src/gitops/render.js');
    expect([...renderTree(synthesize(env('prod')))]).toEqual([...renderTree(synthesize(env('prod')))]);
  });
});

describe('app-of-apps', () => {
  const local = synthesize(env('local'));
  const argocd = objectsOf(component(local, 'argocd'));

  it('a root Application syncs <path>/<env>/argocd at the environment revision', () => {
    const root = find(argocd, 'Application', 'mlp-root')!;
    expect(spec_(root).source).toEqual({
      repoURL: 'https://github.com/acme-ml/platform-gitops.git',
      targetRevision: 'main',
      path: 'gitops/local/argocd',
    });
    const prodRoot = find(
      objectsOf(component(synthesize(env('prod')), 'argocd')),
      'Application',
      'mlp-root',
    )!;
    expect(spec_(prodRoot).source.targetRevision).toBe('release');
  });

  it('one child per applied component, with its wave; the argocd kustomization stamps none', async () => {
    const children = argocd.filter((o) => o.kind === 'Application' && o.metadata.name !== 'mlp-root');
    const expected = local
      .filter((c) => c.applied !== false && c.name !== 'argocd')
      .map((c) => [`mlp-${c.name}`, String(c.wave), `gitops/local/${c.name}`])
      .sort();
    expect(
      children
        .map((o) => [
          o.metadata.name,
          o.metadata.annotations!['argocd.argoproj.io/sync-wave'],
          spec_(o).source.path,
        ])
        .sort(),
    ).toEqual(expected);
    for (const o of children)
      expect(spec_(o).syncPolicy.syncOptions).toEqual(['ServerSideApply=true', 'CreateNamespace=false']);
    const { renderTree } = await import('../src/gitops/render.js');
    const files = renderTree(local);
    expect(files.get('argocd/kustomization.yaml')).not.toContain('sync-wave');
    expect(files.get('tls/kustomization.yaml')).toContain('argocd.argoproj.io/sync-wave: "1"');
  });

  it('sync policy per environment: prune in local/dev, not in staging/prod unless the spec says so', () => {
    const prune = (e: ResolvedEnvironment) =>
      spec_(find(objectsOf(component(synthesize(e), 'argocd')), 'Application', 'mlp-rbac')).syncPolicy
        .automated;
    expect(prune(env('local'))).toEqual({ prune: true, selfHeal: true });
    expect(prune(env('dev'))).toEqual({ prune: true, selfHeal: true });
    expect(prune(env('staging'))).toEqual({ prune: false, selfHeal: true });
    expect(prune(env('prod'))).toEqual({ prune: false, selfHeal: true });
    const pruneProd = parseSpec(
      replace('gitops: { revision: release }', 'gitops: { revision: release, prune: true }'),
    );
    expect(prune(pruneProd.environments.get('prod')!)).toEqual({ prune: true, selfHeal: true });
  });

  it('AppProjects: platform (cluster-wide) and one per team (its namespace, its repos, its members)', () => {
    const platform = find(argocd, 'AppProject', 'platform')!;
    expect(spec_(platform).clusterResourceWhitelist).toEqual([{ group: '*', kind: '*' }]);
    expect(spec_(platform).sourceRepos).toEqual([
      'https://argoproj.github.io/argo-helm',
      'https://charts.external-secrets.io',
      'https://charts.jetstack.io',
      'https://github.com/acme-ml/platform-gitops.git',
      'https://grafana-community.github.io/helm-charts',
      'https://grafana.github.io/helm-charts',
      'https://kubernetes.github.io/ingress-nginx',
      'https://open-telemetry.github.io/opentelemetry-helm-charts',
      'https://prometheus-community.github.io/helm-charts',
    ]);
    const ml = find(argocd, 'AppProject', 'ml-team')!;
    expect(ml.metadata.namespace).toBe('argocd');
    expect(spec_(ml).destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'ml-team' },
    ]);
    expect(spec_(ml).clusterResourceWhitelist).toEqual([]);
    expect(spec_(ml).sourceRepos).toEqual(['https://github.com/acme-ml/ml-team-apps.git']);
    expect(spec_(find(argocd, 'AppProject', 'data-team')).sourceRepos).toEqual([]);
    expect(spec_(ml).roles).toEqual([
      {
        name: 'admin',
        description: "ml-team admins (from the spec's members)",
        groups: [],
        policies: [
          'p, proj:ml-team:admin, applications, get, ml-team/*, allow',
          'p, proj:ml-team:admin, applications, create, ml-team/*, allow',
          'p, proj:ml-team:admin, applications, update, ml-team/*, allow',
          'p, proj:ml-team:admin, applications, delete, ml-team/*, allow',
          'p, proj:ml-team:admin, applications, sync, ml-team/*, allow',
          'p, proj:ml-team:admin, applications, override, ml-team/*, allow',
          'p, proj:ml-team:admin, applications, action/*, ml-team/*, allow',
          'p, proj:ml-team:admin, logs, get, ml-team/*, allow',
        ],
      },
      {
        name: 'developer',
        description: "ml-team developers (from the spec's members)",
        groups: ['ml-engineers'],
        policies: [
          'p, proj:ml-team:developer, applications, get, ml-team/*, allow',
          'p, proj:ml-team:developer, applications, sync, ml-team/*, allow',
          'p, proj:ml-team:developer, applications, override, ml-team/*, allow',
          'p, proj:ml-team:developer, applications, action/*, ml-team/*, allow',
          'p, proj:ml-team:developer, logs, get, ml-team/*, allow',
        ],
      },
      {
        name: 'viewer',
        description: "ml-team viewers (from the spec's members)",
        groups: ['data-scientists'],
        policies: ['p, proj:ml-team:viewer, applications, get, ml-team/*, allow'],
      },
    ]);
  });

  it('policy.csv maps platform admins to role:admin and every member to its project role', () => {
    expect(argocdPolicyCsv(env('local'))).toBe(
      [
        '# Rendered by mlp from the platform spec; edit the spec, not this file.',
        'g, platform-admins, role:admin',
        'g, app-lead@company.com, proj:app-team:admin',
        'g, app-developers, proj:app-team:developer',
        'g, data-lead@company.com, proj:data-team:admin',
        'g, data-engineers, proj:data-team:developer',
        'g, ml-engineers, proj:data-team:viewer',
        'g, ml-lead@company.com, proj:ml-team:admin',
        'g, ml-engineers, proj:ml-team:developer',
        'g, data-scientists, proj:ml-team:viewer',
        '',
      ].join('\n'),
    );
  });

  it('without gitops: engines and AppProjects render, root and children do not, check warns', async () => {
    const text = replace(
      'gitops:\n  repoURL: https://github.com/acme-ml/platform-gitops.git\n  path: gitops\n  revision: main\n',
      '',
    ).replace('    gitops: { revision: release }\n', '');
    const e = parseSpec(text).environments.get('local')!;
    const cs = synthesize(e);
    expect(component(cs, 'argocd')!.files.map((f) => f.name)).toEqual(['projects.yaml']);
    expect(component(cs, 'argo-cd')).toBeDefined();
    const report = await runChecks(allObjects(cs), e, { layout: layoutOf(cs) });
    expect(report.findings.filter((f) => f.ruleId === 'delivery.gitops')).toEqual([
      expect.objectContaining({ status: 'warn', path: 'gitops' }),
    ]);
    // With gitops there is no such warning.
    const withGitops = synthesize(env('local'));
    const ok = await runChecks(allObjects(withGitops), env('local'), { layout: layoutOf(withGitops) });
    expect(ok.findings.some((f) => f.ruleId === 'delivery.gitops')).toBe(false);
  });
});

describe('delivery.crd-wave', () => {
  const local = synthesize(env('local'));

  it('passes on every environment of the example', () => {
    for (const name of ['local', 'dev', 'staging', 'prod'] as const) {
      const findings = checkCrdWaves(layoutOf(synthesize(env(name))));
      expect(findings.map((f) => f.status)).toEqual(['pass']);
    }
  });

  it('fails an ExternalSecret moved before External Secrets, naming both waves', () => {
    const moved = layoutOf(local).map((c) => (c.name === 'secrets' ? { ...c, wave: -3 } : c));
    const fails = checkCrdWaves(moved).filter((f) => f.status === 'fail');
    expect(fails.length).toBeGreaterThan(0);
    expect(fails.every((f) => f.ruleId === 'delivery.crd-wave')).toBe(true);
    expect(fails.find((f) => f.resource === 'ExternalSecret/ml-team/postgres-credentials')?.message).toBe(
      'ExternalSecret/ml-team/postgres-credentials (external-secrets.io, component secrets, wave -3) would sync before its CRDs exist: engine external-secrets is in wave -2; expected a wave after -2',
    );
  });

  it('fails the same wave too: Argo CD waits for a wave, not for an object in it', () => {
    const same = layoutOf(local).map((c) => (c.name === 'tls' ? { ...c, wave: -2 } : c));
    expect(
      checkCrdWaves(same).some((f) => f.status === 'fail' && f.resource === 'ClusterIssuer/platform-ca'),
    ).toBe(true);
  });

  it('fails when the engine is not installed at all', () => {
    const without = layoutOf(local).filter((c) => c.name !== 'cert-manager');
    const fail = checkCrdWaves(without).find((f) => f.resource === 'Certificate/ml-team/ml-api')!;
    expect(fail).toMatchObject({ status: 'fail', ruleId: 'delivery.crd-wave' });
    expect(fail.message).toContain('needs the CRDs of engine cert-manager, which this tree does not install');
  });

  it('a bootstrapped engine (Argo CD) may share its wave, never come after', () => {
    const early = layoutOf(local).map((c) => (c.name === 'argocd' ? { ...c, wave: -4 } : c));
    expect(
      checkCrdWaves(early).some((f) => f.status === 'fail' && f.resource === 'AppProject/argocd/platform'),
    ).toBe(true);
  });

  it('the report fails with only this rule when an engine component is dropped', async () => {
    const report = await runChecks(allObjects(local), env('local'), {
      layout: layoutOf(local).filter((c) => c.name !== 'external-secrets'),
    });
    expect(report.summary.fail).toBeGreaterThan(0);
    expect(
      report.findings.filter((f) => f.status === 'fail').every((f) => f.ruleId === 'delivery.crd-wave'),
    ).toBe(true);
  });
});

describe('engine namespaces in the network proof', () => {
  it('mlp reach: ingress-nginx reaches a team on its ingress port; a team does not reach cert-manager', async () => {
    const allowed = await mlp(['reach', 'ingress-nginx', 'ml-team', '--port', '8080/TCP', '-e', 'local']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('allowed');
    const other = await mlp(['reach', 'ingress-nginx', 'ml-team', '--port', '9090/TCP', '-e', 'local']);
    expect(other.code).toBe(1);
    const denied = await mlp(['reach', 'ml-team', 'cert-manager', '-e', 'local']);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain('denied');
  });

  it('the API server (an address outside the pod network) reaches webhooks on their port only', async () => {
    expect(
      (await mlp(['reach', '10.0.0.1', 'cert-manager', '--port', '10250/TCP', '-e', 'local'])).code,
    ).toBe(0);
    expect((await mlp(['reach', '10.0.0.1', 'cert-manager', '--port', '9402/TCP', '-e', 'local'])).code).toBe(
      1,
    );
    // No engine may reach the cloud metadata endpoint, even with internet egress.
    expect((await mlp(['reach', 'argocd', '169.254.169.254', '--port', '443/TCP', '-e', 'dev'])).code).toBe(
      1,
    );
    expect((await mlp(['reach', 'argocd', '140.82.112.3', '--port', '443/TCP', '-e', 'dev'])).code).toBe(0);
  });

  it('ACME HTTP-01: ingress-nginx reaches only the solver pods on 8089, only where ACME issues', async () => {
    const solver = 'ml-team/acme.cert-manager.io/http01-solver=true';
    expect((await mlp(['reach', 'ingress-nginx', solver, '--port', '8089/TCP', '-e', 'dev'])).code).toBe(0);
    expect((await mlp(['reach', 'ingress-nginx', 'ml-team', '--port', '8089/TCP', '-e', 'dev'])).code).toBe(
      1,
    );
    expect((await mlp(['reach', 'ingress-nginx', solver, '--port', '8089/TCP', '-e', 'local'])).code).toBe(1);
    // data-team publishes no host: no solver allowance.
    const dataSolver = 'data-team/acme.cert-manager.io/http01-solver=true';
    expect((await mlp(['reach', 'ingress-nginx', dataSolver, '--port', '8089/TCP', '-e', 'dev'])).code).toBe(
      1,
    );
  });

  it('the isolation matrix shows engine namespaces', async () => {
    const r = await mlp(['check', '-e', 'local', '-o', 'json']);
    const report = JSON.parse(r.stdout).reports[0];
    expect(report.matrix.engines).toEqual([
      'argo-rollouts',
      'argocd',
      'cert-manager',
      'external-secrets',
      'ingress-nginx',
      'monitoring',
    ]);
    expect(report.matrix.reachable['ingress-nginx']).toEqual(['app-team', 'ml-team']);
    // Prometheus reaches every team that declares metrics ports, on those ports only (network.monitoring).
    // The canary controller's metrics port is opened for its controller pods only (a scrape
    // target), so the matrix's unlabelled probe pod shows no; observability.scrape-reachable
    // proves the real pods (as for ingress-nginx's controller).
    expect(report.matrix.reachable.monitoring).toEqual(['app-team', 'data-team', 'ml-team']);
    expect(report.matrix.reachable['ml-team']).toEqual([]);
  });
});

describe('spec: gitops, ha, repos — hostile inputs rejected with locations', () => {
  const bad = (from: string, to: string) => {
    try {
      parseSpec(replace(from, to), 'p.yaml');
      return [];
    } catch (err) {
      return (err as { issues: { path: string; message: string }[] }).issues.map(
        (i) => `${i.path}: ${i.message}`,
      );
    }
  };
  const GITOPS = 'repoURL: https://github.com/acme-ml/platform-gitops.git';

  it.each([
    ['http (not https)', 'repoURL: http://github.com/acme/x.git'],
    ['a file URL', 'repoURL: file:///etc/passwd'],
    ['a bare path', 'repoURL: /srv/git/platform'],
    ['an option smuggled in', 'repoURL: "--upload-pack=touch /tmp/x"'],
    ['a newline', 'repoURL: "https://github.com/acme/x.git\\nfoo"'],
    ['a huge URL', `repoURL: https://github.com/${'a'.repeat(3000)}.git`],
  ])('gitops.repoURL: %s', (_why, line) => {
    expect(bad(GITOPS, line)[0]).toMatch(/^gitops\.repoURL: /);
  });

  it.each([
    ['..', 'path: ../../etc'],
    ['absolute', 'path: /gitops'],
    ['a dot segment', 'path: gitops/./x'],
  ])('gitops.path climbing out: %s', (_why, line) => {
    expect(bad('  path: gitops', `  ${line}`)[0]).toMatch(
      /^gitops\.path: expected|^gitops\.path: a relative/,
    );
  });

  it('prototype keys are unknown fields, not merged', () => {
    expect(bad(GITOPS, `${GITOPS}\n  __proto__: { polluted: true }`).join('\n')).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(
      bad('    gitops: { revision: release }', '    gitops: { revision: release, constructor: 1 }').join(
        '\n',
      ),
    ).toContain('constructor');
  });

  it('a revision without a repository is located', () => {
    const text = replace(
      'gitops:\n  repoURL: https://github.com/acme-ml/platform-gitops.git\n  path: gitops\n  revision: main\n',
      '',
    );
    let message = '';
    try {
      parseSpec(text, 'p.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(
      /p\.yaml:\d+:\d+: environments\.prod\.gitops\.revision: a revision needs the repository/,
    );
  });

  it('team repos must be git URLs', () => {
    expect(bad('repos: [https://github.com/acme-ml/ml-team-apps.git]', 'repos: ["ftp://x/y"]')[0]).toMatch(
      /^teams\[0\]\.repos\[0\]: /,
    );
    expect(
      bad('repos: [https://github.com/acme-ml/ml-team-apps.git]', 'repos: [git@github.com:acme/ok.git]'),
    ).toEqual([]);
  });

  it('a member name cannot write its own policy.csv line', () => {
    const out = bad(
      'developer: { groups: [ml-engineers] }',
      'developer: { groups: ["ml-engineers, role:admin"] }',
    );
    expect(out[0]).toMatch(/^teams\[0\]\.members\.developer\.groups\[0\]: expected a name without commas/);
    expect(
      bad('developer: { groups: [ml-engineers] }', 'developer: { groups: ["x\\ng, evil, role:admin"] }')[0],
    ).toMatch(/without commas, quotes, line breaks/);
    expect(bad('groups: [platform-admins]', 'groups: ["\\"quoted\\""]')[0]).toMatch(/without commas, quotes/);
  });

  it('a team cannot be named like the platform AppProject', () => {
    const text = exampleText()
      .replace('- name: app-team', '- name: platform')
      .replace('{ team: app-team, ports', '{ team: platform, ports')
      .replace(
        '      app-team:\n        quota: { requests: { cpu: "2"',
        '      platform:\n        quota: { requests: { cpu: "2"',
      )
      .replace('      app-team:\n        quota: { objects', '      platform:\n        quota: { objects');
    let message = '';
    try {
      parseSpec(text, 'p.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("the name of the platform's own Argo CD AppProject");
  });
});
