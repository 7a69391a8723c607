/**
 * The `--prometheus` part of `mlp up`, loaded only when the flag is given: the environment's
 * rendered rule file (from the spec, like `mlp synth`) and a local Prometheus scraping the
 * model server. Everything that can fail before the platform starts (no binary, bad spec, bad
 * port) fails first, so a refused flag leaves nothing running.
 */
import { join, resolve } from 'node:path';
import {
  findPrometheus,
  type LocalPrometheus,
  PrometheusUnavailableError,
  startLocalPrometheus,
} from '../../serving/local-prometheus.js';
import { environmentObservability } from '../../synth/observability.js';
import { environment, openSpec } from '../context.js';
import { type Io, UsageError } from '../io.js';

export interface PrometheusPlan {
  readonly binary: string;
  readonly ruleFile: string;
  readonly environment: string;
  readonly ruleCount: number;
}

/** Binary and rules, before anything starts. */
export function planPrometheus(opts: { file?: string; env: string }, io: Io): PrometheusPlan {
  let binary: string;
  try {
    binary = findPrometheus();
  } catch (err) {
    if (err instanceof PrometheusUnavailableError) throw new UsageError(err.message);
    throw err;
  }
  const env = environment(openSpec(opts.file ? { file: opts.file } : {}, io), opts.env);
  const out = environmentObservability(env);
  return {
    binary,
    ruleFile: out.ruleFile,
    environment: env.environment,
    ruleCount: out.groups.reduce((n, g) => n + g.rules.length, 0),
  };
}

export async function startPrometheus(
  plan: PrometheusPlan,
  where: { stateDir: string; host: string; port: number; servingUrl: string },
  io: Io,
): Promise<LocalPrometheus> {
  try {
    return await startLocalPrometheus({
      binary: plan.binary,
      dir: join(resolve(where.stateDir), 'prometheus'),
      host: where.host,
      port: where.port,
      // The registry exposes no /metrics; the model server is what the SLOs judge.
      targets: [{ job: 'mlp-model-server', url: where.servingUrl }],
      ruleFile: plan.ruleFile,
      externalLabels: { environment: plan.environment },
    });
  } catch (err) {
    if (err instanceof PrometheusUnavailableError) {
      io.stderr(`mlp up: ${err.message}\n`);
      throw new UsageError(`--prometheus: could not start ${plan.binary} on ${where.host}:${where.port}`);
    }
    throw err;
  }
}
