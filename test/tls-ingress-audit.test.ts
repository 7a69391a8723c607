// TLS (cert-manager), team ingresses with rate limits, and the local cluster's audit policy.
import { describe, expect, it } from 'vitest';
import { renderTree } from '../src/gitops/render.js';
import type { K8sObject } from '../src/k8s/object.js';
import type { SpecError } from '../src/spec/errors.js';
import { parseSpec } from '../src/spec/load.js';
import { auditLevel, auditPolicy } from '../src/synth/audit.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, exampleText } from './helpers.js';

const spec = exampleSpec();
const objects = (env: 'local' | 'prod') => allObjects(synthesize(spec.environments.get(env)!));
const find = (os: K8sObject[], kind: string, name: string, ns?: string) =>
  os.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);

describe('TLS', () => {
  it('bootstraps a platform CA locally', () => {
    const local = objects('local');
    expect(find(local, 'ClusterIssuer', 'selfsigned-bootstrap')?.spec).toEqual({ selfSigned: {} });
    expect(find(local, 'Certificate', 'platform-ca', 'cert-manager')?.spec).toMatchObject({
      isCA: true,
      secretName: 'platform-ca',
    });
    expect(find(local, 'ClusterIssuer', 'platform-ca')?.spec).toEqual({ ca: { secretName: 'platform-ca' } });
  });

  it("uses ACME (Let's Encrypt) with HTTP-01 through ingress-nginx in the cloud", () => {
    expect(find(objects('prod'), 'ClusterIssuer', 'letsencrypt')?.spec).toMatchObject({
      acme: {
        server: 'https://acme-v02.api.letsencrypt.org/directory',
        email: 'platform-team@company.com',
        solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }],
      },
    });
  });
});

describe('ingress', () => {
  it('publishes team hosts with TLS, a Certificate each, and per-team rate limits', () => {
    const local = objects('local');
    const ing = find(local, 'Ingress', 'ml-api', 'ml-team')!;
    expect(ing.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/limit-rps': '50',
      'nginx.ingress.kubernetes.io/limit-connections': '20',
    });
    expect(ing.spec).toMatchObject({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['ml-api.local.ml-platform.dev'], secretName: 'ml-api-tls' }],
    });
    expect(find(local, 'Certificate', 'ml-api', 'ml-team')?.spec).toEqual({
      secretName: 'ml-api-tls',
      dnsNames: ['ml-api.local.ml-platform.dev'],
      issuerRef: { kind: 'ClusterIssuer', name: 'platform-ca', group: 'cert-manager.io' },
    });
    expect(
      find(local, 'Ingress', 'app', 'app-team')?.metadata.annotations?.[
        'nginx.ingress.kubernetes.io/limit-rps'
      ],
    ).toBe('10');
    expect(find(objects('prod'), 'Certificate', 'ml-api', 'ml-team')?.spec).toMatchObject({
      dnsNames: ['ml-api.ml.company.com'],
      issuerRef: { name: 'letsencrypt' },
    });
  });

  it('rejects an ingress port the ingress controller may not reach, and hosts without a domain', () => {
    const problems = (text: string) => {
      try {
        parseSpec(text, 'p.yaml');
        return [];
      } catch (err) {
        return (err as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
      }
    };
    expect(
      problems(
        exampleText().replace('service: ml-inference, port: 8080', 'service: ml-inference, port: 9090'),
      ),
    ).toEqual([
      'teams[0].ingress[0].port: port 9090 of host "ml-api" is not in network.ingressPorts, so the ingress controller could not reach it; add 9090/TCP there',
    ]);
    expect(problems(exampleText().replace('    domain: local.ml-platform.dev\n', ''))).toEqual([
      'environments.local: teams publish ingress hosts, so this environment needs a domain (e.g. domain: ml.local.dev)',
    ]);
  });
});

describe('audit policy (local cluster)', () => {
  const policy = auditPolicy();

  it.each([
    [{ user: 'alice', verb: 'get', resource: 'secrets' }, 'Metadata'],
    [{ user: 'alice', verb: 'create', resource: 'secrets' }, 'Metadata'],
    [{ user: 'alice', verb: 'list', resource: 'configmaps' }, 'Metadata'],
    [{ user: 'alice', verb: 'create', group: 'apps', resource: 'deployments' }, 'Request'],
    [{ user: 'alice', verb: 'delete', resource: 'pods' }, 'Request'],
    [{ user: 'alice', verb: 'list', resource: 'pods' }, 'None'],
    [{ user: 'system:kube-proxy', verb: 'watch', resource: 'endpoints' }, 'None'],
    [{ user: 'probe', verb: 'get', nonResourceURL: '/healthz/etcd' }, 'None'],
  ])('%j → %s', (req, level) => expect(auditLevel(policy, req)).toBe(level));

  it('is written for kind but neither applied nor checked as a cluster object', () => {
    const components = synthesize(spec.environments.get('local')!);
    const files = renderTree(components);
    expect(files.get('kind/audit-policy.yaml')).toContain('kind: Policy');
    expect(files.get('kind/cluster.yaml')).toContain(
      'audit-policy-file: /etc/kubernetes/policies/audit-policy.yaml',
    );
    expect(files.get('kustomization.yaml')).not.toMatch(/^ {2}- kind$/m);
    expect(allObjects(components).some((o) => o.kind === 'Policy')).toBe(false);
    expect(renderTree(synthesize(spec.environments.get('prod')!)).has('kind/audit-policy.yaml')).toBe(false);
  });
});
