/** Issue 11 §1 and Acceptance: what every environment renders for the example's model. */
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { describe, expect, it } from 'vitest';
import { checkCrdWaves } from '../src/check/delivery.js';
import { runChecks } from '../src/check/run.js';
import type { K8sObject } from '../src/k8s/object.js';
import { parseSpec } from '../src/spec/load.js';
import { allObjects, type Component, layoutOf } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, exampleText } from './helpers.js';
import { replace } from './spec-helpers.js';

const ENVS = ['local', 'dev', 'staging', 'prod'] as const;
const spec = exampleSpec();
const tree = (name: (typeof ENVS)[number], s = spec) => synthesize(s.environments.get(name)!);
const models = (cs: readonly Component[]) => cs.find((c) => c.name === 'models');
const objectsOf = (c: Component | undefined) => c?.files.flatMap((f) => f.objects) ?? [];
const find = (objs: readonly K8sObject[], kind: string, name: string, ns?: string) =>
  objs.find(
    (o) => o.kind === kind && o.metadata.name === name && (ns === undefined || o.metadata.namespace === ns),
  );
// biome-ignore lint/suspicious/noExplicitAny: reading nested rendered fields in assertions
const s = (o: K8sObject | undefined): any => (o as any)?.spec;

describe('models component', () => {
  for (const env of ENVS)
    it(`${env}: Rollout, Services, Ingress, HPA, PDB, ServiceMonitor, AnalysisTemplate, registry`, () => {
      const cs = tree(env);
      const c = models(cs)!;
      expect(c.wave).toBe(2);
      expect(c.files.map((f) => f.name)).toEqual(['_registry.yaml', 'ml-team.yaml']);
      const objs = objectsOf(c);
      const r = find(objs, 'Rollout', 'sentiment', 'ml-team')!;
      // Validated against the Argo Rollouts v1.9.0 CRD models: throws on a wrong field.
      new Rollout(r as never).validate();
      expect(s(r).replicas).toBeUndefined();
      const canary = s(r).strategy.canary;
      expect(canary.canaryService).toBe('sentiment-canary');
      expect(canary.stableService).toBe('sentiment-stable');
      expect(canary.trafficRouting).toEqual({ nginx: { stableIngress: 'sentiment' } });
      const analysis = {
        analysis: {
          templates: [{ templateName: 'sentiment-canary' }],
          args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
        },
      };
      expect(canary.steps).toEqual([
        { setWeight: 10 },
        analysis,
        { pause: { duration: '2m' } },
        { setWeight: 50 },
        analysis,
        { pause: { duration: '2m' } },
      ]);
      const pod = s(r).template.spec;
      const container = pod.containers[0];
      expect(container.command).toEqual([
        'mlp',
        'serve',
        '--model',
        'sentiment',
        '--registry',
        'http://mlp-registry.database.svc:5000',
        '--host',
        '0.0.0.0',
        '--port',
        '8080',
        '--shutdown-delay',
        '5s',
        // The example's experiment split, until the registry's weight tag says otherwise.
        '--challenger-percent',
        '50',
      ]);
      expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container.livenessProbe.httpGet.path).toBe('/health');
      expect(container.readinessProbe.httpGet.path).toBe('/ready');
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
      for (const name of ['sentiment-stable', 'sentiment-canary', 'sentiment-metrics'])
        expect(s(find(objs, 'Service', name)).ports).toEqual([
          { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
        ]);
      const ing = find(objs, 'Ingress', 'sentiment')!;
      expect(s(ing).rules[0].http.paths[0].backend.service.name).toBe('sentiment-stable');
      expect(s(ing).tls[0].secretName).toBe('sentiment-tls');
      expect(find(objs, 'Certificate', 'sentiment')).toBeDefined();
      const hpa = find(objs, 'HorizontalPodAutoscaler', 'sentiment')!;
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(s(hpa).scaleTargetRef).toEqual({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'sentiment',
      });
      expect([s(hpa).minReplicas, s(hpa).maxReplicas]).toEqual([2, 4]);
      expect(s(find(objs, 'PodDisruptionBudget', 'sentiment'))).toEqual({
        minAvailable: 1,
        selector: { matchLabels: { app: 'sentiment' } },
      });
      const sm = find(objs, 'ServiceMonitor', 'sentiment')!;
      expect(sm.metadata.labels?.release).toBe('kube-prometheus-stack');
      expect(s(sm).endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '15s' }]);
      expect(s(sm).podTargetLabels).toEqual(['rollouts-pod-template-hash']);
      const at = find(objs, 'AnalysisTemplate', 'sentiment-canary')!;
      new AnalysisTemplate(at as never).validate();
      expect(s(at).metrics.map((m: { name: string }) => m.name)).toEqual([
        'error-ratio',
        'latency-p95',
        'latency-p99',
      ]);
      const q = s(at).metrics[0].provider.prometheus;
      expect(q.address).toBe('http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
      expect(q.query).toContain('rollouts_pod_template_hash="{{args.canary-hash}}"');
      expect(q.query).toContain('namespace="{{args.namespace}}"');
      expect(q.query).toContain('>= 50');
      expect(s(at).metrics[1].successCondition).toContain('result[0] <= 0.5');
      // Registry
      const reg = find(objs, 'Deployment', 'mlp-registry', 'database')!;
      const rc = s(reg).template.spec.containers[0];
      expect(rc.command).toEqual([
        'mlp',
        'registry',
        'serve',
        '--host',
        '0.0.0.0',
        '--port',
        '5000',
        '--shutdown-delay',
        '5s',
      ]);
      expect(rc.env.map((e: { name: string }) => e.name)).toEqual([
        'PGUSER',
        'PGPASSWORD',
        'DATABASE_URL',
        'MLP_ARTIFACTS_URI',
        'MLP_S3_ENDPOINT',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_REGION',
        'MLP_REGISTRY_TOKEN',
      ]);
      // Every credential is a reference to a Secret, never a value.
      for (const e of rc.env as { name: string; value?: string; valueFrom?: unknown }[])
        if (/USER|PASSWORD|KEY|TOKEN/.test(e.name)) expect(e.valueFrom, e.name).toBeDefined();
      const url = rc.env.find((e: { name: string }) => e.name === 'DATABASE_URL').value;
      expect(url).not.toMatch(/@/);
      expect(s(find(objs, 'Service', 'mlp-registry', 'database')).ports).toEqual([
        { name: 'http', port: 5000, targetPort: 'http', protocol: 'TCP' },
      ]);
      expect(find(objs, 'ServiceMonitor', 'mlp-registry', 'database')).toBeDefined();
      expect(s(reg).replicas).toBe(env === 'prod' ? 2 : 1);
    });

  it('local: S3 is the in-cluster MinIO, postgres credentials are the ones beside it; dev: managed endpoints', () => {
    const rc = (env: (typeof ENVS)[number]) => {
      const objs = objectsOf(models(tree(env)));
      const d = find(objs, 'Deployment', 'mlp-registry')!;
      return {
        objs,
        env: Object.fromEntries(
          s(d).template.spec.containers[0].env.map((e: { name: string; value?: string }) => [
            e.name,
            e.value,
          ]),
        ),
      };
    };
    const local = rc('local');
    expect(local.env.MLP_S3_ENDPOINT).toBe('http://minio.storage.svc:9000');
    expect(local.env.DATABASE_URL).toBe('postgres://postgres.database.svc:5432/metadata');
    expect(local.env.MLP_ARTIFACTS_URI).toBe('s3://model-registry/artifacts');
    // The postgres-credentials Secret exists in database already (the service's own).
    expect(
      local.objs
        .filter((o) => o.kind === 'ExternalSecret')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['minio-credentials', 'mlp-registry-token']);
    expect(find(local.objs, 'NetworkPolicy', 'allow-to-minio-from-mlp-registry', 'storage')).toBeDefined();
    const dev = rc('dev');
    expect(dev.env.MLP_S3_ENDPOINT).toBe('https://s3.eu-west-1.amazonaws.com');
    expect(dev.env.AWS_REGION).toBe('eu-west-1');
    expect(
      dev.objs
        .filter((o) => o.kind === 'ExternalSecret')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['minio-credentials', 'mlp-registry-token', 'postgres-credentials']);
    expect(s(find(dev.objs, 'NetworkPolicy', 'mlp-registry-to-postgres'))).toMatchObject({
      egress: [{ to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
  });

  it('fixed replicas: the Rollout sets them, no HPA, PDB keeps one pod', () => {
    const fixed = parseSpec(
      replace(
        'autoscaling: { min: 2, max: 4, targetCPUUtilizationPercentage: 70 }',
        'replicas: 3',
        exampleText(),
      ),
    );
    const objs = objectsOf(models(tree('local', fixed)));
    expect(s(find(objs, 'Rollout', 'sentiment')).replicas).toBe(3);
    expect(objs.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(s(find(objs, 'PodDisruptionBudget', 'sentiment')).minAvailable).toBe(1);
    const single = parseSpec(
      replace(
        'autoscaling: { min: 2, max: 4, targetCPUUtilizationPercentage: 70 }',
        'replicas: 1',
        exampleText(),
      ),
    );
    expect(
      s(find(objectsOf(models(tree('local', single))), 'PodDisruptionBudget', 'sentiment')).maxUnavailable,
    ).toBe(1);
  });

  it('without an experiment the servers take no split from the spec (the registry tag decides, else 0)', () => {
    const line = exampleText()
      .split('\n')
      .find((l) => l.trim().startsWith('experiment:'))!;
    const plain = parseSpec(replace(`${line}\n`, '', exampleText()));
    const objs = objectsOf(models(tree('local', plain)));
    const command: string[] = s(find(objs, 'Rollout', 'sentiment')).template.spec.containers[0].command;
    expect(command).not.toContain('--challenger-percent');
    expect(objs.some((o) => o.kind === 'ConfigMap')).toBe(false);
  });

  it('is deterministic and absent without models', () => {
    expect(JSON.stringify(tree('staging'))).toBe(JSON.stringify(tree('staging')));
    const none = parseSpec(
      exampleText().replace(
        exampleText().slice(
          exampleText().indexOf('    # Model servers on'),
          exampleText().indexOf('\n  - name: data-team'),
        ),
        '',
      ),
    );
    const cs = tree('local', none);
    expect(models(cs)).toBeUndefined();
    expect(cs.some((c) => c.name === 'argo-rollouts')).toBe(false);
  });

  it('installs the Argo Rollouts engine before the models, and maps only its kinds to it', () => {
    const cs = tree('prod');
    const engine = cs.find((c) => c.name === 'argo-rollouts')!;
    expect(engine.wave).toBe(-1);
    const app = objectsOf(engine).find((o) => o.kind === 'Application')!;
    expect(s(app).source).toMatchObject({ chart: 'argo-rollouts', targetRevision: '2.41.0' });
    expect(s(app).source.helm.valuesObject.controller).toMatchObject({ replicas: 2, pdb: { enabled: true } });
    expect(checkCrdWaves(layoutOf(cs)).every((f) => f.status === 'pass')).toBe(true);
    // Models moved before the engine: the Rollout's CRD would not exist yet.
    const early = layoutOf(cs).map((c) => (c.name === 'models' ? { ...c, wave: -1 } : c));
    const f = checkCrdWaves(early).filter((x) => x.status === 'fail');
    expect(f.map((x) => x.resource)).toContain('Rollout/ml-team/sentiment');
    expect(f.every((x) => x.message.includes('engine argo-rollouts'))).toBe(true);
    // Argo CD's own kinds still map to Argo CD (bootstrapped, wave -3).
    expect(checkCrdWaves(early).some((x) => x.message.includes('engine argo-cd'))).toBe(false);
    // Network: the controller queries Prometheus; monitoring admits it and scrapes it.
    const mon = objectsOf(cs.find((c) => c.name === 'kube-prometheus-stack'));
    expect(find(mon, 'NetworkPolicy', 'allow-prometheus-queries-from-argo-rollouts')).toBeDefined();
    expect(find(mon, 'NetworkPolicy', 'allow-scrape-argo-rollouts')).toBeDefined();
    expect(find(objectsOf(engine), 'NetworkPolicy', 'allow-from-monitoring')).toBeDefined();
    expect(find(objectsOf(engine), 'NetworkPolicy', 'allow-to-prometheus')).toBeDefined();
  });

  for (const env of ENVS)
    it(`${env}: mlp check passes, the Rollout admitted by Pod Security restricted and the quota`, async () => {
      const e = spec.environments.get(env)!;
      const cs = synthesize(e);
      const report = await runChecks(allObjects(cs), e, { layout: layoutOf(cs) });
      const bad = report.findings.filter((f) => f.status === 'fail' || f.status === 'error');
      expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
      const on = (rule: string, res: string) =>
        report.findings.find((f) => f.ruleId === rule && f.resource === res)?.status;
      expect(on('pod-security', 'Rollout/ml-team/sentiment')).toBe('pass');
      expect(on('admission.quota', 'Rollout/ml-team/sentiment')).toBe('pass');
      expect(on('pod-security', 'Deployment/database/mlp-registry')).toBe('pass');
      expect(on('rollout.replicas-fight', 'tree')).toBe('pass');
      expect(on('rollout.analysis-nan-safe', 'tree')).toBe('pass');
    });
});
