import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, exampleText, mlp, ROOT, tempDir } from './helpers.js';

const EXAMPLE = join(ROOT, 'examples', 'platform.yaml');

describe('mlp CLI', () => {
  it.each([
    'synth',
    'check',
    'can-i',
    'who-can',
    'reach',
    'admit',
    'diff',
    'schema',
    'up',
    'policy check',
    'model build',
    'model eval',
    'model push',
    'model alias',
  ])('%s --help exits 0 and documents the command', async (cmd) => {
    const r = await mlp([...cmd.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: mlp ${cmd}`);
  });

  it('rejects unknown commands, unknown flags and bad values with exit 2', async () => {
    expect((await mlp(['synthesize'])).code).toBe(2);
    expect((await mlp(['check', '--bogus'])).code).toBe(2);
    const r = await mlp(['check', '-f', EXAMPLE, '--output', 'xml']);
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toContain('--output: expected one of table, json, yaml, received "xml"');
    const e = await mlp(['reach', 'ml-team', 'nowhere', '-f', EXAMPLE]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('unknown namespace "nowhere"');
    expect((await mlp(['can-i', 'get', 'pods', '-f', EXAMPLE, '-e', 'qa', '--as', 'x'])).stderr).toContain(
      'unknown environment "qa"',
    );
  });

  it('synth writes every environment, replaces stale files, and writes nothing for an invalid spec', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'platform.yaml'), exampleText());
    const r = await mlp(['synth', '--output', 'json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).environments.map((e: { environment: string }) => e.environment)).toEqual([
      'local',
      'dev',
      'staging',
      'prod',
    ]);
    writeFileSync(join(dir, 'gitops', 'local', 'rbac', 'stale.yaml'), 'kind: Stale\n');
    const before = readFileSync(join(dir, 'gitops', 'local', 'quotas', 'ml-team.yaml'), 'utf8');
    expect((await mlp(['synth', '-e', 'local'], dir)).code).toBe(0);
    expect(existsSync(join(dir, 'gitops', 'local', 'rbac', 'stale.yaml'))).toBe(false);

    writeFileSync(join(dir, 'platform.yaml'), exampleText().replace('memory: 64Gi }', 'memory: 64GB }'));
    const bad = await mlp(['synth'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /platform\.yaml:\d+:\d+: teams\[0\]\.quota\.requests\.memory: expected a Kubernetes quantity/,
    );
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(dir, 'gitops', 'local', 'quotas', 'ml-team.yaml'), 'utf8')).toBe(before);
  });

  it('says on stderr when it falls back to the bundled example', async () => {
    const empty = tempDir();
    const r = await mlp(['can-i', 'get', 'pods', '-n', 'ml-team', '--as', 'nobody'], empty);
    expect(r.stderr).toContain('mlp: no platform.yaml here; using the bundled example');
    writeFileSync(join(empty, 'platform.yaml'), exampleText());
    const own = await mlp(['can-i', 'get', 'pods', '-n', 'ml-team', '--as', 'nobody'], empty);
    expect(own.stderr).not.toContain('bundled example');
  });

  it("admit refuses a -n that contradicts the object's own namespace, as kubectl does", async () => {
    const dir = tempDir();
    const file = join(dir, 'pod.yaml');
    writeFileSync(
      file,
      readFileSync(join(ROOT, 'testdata', 'pods', 'fits.yaml'), 'utf8').replace(
        'namespace: ml-team',
        'namespace: data-team',
      ),
    );
    const r = await mlp(['admit', file, '-n', 'ml-team']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\(data-team\) does not match -n ml-team/);
    expect((await mlp(['admit', file, '-n', 'data-team'])).stderr).not.toContain('does not match');
  });

  it('synth removes what an interrupted synth left and trees of environments dropped from the spec', async () => {
    const dir = tempDir();
    const out = join(dir, 'gitops');
    expect((await mlp(['synth', '-f', EXAMPLE, '--out', out])).code).toBe(0);
    // A synth killed mid-write leaves its staging and old folders; PID 2^22+1 is never running.
    for (const leftover of ['local.tmp-4194305-1', 'local.old-4194305-2', 'prod.tmp-4194305-3']) {
      mkdirSync(join(out, leftover, 'rbac'), { recursive: true });
      writeFileSync(join(out, leftover, 'rbac', 'x.yaml'), 'half: written\n');
    }
    mkdirSync(join(out, 'notes'));
    writeFileSync(join(out, 'notes', 'README.md'), "ours, not mlp's\n");
    // The same spec without its staging environment.
    const text = exampleText();
    const spec = join(dir, 'platform.yaml');
    writeFileSync(spec, text.slice(0, text.indexOf('  staging:\n')) + text.slice(text.indexOf('  prod:\n')));
    const r = await mlp(['synth', '-f', spec, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `removed ${join(out, 'staging')}: environment "staging" is no longer in the spec`,
    );
    expect(readdirSync(out).sort()).toEqual(['dev', 'local', 'notes', 'prod']);
    // With -e only the named environment is written and nothing else is touched.
    mkdirSync(join(out, 'staging'));
    writeFileSync(join(out, 'staging', 'kustomization.yaml'), 'resources: []\n');
    expect((await mlp(['synth', '-f', spec, '-e', 'local', '--out', out])).code).toBe(0);
    expect(existsSync(join(out, 'staging', 'kustomization.yaml'))).toBe(true);
  });

  it('kubectl kustomize builds the synthesized tree into the same objects', async (ctx) => {
    const dir = tempDir();
    expect((await mlp(['synth', '-f', EXAMPLE, '-e', 'local', '--out', join(dir, 'gitops')])).code).toBe(0);
    const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    // Under CI the reference tool must be there (fail); a developer without it sees a skip.
    if (kubectl.error) {
      if (process.env.CI) throw new Error('kubectl is required under CI=true (kubectl kustomize)');
      ctx.skip('kubectl not installed');
    }
    const out = execFileSync('kubectl', ['kustomize', join(dir, 'gitops', 'local')], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const docs = out
      .split(/^---$/m)
      .map((d) => parse(d))
      .filter(Boolean);
    const ours = allObjects(synthesize(exampleSpec().environments.get('local')!));
    expect(docs).toHaveLength(ours.length);
    expect(docs.map((d) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`).sort()).toEqual(
      ours.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort(),
    );
    expect(
      docs
        .filter((d) => d.kind === 'Namespace')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual([
      'app-team',
      'argo-rollouts',
      'argocd',
      'cache',
      'cert-manager',
      'data-team',
      'database',
      'external-secrets',
      'ingress-nginx',
      'ml-team',
      'monitoring',
      'storage',
    ]);
    expect(docs.every((d) => d.metadata.annotations?.['argocd.argoproj.io/sync-wave'] !== undefined)).toBe(
      true,
    );
  });

  it('diff shows what differs between two environments, and nothing against its own tree', async () => {
    const r = await mlp(['diff', 'local', 'staging', '-f', EXAMPLE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('--- local/quotas/ml-team.yaml');
    expect(r.stdout).toMatch(/^- {4}requests\.cpu: "6"$/m);
    expect(r.stdout).toMatch(/^\+ {4}requests\.cpu: "20"$/m);
    const dir = tempDir();
    await mlp(['synth', '-f', EXAMPLE, '-e', 'dev', '--out', dir]);
    const same = await mlp(['diff', 'dev', '--against', join(dir, 'dev'), '-f', EXAMPLE]);
    expect(same).toMatchObject({ code: 0, stdout: 'no differences\n' });
    const json = await mlp(['diff', 'local', '--against', join(dir, 'dev'), '-f', EXAMPLE, '-o', 'json']);
    expect(JSON.parse(json.stdout).changes).toContainEqual({
      path: 'quotas/ml-team.yaml',
      change: 'modified',
    });
  });

  it('check --output json carries findings, summary and the full matrix', async () => {
    const r = await mlp(['check', '-f', EXAMPLE, '-e', 'local', '-o', 'json']);
    const report = JSON.parse(r.stdout).reports[0];
    expect(report.summary.fail).toBe(0);
    // Teams, then the engine namespaces: the ingress controller reaches teams (its ingress ports),
    // Prometheus those with metrics ports.
    expect(report.matrix.reachable).toEqual({
      'app-team': ['ml-team'],
      'data-team': [],
      'ml-team': [],
      'argo-rollouts': [],
      argocd: [],
      'cert-manager': [],
      'external-secrets': [],
      'ingress-nginx': ['app-team', 'ml-team'],
      // The canary controller's metrics port is opened for its controller pods only: the
      // matrix's unlabelled probe pod shows no (observability.scrape-reachable proves the pods).
      monitoring: ['app-team', 'data-team', 'ml-team'],
    });
    expect(report.findings[0]).toHaveProperty('ruleId');
  });

  it('can-i explains its verdict and supports subresources and service accounts', async () => {
    const sa = await mlp([
      'can-i',
      'create',
      'deployments',
      '-n',
      'ml-team',
      '--as',
      'system:serviceaccount:ml-team:training-runner',
      '-f',
      EXAMPLE,
      '-o',
      'json',
    ]);
    expect(JSON.parse(sa.stdout)).toMatchObject({
      allowed: true,
      request: { apiGroup: 'apps', resource: 'deployments' },
    });
    const logs = await mlp([
      'can-i',
      'get',
      'pods/log',
      '-n',
      'ml-team',
      '--as',
      'x',
      '--as-group',
      'data-scientists',
      '-f',
      EXAMPLE,
    ]);
    expect(logs.code).toBe(0);
    const secrets = await mlp([
      'can-i',
      'get',
      'secrets',
      '-n',
      'ml-team',
      '--as',
      'x',
      '--as-group',
      'ml-engineers',
      '-f',
      EXAMPLE,
    ]);
    expect(secrets.code).toBe(1);
    const admin = await mlp([
      'can-i',
      'delete',
      'nodes',
      '--as',
      'ops',
      '--as-group',
      'platform-admins',
      '-f',
      EXAMPLE,
    ]);
    expect(admin.code).toBe(0);
  });

  it('the committed JSON Schema is the one the spec source generates', async () => {
    const r = await mlp(['schema']);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'schema', 'platform.schema.json'), 'utf8'));
  });

  it('policy check and admit share the admission chain: LimitRange defaults, replicas × pod', async () => {
    const dir = tempDir();
    const container = {
      name: 'app',
      image: 'ghcr.io/acme-ml/app:1.0.0',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    };
    const labels = { team: 'ml-team', app: 'app', environment: 'local' };
    const securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
    // No resources: ml-team's LimitRange defaults them before the policies run.
    const bare = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bare', namespace: 'ml-team', labels },
      spec: { securityContext, containers: [container] },
    };
    writeFileSync(join(dir, 'bare.yaml'), JSON.stringify(bare));
    const checked = await mlp(['policy', 'check', join(dir, 'bare.yaml'), '-f', EXAMPLE, '-e', 'local']);
    expect(checked.code, checked.stdout).toBe(0);
    expect((await mlp(['admit', join(dir, 'bare.yaml'), '-f', EXAMPLE, '-e', 'local'])).code).toBe(0);
    const big = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'big', namespace: 'ml-team', labels },
      spec: {
        replicas: 5,
        selector: { matchLabels: { app: 'app' } },
        template: {
          metadata: { labels },
          spec: {
            securityContext,
            containers: [
              {
                ...container,
                resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } },
                livenessProbe: { httpGet: { path: '/', port: 8080 } },
                readinessProbe: { httpGet: { path: '/', port: 8080 } },
              },
            ],
          },
        },
      },
    };
    writeFileSync(join(dir, 'big.yaml'), JSON.stringify(big));
    const r = await mlp(['admit', join(dir, 'big.yaml'), '-f', EXAMPLE, '-e', 'local']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('rejected: deployment big in ml-team (5 pods)');
    expect(r.stdout).toContain('requests.cpu 10 (5 pods × 2) exceeds the quota of 6');
  });

  it("policy check evaluates the environment's rules on manifests", async () => {
    const dir = tempDir();
    const { object } = parse(readFileSync(join(ROOT, 'testdata', 'policy', 'bad-workload.yaml'), 'utf8'));
    writeFileSync(join(dir, 'bad.yaml'), JSON.stringify(object));
    const r = await mlp(['policy', 'check', join(dir, 'bad.yaml'), '-f', EXAMPLE, '-o', 'json']);
    expect(r.code).toBe(1);
    const failed = JSON.parse(r.stdout).findings.filter((f: { status: string }) => f.status === 'fail');
    // The example allows only its own registries, so the registry rule joins the three; ml-team
    // enforces restricted Pod Security; the template lacks the team and environment labels.
    expect(failed.map((f: { ruleId: string }) => f.ruleId).sort()).toEqual([
      'pod-security.allowPrivilegeEscalation',
      'pod-security.privileged',
      'pod-security.restrictedVolumes',
      'policy.image-registry-allowed',
      'policy.image-tag-pinned',
      'policy.labels-required',
      'policy.probes-required',
      'policy.resources-required',
    ]);
    expect((await mlp(['policy', 'check', join(dir, 'missing.yaml'), '-f', EXAMPLE])).code).toBe(2);
  });
});
