/** Labels every synthesized object carries, so cost, ownership and environment are queryable. */
import type { ResolvedEnvironment } from '../spec/model.js';

export const MANAGED_BY = 'mlp';

export function commonLabels(env: ResolvedEnvironment): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/part-of': env.platform.name,
    environment: env.environment,
  };
}

export function teamLabels(
  env: ResolvedEnvironment,
  team: { name: string; costCenter: string },
): Record<string, string> {
  return { ...commonLabels(env), team: team.name, 'cost-center': team.costCenter };
}
