/**
 * Which version answers: the challenger for `challengerPercent` of requests (when one is
 * loaded), the champion otherwise; an `x-model-version` header (a version number or an alias)
 * overrides the split for A/B checks and debugging.
 */
import { ServingError } from './errors.js';
import type { ModelPool } from './model-pool.js';

export const VERSION_HEADER = 'x-model-version';

export interface TrafficSplit {
  /** Share of requests for the challenger, 0..100. @default 0 */
  readonly challengerPercent: number;
}

export function chooseVersion(
  pool: ModelPool,
  split: TrafficSplit,
  requested: string | undefined,
  random: () => number,
): string {
  if (requested) {
    const version = pool.versionOf(requested) ?? (pool.loaded(requested) ? requested : undefined);
    if (!version) {
      const served = [...pool.aliases()].map(([a, v]) => `${a}=${v}`).join(', ') || 'none';
      throw new ServingError(
        'MLP_VERSION_NOT_FOUND',
        `version "${requested}" of ${pool.model} is not served (served: ${served})`,
      );
    }
    return version;
  }
  const champion = pool.versionOf('champion');
  const challenger = pool.versionOf('challenger');
  if (challenger && (!champion || random() * 100 < split.challengerPercent)) return challenger;
  if (!champion) throw new ServingError('MLP_MODEL_NOT_READY', `no version of ${pool.model} is loaded yet`);
  return champion;
}
