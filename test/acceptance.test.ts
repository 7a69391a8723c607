// The runbook's checks (phase 2), answered offline from the synthesized local environment.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mlp, ROOT } from './helpers.js';

const pods = join(ROOT, 'testdata', 'pods');
const spec = ['-f', join(ROOT, 'examples', 'platform.yaml'), '-e', 'local'];

const canI = (ns: string, ...groups: string[]) =>
  mlp([
    'can-i',
    'create',
    'pods',
    '-n',
    ns,
    '--as',
    'ml-engineer@company.com',
    ...groups.flatMap((g) => ['--as-group', g]),
    ...spec,
  ]);

describe('runbook checks on the local environment', () => {
  it('ml-engineer (group ml-engineers) may create pods in ml-team', async () => {
    const r = await canI('ml-team', 'ml-engineers');
    expect(r).toMatchObject({ code: 0, stdout: 'yes\n' });
  });

  it('ml-engineer may not create pods in data-team', async () => {
    const r = await canI('data-team', 'ml-engineers');
    expect(r).toMatchObject({ code: 1, stdout: 'no\n' });
  });

  it("without --as-group the user has no access at all (the seed runbook's mistake)", async () => {
    const r = await canI('ml-team');
    expect(r.code).toBe(1);
  });

  it('a pod asking 25 CPU / 100Gi in ml-team is rejected, with the reasons', async () => {
    const r = await mlp(['admit', join(pods, 'too-big.yaml'), '-n', 'ml-team', ...spec]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('rejected: pod test-quota-exceed in ml-team');
    expect(r.stdout).toContain('requests.cpu 25 exceeds the quota of 6');
    expect(r.stdout).toContain('requests.memory 100Gi exceeds the quota of 20Gi');
  });

  it('a pod asking 1 CPU / 2Gi in ml-team is admitted', async () => {
    const r = await mlp(['admit', join(pods, 'fits.yaml'), '-n', 'ml-team', ...spec]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('admitted: pod ml-inference in ml-team');
  });

  it("the runbook's root nginx pod is refused by ml-team's restricted Pod Security, as the API server does", async () => {
    const r = await mlp(['admit', join(pods, 'runbook-nginx.yaml'), '-n', 'ml-team', ...spec]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('rejected: pod ml-inference in ml-team');
    expect(r.stdout).toContain(
      'violates PodSecurity "restricted:v1.31": runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true)',
    );
  });

  it('a pod in ml-team cannot reach one in data-team', async () => {
    const r = await mlp(['reach', 'ml-team', 'data-team', ...spec]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^denied: /);
  });

  it('monitoring can scrape the declared metrics port, and only that port', async () => {
    expect((await mlp(['reach', 'monitoring', 'ml-team', '--port', '8080/TCP', ...spec])).code).toBe(0);
    expect((await mlp(['reach', 'monitoring', 'ml-team', '--port', '9999/TCP', ...spec])).code).toBe(1);
  });

  it('DNS works from every team namespace', async () => {
    for (const team of ['ml-team', 'data-team', 'app-team']) {
      for (const port of ['53/UDP', '53/TCP']) {
        const r = await mlp(['reach', team, 'kube-system/k8s-app=kube-dns', '--port', port, ...spec]);
        expect(r.code, `${team} ${port}: ${r.stdout}`).toBe(0);
      }
    }
  });

  it('mlp check passes on every environment of the example and prints the isolation matrix', async () => {
    const r = await mlp(['check', '-f', join(ROOT, 'examples', 'platform.yaml')]);
    expect(r.code, r.stdout).toBe(0);
    for (const env of ['local', 'dev', 'staging', 'prod']) expect(r.stdout).toContain(`Environment ${env}: `);
    expect(r.stdout).toContain('Team isolation matrix');
  });
});
