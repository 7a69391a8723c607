/**
 * Which version answers: the challenger for `challengerPercent` of requests (when one is
 * loaded), the champion otherwise; an `x-model-version` header (a version number or an alias)
 * overrides the split for A/B checks and debugging.
 *
 * With a request key (`x-user-id`) the draw is sticky: `assignVariant` hashes the key with a salt
 * naming the model and both versions, so a user sees one version for the whole experiment, on
 * every replica and after restarts, and a new challenger (a new experiment) reshuffles users
 * instead of handing the new version exactly the users who had the old one.
 */
import { assignVariant } from '../experiment/assign.js';
import { ServingError } from './errors.js';
import type { Arm, Experiment } from './feedback.js';
import type { ModelPool } from './model-pool.js';

export const VERSION_HEADER = 'x-model-version';

export interface TrafficSplit {
  /** Share of requests for the challenger, 0..100. @default 0 */
  readonly challengerPercent: number;
}

export interface Routed {
  readonly version: string;
  /** How the version was chosen: the split (sticky by key or a random draw), or pinned by the client. */
  readonly by: 'sticky' | 'random' | 'pinned';
  /** Set when the request is part of the running experiment (routed by the split between two versions). */
  readonly experiment?: Experiment;
  readonly arm?: Arm;
}

/** The running experiment: champion and challenger loaded, distinct, and both get traffic. */
export function currentExperiment(pool: ModelPool, split: TrafficSplit): Experiment | undefined {
  const champion = pool.versionOf('champion');
  const challenger = pool.versionOf('challenger');
  if (!champion || !challenger || champion === challenger) return undefined;
  if (!(split.challengerPercent > 0 && split.challengerPercent < 100)) return undefined;
  return { model: pool.model, champion, challenger, challengerPercent: split.challengerPercent };
}

/** The salt of an experiment's assignment: model and both versions. */
export const experimentSalt = (e: Experiment): string => `${e.model}\u0000${e.champion}\u0000${e.challenger}`;

export function route(
  pool: ModelPool,
  split: TrafficSplit,
  requested: string | undefined,
  random: () => number,
  userId?: string,
): Routed {
  if (requested) {
    const version = pool.versionOf(requested) ?? (pool.loaded(requested) ? requested : undefined);
    if (!version) {
      const served = [...pool.aliases()].map(([a, v]) => `${a}=${v}`).join(', ') || 'none';
      throw new ServingError(
        'MLP_VERSION_NOT_FOUND',
        `version "${requested}" of ${pool.model} is not served (served: ${served})`,
      );
    }
    return { version, by: 'pinned' };
  }
  const champion = pool.versionOf('champion');
  const challenger = pool.versionOf('challenger');
  if (!champion && !challenger)
    throw new ServingError('MLP_MODEL_NOT_READY', `no version of ${pool.model} is loaded yet`);
  const by = userId === undefined ? 'random' : 'sticky';
  const experiment = currentExperiment(pool, split);
  if (!experiment) {
    // One version, or a split of 0 or 100: no choice to make, no experiment to count.
    const only =
      challenger && (!champion || split.challengerPercent >= 100) ? challenger : (champion ?? challenger)!;
    return { version: only, by };
  }
  const pct = split.challengerPercent;
  const arm: Arm =
    userId === undefined
      ? random() * 100 < pct
        ? 'challenger'
        : 'champion'
      : (assignVariant(
          userId,
          [
            { name: 'champion', weight: 100 - pct },
            { name: 'challenger', weight: pct },
          ],
          experimentSalt(experiment),
        ) as Arm);
  return { version: experiment[arm], by, experiment, arm };
}

/** The version only (for callers that do not take part in experiments). */
export function chooseVersion(
  pool: ModelPool,
  split: TrafficSplit,
  requested: string | undefined,
  random: () => number,
): string {
  return route(pool, split, requested, random).version;
}
