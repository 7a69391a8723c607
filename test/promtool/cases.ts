/**
 * promtool unit-test cases for every generated alert: series in, alerts (or silence) out.
 * Values are hand-derived from the scenario (see each comment), not read back from promtool.
 * Series are one sample a minute, sample i at minute i.
 */
import type { SloSpec } from '../../src/observability/types.js';

export interface Series {
  readonly series: string;
  readonly values: string;
}

export interface ExpectedAlert {
  /** Labels the expression yields (rule labels such as severity are added from the rule). */
  readonly labels: Readonly<Record<string, string>>;
  /** The alert's value, for the annotations' `{{ $value }}`. */
  readonly value: number;
}

export interface AlertCase {
  readonly name: string;
  readonly series: readonly Series[];
  readonly evalTime: string;
  /** alertname → alerts expected at evalTime (`[]` = must stay silent). */
  readonly expect: Readonly<Record<string, readonly ExpectedAlert[]>>;
}

export interface ExprCase {
  readonly name: string;
  readonly series: readonly Series[];
  readonly evalTime: string;
  readonly expr: string;
  /** Expected samples (labels without the metric name, `{a="b"}`); at most one, compared within 1e-9. */
  readonly samples: readonly { readonly labels: string; readonly value: number }[];
}

/** Counter values: 0 at minute 0, then `[increase per minute, minutes]` phases. */
export function ramp(...phases: readonly (readonly [number, number])[]): string {
  const parts = ['0'];
  let last = 0;
  for (const [step, minutes] of phases) {
    if (minutes <= 0) continue;
    parts.push(`${last + step}+${step}x${minutes - 1}`);
    last += step * minutes;
  }
  return parts.join(' ');
}

/** A gauge holding `value` for `minutes + 1` samples. */
const hold = (value: number, minutes: number) => `${value}x${minutes}`;

export const TEST_SLOS: readonly SloSpec[] = [
  {
    name: 'sentiment',
    model: 'sentiment',
    availability: 0.999,
    latency: { objective: 0.95, thresholdMs: 200 },
  },
  { name: 'sentiment-28d', model: 'sentiment', availability: 0.999, window: '28d' },
  { name: 'ranker', model: 'ranker', latency: { objective: 0.99, thresholdMs: 1000 } },
];

/** Requests of model `sentiment`: ok and 5xx counters, phases of [total/min, errors/min, minutes]. */
function traffic(...phases: readonly (readonly [number, number, number])[]): Series[] {
  return [
    {
      series: 'inference_requests_total{model="sentiment",version="1",code="200",job="model-server"}',
      values: ramp(...phases.map(([r, e, m]) => [r - e, m] as const)),
    },
    {
      series: 'inference_requests_total{model="sentiment",version="1",code="500",job="model-server"}',
      values: ramp(...phases.map(([, e, m]) => [e, m] as const)),
    },
  ];
}

/** Latency histogram of `model`: requests/min and requests/min under the bound `le`. */
function latency(model: string, le: string, total: number, fast: number, minutes: number): Series[] {
  return [
    {
      series: `inference_request_duration_seconds_count{model="${model}",version="1",job="model-server"}`,
      values: ramp([total, minutes]),
    },
    {
      series: `inference_request_duration_seconds_bucket{model="${model}",version="1",le="${le}",job="model-server"}`,
      values: ramp([fast, minutes]),
    },
  ];
}

const sli = (slo: string, kind: string, model = 'sentiment') => ({ model, sli: kind, slo });

const FAST = 'SentimentAvailabilityBudgetBurnFast';
const SLOW = 'SentimentAvailabilityBudgetBurnSlow';
const FAST28 = 'Sentiment28dAvailabilityBudgetBurnFast';
const SLOW28 = 'Sentiment28dAvailabilityBudgetBurnSlow';
const LFAST = 'SentimentLatencyBudgetBurnFast';
const LSLOW = 'SentimentLatencyBudgetBurnSlow';
const RFAST = 'RankerLatencyBudgetBurnFast';
const RSLOW = 'RankerLatencyBudgetBurnSlow';

export const SLO_ALERT_CASES: readonly AlertCase[] = [
  {
    // 2 % errors > 14.4 × 0.1 % (30d) and > 13.44 × 0.1 % (28d) over 1h and 5m.
    name: 'steady 2 % errors pages on both windows',
    series: traffic([1000, 20, 70]),
    evalTime: '65m',
    expect: {
      [FAST]: [{ labels: sli('sentiment', 'availability'), value: 0.02 }],
      [FAST28]: [{ labels: sli('sentiment-28d', 'availability'), value: 0.02 }],
    },
  },
  {
    // 20 % errors in minutes 31–40, clean after: at 70m the 1h ratio is 2000/60000 = 3.3 % and the
    // 6h ratio 2.9 % (long windows over the threshold), but the 5m and 30m ratios are 0: no page.
    name: 'burst over: only the long windows exceed, no page',
    series: traffic([1000, 0, 30], [1000, 200, 10], [1000, 0, 30]),
    evalTime: '70m',
    expect: { [FAST]: [], [FAST28]: [] },
  },
  {
    // Clean hour, then 3 % for 5 minutes: 5m ratio 3 % > 1.44 %, but 1h = 150/60000 = 0.25 % and
    // 30m = 0.5 % (< 0.6 % and < 0.56 %): the short window alone does not page.
    name: 'fresh spike: only the short window exceeds, no page',
    series: traffic([1000, 0, 60], [1000, 30, 5]),
    evalTime: '65m',
    expect: { [FAST]: [], [FAST28]: [] },
  },
  {
    // 1.4 %: below 14.4 × 0.1 % = 1.44 % (30d) but above 13.44 × 0.1 % = 1.344 % (28d). Five
    // clean hours first keep the 6h ratio (0.25 %) under both 6h thresholds.
    name: '1.4 % errors page on the 28-day SLO only (burn rates scaled to the window)',
    series: traffic([1000, 0, 300], [1000, 14, 70]),
    evalTime: '365m',
    expect: { [FAST]: [], [FAST28]: [{ labels: sli('sentiment-28d', 'availability'), value: 0.014 }] },
  },
  {
    // 0.2 % for two hours: the 3d and 6h ratios (over the data there is) exceed 1 × 0.1 %; the
    // 1d pair (3 × 0.1 %) and the pages do not. The value is the 3d ratio.
    name: 'steady 0.2 % errors opens a ticket, does not page',
    series: traffic([1000, 2, 130]),
    evalTime: '125m',
    expect: {
      [SLOW]: [{ labels: sli('sentiment', 'availability'), value: 0.002 }],
      [SLOW28]: [{ labels: sli('sentiment-28d', 'availability'), value: 0.002 }],
      [FAST]: [],
      [FAST28]: [],
    },
  },
  {
    // 0.3 % for 6 hours, then 6h10m clean: the 3d ratio (0.15 %) is over 1 × 0.1 % and the 1d
    // ratio under 3 × 0.1 %, but the 6h ratio is 0: no ticket.
    name: 'slow burn over: only the 3d window exceeds, no ticket',
    series: traffic([1000, 3, 360], [1000, 0, 370]),
    evalTime: '730m',
    expect: { [SLOW]: [], [SLOW28]: [] },
  },
  {
    name: '0.05 % errors stay within budget: no ticket',
    series: traffic([1000, 0.5, 130]),
    evalTime: '125m',
    expect: { [SLOW]: [], [SLOW28]: [], [FAST]: [] },
  },
  {
    // Counters exist but do not move: every ratio divides by (0 > 0) → no sample → nothing fires.
    name: 'quiet service with no traffic never pages',
    series: [
      {
        series: 'inference_requests_total{model="sentiment",version="1",code="200"}',
        values: hold(500, 130),
      },
      { series: 'inference_requests_total{model="sentiment",version="1",code="500"}', values: hold(50, 130) },
      {
        series: 'inference_request_duration_seconds_count{model="sentiment",version="1"}',
        values: hold(550, 130),
      },
      {
        series: 'inference_request_duration_seconds_bucket{model="sentiment",version="1",le="0.2"}',
        values: hold(10, 130),
      },
    ],
    evalTime: '125m',
    expect: { [FAST]: [], [SLOW]: [], [FAST28]: [], [SLOW28]: [], [LFAST]: [], [LSLOW]: [] },
  },
  {
    name: 'no series at all never pages',
    series: [{ series: 'up{job="model-server"}', values: hold(1, 100) }],
    evalTime: '90m',
    expect: { [FAST]: [], [SLOW]: [], [LFAST]: [], [RFAST]: [], [RSLOW]: [] },
  },
  {
    // 80 % of requests slower than 200 ms > 14.4 × 5 % = 72 %.
    name: 'latency: 80 % slow requests page',
    series: latency('sentiment', '0.2', 100, 20, 70),
    evalTime: '65m',
    expect: { [LFAST]: [{ labels: sli('sentiment', 'latency'), value: 0.8 }] },
  },
  {
    // 20 % slow: under 72 % and 30 % (pages), over 3 × 5 % = 15 % on 1d and 2h (ticket).
    name: 'latency: 20 % slow requests open a ticket, no page',
    series: latency('sentiment', '0.2', 100, 80, 70),
    evalTime: '65m',
    expect: { [LFAST]: [], [LSLOW]: [{ labels: sli('sentiment', 'latency'), value: 0.2 }] },
  },
  {
    name: 'latency: 3 % slow requests are within the 5 % budget',
    series: latency('sentiment', '0.2', 100, 97, 70),
    evalTime: '65m',
    expect: { [LFAST]: [], [LSLOW]: [] },
  },
  {
    // Integral bound 1 s: prom-client writes le="1". 20 % slow > 14.4 × 1 % = 14.4 %.
    name: 'latency on an integral bucket (le="1"): 20 % slow pages and tickets',
    series: latency('ranker', '1', 100, 80, 70),
    evalTime: '65m',
    expect: {
      [RFAST]: [{ labels: sli('ranker', 'latency', 'ranker'), value: 0.2 }],
      [RSLOW]: [{ labels: sli('ranker', 'latency', 'ranker'), value: 0.2 }],
    },
  },
  {
    name: 'latency on an integral bucket as Prometheus 3 stores it (le="1.0") pages too',
    series: latency('ranker', '1.0', 100, 80, 70),
    evalTime: '65m',
    expect: { [RFAST]: [{ labels: sli('ranker', 'latency', 'ranker'), value: 0.2 }] },
  },
  {
    // 5 % slow: under 14.4 % and 6 % (pages), over 3 × 1 % on 1d and 2h (ticket).
    name: 'ranker: 5 % slow opens a ticket, no page',
    series: latency('ranker', '1', 100, 95, 70),
    evalTime: '65m',
    expect: { [RFAST]: [], [RSLOW]: [{ labels: sli('ranker', 'latency', 'ranker'), value: 0.05 }] },
  },
  {
    name: 'ranker: 0.5 % slow is within budget',
    series: latency('ranker', '1', 200, 199, 70),
    evalTime: '65m',
    expect: { [RFAST]: [], [RSLOW]: [] },
  },
];

const cpu = (idlePerMinute: number) => [
  {
    series: 'node_cpu_seconds_total{cpu="0",mode="idle",instance="n1:9100",job="node-exporter"}',
    values: ramp([idlePerMinute, 30]),
  },
];
const memory = (available: number) => [
  { series: 'node_memory_MemAvailable_bytes{instance="n1:9100"}', values: hold(available, 30) },
  { series: 'node_memory_MemTotal_bytes{instance="n1:9100"}', values: hold(100, 30) },
];
const nodes = (ready: number, notReady: number) =>
  Array.from({ length: ready + notReady }, (_, i) => ({
    series: `kube_node_status_condition{node="n${i}",condition="Ready",status="true",job="kube-state-metrics"}`,
    values: hold(i < ready ? 1 : 0, 20),
  }));
const pvc = (used: number, capacity: number) => [
  {
    series:
      'kubelet_volume_stats_used_bytes{namespace="data-team",persistentvolumeclaim="pg-data",job="kubelet"}',
    values: hold(used, 20),
  },
  {
    series:
      'kubelet_volume_stats_capacity_bytes{namespace="data-team",persistentvolumeclaim="pg-data",job="kubelet"}',
    values: hold(capacity, 20),
  },
];
const PVC_LABELS = { job: 'kubelet', namespace: 'data-team', persistentvolumeclaim: 'pg-data' };
/** `count` Jobs whose Failed condition appears at minute `at` (absent before). */
const failedJobs = (count: number, at: number, until: number) =>
  Array.from({ length: count }, (_, i) => ({
    series: `kube_job_failed{namespace="ml-team",job_name="train-${i}",condition="true"}`,
    values: at > 0 ? `_x${at} ${hold(1, until - at)}` : hold(1, until),
  }));
const CRASH = {
  container: 'main',
  job: 'kube-state-metrics',
  namespace: 'ml-team',
  pod: 'trainer-0',
  reason: 'CrashLoopBackOff',
};
const crashSeries = (values: string) => [
  {
    series:
      'kube_pod_container_status_waiting_reason{namespace="ml-team",pod="trainer-0",container="main",reason="CrashLoopBackOff",job="kube-state-metrics"}',
    values,
  },
];
const gpuPod = (resource: string, unschedulable: boolean) => [
  {
    series: `kube_pod_container_resource_requests{namespace="ml-team",pod="train-gpu",container="main",resource="${resource}",unit="integer"}`,
    values: hold(2, 20),
  },
  ...(unschedulable
    ? [{ series: 'kube_pod_status_unschedulable{namespace="ml-team",pod="train-gpu"}', values: hold(1, 20) }]
    : []),
];
/** Latency histogram of model m: requests/min per bucket bound (cumulative). */
const p95 = (perBucket: Readonly<Record<string, number>>) =>
  Object.entries(perBucket).map(([le, n]) => ({
    series: `inference_request_duration_seconds_bucket{model="m",version="1",le="${le}"}`,
    values: ramp([n, 20]),
  }));
const quota = (used: number, hard: number) => [
  {
    series:
      'kube_resourcequota{namespace="ml-team",resourcequota="team-quota",resource="requests.cpu",type="used",job="kube-state-metrics"}',
    values: hold(used, 20),
  },
  {
    series:
      'kube_resourcequota{namespace="ml-team",resourcequota="team-quota",resource="requests.cpu",type="hard",job="kube-state-metrics"}',
    values: hold(hard, 20),
  },
];
const QUOTA_LABELS = {
  job: 'kube-state-metrics',
  namespace: 'ml-team',
  resource: 'requests.cpu',
  resourcequota: 'team-quota',
};

export const PLATFORM_ALERT_CASES: readonly AlertCase[] = [
  {
    // idle 10.8 s per 60 s → usage 82 %: elevated (80 %) but not high (85 %).
    name: 'CPU at 82 %: elevated, not high',
    series: cpu(10.8),
    evalTime: '25m',
    expect: { ClusterCPUUsageElevated: [{ labels: {}, value: 0.82 }], ClusterCPUUsageHigh: [] },
  },
  {
    name: 'CPU at 90 %: high, and the elevated alert stops at 85 %',
    series: cpu(6),
    evalTime: '25m',
    expect: { ClusterCPUUsageHigh: [{ labels: {}, value: 0.9 }], ClusterCPUUsageElevated: [] },
  },
  {
    name: 'CPU at 75 %: silent',
    series: cpu(15),
    evalTime: '25m',
    expect: { ClusterCPUUsageElevated: [], ClusterCPUUsageHigh: [] },
  },
  {
    name: 'memory at 82 %: elevated, not high',
    series: memory(18),
    evalTime: '20m',
    expect: { ClusterMemoryUsageElevated: [{ labels: {}, value: 0.82 }], ClusterMemoryUsageHigh: [] },
  },
  {
    name: 'memory at 90 %: high only',
    series: memory(10),
    evalTime: '20m',
    expect: { ClusterMemoryUsageHigh: [{ labels: {}, value: 0.9 }], ClusterMemoryUsageElevated: [] },
  },
  {
    name: 'memory at 50 %: silent',
    series: memory(50),
    evalTime: '20m',
    expect: { ClusterMemoryUsageElevated: [], ClusterMemoryUsageHigh: [] },
  },
  {
    name: '2 of 5 nodes not Ready (40 %): critical',
    series: nodes(3, 2),
    evalTime: '10m',
    expect: { NodesNotReady: [{ labels: {}, value: 0.4 }] },
  },
  {
    name: '1 of 5 nodes not Ready (exactly 20 %): not more than 20 %, silent',
    series: nodes(4, 1),
    evalTime: '10m',
    expect: { NodesNotReady: [] },
  },
  {
    name: 'CrashLoopBackOff for 20 minutes fires',
    series: crashSeries(hold(1, 25)),
    evalTime: '20m',
    expect: { PodCrashLooping: [{ labels: CRASH, value: 1 }] },
  },
  {
    name: 'CrashLoopBackOff for 10 minutes is still pending',
    series: crashSeries(`${hold(0, 10)} ${hold(1, 10)}`),
    evalTime: '20m',
    expect: { PodCrashLooping: [] },
  },
  {
    name: 'PVC 92 % full: warning only',
    series: pvc(92, 100),
    evalTime: '10m',
    expect: {
      PersistentVolumeClaimAlmostFull: [{ labels: PVC_LABELS, value: 0.92 }],
      PersistentVolumeClaimFull: [],
    },
  },
  {
    name: 'PVC 97 % full: critical only',
    series: pvc(97, 100),
    evalTime: '10m',
    expect: {
      PersistentVolumeClaimFull: [{ labels: PVC_LABELS, value: 0.97 }],
      PersistentVolumeClaimAlmostFull: [],
    },
  },
  {
    name: 'PVC 50 % full, and a volume reporting capacity 0: silent',
    series: [
      ...pvc(50, 100),
      {
        series: 'kubelet_volume_stats_used_bytes{namespace="x",persistentvolumeclaim="y"}',
        values: hold(5, 20),
      },
      {
        series: 'kubelet_volume_stats_capacity_bytes{namespace="x",persistentvolumeclaim="y"}',
        values: hold(0, 20),
      },
    ],
    evalTime: '10m',
    expect: { PersistentVolumeClaimAlmostFull: [], PersistentVolumeClaimFull: [] },
  },
  {
    name: '6 Jobs failed within the hour: critical',
    series: failedJobs(6, 30, 80),
    evalTime: '70m',
    expect: { TrainingJobsFailing: [{ labels: {}, value: 6 }] },
  },
  {
    name: '5 Jobs failed within the hour: not more than 5, silent',
    series: failedJobs(5, 30, 80),
    evalTime: '70m',
    expect: { TrainingJobsFailing: [] },
  },
  {
    name: '6 Jobs that failed more than an hour ago: silent',
    series: failedJobs(6, 0, 130),
    evalTime: '125m',
    expect: { TrainingJobsFailing: [] },
  },
  {
    name: 'pod requesting 2 GPUs unschedulable for 20 minutes',
    series: gpuPod('nvidia_com_gpu', true),
    evalTime: '15m',
    expect: { GPUAllocationFailing: [{ labels: { namespace: 'ml-team', pod: 'train-gpu' }, value: 2 }] },
  },
  {
    name: 'unschedulable pod without GPUs, and a GPU pod that is scheduled: silent',
    series: [
      ...gpuPod('cpu', true),
      {
        series:
          'kube_pod_container_resource_requests{namespace="ml-team",pod="gpu-ok",container="main",resource="nvidia_com_gpu",unit="integer"}',
        values: hold(1, 20),
      },
    ],
    evalTime: '15m',
    expect: { GPUAllocationFailing: [] },
  },
  {
    // All requests between 1 s and 2.5 s: p95 = 1 + 1.5 × 0.95 = 2.425 s.
    name: 'p95 at 2.4 s: warning',
    series: p95({ '0.2': 0, '1': 0, '2.5': 100, '+Inf': 100 }),
    evalTime: '15m',
    expect: { InferenceLatencyP95High: [{ labels: { model: 'm' }, value: 2.425 }] },
  },
  {
    name: 'p95 under 200 ms, and a model without traffic (NaN): silent',
    series: [
      ...p95({ '0.2': 100, '1': 100, '2.5': 100, '+Inf': 100 }),
      {
        series: 'inference_request_duration_seconds_bucket{model="quiet",version="1",le="1"}',
        values: hold(3, 20),
      },
      {
        series: 'inference_request_duration_seconds_bucket{model="quiet",version="1",le="+Inf"}',
        values: hold(3, 20),
      },
    ],
    evalTime: '15m',
    expect: { InferenceLatencyP95High: [] },
  },
  {
    name: 'quota 18 of 20 CPUs (exactly 90 %): warning',
    series: quota(18, 20),
    evalTime: '16m',
    expect: { TeamQuotaNearlyExhausted: [{ labels: QUOTA_LABELS, value: 0.9 }] },
  },
  {
    name: 'quota 17 of 20 CPUs, and a zero quota: silent',
    series: [
      ...quota(17, 20),
      {
        series:
          'kube_resourcequota{namespace="app-team",resourcequota="q",resource="requests.nvidia.com/gpu",type="used"}',
        values: hold(0, 20),
      },
      {
        series:
          'kube_resourcequota{namespace="app-team",resourcequota="q",resource="requests.nvidia.com/gpu",type="hard"}',
        values: hold(0, 20),
      },
    ],
    evalTime: '16m',
    expect: { TeamQuotaNearlyExhausted: [] },
  },
  {
    // One failure at minute 20. increase over (15m, 30m]: 1, not extrapolated towards the window
    // start because the counter's first sample in the window is 0 (extrapolatedRate's zero clamp).
    name: 'a model version failing to load',
    series: [
      { series: 'model_load_failures_total{model="m",version="2"}', values: `${hold(0, 19)} ${hold(1, 15)}` },
    ],
    evalTime: '30m',
    expect: { ModelLoadFailing: [{ labels: { model: 'm', version: '2' }, value: 1 }] },
  },
  {
    name: 'no load failures: silent',
    series: [{ series: 'model_load_failures_total{model="m",version="2"}', values: hold(0, 40) }],
    evalTime: '30m',
    expect: { ModelLoadFailing: [] },
  },
];

const rec = (slo: string, kind: string, model = 'sentiment') =>
  `{model="${model}", sli="${kind}", slo="${slo}"}`;

export const EXPR_CASES: readonly ExprCase[] = [
  {
    name: 'availability SLI equals the error ratio sent (2 %)',
    series: traffic([1000, 20, 70]),
    evalTime: '65m',
    expr: 'slo:sli_error:ratio_rate5m{slo="sentiment"}',
    samples: [{ labels: rec('sentiment', 'availability'), value: 0.02 }],
  },
  {
    // 0.05 % errors over the (whole available) 30d window: budget 0.1 %, half spent.
    name: 'error budget remaining: half of it after 0.05 % errors',
    series: traffic([1000, 0.5, 70]),
    evalTime: '65m',
    expr: 'slo:error_budget_remaining:ratio{slo="sentiment",sli="availability"}',
    samples: [{ labels: rec('sentiment', 'availability'), value: 0.5 }],
  },
  {
    name: 'traffic without any 5xx series records 0, not nothing',
    series: [
      {
        series: 'inference_requests_total{model="sentiment",version="1",code="200"}',
        values: ramp([100, 20]),
      },
    ],
    evalTime: '15m',
    expr: 'slo:sli_error:ratio_rate5m{slo="sentiment",sli="availability"}',
    samples: [{ labels: rec('sentiment', 'availability'), value: 0 }],
  },
  {
    name: 'no traffic records no sample (not NaN)',
    series: [
      { series: 'inference_requests_total{model="sentiment",version="1",code="200"}', values: hold(100, 20) },
      { series: 'inference_requests_total{model="sentiment",version="1",code="500"}', values: hold(7, 20) },
    ],
    evalTime: '15m',
    expr: 'slo:sli_error:ratio_rate5m{slo="sentiment",sli="availability"}',
    samples: [],
  },
  {
    name: 'latency SLI equals the share of requests over 200 ms (20 %)',
    series: latency('sentiment', '0.2', 100, 80, 40),
    evalTime: '35m',
    expr: 'slo:sli_error:ratio_rate30m{slo="sentiment",sli="latency"}',
    samples: [{ labels: rec('sentiment', 'latency'), value: 0.2 }],
  },
];
