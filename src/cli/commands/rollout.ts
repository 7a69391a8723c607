/**
 * `mlp rollout simulate -f metrics.json`: replays recorded metrics through the canary steps with
 * the very analysis (src/rollout/) whose thresholds the cluster's AnalysisTemplates carry, and
 * prints each step's verdict. Exit 0 promoted; 1 aborted or paused (not promoted); 2 bad input.
 */
import { resolve } from 'node:path';
import { type CanaryRun, type CanaryStep, runCanary } from '../../rollout/canary.js';
import type { Sample } from '../../rollout/measure.js';
import { type AnalysisThresholds, thresholdProblems } from '../../rollout/thresholds.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { readJsonFile } from '../json-file.js';
import { emit, type OutputFormat, table } from '../output.js';
import {
  argoMetricProblems,
  describeValue,
  isPlainObject,
  Problems,
  parseMeasurements,
  parseSteps,
  unknownKeys,
} from './rollout-input.js';

export interface RolloutSimulateOptions {
  readonly file: string;
  readonly steps?: string;
  readonly maxErrorRatio: string;
  readonly maxP95: string;
  readonly maxP99?: string;
  readonly minRequests: string;
  readonly failureLimit: string;
  readonly inconclusiveLimit?: string;
  readonly consecutiveErrorLimit?: string;
  readonly count?: string;
  readonly interval?: string;
  readonly promotePauses?: boolean;
  readonly output: OutputFormat;
}

/** The canary the brief of issue 11 names: 10 → 25 → 50 → 100 %, an analysis after each weight. */
export const DEFAULT_WEIGHTS = [10, 25, 50, 100] as const;

export function defaultSteps(thresholds: AnalysisThresholds): CanaryStep[] {
  return DEFAULT_WEIGHTS.flatMap((setWeight) => [{ setWeight }, { analysis: { thresholds } }]);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function flagNumber(flag: string, text: string): number {
  if (!DECIMAL.test(text)) throw new UsageError(`${flag}: expected a number, received "${text}"`);
  return Number(text);
}

function flagCount(flag: string, text: string): number {
  const n = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: expected an integer >= 0, received "${text}"`);
  return n;
}

const FLAG_OF: Record<string, string> = {
  maxErrorRatio: '--max-error-ratio',
  maxP95Seconds: '--max-p95',
  maxP99Seconds: '--max-p99',
  minRequests: '--min-requests',
  failureLimit: '--failure-limit',
  inconclusiveLimit: '--inconclusive-limit',
  consecutiveErrorLimit: '--consecutive-error-limit',
  count: '--count',
  interval: '--interval',
};

/** The thresholds the flags describeValue; `--max-p95 none` turns the latency check off. */
export function thresholdsFromFlags(o: RolloutSimulateOptions): AnalysisThresholds {
  const opt = (flag: string, text: string | undefined, parse: (f: string, t: string) => number) =>
    text === undefined ? undefined : parse(flag, text);
  const latency = (flag: string, text: string | undefined) =>
    text === undefined || text === 'none' ? undefined : flagNumber(flag, text);
  const t: AnalysisThresholds = Object.fromEntries(
    Object.entries({
      maxErrorRatio: flagNumber('--max-error-ratio', o.maxErrorRatio),
      maxP95Seconds: latency('--max-p95', o.maxP95),
      maxP99Seconds: latency('--max-p99', o.maxP99),
      minRequests: flagCount('--min-requests', o.minRequests),
      failureLimit: flagCount('--failure-limit', o.failureLimit),
      inconclusiveLimit: opt('--inconclusive-limit', o.inconclusiveLimit, flagCount),
      consecutiveErrorLimit: opt('--consecutive-error-limit', o.consecutiveErrorLimit, flagCount),
      count: opt('--count', o.count, flagCount),
      interval: o.interval,
    }).filter(([, v]) => v !== undefined),
  ) as unknown as AnalysisThresholds;
  const problems = thresholdProblems(t);
  if (problems.length === 0) problems.push(...argoMetricProblems(t));
  if (problems.length > 0) {
    const m = problems[0]!;
    const colon = m.indexOf(': ');
    throw new UsageError(`${FLAG_OF[m.slice(0, colon)] ?? m.slice(0, colon)}: ${m.slice(colon + 2)}`);
  }
  return t;
}

export interface SimulationInput {
  readonly steps: CanaryStep[];
  readonly measurements: Sample[][];
}

/** `[[sample…]…]` or `{"steps": […], "measurements": [[sample…]…]}`; steps from --steps or the default. */
export function simulationInput(
  doc: unknown,
  stepsDoc: unknown | undefined,
  thresholds: AnalysisThresholds,
  where: string,
): SimulationInput {
  const p = new Problems(where);
  let measurements: unknown = doc;
  let stepsValue: unknown = stepsDoc;
  let stepsPath = '$';
  if (isPlainObject(doc)) {
    unknownKeys(doc, ['steps', 'measurements'], '$', p);
    if (!Object.hasOwn(doc, 'measurements')) p.add('$', 'missing "measurements"');
    measurements = doc.measurements;
    if (Object.hasOwn(doc, 'steps')) {
      if (stepsDoc !== undefined)
        throw new UsageError(`${where}: has "steps" and --steps was given too; use one`);
      stepsValue = doc.steps;
      stepsPath = '$.steps';
    }
  } else if (!Array.isArray(doc)) {
    p.add(
      '$',
      `expected a list of samples per analysis, or {"steps": […], "measurements": […]}, received ${describeValue(doc)}`,
    );
  }
  p.done();
  const steps =
    stepsValue === undefined ? defaultSteps(thresholds) : parseSteps(stepsValue, thresholds, stepsPath, p);
  const analyses = steps.filter((s) => 'analysis' in s).length;
  const parsed = parseMeasurements(measurements, analyses, isPlainObject(doc) ? '$.measurements' : '$', p);
  p.done();
  return { steps, measurements: parsed };
}

export function simulate(input: SimulationInput, promotePauses = false): CanaryRun {
  return runCanary(input.steps, ({ analysisIndex }) => input.measurements[analysisIndex] ?? [], {
    promoteManualPauses: promotePauses,
  });
}

function analysisDetail(step: CanaryRun['steps'][number]): string {
  const metrics = step.analysis?.metrics ?? [];
  const lines = metrics.map(
    (m) => `${m.name} ${m.phase}: ${m.measurements.map((x) => x.message).join('; ') || 'no samples'}`,
  );
  return [step.message, ...lines]
    .filter((l, i) => l && !(i === 0 && l === `analysis ${step.verdict}`))
    .join('\n');
}

export function outcomeLine(run: CanaryRun): string {
  const o = run.outcome;
  if (o.status === 'promoted') return 'promoted: canary at 100 %, every analysis Successful';
  if (o.status === 'aborted') return `aborted at step ${o.step} (canary weight back to 0 %): ${o.reason}`;
  return `not promoted: paused at step ${o.step} (canary weight ${o.weight} %): ${o.reason}`;
}

export function renderRun(run: CanaryRun): string {
  const rows = run.steps.map((s) => [
    String(s.index),
    `${s.weight} %`,
    s.kind,
    s.verdict,
    s.kind === 'analysis' ? analysisDetail(s) : s.message,
  ]);
  return `${table(['step', 'weight', 'kind', 'verdict', 'reason'], rows)}${outcomeLine(run)}\n`;
}

export function rolloutSimulateCommand(opts: RolloutSimulateOptions, io: Io): number {
  const thresholds = thresholdsFromFlags(opts);
  const file = resolve(io.cwd, opts.file);
  const stepsDoc = opts.steps ? readJsonFile(resolve(io.cwd, opts.steps), '--steps') : undefined;
  if (stepsDoc !== undefined) {
    // Checked on their own first, so a problem in --steps is located in that file.
    const p = new Problems(`--steps: ${opts.steps}`);
    parseSteps(stepsDoc, thresholds, '$', p);
    p.done();
  }
  const doc = readJsonFile(file, '-f');
  const input = simulationInput(doc, stepsDoc, thresholds, `-f: ${opts.file}`);
  const run = simulate(input, opts.promotePauses === true);
  const data = { thresholds, steps: run.steps, outcome: run.outcome };
  io.stdout(emit(opts.output, data, () => renderRun(run)));
  return run.outcome.status === 'promoted' ? EXIT.ok : EXIT.failed;
}
