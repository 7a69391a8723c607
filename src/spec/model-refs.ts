/**
 * Cross-field rules of `teams[].models`: names and hosts unique, an image for every model, the
 * team's network open where the model server listens, and the shared services the registry
 * runs on declared. Messages never mention the environment (see references.ts), so a problem
 * of the base is reported once.
 */
import { parsePort } from '../core/ports.js';
import { validateSlos } from '../observability/slo.js';
import type { SloSpec } from '../observability/types.js';
import type { PathSegment } from './errors.js';
import type { ResolvedObservability } from './model.js';
import { modelDefaults } from './models.js';
import { teamPath } from './references.js';
import type { PlatformSpecRaw, Team } from './schema.js';
import type { RawIssue } from './zod-issues.js';

type Report = (i: RawIssue) => void;

/** The model server's one port: traffic, probes and /metrics (the entrypoint contract). */
export const MODEL_PORT = 8080;
/** The bucket the registry keeps artifacts in (s3://<bucket>/artifacts). */
export const REGISTRY_BUCKET = 'model-registry';

const opens = (ports: readonly (string | number)[], port: number) =>
  ports.some((p) => {
    const r = parsePort(p);
    return r.protocol === 'TCP' && port >= r.port && port <= r.endPort;
  });

export function checkModels(
  raw: PlatformSpecRaw,
  teams: readonly Team[],
  prefix: PathSegment[],
  report: Report,
  byName = false,
): void {
  const at = teamPath(prefix, byName);
  const hosts = new Map<string, string>();
  for (const t of teams)
    for (const r of t.ingress) if (!hosts.has(r.host)) hosts.set(r.host, `team ${t.name}`);
  const explicitSlos = new Set(raw.observability.slos.map((s) => s.name));
  const sloNames = new Map<string, string>();
  teams.forEach((team, index) => {
    const seen = new Map<string, number>();
    team.models.forEach((m, j) => {
      const here = (...rest: PathSegment[]) => at(index, team, 'models', j, ...rest);
      const first = seen.get(m.name);
      if (first !== undefined)
        report({
          path: here('name'),
          message: `model "${m.name}" is already defined at models[${first}] (each model renders one Rollout)`,
        });
      else seen.set(m.name, j);
      const { host } = modelDefaults(m);
      const owner = hosts.get(host);
      if (owner !== undefined)
        report({
          path: here(m.host === undefined ? 'name' : 'host'),
          message: `host "${host}" is already published by ${owner}; hosts are unique (set models[${j}].host)`,
        });
      else hosts.set(host, `model ${m.name} of team ${team.name}`);
      if ((m.image ?? raw.platform.serving.image) === undefined)
        report({
          path: here('image'),
          message:
            'no image: set image here or platform.serving.image (the model server image, pinned by digest)',
        });
      if (m.slo) {
        if (explicitSlos.has(m.name) || sloNames.has(m.name))
          report({
            path: here('slo'),
            message: `an SLO named "${m.name}" is already defined (${sloNames.get(m.name) ?? 'observability.slos'}); keep one`,
          });
        else sloNames.set(m.name, `team ${team.name}`);
        // The observability rules' own validation (objectives that can fire, latency on a bucket bound).
        for (const line of validateSlos([modelSlo(m)]))
          report({ path: here('slo'), message: line.replace(/^slos\[0\]\.?/, '').replace(/^: /, '') });
      }
    });
    if (team.models.length === 0) return;
    for (const [field, what] of [
      ['ingressPorts', 'the ingress controller'],
      ['metricsPorts', 'Prometheus'],
    ] as const)
      if (!opens(team.network[field], MODEL_PORT))
        report({
          path: at(index, team, 'network', field),
          message: `the team runs models, which serve on ${MODEL_PORT}: add ${MODEL_PORT}/TCP so ${what} can reach them`,
        });
  });
  if (!teams.some((t) => t.models.length > 0)) return;
  if (raw.platform.serving.image === undefined)
    report({
      path: ['platform', 'serving'],
      message:
        'models need the model registry, which runs the project image: set serving.image (pinned by digest, e.g. ghcr.io/acme-ml/mlp:0.4.0@sha256:…)',
    });
  const postgres = raw.sharedServices.find((s) => s.engine === 'postgres');
  const minio = raw.sharedServices.find((s) => s.engine === 'minio');
  if (!postgres || !minio)
    report({
      path: ['sharedServices'],
      message:
        'models need the model registry, which runs on a shared service with engine postgres and one with engine minio; declare both',
    });
  else if (!minio.buckets.includes(REGISTRY_BUCKET))
    report({
      path: ['sharedServices', raw.sharedServices.indexOf(minio), 'buckets'],
      message: `the model registry keeps artifacts in bucket "${REGISTRY_BUCKET}"; add it to buckets`,
    });
}

/** The SLOs of every model that declares one, after the spec's own `observability.slos`. */
export function withModelSlos(o: ResolvedObservability, teams: readonly Team[]): ResolvedObservability {
  const own = new Set(o.slos.map((s) => s.name));
  const derived: SloSpec[] = [];
  for (const t of [...teams].sort((a, b) => (a.name < b.name ? -1 : 1)))
    for (const m of t.models) {
      if (!m.slo || own.has(m.name)) continue;
      own.add(m.name);
      derived.push(modelSlo(m));
    }
  return derived.length === 0 ? o : { ...o, slos: [...o.slos, ...derived] };
}

/** A model's `slo:` as the observability module's SloSpec (named after the model). */
export function modelSlo(m: Team['models'][number]): SloSpec {
  const slo = m.slo ?? {};
  return {
    name: m.name,
    model: modelDefaults(m).registeredModel,
    ...(slo.availability !== undefined ? { availability: slo.availability } : {}),
    ...(slo.latencyMs !== undefined && slo.latencyPercent !== undefined
      ? { latency: { objective: slo.latencyPercent / 100, thresholdMs: slo.latencyMs } }
      : {}),
  };
}
