/**
 * The spec's `observability:` section: runbook links, alert thresholds, SLOs, metrics
 * retention, and the logs and traces stores (retention, volume size, trace sampling). The shapes are zod's; what the values mean (threshold order, objectives that can
 * still fire, latency thresholds on a histogram bound) is the observability module's own
 * validation, run here so a bad SLO is a located spec error and never reaches synthesis.
 */
import { z } from 'zod';
import { durationMs } from '../engines/telemetry.js';
import { validateThresholds } from '../observability/alerts.js';
import { validateSlos } from '../observability/slo.js';
import { type AlertThresholds, DEFAULT_THRESHOLDS, type SloSpec } from '../observability/types.js';
import type { ResolvedObservability } from './model.js';

/**
 * prometheus-operator's `Duration` (monitoring.coreos.com/v1, e.g. Prometheus `spec.retention`):
 * the pattern of its CRD, as `@kubernetes-models/prometheus-operator` 6.0.0 ships it.
 */
export const PROMETHEUS_DURATION =
  /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

const duration = z
  .string()
  .max(32)
  .regex(PROMETHEUS_DURATION, 'a Prometheus duration such as 15d, 4w or 12h')
  .refine((s) => s !== '' && s !== '0', 'a retention longer than 0, e.g. 15d');

/**
 * Metrics retention per environment. The SLO rules evaluate error ratios over the SLO window
 * (30d), so prod keeps 30 days; smaller environments keep less (budget series there are partial).
 */
export const DEFAULT_METRICS_RETENTION = { local: '2d', dev: '7d', staging: '15d', prod: '30d' } as const;

/** Logs are kept 7 days everywhere (seed 004, Phase 3: "Loki … retention 7 days"). */
export const DEFAULT_LOGS_RETENTION = { local: '7d', dev: '7d', staging: '7d', prod: '7d' } as const;
/** Traces are bulkier than logs and read within days of an incident. */
export const DEFAULT_TRACES_RETENTION = { local: '1d', dev: '3d', staging: '7d', prod: '7d' } as const;
/** PersistentVolumeClaim sizes of Loki and Tempo per environment. */
export const DEFAULT_LOGS_STORAGE = { local: '5Gi', dev: '10Gi', staging: '20Gi', prod: '50Gi' } as const;
export const DEFAULT_TRACES_STORAGE = { local: '5Gi', dev: '10Gi', staging: '10Gi', prod: '20Gi' } as const;
/** Head sampling of traces at the collector (issue 10: "10 % … sampling configurable"). */
export const DEFAULT_SAMPLING_PERCENT = 10;

/** `{environment}` in runbookBaseUrl is replaced by the environment's name. */
export const ENVIRONMENT_PLACEHOLDER = '{environment}';

/**
 * A volume size as a Kubernetes quantity, in binary units only and at most 999999Ti: a size a
 * StorageClass can provision, never an exponent or a fraction that the chart would pass through.
 */
const storageSize = z
  .string()
  .max(16)
  .regex(/^[1-9][0-9]{0,5}(Mi|Gi|Ti)$/, 'a volume size such as 10Gi (Mi, Gi or Ti)');

const DAY_MS = 24 * 3600e3;
/**
 * Loki's and Tempo's retention: at least a day (Loki's compactor deletes whole 24h index
 * periods, so less is not honoured) and at most ten years (a bound, so the hours the charts are
 * given stay exact integers).
 */
const storeRetention = duration.refine((s) => {
  const ms = durationMs(s);
  return ms >= DAY_MS && ms <= 3650 * DAY_MS;
}, 'a retention from 1d to 3650d, e.g. 7d');

/** One value per environment, each optional (the default fills it). */
const perEnvironment = <T extends z.ZodType>(t: T) =>
  z.strictObject({ local: t.optional(), dev: t.optional(), staging: t.optional(), prod: t.optional() });

const logs = z.strictObject({
  retention: perEnvironment(storeRetention)
    .default({})
    .describe('Loki retention per environment. @default 7d everywhere (seed 004)'),
  storage: perEnvironment(storageSize)
    .default({})
    .describe("Loki's volume per environment. @default local 5Gi, dev 10Gi, staging 20Gi, prod 50Gi"),
});

const tracing = z.strictObject({
  samplingPercent: z
    .number()
    .min(0, 'a percentage from 0 to 100')
    .max(100, 'a percentage from 0 to 100')
    .default(DEFAULT_SAMPLING_PERCENT)
    .describe(
      'Share of traces kept, decided once per trace id at the OpenTelemetry Collector (head sampling, probabilistic_sampler). @default 10',
    ),
  retention: perEnvironment(storeRetention)
    .default({})
    .describe('Tempo retention per environment. @default local 1d, dev 3d, staging 7d, prod 7d'),
  storage: perEnvironment(storageSize)
    .default({})
    .describe("Tempo's volume per environment. @default local 5Gi, dev 10Gi, staging 10Gi, prod 20Gi"),
});

const thresholdKeys = Object.keys(DEFAULT_THRESHOLDS) as (keyof typeof DEFAULT_THRESHOLDS)[];
const thresholds = z.strictObject(
  Object.fromEntries(thresholdKeys.map((k) => [k, z.number().optional()])) as Record<
    keyof typeof DEFAULT_THRESHOLDS,
    z.ZodOptional<z.ZodNumber>
  >,
);

const slo = z.strictObject({
  name: z.string().describe('DNS-1123 label; names the recorded series and the alerts'),
  model: z.string().describe("Value of the model server's model label"),
  availability: z
    .number()
    .optional()
    .describe('Fraction of requests that must not fail with a 5xx, e.g. 0.995'),
  latency: z
    .strictObject({ objective: z.number(), thresholdMs: z.number() })
    .optional()
    .describe('Fraction objective of requests must finish within thresholdMs (a histogram bucket bound)'),
  window: z.enum(['28d', '30d']).optional().describe('@default 30d'),
});

/** `slos[1].latency.thresholdMs: …` → (['slos', 1, 'latency', 'thresholdMs'], '…'). */
function located(line: string): { path: (string | number)[]; message: string } {
  const m = /^([A-Za-z]\w*(?:\[\d+\]|\.[A-Za-z]\w*)*): (.*)$/s.exec(line);
  if (!m) return { path: [], message: line };
  const path = [...m[1]!.matchAll(/([A-Za-z]\w*)|\[(\d+)\]/g)].map((p) => (p[2] ? Number(p[2]) : p[1]!));
  return { path, message: m[2]! };
}

export const observabilitySchema = z
  .strictObject({
    runbookBaseUrl: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[^\s\p{Cc}]+$/u, 'a URL or path without spaces or control characters')
      .optional()
      .describe(
        'Alerts link to <runbookBaseUrl>/<alert>.md; {environment} is replaced by the environment. @default <gitops.path>/{environment}/runbooks (the runbooks folder of the rendered tree, relative to the repository root)',
      ),
    thresholds: thresholds
      .default({})
      .describe('Overrides of the platform alert thresholds (fractions, 0.9 = 90 %)'),
    slos: z.array(slo).max(100).default([]).describe('Service level objectives per model'),
    metricsRetention: z
      .strictObject({
        local: duration.optional(),
        dev: duration.optional(),
        staging: duration.optional(),
        prod: duration.optional(),
      })
      .default({})
      .describe('Prometheus retention per environment. @default local 2d, dev 7d, staging 15d, prod 30d'),
    logs: logs.prefault({}).describe('Loki (logs of every pod, and OTLP logs)'),
    tracing: tracing.prefault({}).describe('Tempo and the OpenTelemetry Collector (OTLP traces)'),
  })
  .check((ctx) => {
    const t = { ...DEFAULT_THRESHOLDS };
    for (const [k, v] of Object.entries(ctx.value.thresholds))
      if (v !== undefined) Object.assign(t, { [k]: v });
    for (const line of validateThresholds(t)) {
      const { path, message } = located(line);
      ctx.issues.push({
        code: 'custom',
        message,
        input: ctx.value.thresholds,
        path: ['thresholds', ...path],
      });
    }
    for (const line of validateSlos(ctx.value.slos as SloSpec[])) {
      const { path, message } = located(line);
      ctx.issues.push({ code: 'custom', message, input: ctx.value.slos, path });
    }
  })
  .prefault({});

export type ObservabilitySpec = z.infer<typeof observabilitySchema>;

/** One environment's view: defaults filled, `{environment}` replaced. */
export function resolveObservability(
  raw: { readonly observability: ObservabilitySpec; readonly gitops?: { readonly path: string } | undefined },
  env: keyof typeof DEFAULT_METRICS_RETENTION,
): ResolvedObservability {
  const o = raw.observability;
  const base = o.runbookBaseUrl ?? `${raw.gitops?.path ?? 'gitops'}/${ENVIRONMENT_PLACEHOLDER}/runbooks`;
  const thresholds: Partial<AlertThresholds> = {};
  for (const k of Object.keys(o.thresholds).sort() as (keyof AlertThresholds)[]) {
    const v = o.thresholds[k];
    if (v !== undefined) Object.assign(thresholds, { [k]: v });
  }
  return {
    runbookBaseUrl: base.replaceAll(ENVIRONMENT_PLACEHOLDER, env),
    thresholds,
    slos: o.slos.map((s) => ({ ...s })),
    metricsRetention: o.metricsRetention[env] ?? DEFAULT_METRICS_RETENTION[env],
    logs: {
      retention: o.logs.retention[env] ?? DEFAULT_LOGS_RETENTION[env],
      storage: o.logs.storage[env] ?? DEFAULT_LOGS_STORAGE[env],
    },
    tracing: {
      samplingPercent: o.tracing.samplingPercent,
      retention: o.tracing.retention[env] ?? DEFAULT_TRACES_RETENTION[env],
      storage: o.tracing.storage[env] ?? DEFAULT_TRACES_STORAGE[env],
    },
  };
}
