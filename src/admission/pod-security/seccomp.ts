/**
 * The seccomp checks of k8s.io/pod-security-admission/policy: check_seccompProfile_baseline.go
 * (annotations before 1.19, then the securityContext field) and
 * check_seccompProfile_restricted.go (a profile must be set, on the pod or every container).
 */
import { type CheckPod, containersPhrase, fail, joinQuote, pluralize, sortedSet } from './check.js';
import { containersOf, podSc, rec, sc, str } from './pod.js';

export const validSeccompType = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';

// Before 1.19 seccomp was set by annotations.
export const seccompBaseline1_0: CheckPod = ({ metadata, spec }) => {
  const annotations = rec(metadata.annotations) ?? {};
  const ok = (v: string) => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
  const forbidden: string[] = [];
  const paths: string[] = [];
  const look = (key: string) => {
    if (!(key in annotations)) return;
    const v = str(annotations[key]);
    if (ok(v)) return;
    forbidden.push(`${key}=${JSON.stringify(v)}`);
    paths.push(`metadata.annotations[${JSON.stringify(key)}]`);
  };
  look(SECCOMP_POD_ANNOTATION);
  for (const { name } of containersOf(spec)) look(SECCOMP_CONTAINER_ANNOTATION + name);
  if (forbidden.length === 0) return undefined;
  const distinct = sortedSet(forbidden);
  return fail(
    'seccompProfile',
    `forbidden ${pluralize('annotation', 'annotations', distinct.length)} ${distinct.join(', ')}`,
    sortedSet(paths),
  );
};

export const seccompBaseline1_19: CheckPod = ({ spec }) => {
  const setters: string[] = [];
  const values: string[] = [];
  const paths: string[] = [];
  const podProfile = rec(podSc(spec, 'seccompProfile'));
  if (podProfile && !validSeccompType(podProfile.type)) {
    setters.push('pod');
    values.push(str(podProfile.type));
    paths.push('spec.securityContext.seccompProfile.type');
  }
  const names: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    const profile = rec(sc(c, 'seccompProfile'));
    if (profile && !validSeccompType(profile.type)) {
      names.push(name);
      values.push(str(profile.type));
      paths.push(`${path}.securityContext.seccompProfile.type`);
    }
  }
  if (names.length > 0) setters.push(containersPhrase(names));
  if (setters.length === 0) return undefined;
  return fail(
    'seccompProfile',
    `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`,
    paths,
  );
};

export const seccompRestricted: CheckPod = ({ spec }) => {
  const setters: string[] = [];
  const values: string[] = [];
  const paths: string[] = [];
  let podSet = false;
  const podProfile = rec(podSc(spec, 'seccompProfile'));
  if (podProfile) {
    if (validSeccompType(podProfile.type)) podSet = true;
    else {
      setters.push('pod');
      values.push(str(podProfile.type));
      paths.push('spec.securityContext.seccompProfile.type');
    }
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  const implicitPaths: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    const profile = rec(sc(c, 'seccompProfile'));
    if (profile) {
      if (!validSeccompType(profile.type)) {
        explicit.push(name);
        values.push(str(profile.type));
        paths.push(`${path}.securityContext.seccompProfile.type`);
      }
    } else if (!podSet) {
      implicit.push(name);
      implicitPaths.push(`${path}.securityContext.seccompProfile.type`);
    }
  }
  if (explicit.length > 0) setters.push(containersPhrase(explicit));
  if (setters.length > 0)
    return fail(
      'seccompProfile',
      `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`,
      paths,
    );
  if (implicit.length > 0)
    return fail(
      'seccompProfile',
      `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      implicitPaths,
    );
  return undefined;
};
