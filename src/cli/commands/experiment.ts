/**
 * `mlp experiment status -f counts.json`: per version the conversion with its Wilson interval,
 * the difference with Newcombe's interval, the mSPRT always-valid p-value (the only test that
 * decides: status may be looked at any number of times), the fixed-horizon z-test for reference,
 * the sample-ratio check and the decision (src/experiment/decision.ts). A status, not a verdict
 * on the input: exit 0 for any valid input, 2 for bad input.
 */
import { resolve } from 'node:path';
import {
  type ArmCounts,
  type ExperimentConfig,
  type ExperimentStatus,
  experimentStatus,
} from '../../experiment/decision.js';
import type { SequentialState } from '../../experiment/msprt.js';
import type { Interval } from '../../experiment/proportions.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { childPath, readJsonFile } from '../json-file.js';
import { emit, type OutputFormat, table } from '../output.js';
import { describeValue, isPlainObject, Problems, unknownKeys } from './rollout-input.js';

export interface ExperimentStatusOptions {
  readonly file?: string;
  /** Default: the split the counts were gathered with (server or file), else 50/50. */
  readonly split?: string;
  readonly alpha: string;
  readonly mde: string;
  readonly minSamples: string;
  readonly maxSamples?: string;
  readonly output: OutputFormat;
}

export interface ExperimentInput {
  readonly champion: ArmCounts;
  readonly challenger: ArmCounts;
  /** Written by the model server's GET /experiment: which model and versions, at which split. */
  readonly model?: string;
  readonly versions?: { readonly champion?: string; readonly challenger?: string };
  readonly split?: readonly [number, number];
  /** The always-valid p-value and number of looks so far, when earlier looks were recorded. */
  readonly previous?: SequentialState;
}

const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function fraction(flag: string, text: string, example: string): number {
  const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!(n > 0 && n < 1))
    throw new UsageError(`${flag}: expected a number in (0, 1), received "${text}" (example: ${example})`);
  return n;
}

function integer(flag: string, text: string): number {
  const n = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: expected an integer >= 0, received "${text}"`);
  return n;
}

/** `50/50`, `90/10`, `1/3`: champion weight first, both > 0. */
export function parseSplit(text: string): [number, number] {
  const m = /^(\d{1,6}(?:\.\d{1,6})?)\/(\d{1,6}(?:\.\d{1,6})?)$/.exec(text);
  const a = m ? Number(m[1]) : 0;
  const b = m ? Number(m[2]) : 0;
  if (!(a > 0 && b > 0)) {
    throw new UsageError(
      `--split: expected CHAMPION/CHALLENGER weights, both > 0, received "${text}" (example: 50/50)`,
    );
  }
  return [a, b];
}

export function configFromFlags(
  o: ExperimentStatusOptions,
  measuredSplit?: readonly [number, number],
): ExperimentConfig {
  const maxSamplePerArm = o.maxSamples === undefined ? undefined : integer('--max-samples', o.maxSamples);
  return {
    alpha: fraction('--alpha', o.alpha, '0.05'),
    minimumDetectableEffect: fraction('--mde', o.mde, '0.03'),
    minSamplePerArm: integer('--min-samples', o.minSamples),
    ...(maxSamplePerArm === undefined ? {} : { maxSamplePerArm }),
    // An explicit --split wins (e.g. to ask "were these assigned 60/40?"); else the split the
    // counts were gathered with; else 50/50.
    split: o.split !== undefined ? parseSplit(o.split) : measuredSplit ? [...measuredSplit] : [50, 50],
  };
}

const ARM_KEYS = ['assigned', 'feedback', 'conversions'] as const;
const VERSION = /^[A-Za-z0-9._-]{1,64}$/;

function version(v: unknown, path: string, p: Problems): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !VERSION.test(v))
    p.add(path, `expected a version like "2" (1-64 of A-Z a-z 0-9 . _ -), received ${describeValue(v)}`);
  return typeof v === 'string' ? v : undefined;
}

function arm(v: unknown, path: string, p: Problems): ArmCounts | undefined {
  if (!isPlainObject(v)) {
    p.add(
      path,
      `expected {"assigned": 5000, "feedback": 4800, "conversions": 610}, received ${describeValue(v)}`,
    );
    return undefined;
  }
  const before = p.list.length;
  unknownKeys(v, [...ARM_KEYS, 'version'], path, p);
  version(v.version, childPath(path, 'version'), p);
  const n: Partial<Record<(typeof ARM_KEYS)[number], number>> = {};
  for (const key of ARM_KEYS) {
    const x = v[key];
    if (x === undefined && key === 'feedback') continue;
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) {
      p.add(
        childPath(path, key),
        `expected an integer >= 0, received ${x === undefined ? 'nothing' : describeValue(x)}`,
      );
    } else n[key] = x;
  }
  if (p.list.length > before) return undefined;
  // Without a feedback count every assigned request is taken to have reported its outcome.
  const feedback = n.feedback ?? n.assigned!;
  if (feedback > n.assigned!)
    p.add(childPath(path, 'feedback'), `${feedback} outcomes > ${n.assigned} assigned requests`);
  if (n.conversions! > feedback) {
    p.add(childPath(path, 'conversions'), `${n.conversions} conversions > ${feedback} outcomes`);
  }
  return p.list.length > before
    ? undefined
    : { assigned: n.assigned!, n: feedback, successes: n.conversions! };
}

function previous(v: unknown, path: string, p: Problems): SequentialState | undefined {
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) {
    p.add(path, `expected {"p": 0.2, "looks": 3} from the previous status, received ${describeValue(v)}`);
    return undefined;
  }
  unknownKeys(v, ['p', 'looks'], path, p);
  const ok = typeof v.p === 'number' && v.p > 0 && v.p <= 1;
  if (!ok) p.add(childPath(path, 'p'), `expected a number in (0, 1], received ${describeValue(v.p)}`);
  const looks = v.looks;
  if (typeof looks !== 'number' || !Number.isSafeInteger(looks) || looks < 0) {
    p.add(childPath(path, 'looks'), `expected an integer >= 0, received ${describeValue(looks)}`);
    return undefined;
  }
  return ok ? { p: v.p as number, looks } : undefined;
}

/** `[50, 50]`: the server's split, champion first, weights >= 0 and not both 0. */
function splitOf(v: unknown, path: string, p: Problems): [number, number] | undefined {
  if (v === undefined) return undefined;
  const ok =
    Array.isArray(v) &&
    v.length === 2 &&
    v.every((w) => typeof w === 'number' && Number.isFinite(w) && w > 0 && w <= 1e6);
  if (!ok) {
    p.add(
      path,
      `expected [CHAMPION, CHALLENGER] weights, both > 0, like [90, 10], received ${describeValue(v)}`,
    );
    return undefined;
  }
  return [v[0], v[1]];
}

const TOP_KEYS = ['model', 'split', 'champion', 'challenger', 'sequential'];

/**
 * `{"champion": {…}, "challenger": {…}, "sequential"?: {"p", "looks"}}`, plus what the model
 * server's GET /experiment adds: `model`, `split` and each arm's `version`.
 */
export function experimentInput(doc: unknown, where: string): ExperimentInput {
  const p = new Problems(where);
  if (!isPlainObject(doc)) {
    p.add('$', `expected {"champion": {…}, "challenger": {…}}, received ${describeValue(doc)}`);
    p.done();
  }
  const d = doc as Record<string, unknown>;
  unknownKeys(d, TOP_KEYS, '$', p);
  const model = d.model;
  if (model !== undefined && (typeof model !== 'string' || model.length === 0 || model.length > 256))
    p.add('$.model', `expected a model name, received ${describeValue(model)}`);
  const split = splitOf(d.split, '$.split', p);
  const champion = arm(d.champion, '$.champion', p);
  const challenger = arm(d.challenger, '$.challenger', p);
  const prev = previous(d.sequential, '$.sequential', p);
  p.done();
  const versionOf = (a: unknown) => (a as { version?: string }).version;
  const versions = { champion: versionOf(d.champion), challenger: versionOf(d.challenger) };
  return {
    champion: champion!,
    challenger: challenger!,
    ...(prev ? { previous: prev } : {}),
    ...(typeof model === 'string' ? { model } : {}),
    ...(versions.champion !== undefined || versions.challenger !== undefined ? { versions } : {}),
    ...(split ? { split } : {}),
  };
}

const pct = (x: number) => (Number.isNaN(x) ? '—' : `${(x * 100).toFixed(2)} %`);
const pts = (x: number) => (Number.isNaN(x) ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} pts`);
// 1 − CDF cannot go below double precision's 1.1e-16: a 0 means "smaller than that".
const pval = (x: number) => (x === 0 ? '< 1e-15' : x < 1e-4 ? x.toExponential(2) : x.toFixed(4));
const ci = (i: Interval, f: (x: number) => string) => `[${f(i.lower)}, ${f(i.upper)}]`;

export function renderStatus(s: ExperimentStatus, input: ExperimentInput, config: ExperimentConfig): string {
  const conf = `${Math.round((1 - (config.alpha ?? 0.05)) * 1000) / 10} % CI`;
  const v = input.versions;
  const row = (name: 'champion' | 'challenger', a: ArmCounts, i: Interval) => [
    v?.[name] !== undefined ? `${name} (v${v[name]})` : name,
    String(a.assigned),
    String(a.n),
    String(a.successes),
    pct(i.estimate),
    ci(i, pct),
  ];
  const arms = table(
    ['version', 'assigned', 'feedback', 'conversions', 'rate', conf],
    [row('champion', input.champion, s.champion), row('challenger', input.challenger, s.challenger)],
  );
  const [w0, w1] = config.split;
  return [
    arms.trimEnd(),
    `difference (challenger − champion): ${pts(s.difference.estimate)}, ${conf} ${ci(s.difference, pts)}`,
    `always-valid p (mSPRT, τ = ${config.minimumDetectableEffect}, look ${s.sequential.looks}): ${pval(s.sequentialP)}`,
    `fixed-horizon z-test (reference only, valid for one planned look): z = ${s.fixedHorizon.z.toFixed(3)}, p = ${pval(s.fixedHorizon.p)}`,
    `sample ratio (split ${w0}/${w1}): chi-square = ${s.srm.chiSquare.toFixed(2)}, p = ${pval(s.srm.p)}, ${s.srm.mismatch ? 'MISMATCH' : 'ok'}`,
    `decision: ${s.decision}: ${s.reason}`,
    '',
  ].join('\n');
}

/** Status and decision of counts, and the JSON document `-o json` prints. */
export function evaluate(opts: ExperimentStatusOptions, input: ExperimentInput) {
  const config = configFromFlags(opts, input.split);
  const status = experimentStatus(config, input.champion, input.challenger, input.previous);
  const counts = (a: ArmCounts) => ({ assigned: a.assigned, feedback: a.n, conversions: a.successes });
  const data = {
    ...(input.model !== undefined ? { model: input.model } : {}),
    ...(input.versions ? { versions: input.versions } : {}),
    config,
    counts: { champion: counts(input.champion), challenger: counts(input.challenger) },
    ...status,
  };
  return { config, status, data };
}

/** `mlp experiment status -f counts.json` or `mlp experiment status MODEL [--server URL]`. */
export async function experimentStatusCommand(
  model: string | undefined,
  opts: ExperimentStatusOptions & { server?: string },
  io: Io,
): Promise<number> {
  if (model !== undefined && opts.file !== undefined)
    throw new UsageError('give either MODEL (live counts from a model server) or -f counts.json, not both');
  if (model === undefined && opts.file === undefined)
    throw new UsageError(
      'give MODEL to read live counts from a model server (mlp experiment status sentiment), or -f counts.json',
    );
  let input: ExperimentInput;
  if (opts.file !== undefined) {
    input = experimentInput(readJsonFile(resolve(io.cwd, opts.file), '-f'), `-f: ${opts.file}`);
  } else {
    const { fetchCounts, serverUrl } = await import('./experiment-live.js');
    input = await fetchCounts(serverUrl(opts.server), model!);
  }
  const { config, status, data } = evaluate(opts, input);
  io.stdout(emit(opts.output, data, () => renderStatus(status, input, config)));
  return EXIT.ok;
}
