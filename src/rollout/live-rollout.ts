/**
 * `mlp model rollout` against a running model server: the canary as challenger weight. The
 * version becomes the challenger at weight 0, then each step sets the weight (registry tag
 * `mlp.challenger_percent`, which every server reads with the aliases), waits until the server
 * routes by it, and measures the challenger from the server's /metrics interval by interval,
 * judged by the very `runAnalysis` of `analysis.ts` (Argo Rollouts semantics) until the analysis
 * completes. Outcomes as in `canary.ts`: Successful → next step; Failed or Error → abort.
 * Inconclusive (too little traffic, no data) would pause an Argo Rollout for a human; with no
 * controller left to hold the pause, the local rollout rolls back too and says why.
 *
 * Success: champion alias → the version, challenger alias and weight tag removed.
 * Anything else: weight 0 first, then the challenger alias and the tag removed (rolled back).
 * The order of the writes keeps every state a poll can observe safe (see model-pool.ts).
 */
import type { AliasedVersion } from '../registry/client.js';
import { CHALLENGER_PERCENT_TAG, formatChallengerPercent } from '../serving/weight.js';
import { type AnalysisOutcome, runAnalysis } from './analysis.js';
import { intervalSample, type VersionCounters, versionCounters } from './live.js';
import type { Sample } from './measure.js';
import { isCompleted } from './phase.js';
import { parsePromText } from './prom-text.js';
import type { AnalysisThresholds } from './thresholds.js';

/** What the rollout needs of the registry (RegistryClient has it). */
export interface RolloutRegistry {
  modelVersion(model: string, version: string): Promise<AliasedVersion | undefined>;
  versionByAlias(model: string, alias: string): Promise<AliasedVersion | undefined>;
  setAlias(model: string, alias: string, version: string): Promise<void>;
  deleteAlias(model: string, alias: string): Promise<void>;
  setModelTag(model: string, key: string, value: string): Promise<void>;
  deleteModelTag(model: string, key: string): Promise<void>;
}

/** What a model server says about itself on /model/info. */
export interface ServerView {
  readonly versions: ReadonlyMap<string, string>;
  readonly challengerPercent: number;
  readonly loadFailures: readonly { alias: string; version: string; error: string }[];
}

export interface LiveRolloutOptions {
  readonly model: string;
  readonly version: string;
  /** Challenger weights, e.g. [10, 25, 50, 100]; an analysis follows each. */
  readonly weights: readonly number[];
  readonly thresholds: AnalysisThresholds;
  readonly intervalMs: number;
  /** Longest wait for the server to serve a registry change. */
  readonly settleMs: number;
  readonly registry: RolloutRegistry;
  /** GET of the server's /metrics text. */
  readonly scrape: () => Promise<string>;
  /** GET of the server's /model/info. */
  readonly view: () => Promise<ServerView>;
  readonly progress: (line: string) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Aborting (Ctrl-C) rolls back at the next await. */
  readonly signal?: AbortSignal;
}

export interface LiveStep {
  readonly weight: number;
  readonly phase: AnalysisOutcome['phase'];
  readonly message: string;
  readonly samples: readonly Sample[];
}

export interface LiveRolloutResult {
  readonly model: string;
  readonly version: string;
  readonly status: 'promoted' | 'rolled-back';
  readonly champion: string;
  readonly reason?: string;
  readonly steps: readonly LiveStep[];
}

/** A problem before anything was changed (bad version, no champion): nothing to roll back. */
export class RolloutRefused extends Error {
  override readonly name = 'RolloutRefused';
}

class Aborted extends Error {}

/** The most intervals one analysis may take: bounded even when a user's count is unbounded. */
const MAX_INTERVALS = 1000;

export async function runLiveRollout(o: LiveRolloutOptions): Promise<LiveRolloutResult> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const checkAbort = () => {
    if (o.signal?.aborted) throw new Aborted('interrupted (rolled back)');
  };
  const { model, version, registry } = o;
  if (!(await registry.modelVersion(model, version)))
    throw new RolloutRefused(`version ${version} of ${model} is not in the registry`);
  const champion = await registry.versionByAlias(model, 'champion');
  if (!champion)
    throw new RolloutRefused(
      `${model} has no champion: a canary needs a version to fall back to (mlp model alias ${model} champion N)`,
    );
  if (champion.version === version)
    throw new RolloutRefused(`version ${version} is already the champion of ${model}`);

  /** Waits until the server's view satisfies `ok`; a load failure of the version ends the rollout. */
  const settle = async (what: string, ok: (v: ServerView) => boolean) => {
    const deadline = Date.now() + o.settleMs;
    let last = 'no answer';
    while (true) {
      checkAbort();
      try {
        const v = await o.view();
        if (ok(v)) return;
        const failed = v.loadFailures.find((f) => f.version === version);
        if (failed) throw new Aborted(`the server could not load version ${version}: ${failed.error}`);
        last = `serving ${[...v.versions].map(([a, x]) => `${a}=${x}`).join(', ') || 'nothing'} at challenger ${v.challengerPercent}%`;
      } catch (err) {
        if (err instanceof Aborted) throw err;
        last = (err as Error).message;
      }
      if (Date.now() > deadline)
        throw new Aborted(`the server did not ${what} within ${o.settleMs} ms (last seen: ${last})`);
      await sleep(Math.min(100, o.intervalMs));
    }
  };
  const counters = async (): Promise<VersionCounters | { error: string }> => {
    try {
      return versionCounters(parsePromText(await o.scrape()), model, version);
    } catch (err) {
      return { error: (err as Error).message };
    }
  };

  const steps: LiveStep[] = [];
  let reason: string | undefined;
  try {
    // Weight 0 BEFORE the alias: a server never sees the new challenger at an earlier weight.
    await registry.setModelTag(model, CHALLENGER_PERCENT_TAG, '0');
    await registry.setAlias(model, 'challenger', version);
    o.progress(`${model} v${version}: challenger at 0% (champion v${champion.version})`);
    await settle(
      `load version ${version}`,
      (v) => v.versions.get('challenger') === version && v.challengerPercent === 0,
    );
    for (const weight of o.weights) {
      checkAbort();
      await registry.setModelTag(model, CHALLENGER_PERCENT_TAG, formatChallengerPercent(weight));
      await settle(
        `route ${weight}% to version ${version}`,
        (v) => v.versions.get('challenger') === version && v.challengerPercent === weight,
      );
      o.progress(`${model} v${version}: weight ${weight}%, analysing every ${o.intervalMs} ms…`);
      const step = await analyse(weight);
      steps.push(step);
      o.progress(
        `${model} v${version}: weight ${weight}%: ${step.phase}${step.message ? ` (${step.message})` : ''}`,
      );
      if (step.phase !== 'Successful') {
        reason =
          step.phase === 'Inconclusive'
            ? `inconclusive analysis at ${weight}% (an Argo Rollout would pause for a human; rolled back): ${step.message}`
            : `analysis ${step.phase} at ${weight}%: ${step.message}`;
        break;
      }
    }
  } catch (err) {
    if (!(err instanceof Aborted)) {
      await rollBack().catch(() => {});
      throw err;
    }
    reason = err.message;
  }
  if (reason !== undefined) {
    await rollBack();
    o.progress(`${model} v${version}: rolled back; champion stays v${champion.version}`);
    return { model, version, status: 'rolled-back', champion: champion.version, reason, steps };
  }
  await registry.setAlias(model, 'champion', version);
  await registry.deleteAlias(model, 'challenger');
  await registry.deleteModelTag(model, CHALLENGER_PERCENT_TAG);
  o.progress(`${model} v${version}: promoted to champion (was v${champion.version})`);
  await settle(`serve version ${version} as champion`, (v) => v.versions.get('champion') === version).catch(
    (err: Error) => o.progress(`warning: ${err.message}`),
  );
  return { model, version, status: 'promoted', champion: version, steps };

  async function rollBack(): Promise<void> {
    await registry.setModelTag(model, CHALLENGER_PERCENT_TAG, '0');
    const current = await registry.versionByAlias(model, 'challenger');
    if (current?.version === version) await registry.deleteAlias(model, 'challenger');
    await registry.deleteModelTag(model, CHALLENGER_PERCENT_TAG);
  }

  async function analyse(weight: number): Promise<LiveStep> {
    const samples: Sample[] = [];
    let before = await counters();
    let outcome: AnalysisOutcome = runAnalysis(o.thresholds, samples);
    for (let i = 0; i < MAX_INTERVALS && !isCompleted(outcome.phase); i++) {
      await sleep(o.intervalMs);
      checkAbort();
      const after = await counters();
      // A failed scrape is a failed query: an Error measurement, as for Prometheus in the cluster.
      const sample: Sample =
        'error' in after
          ? { queryError: `scraping /metrics: ${after.error}` }
          : 'error' in before
            ? { queryError: `scraping /metrics: ${before.error}` }
            : intervalSample(before, after);
      samples.push(sample);
      before = after;
      outcome = runAnalysis(o.thresholds, samples);
    }
    if (!isCompleted(outcome.phase))
      return {
        weight,
        phase: 'Inconclusive',
        message: `no verdict after ${MAX_INTERVALS} intervals`,
        samples,
      };
    return { weight, phase: outcome.phase, message: outcome.message, samples };
  }
}
