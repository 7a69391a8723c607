/** The shape of one Pod Security check, as upstream registers it (policy/checks.go). */
import type { PodView } from './pod.js';

export type Level = 'privileged' | 'baseline' | 'restricted';

/** What a failing check reports: upstream's reason and detail, plus where in the pod. */
export interface CheckFailure {
  readonly reason: string;
  readonly detail: string;
  /** Field paths inside the pod (`spec.containers[0].securityContext.runAsUser`). */
  readonly paths: readonly string[];
}

export type CheckPod = (pod: PodView) => CheckFailure | undefined;

export interface VersionedCheck {
  /** The 1.x minor version from which this behaviour applies. */
  readonly minimumMinor: number;
  readonly checkPod: CheckPod;
  /** Baseline check ids this restricted check replaces while it applies. */
  readonly overrides?: readonly string[];
}

export interface Check {
  /** Upstream's check id (`runAsUser`, `capabilities_restricted`…). */
  readonly id: string;
  readonly level: 'baseline' | 'restricted';
  /** Strictly increasing minimum versions. */
  readonly versions: readonly VersionedCheck[];
}

export const joinQuote = (items: readonly string[]): string =>
  items.length === 0 ? '' : `"${items.join('", "')}"`;
export const pluralize = (singular: string, plural: string, n: number): string =>
  n === 1 ? singular : plural;
/** Sorted distinct values, as Go's sets.List(). */
export const sortedSet = (items: Iterable<string>): string[] =>
  [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
export const containersPhrase = (names: readonly string[]): string =>
  `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;

/** A failed check: upstream's forbidden reason and detail, and the offending field paths. */
export const fail = (reason: string, detail: string, paths: string[]): CheckFailure => ({
  reason,
  detail,
  paths,
});
