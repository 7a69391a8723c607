/**
 * The challenger's live traffic share is registry state, not a server flag: a registered-model
 * tag `mlp.challenger_percent` (MLflow's registered-model tags, `registered-models/set-tag`),
 * read by every model server with the aliases on each poll. So `mlp model rollout` moves the
 * weight of the local server and of every replica in a cluster the same way, and a server
 * restarted mid-rollout comes back at the weight the rollout left, not at its default.
 */

export const CHALLENGER_PERCENT_TAG = 'mlp.challenger_percent';

// Plain decimals only: no `1e2`, `0x10`, `Infinity`, signs or spaces sneaking in through Number().
const DECIMAL = /^(?:100(?:\.0{1,6})?|[0-9]{1,2}(?:\.[0-9]{1,6})?)$/;

/** A tag value → percent 0..100, or an error message saying what was wrong with it. */
export function parseChallengerPercent(value: string): { percent: number } | { error: string } {
  if (typeof value !== 'string' || !DECIMAL.test(value))
    return {
      error: `tag ${CHALLENGER_PERCENT_TAG}: expected a percentage 0-100 such as 25 or 12.5, received ${JSON.stringify(String(value).slice(0, 64))}`,
    };
  return { percent: Number(value) };
}

/** The tag value written for a percentage (validated: the same grammar the servers accept). */
export function formatChallengerPercent(percent: number): string {
  const text = String(Number(percent.toFixed(6)));
  if (!Number.isFinite(percent) || !DECIMAL.test(text))
    throw new RangeError(`challenger percent: expected 0-100, received ${percent}`);
  return text;
}

/**
 * The traffic split a server routes by: the registry's weight when the tag is set, else the
 * server's configured default. A getter, so every request reads the weight of the last poll.
 */
export function liveSplit(
  pool: { challengerPercent(): number | undefined },
  fallback: number,
): { readonly challengerPercent: number } {
  return {
    get challengerPercent() {
      return pool.challengerPercent() ?? fallback;
    },
  };
}
