/**
 * The spec's `models:` list of a team: model servers run on the cluster as Argo Rollouts, with
 * a canary judged by the same thresholds as the pure analysis (src/rollout/), and an optional
 * A/B experiment (src/experiment/). Shapes and defaults here; cross-field rules (replicas XOR
 * autoscaling, thresholds the pure analysis accepts) are zod checks so every problem is a
 * located spec error.
 */
import { z } from 'zod';
import { DNS1035_LABEL_PATTERN, DNS1123_LABEL_MAX, DNS1123_LABEL_PATTERN } from '../core/names.js';
import { QUANTITY_PATTERN } from '../core/quantity.js';
import { durationSeconds, thresholdProblems } from '../rollout/thresholds.js';

/**
 * An image pinned by digest (`repo@sha256:…` or `repo:tag@sha256:…`): a tag alone can be
 * moved under a running Rollout, and then stable and canary would not be what was analysed.
 */
export const PINNED_IMAGE =
  /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[a-f0-9]{64}$/;

export const pinnedImage = z
  .string()
  .max(512)
  .regex(
    PINNED_IMAGE,
    'an image pinned by digest, e.g. ghcr.io/acme-ml/mlp:0.4.0@sha256:<64 hex digits> (a tag alone can move under a running Rollout)',
  )
  .describe('Container image pinned by digest (repo[:tag]@sha256:…)');

/**
 * Service names are `<model>-stable` / `<model>-canary` (DNS-1035, ≤ 63): a model name keeps
 * room for the longest suffix.
 */
const MODEL_NAME_MAX = DNS1123_LABEL_MAX - '-canary'.length;
const modelName = z
  .string()
  .max(MODEL_NAME_MAX)
  .regex(
    new RegExp(DNS1035_LABEL_PATTERN),
    'a model name (DNS-1035 label): a lowercase letter, then lowercase letters, digits and "-", e.g. sentiment',
  )
  .describe(
    `Model name (DNS-1035 label, at most ${MODEL_NAME_MAX}): names the Rollout, its Services and Ingress`,
  );

/** A name the registry accepts and Argo pastes into PromQL verbatim (src/rollout/prometheus.ts SAFE_VALUE). */
const registeredModel = z
  .string()
  .max(128)
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/,
    'a registered model name: letters, digits, ".", "_" and "-", starting and ending with a letter or digit',
  );

const quantity = z
  .union([
    z
      .string()
      .regex(new RegExp(QUANTITY_PATTERN), 'a Kubernetes quantity such as 500m, 2 or 1Gi')
      .refine((t) => !t.trim().startsWith('-'), 'expected a quantity above 0'),
    z.number().positive(),
  ])
  .transform(String);

const computePair = z.strictObject({ cpu: quantity, memory: quantity });

/** Go's time.ParseDuration form, which Argo's pause duration and analysis interval both accept. */
const duration = z
  .string()
  .max(32)
  .refine(
    (t) => durationSeconds(t) !== undefined && durationSeconds(t)! > 0,
    'a duration such as 30s, 5m or 1h',
  );

const step = z.union([
  z.strictObject({
    setWeight: z.number().int().min(1).max(100).describe('Share of traffic (%) routed to the canary'),
  }),
  z.strictObject({
    pause: z
      .strictObject({ duration: duration.optional().describe('Omitted: wait for a manual promote') })
      .describe('Hold the canary at its weight'),
  }),
]);

export const DEFAULT_STEPS = [
  { setWeight: 10 },
  { pause: { duration: '1m' } },
  { setWeight: 50 },
  { pause: { duration: '1m' } },
] as const;

const analysis = z
  .strictObject({
    maxErrorRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .describe('Highest 5xx share per interval. @default 0.01'),
    maxP95Ms: z.number().positive().default(500).describe('Highest p95 latency (ms). @default 500'),
    maxP99Ms: z.number().positive().optional().describe('Highest p99 latency (ms); unset = not judged'),
    minRequests: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe('Fewest requests an interval needs to be judged; fewer is Inconclusive. @default 50'),
    interval: duration.default('1m').describe('Time between measurements. @default 1m'),
    count: z.number().int().min(1).max(100).default(3).describe('Measurements per analysis. @default 3'),
    failureLimit: z.number().int().min(0).default(0).describe('Failed measurements tolerated. @default 0'),
    consecutiveErrorLimit: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Query errors in a row tolerated. @default 4 (Argo Rollouts default)'),
  })
  .describe('Thresholds of the canary analysis (AnalysisTemplate and the pure analysis)');

const rollout = z
  .strictObject({
    steps: z
      .array(step)
      .min(1)
      .max(50)
      .default(DEFAULT_STEPS.map((s) => ({ ...s })))
      .describe(
        'Canary steps; an analysis runs after every setWeight. @default 10 %, pause 1m, 50 %, pause 1m',
      ),
    analysis: analysis.prefault({}),
  })
  .describe('Canary strategy of the Rollout');

const experiment = z
  .strictObject({
    challengerPercent: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(50)
      .describe('Share (%) of request keys assigned to the challenger. @default 50'),
    metric: z
      .enum(['conversion', 'accuracy'])
      .default('conversion')
      .describe('Outcome judged from POST /feedback (higher is better). @default conversion'),
    minimumDetectableEffect: z
      .number()
      .gt(0)
      .lt(1)
      .describe('Smallest absolute lift worth shipping, e.g. 0.02 = two points'),
    alpha: z
      .number()
      .gt(0)
      .lt(0.5)
      .default(0.05)
      .describe('Significance of the sequential test. @default 0.05'),
  })
  .describe('A/B experiment between the champion and challenger aliases');

const autoscaling = z
  .strictObject({
    min: z.number().int().min(1).max(1000),
    max: z.number().int().min(1).max(1000),
    targetCPUUtilizationPercentage: z.number().int().min(1).max(100).default(70).describe('@default 70'),
  })
  .refine((a) => a.max >= a.min, { message: 'expected max >= min', path: ['max'] })
  .describe('HorizontalPodAutoscaler bounds; the HPA alone owns the replica count');

const slo = z
  .strictObject({
    availability: z.number().gt(0).lt(1).optional().describe('Fraction of requests not 5xx, e.g. 0.995'),
    latencyMs: z.number().positive().optional().describe('Latency threshold (a histogram bucket bound)'),
    latencyPercent: z
      .number()
      .gt(0)
      .lt(100)
      .optional()
      .describe('Percent of requests within latencyMs, e.g. 95'),
  })
  .refine((s) => (s.latencyMs === undefined) === (s.latencyPercent === undefined), {
    message: 'latencyMs and latencyPercent go together (95 % of requests within 300 ms)',
  })
  .describe('SLOs of the model server (recorded and alerted by the observability rules)');

export const modelSchema = z
  .strictObject({
    name: modelName,
    registeredModel: registeredModel.optional().describe('Name in the model registry. @default name'),
    image: pinnedImage.optional().describe('Model server image. @default serving.image'),
    host: z
      .string()
      .max(DNS1123_LABEL_MAX)
      .regex(new RegExp(DNS1123_LABEL_PATTERN), 'a DNS-1123 label such as sentiment')
      .optional()
      .describe('Host under the environment domain. @default the model name'),
    resources: z
      .strictObject({
        requests: computePair.default({ cpu: '250m', memory: '512Mi' }),
        limits: computePair.default({ cpu: '1', memory: '1Gi' }),
      })
      .prefault({})
      .describe('Per pod. @default requests 250m/512Mi, limits 1/1Gi'),
    replicas: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('Fixed replicas (not with autoscaling). @default 2'),
    autoscaling: autoscaling.optional(),
    slo: slo.optional(),
    rollout: rollout.prefault({}),
    experiment: experiment.optional(),
  })
  .check((ctx) => {
    const m = ctx.value;
    if (m.replicas !== undefined && m.autoscaling !== undefined)
      ctx.issues.push({
        code: 'custom',
        message:
          'set replicas or autoscaling, not both: the HPA owns the replica count and a Rollout that also sets it fights it',
        input: m.replicas,
        path: ['replicas'],
      });
    const problems = thresholdProblems(analysisThresholds(m.rollout.analysis));
    for (const p of problems)
      ctx.issues.push({
        code: 'custom',
        message: p,
        input: m.rollout.analysis,
        path: ['rollout', 'analysis'],
      });
    if (!m.rollout.steps.some((s) => 'setWeight' in s))
      ctx.issues.push({
        code: 'custom',
        message:
          'expected at least one setWeight step (without one the canary never gets traffic to analyse)',
        input: m.rollout.steps,
        path: ['rollout', 'steps'],
      });
  })
  .describe('A model server on the cluster: Rollout, Services, Ingress, HPA, PDB, ServiceMonitor');

export type ModelSpec = z.infer<typeof modelSchema>;

/** The analysis thresholds in the pure analysis' units (seconds). */
export function analysisThresholds(a: ModelSpec['rollout']['analysis']) {
  return {
    maxErrorRatio: a.maxErrorRatio,
    maxP95Seconds: a.maxP95Ms / 1000,
    ...(a.maxP99Ms !== undefined ? { maxP99Seconds: a.maxP99Ms / 1000 } : {}),
    minRequests: a.minRequests,
    interval: a.interval,
    count: a.count,
    failureLimit: a.failureLimit,
    ...(a.consecutiveErrorLimit !== undefined ? { consecutiveErrorLimit: a.consecutiveErrorLimit } : {}),
  };
}

/** The registered model name, the host, the replica policy: defaults applied. */
export function modelDefaults(m: ModelSpec) {
  return {
    registeredModel: m.registeredModel ?? m.name,
    host: m.host ?? m.name,
    replicas: m.autoscaling ? undefined : (m.replicas ?? 2),
  };
}

/** The platform-level `serving:` section: the model server image every model defaults to. */
export const servingSchema = z
  .strictObject({
    image: pinnedImage
      .optional()
      .describe("The project's model server image (Dockerfile), pinned by digest; models default to it"),
  })
  .prefault({})
  .describe('Model serving defaults');
