/**
 * Pod Security admission, offline: the namespace's enforce level and version, and the checks
 * that apply at that version (k8s.io/pod-security-admission/policy/registry.go and
 * api/helpers.go). Pure functions over untrusted pod JSON.
 */
import { BASELINE_CHECKS } from './baseline.js';
import type { Check, Level } from './check.js';
import { podView } from './pod.js';
import { RESTRICTED_CHECKS } from './restricted.js';

export type { Level } from './check.js';

export const ALL_CHECKS: readonly Check[] = [...BASELINE_CHECKS, ...RESTRICTED_CHECKS];

/** The newest policy version implemented here: `latest`, and any newer pinned version, mean this. */
export const LATEST_MINOR = Math.max(...ALL_CHECKS.flatMap((c) => c.versions.map((v) => v.minimumMinor)));

export interface PodSecurityPolicy {
  readonly level: Level;
  /** 1.x minor; `latest` resolves to LATEST_MINOR. */
  readonly minor: number;
  /** How the policy reads in messages: `restricted:v1.31`, `baseline:latest`. */
  readonly label: string;
  /** Label values the API server could not parse (it then enforces restricted / latest). */
  readonly errors: readonly string[];
}

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';

const VERSION_RE = /^v1\.([0-9]|[1-9][0-9]*)$/;

/**
 * The enforce policy a namespace's labels select. Without labels the cluster default applies
 * (privileged, latest, the API server's default AdmissionConfiguration). An unparsable level
 * enforces restricted and an unparsable version enforces latest, as upstream does.
 */
export function enforcePolicy(labels: Readonly<Record<string, unknown>> | undefined): PodSecurityPolicy {
  const errors: string[] = [];
  let level: Level = 'privileged';
  let version = 'latest';
  let minor = LATEST_MINOR;
  const rawLevel = labels?.[ENFORCE_LABEL];
  if (rawLevel !== undefined) {
    if (rawLevel === 'privileged' || rawLevel === 'baseline' || rawLevel === 'restricted') level = rawLevel;
    else {
      level = 'restricted';
      errors.push(
        `${ENFORCE_LABEL}=${JSON.stringify(rawLevel)}: must be one of privileged, baseline, restricted`,
      );
    }
  }
  const rawVersion = labels?.[ENFORCE_VERSION_LABEL];
  if (rawVersion !== undefined && rawVersion !== 'latest') {
    const m = typeof rawVersion === 'string' ? VERSION_RE.exec(rawVersion) : null;
    if (m) {
      version = rawVersion as string;
      minor = Math.min(Number(m[1]), LATEST_MINOR);
    } else errors.push(`${ENFORCE_VERSION_LABEL}=${JSON.stringify(rawVersion)}: must be "latest" or "v1.x"`);
  }
  return { level, minor, label: `${level}:${version}`, errors };
}

export interface PodSecurityViolation {
  /** Upstream's check id. */
  readonly check: string;
  readonly reason: string;
  readonly detail: string;
  readonly paths: readonly string[];
}

const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The checks in force for a level at a minor version, in upstream's order (baseline ids, then restricted). */
export function checksFor(level: Level, minor: number) {
  if (level === 'privileged') return [];
  const v = Math.min(minor, LATEST_MINOR);
  const active = (c: Check) => [...c.versions].reverse().find((x) => x.minimumMinor <= v);
  const restricted =
    level === 'restricted'
      ? [...RESTRICTED_CHECKS].sort(byId).flatMap((c) => {
          const x = active(c);
          return x ? [{ id: c.id, ...x }] : [];
        })
      : [];
  const overridden = new Set(restricted.flatMap((c) => c.overrides ?? []));
  const baseline = [...BASELINE_CHECKS].sort(byId).flatMap((c) => {
    const x = active(c);
    return x && !overridden.has(c.id) ? [{ id: c.id, ...x }] : [];
  });
  return [...baseline, ...restricted];
}

/** The checks a pod fails at a level and minor version; empty when Pod Security admits it. */
export function evaluatePodSecurity(level: Level, minor: number, pod: unknown): PodSecurityViolation[] {
  const view = podView(pod);
  const out: PodSecurityViolation[] = [];
  for (const check of checksFor(level, minor)) {
    const failure = check.checkPod(view);
    if (failure) out.push({ check: check.id, ...failure });
  }
  return out;
}

/** One check, as in force at a minor version (regardless of level); undefined when it passes. */
export function evaluateCheck(id: string, minor: number, pod: unknown): PodSecurityViolation | undefined {
  const check = ALL_CHECKS.find((c) => c.id === id);
  const version = check && [...check.versions].reverse().find((x) => x.minimumMinor <= minor);
  const failure = version?.checkPod(podView(pod));
  return failure ? { check: id, ...failure } : undefined;
}

/** The API server's denial message: `violates PodSecurity "restricted:v1.31": reason (detail), …`. */
export function denialMessage(
  policy: PodSecurityPolicy,
  violations: readonly PodSecurityViolation[],
): string {
  const parts = violations.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason));
  return `violates PodSecurity "${policy.label}": ${parts.join(', ')}`;
}
