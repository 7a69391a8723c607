import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podSpecProblems } from '../src/check/pod-validation.js';
import { checkNamespacesExist, checkSchema } from '../src/check/schema.js';
import { environment, objectsOf } from '../src/cli/context.js';
import { resolveResource } from '../src/k8s/resources.js';
import { EXAMPLE, exampleSpec, mlp, ROOT, tempDir } from './helpers.js';

// kubectl's spellings of a resource, as discovery serves them (`kubectl api-resources` of v1.31:
// NAME, SHORTNAMES and KIND), each resolving to the same resource and group.
const SPELLINGS: [typed: string, resource: string, group: string][] = [
  ['po', 'pods', ''],
  ['pod', 'pods', ''],
  ['pods', 'pods', ''],
  ['Pod', 'pods', ''],
  ['deploy', 'deployments', 'apps'],
  ['deploy.apps', 'deployments', 'apps'],
  ['deployment', 'deployments', 'apps'],
  ['svc', 'services', ''],
  ['hpa', 'horizontalpodautoscalers', 'autoscaling'],
  ['cm', 'configmaps', ''],
  ['sa', 'serviceaccounts', ''],
  ['ns', 'namespaces', ''],
  ['pvc', 'persistentvolumeclaims', ''],
  ['pv', 'persistentvolumes', ''],
  ['rs', 'replicasets', 'apps'],
  ['sts', 'statefulsets', 'apps'],
  ['ds', 'daemonsets', 'apps'],
  ['cj', 'cronjobs', 'batch'],
  ['ing', 'ingresses', 'networking.k8s.io'],
  ['ingress', 'ingresses', 'networking.k8s.io'],
  ['netpol', 'networkpolicies', 'networking.k8s.io'],
  ['pdb', 'poddisruptionbudgets', 'policy'],
  ['crd', 'customresourcedefinitions', 'apiextensions.k8s.io'],
  ['crds', 'customresourcedefinitions', 'apiextensions.k8s.io'],
  ['ep', 'endpoints', ''],
  ['ev', 'events', ''],
  ['limits', 'limitranges', ''],
  ['quota', 'resourcequotas', ''],
  ['no', 'nodes', ''],
  ['rc', 'replicationcontrollers', ''],
  ['sc', 'storageclasses', 'storage.k8s.io'],
  ['pc', 'priorityclasses', 'scheduling.k8s.io'],
  ['csr', 'certificatesigningrequests', 'certificates.k8s.io'],
  ['cs', 'componentstatuses', ''],
  ['EndpointSlice', 'endpointslices', 'discovery.k8s.io'],
];

describe('kubectl spellings of built-in resources', () => {
  it.each(SPELLINGS)('%s → %s.%s', (typed, resource, group) => {
    expect(resolveResource(typed)).toMatchObject({ resource, group });
  });
  it('no invented plurals, and prototype keys are just unknown names', () => {
    expect(resolveResource('ingresss').resource).toBe('ingresss');
    expect(resolveResource('__proto__')).toMatchObject({ resource: '__proto__', group: '' });
    expect(resolveResource('constructor.apps')).toMatchObject({ resource: 'constructor', group: 'apps' });
  });
});

describe('mlp can-i: short names, --subresource, namespaces outside the tree', () => {
  const viewer = ['--as', 'x', '--as-group', 'data-scientists', '-f', EXAMPLE];
  it('answers with short names and kubectl --subresource', async () => {
    expect((await mlp(['can-i', 'list', 'po', '-n', 'ml-team', ...viewer])).code).toBe(0);
    expect((await mlp(['can-i', 'get', 'po', '--subresource=log', '-n', 'ml-team', ...viewer])).code).toBe(0);
    expect(
      (await mlp(['can-i', 'create', 'po', '--subresource', 'exec', '-n', 'ml-team', ...viewer])).code,
    ).toBe(1);
    expect(
      (await mlp(['can-i', 'list', 'deploy', '-n', 'ml-team', ...viewer, '-o', 'json'])).stdout,
    ).toContain('"apiGroup": "apps"');
    const both = await mlp(['can-i', 'get', 'pods/log', '--subresource', 'exec', '-n', 'ml-team', ...viewer]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('subresource given twice');
  });
  it('answers for default, kube-system and unknown namespaces from the built-in state', async () => {
    const sar = ['create', 'selfsubjectaccessreviews.authorization.k8s.io'];
    for (const ns of ['default', 'kube-system', 'kube-public', 'nowhere']) {
      expect((await mlp(['can-i', 'list', 'pods', '-n', ns, ...viewer])).code).toBe(1);
      expect((await mlp(['can-i', ...sar, '-n', ns, ...viewer])).code).toBe(0);
    }
    const admin = ['--as', 'ops', '--as-group', 'platform-admins', '-f', EXAMPLE];
    expect((await mlp(['can-i', 'delete', 'secrets', '-n', 'kube-system', ...admin])).code).toBe(0);
    const anon = await mlp(['can-i', 'get', '/version', '--as', 'system:anonymous', '-f', EXAMPLE]);
    expect(anon.code).toBe(0);
    expect(anon.stderr).toBe(
      'allowed by ClusterRoleBinding system:public-info-viewer → ClusterRole system:public-info-viewer rule 0\n',
    );
    expect((await mlp(['can-i', 'get', '/apis', '--as', 'system:anonymous', '-f', EXAMPLE])).code).toBe(1);
    expect((await mlp(['can-i', 'get', '/apis', '--as', 'someone', '-f', EXAMPLE])).code).toBe(0);
  });
});

const container = (over: Record<string, unknown> = {}) => ({
  name: 'app',
  image: 'ghcr.io/acme-ml/app:1',
  ...over,
});

describe('API-server field validation of pod templates (validation.go)', () => {
  it.each([
    [
      'image with trailing whitespace',
      { containers: [container({ image: 'ghcr.io/acme-ml/app:1 ' })] },
      'spec.containers[0].image: Invalid value "ghcr.io/acme-ml/app:1 ": must not have leading or trailing whitespace',
    ],
    [
      'image with leading whitespace',
      { containers: [container({ image: '\tnginx' })] },
      'spec.containers[0].image: Invalid value "\\tnginx": must not have leading or trailing whitespace',
    ],
    ['missing image', { containers: [container({ image: '' })] }, 'spec.containers[0].image: Required value'],
    [
      'missing name',
      { containers: [container({ name: undefined })] },
      'spec.containers[0].name: Required value',
    ],
    [
      'duplicate container names across init and app containers',
      { initContainers: [container()], containers: [container()] },
      'spec.containers[0].name: Duplicate value "app" (also spec.initContainers[0])',
    ],
    [
      'duplicate port names',
      {
        containers: [
          container({
            ports: [
              { name: 'http', containerPort: 80 },
              { name: 'http', containerPort: 81 },
            ],
          }),
        ],
      },
      'spec.containers[0].ports[1].name: Duplicate value "http"',
    ],
    [
      'port name longer than 15',
      { containers: [container({ ports: [{ name: 'metrics-endpoint-x', containerPort: 9090 }] })] },
      'spec.containers[0].ports[0].name: Invalid value "metrics-endpoint-x": an IANA service name (at most 15 lowercase alphanumerics or "-", one letter at least), e.g. http',
    ],
    [
      'port 0',
      { containers: [container({ ports: [{ containerPort: 0 }] })] },
      'spec.containers[0].ports[0].containerPort: Invalid value 0: must be between 1 and 65535, inclusive',
    ],
    [
      'env var name starting with a digit',
      { containers: [container({ env: [{ name: '1PASSWORD', value: 'x' }] })] },
      `spec.containers[0].env[0].name: Invalid value "1PASSWORD": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`,
    ],
    [
      'request above limit',
      { containers: [container({ resources: { requests: { cpu: '2' }, limits: { cpu: '1500m' } } })] },
      'spec.containers[0].resources.requests["cpu"]: Invalid value "2": must be less than or equal to cpu limit of 1500m',
    ],
  ])('%s', (_name, spec, expected) => {
    expect(podSpecProblems(spec, 'spec').map((p) => `${p.path}: ${p.message}`)).toEqual([expected]);
  });
  it('a valid pod spec has no problems (request equal to limit, env names with dots and dashes)', () => {
    const spec = {
      initContainers: [container({ name: 'init' })],
      containers: [
        container({
          ports: [{ name: 'http', containerPort: 8080 }],
          env: [{ name: 'my.var-1', value: '' }],
          resources: { requests: { memory: '1Gi' }, limits: { memory: '1024Mi' } },
        }),
      ],
    };
    expect(podSpecProblems(spec, 'spec')).toEqual([]);
  });
  it('checkSchema reports it on a Deployment with its field path', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ml-team' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [container({ image: 'nginx:1.27 ' })] },
        },
      },
    };
    const f = (await checkSchema([deployment], '1.31')).filter((x) => x.status === 'fail');
    expect(f).toEqual([
      expect.objectContaining({
        ruleId: 'schema.invalid',
        resource: 'Deployment/ml-team/web',
        path: 'spec.template.spec.containers[0].image',
      }),
    ]);
  });
});

describe('schema.namespace-exists', () => {
  const builtIn = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
  it('fails for an object in a namespace nothing creates', () => {
    const cert = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'ca', namespace: 'cert-manager' },
    };
    expect(checkNamespacesExist([cert], builtIn)).toEqual([
      {
        ruleId: 'schema.namespace-exists',
        status: 'fail',
        resource: 'Certificate/cert-manager/ca',
        path: 'metadata.namespace',
        message:
          'namespace "cert-manager" is neither created by the tree nor built in (default, kube-system, kube-public, kube-node-lease)',
        fix: 'add a Namespace "cert-manager" to the tree (in a sync wave before its objects), or move the object',
      },
    ]);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cert-manager' } };
    expect(checkNamespacesExist([cert, ns], builtIn)).toEqual([]);
    const inDefault = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'kube-public' },
    };
    expect(checkNamespacesExist([inDefault], builtIn)).toEqual([]);
  });
  it.each(['local', 'dev', 'staging', 'prod'])(
    'the example tree creates every namespace it uses in %s',
    (env) => {
      const objects = objectsOf(environment(exampleSpec(), env));
      expect(checkNamespacesExist(objects, [...builtIn, 'monitoring', 'ingress-nginx'])).toEqual([]);
    },
  );
  it('the local cert-manager Namespace comes in a wave before the issuers that use it', async () => {
    const { synthesize } = await import('../src/synth/platform.js');
    const components = synthesize(exampleSpec().environments.get('local')!);
    const nsWave = components.find((c) =>
      c.files.some((f) =>
        f.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === 'cert-manager'),
      ),
    )!.wave;
    const tlsWave = components.find((c) => c.name === 'tls')!.wave;
    expect(nsWave).toBeLessThan(tlsWave);
  });
});

describe('mlp admit and reach in namespaces the cluster has without the tree', () => {
  it('admit -n default / kube-system answers (no LimitRange or quota there) instead of exit 2', async () => {
    // The pod without its own namespace, so that -n places it (a contradicting -n is an error).
    const file = join(tempDir(), 'pod.yaml');
    writeFileSync(
      file,
      readFileSync(join(ROOT, 'testdata', 'pods', 'fits.yaml'), 'utf8').replace('  namespace: ml-team\n', ''),
    );
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'monitoring']) {
      const r = await mlp(['admit', file, '-n', ns, '-f', EXAMPLE]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`admitted: pod`);
    }
    const none = await mlp(['admit', file, '-n', 'nowhere', '-f', EXAMPLE]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'unknown namespace "nowhere": neither the local tree nor the cluster creates it',
    );
  });
  it('reach knows kube-public and kube-node-lease', async () => {
    const r = await mlp(['reach', 'kube-public', 'ml-team', '-f', EXAMPLE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('denied');
  });
});
