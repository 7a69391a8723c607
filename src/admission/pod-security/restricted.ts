/**
 * The restricted checks of k8s.io/pod-security-admission/policy (check_*.go). Restricted is
 * baseline plus these; a restricted check may override (replace) a baseline one.
 */
import { procMount1_0 } from './baseline.js';
import {
  type Check,
  type CheckPod,
  containersPhrase,
  fail,
  joinQuote,
  pluralize,
  sortedSet,
} from './check.js';
import { containersOf, inUserNamespace, isWindows, list, podSc, rec, sc, str } from './pod.js';
import { seccompRestricted } from './seccomp.js';

/** 1.25+: the Linux-only restricted checks do not apply to pods that declare `os.name: windows`. */
const linuxOnly =
  (check: CheckPod): CheckPod =>
  (pod) =>
    isWindows(pod.spec) ? undefined : check(pod);
/** 1.35+: a pod in a user namespace (hostUsers: false) may run as uid 0 inside it. */
const unlessUserNamespace =
  (check: CheckPod): CheckPod =>
  (pod) =>
    inUserNamespace(pod.spec) ? undefined : check(pod);

const allowPrivilegeEscalation: CheckPod = ({ spec }) => {
  const bad = containersOf(spec).filter(({ c }) => sc(c, 'allowPrivilegeEscalation') !== false);
  if (bad.length === 0) return undefined;
  return fail(
    'allowPrivilegeEscalation != false',
    `${containersPhrase(bad.map((x) => x.name))} must set securityContext.allowPrivilegeEscalation=false`,
    bad.map((x) => `${x.path}.securityContext.allowPrivilegeEscalation`),
  );
};

const capabilitiesRestricted: CheckPod = ({ spec }) => {
  const missingDrop: string[] = [];
  const adding: string[] = [];
  const forbidden: string[] = [];
  const paths: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    const caps = rec(sc(c, 'capabilities'));
    if (!caps) {
      missingDrop.push(name);
      paths.push(`${path}.securityContext.capabilities.drop`);
      continue;
    }
    if (!list(caps.drop).includes('ALL')) {
      missingDrop.push(name);
      paths.push(`${path}.securityContext.capabilities.drop`);
    }
    const extra = list(caps.add)
      .map(String)
      .filter((x) => x !== 'NET_BIND_SERVICE');
    if (extra.length > 0) {
      adding.push(name);
      forbidden.push(...extra);
      paths.push(`${path}.securityContext.capabilities.add`);
    }
  }
  const details: string[] = [];
  if (missingDrop.length > 0)
    details.push(`${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length > 0)
    details.push(
      `${containersPhrase(adding)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`,
    );
  if (details.length === 0) return undefined;
  return fail('unrestricted capabilities', details.join('; '), paths);
};

// Inline volume sources the restricted level allows; anything else (nfs, hostPath…) is refused.
const ALLOWED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
// In upstream's order: the first one set names the volume's type.
const KNOWN_VOLUMES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

const restrictedVolumes: CheckPod = ({ spec }) => {
  const names: string[] = [];
  const types: string[] = [];
  const paths: string[] = [];
  list(spec.volumes).forEach((raw, i) => {
    const v = rec(raw) ?? {};
    if (ALLOWED_VOLUMES.some((t) => v[t] != null)) return;
    names.push(str(v.name));
    const type = KNOWN_VOLUMES.find((t) => v[t] != null);
    types.push(type ?? 'unknown');
    paths.push(type ? `spec.volumes[${i}].${type}` : `spec.volumes[${i}]`);
  });
  if (names.length === 0) return undefined;
  const distinct = sortedSet(types);
  return fail(
    'restricted volume types',
    `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('restricted volume type', 'restricted volume types', distinct.length)} ${joinQuote(distinct)}`,
    paths,
  );
};

const runAsNonRoot: CheckPod = ({ spec }) => {
  const setters: string[] = [];
  const paths: string[] = [];
  const podValue = podSc(spec, 'runAsNonRoot');
  let podNonRoot = false;
  if (typeof podValue === 'boolean') {
    if (podValue) podNonRoot = true;
    else {
      setters.push('pod');
      paths.push('spec.securityContext.runAsNonRoot');
    }
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  const implicitPaths: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    const v = sc(c, 'runAsNonRoot');
    if (typeof v === 'boolean') {
      if (!v) {
        explicit.push(name);
        paths.push(`${path}.securityContext.runAsNonRoot`);
      }
    } else if (!podNonRoot) {
      implicit.push(name);
      implicitPaths.push(`${path}.securityContext.runAsNonRoot`);
    }
  }
  if (explicit.length > 0) setters.push(containersPhrase(explicit));
  if (setters.length > 0)
    return fail(
      'runAsNonRoot != true',
      `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
      paths,
    );
  if (implicit.length > 0)
    return fail(
      'runAsNonRoot != true',
      `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`,
      implicitPaths,
    );
  return undefined;
};

const runAsUser: CheckPod = ({ spec }) => {
  const setters: string[] = [];
  const paths: string[] = [];
  if (podSc(spec, 'runAsUser') === 0) {
    setters.push('pod');
    paths.push('spec.securityContext.runAsUser');
  }
  const names: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    if (sc(c, 'runAsUser') === 0) {
      names.push(name);
      paths.push(`${path}.securityContext.runAsUser`);
    }
  }
  if (names.length > 0) setters.push(containersPhrase(names));
  if (setters.length === 0) return undefined;
  return fail('runAsUser=0', `${setters.join(' and ')} must not set runAsUser=0`, paths);
};

const since = (minimumMinor: number, checkPod: CheckPod, overrides?: string[]) =>
  overrides ? { minimumMinor, checkPod, overrides } : { minimumMinor, checkPod };

export const RESTRICTED_CHECKS: readonly Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [since(8, allowPrivilegeEscalation), since(25, linuxOnly(allowPrivilegeEscalation))],
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    versions: [
      since(22, capabilitiesRestricted, ['capabilities_baseline']),
      since(25, linuxOnly(capabilitiesRestricted), ['capabilities_baseline']),
    ],
  },
  {
    id: 'procMount_restricted',
    level: 'restricted',
    versions: [since(35, procMount1_0, ['procMount'])],
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    versions: [since(0, restrictedVolumes, ['hostPathVolumes'])],
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    versions: [since(0, runAsNonRoot), since(35, unlessUserNamespace(runAsNonRoot))],
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    versions: [since(23, runAsUser), since(35, unlessUserNamespace(runAsUser))],
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    versions: [
      since(19, seccompRestricted, ['seccompProfile_baseline']),
      since(25, linuxOnly(seccompRestricted), ['seccompProfile_baseline']),
    ],
  },
];
