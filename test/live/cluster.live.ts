/**
 * Against a real API server (MLP_TEST_KUBECONFIG): apply, re-apply, diff --live, verify, prune.
 * Upstream engine CRDs must be installed first (they stand in for the running engines). Hand
 * edits are made with kubectl, as a person would make them.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { applySetId, memberKey, parentRefFor } from '../../src/cluster/applyset.js';
import { desiredObjects } from '../../src/cluster/desired.js';
import { loadSpec } from '../../src/spec/load.js';
import { synthesize } from '../../src/synth/platform.js';
import { exampleText, mlp, tempDir } from '../helpers.js';

const KUBECONFIG = process.env.MLP_TEST_KUBECONFIG;
if (!KUBECONFIG) throw new Error('set MLP_TEST_KUBECONFIG to the kubeconfig of a disposable cluster');
const kc = ['--kubeconfig', KUBECONFIG];
const kubectl = (...args: string[]) =>
  execFileSync('kubectl', ['--kubeconfig', KUBECONFIG, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const dir = tempDir();
const full = join(dir, 'platform.yaml');
const smaller = join(dir, 'without-app-team.yaml');
const log = (line: string) => process.stdout.write(`[live] ${line}\n`);

/** The example without app-team (and ml-team's ingress from it). */
function withoutAppTeam(text: string): string {
  const spec = parse(text);
  spec.teams = spec.teams.filter((t: { name: string }) => t.name !== 'app-team');
  for (const t of spec.teams)
    if (t.network?.allowFrom)
      t.network.allowFrom = t.network.allowFrom.filter((a: { team: string }) => a.team !== 'app-team');
  for (const e of Object.values(spec.environments) as { teams?: Record<string, unknown> }[])
    if (e.teams) delete e.teams['app-team'];
  return stringify(spec);
}

async function applyJson(file: string, ...extra: string[]) {
  const started = Date.now();
  const r = await mlp(['apply', '-e', 'local', '-f', file, ...kc, '-o', 'json', ...extra]);
  const seconds = (Date.now() - started) / 1000;
  return { ...r, seconds, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

describe('mlp against a real API server', () => {
  beforeAll(() => {
    writeFileSync(full, exampleText());
    writeFileSync(smaller, withoutAppTeam(exampleText()));
    log(
      `server: ${kubectl('version', '-o', 'json')
        .match(/"gitVersion":\s*"([^"]+)"/g)
        ?.join(' ')}`,
    );
  });

  it('apply succeeds, and a second apply changes nothing', async () => {
    const first = await applyJson(full);
    expect(first.code, first.stderr).toBe(0);
    const count = (r: typeof first, a: string) =>
      r.report.objects.filter((o: { action: string }) => o.action === a).length;
    log(
      `apply: ${first.report.objects.length} objects (${count(first, 'created')} created, ${count(first, 'configured')} configured, ${count(first, 'unchanged')} unchanged) in ${first.seconds}s`,
    );
    const second = await applyJson(full);
    expect(second.code).toBe(0);
    expect(count(second, 'unchanged')).toBe(second.report.objects.length);
    log(
      `second apply: ${count(second, 'unchanged')}/${second.report.objects.length} unchanged in ${second.seconds}s`,
    );
  });

  it('diff --live is empty after apply, and shows an edit made with kubectl', async () => {
    let r = await mlp(['diff', '-e', 'local', '--live', '-f', full, ...kc]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toBe('no differences\n');
    kubectl(
      '-n',
      'ml-team',
      'patch',
      'resourcequota',
      'ml-team-quota',
      '--type',
      'merge',
      '-p',
      '{"spec":{"hard":{"pods":"99"}}}',
    );
    r = await mlp(['diff', '-e', 'local', '--live', '-f', full, ...kc]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('--- live/v1.ResourceQuota.ml-team.ml-team-quota');
    expect(r.stdout).toMatch(/-\s+pods: "99"\n\+\s+pods: "50"/);
    const heal = await applyJson(full);
    expect(
      heal.report.objects
        .filter((o: { action: string }) => o.action === 'configured')
        .map((o: { ref: string }) => o.ref),
    ).toEqual(['ResourceQuota/ml-team/ml-team-quota']);
    expect((await mlp(['diff', '-e', 'local', '--live', '-f', full, ...kc])).code).toBe(0);
  });

  it('verify passes, and fails with the disagreeing question after a RoleBinding is edited by hand', async () => {
    let r = await mlp(['verify', '-e', 'local', '-f', full, ...kc, '-o', 'json']);
    const report = JSON.parse(r.stdout);
    const bad = report.rows.filter((x: { agree: boolean }) => !x.agree);
    expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
    expect(r.code).toBe(0);
    const by = (k: string) => report.rows.filter((x: { check: string }) => x.check === k).length;
    log(
      `verify: ${report.rows.length} answers agree (access ${by('access')}, admission ${by('admission')}, drift ${by('drift')})`,
    );

    // Take ml-engineers out of the developer binding, as `kubectl edit` would.
    kubectl(
      '-n',
      'ml-team',
      'patch',
      'rolebinding',
      'ml-team-developer',
      '--type',
      'json',
      '-p',
      '[{"op":"remove","path":"/subjects/0"}]',
    );
    r = await mlp(['verify', '-e', 'local', '-f', full, ...kc]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /access\s+│ group ml-engineers\s+│ create pods in ml-team\s+│ yes\s+│ no\s+│ DISAGREE/,
    );
    expect(r.stdout).toMatch(/drift\s+│ RoleBinding\/ml-team\/ml-team-developer .*DISAGREE.*subjects/);
    expect(r.stdout).toContain('NOT verified');
    log(`verify after the edit: ${r.stdout.match(/NOT verified: .*/)?.[0]}`);
    expect((await applyJson(full)).code).toBe(0);
    expect((await mlp(['verify', '-e', 'local', '-f', full, ...kc, '-o', 'json'])).code).toBe(0);
  });

  it('--prune deletes exactly the objects of a team removed from the spec, nothing else', async () => {
    kubectl('-n', 'ml-team', 'create', 'configmap', 'another-tool', '--from-literal=a=b');
    const id = applySetId(parentRefFor('ml-platform', 'local'));
    const keys = (file: string) =>
      new Set(
        desiredObjects(synthesize(loadSpec(file).environments.get('local')!), id).map((o) =>
          memberKey({
            apiVersion: o.apiVersion,
            kind: o.kind,
            namespace: o.metadata.namespace,
            name: o.metadata.name,
          }),
        ),
      );
    const before = keys(full);
    const after = keys(smaller);
    const expected = [...before].filter((k) => !after.has(k)).sort();
    const r = await applyJson(smaller, '--prune');
    expect(r.code, r.stderr).toBe(0);
    const pruned = r.report.pruned.map((p: { ref: string; action: string }) => {
      expect(p.action).toBe('pruned');
      const parts = p.ref.split('/');
      return parts;
    });
    const prunedKeys = pruned
      .map((parts: string[]) =>
        parts.length === 3 ? `${parts[0]}/${parts[1]}/${parts[2]}` : `${parts[0]}//${parts[1]}`,
      )
      .sort();
    const expectedNoGroup = expected.map((k) => k.replace(/^([^./]+)\.[^/]+\//, '$1/')).sort();
    expect(prunedKeys).toEqual(expectedNoGroup);
    log(`prune: ${pruned.length} objects of app-team deleted, as computed offline (${expected.length})`);
    expect(kubectl('-n', 'ml-team', 'get', 'configmap', 'another-tool', '-o', 'name').trim()).toBe(
      'configmap/another-tool',
    );
    kubectl('-n', 'ml-team', 'delete', 'configmap', 'another-tool');
    // Restore app-team for whoever runs next: first wait until its namespace is really gone.
    for (let i = 0; i < 120 && kubectl('get', 'ns', '-o', 'name').includes('namespace/app-team'); i++)
      await new Promise((res) => setTimeout(res, 1000));
    expect((await applyJson(full)).code).toBe(0);
  });

  // Needs Argo CD's real install.yaml (MLP_TEST_ARGOCD_MANIFEST, the pinned release's file): the
  // small stand-in of the unit tests carries trimmed CRDs that would replace the real ones.
  it.runIf(process.env.MLP_TEST_ARGOCD_MANIFEST)(
    'bootstrap installs Argo CD and the root; apply --prune afterwards keeps the root and diff --live is empty',
    async () => {
      const manifest = process.env.MLP_TEST_ARGOCD_MANIFEST!;
      const b = await mlp(['bootstrap', '-e', 'local', '-f', full, ...kc, '--argocd-manifest', manifest]);
      expect(b.code, b.stderr).toBe(0);
      expect(kubectl('-n', 'argocd', 'get', 'application', 'mlp-root', '-o', 'name').trim()).toBe(
        'application.argoproj.io/mlp-root',
      );
      const r = await applyJson(full, '--prune');
      expect(r.code, r.stderr).toBe(0);
      expect(r.report.pruned.map((p: { ref: string }) => p.ref)).toEqual([]);
      expect(kubectl('-n', 'argocd', 'get', 'application', 'mlp-root', '-o', 'name').trim()).toBe(
        'application.argoproj.io/mlp-root',
      );
      const d = await mlp(['diff', '-e', 'local', '--live', '-f', full, ...kc]);
      expect(d.code, d.stdout).toBe(0);
      const again = await mlp([
        'bootstrap',
        '-e',
        'local',
        '-f',
        full,
        ...kc,
        '--argocd-manifest',
        manifest,
        '-o',
        'json',
      ]);
      expect(again.code, again.stderr).toBe(0);
      log(
        `bootstrap: root in place after apply --prune; diff --live empty; second bootstrap exit ${again.code}`,
      );
    },
  );
});
