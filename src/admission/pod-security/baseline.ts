/**
 * The baseline checks of k8s.io/pod-security-admission/policy (check_*.go), one function per
 * upstream check and version. Reasons and details follow upstream's wording.
 */
import {
  type Check,
  type CheckFailure,
  type CheckPod,
  containersPhrase,
  fail,
  joinQuote,
  pluralize,
  sortedSet,
} from './check.js';
import { containersOf, inUserNamespace, list, podSc, rec, sc, str } from './pod.js';
import { seccompBaseline1_0, seccompBaseline1_19 } from './seccomp.js';

const privileged: CheckPod = ({ spec }) => {
  const bad = containersOf(spec).filter(({ c }) => sc(c, 'privileged') === true);
  if (bad.length === 0) return undefined;
  return fail(
    'privileged',
    `${containersPhrase(bad.map((x) => x.name))} must not set securityContext.privileged=true`,
    bad.map((x) => `${x.path}.securityContext.privileged`),
  );
};

const hostNamespaces: CheckPod = ({ spec }) => {
  const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => spec[f] === true);
  if (set.length === 0) return undefined;
  return fail(
    'host namespaces',
    set.map((f) => `${f}=true`).join(', '),
    set.map((f) => `spec.${f}`),
  );
};

const hostPathVolumes: CheckPod = ({ spec }) => {
  const bad = list(spec.volumes)
    .map((v, i) => ({ v: rec(v) ?? {}, i }))
    .filter(({ v }) => v.hostPath != null);
  if (bad.length === 0) return undefined;
  const names = bad.map(({ v }) => str(v.name));
  return fail(
    'hostPath volumes',
    `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`,
    bad.map(({ i }) => `spec.volumes[${i}].hostPath`),
  );
};

const hostPorts: CheckPod = ({ spec }) => {
  const names: string[] = [];
  const ports: string[] = [];
  const paths: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    let bad = false;
    list(c.ports).forEach((p, i) => {
      const hostPort = rec(p)?.hostPort;
      if (typeof hostPort === 'number' && hostPort !== 0) {
        bad = true;
        ports.push(String(hostPort));
        paths.push(`${path}.ports[${i}].hostPort`);
      }
    });
    if (bad) names.push(name);
  }
  if (names.length === 0) return undefined;
  const distinct = sortedSet(ports);
  return fail(
    'hostPort',
    `${containersPhrase(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('hostPort', 'hostPorts', distinct.length)} ${distinct.join(', ')}`,
    paths,
  );
};

// 1.34+: probes and lifecycle handlers may not target another host.
const hostProbesAndHostLifecycle: CheckPod = ({ spec }) => {
  const names = new Set<string>();
  const hosts: string[] = [];
  const paths: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    const handlers: [string, unknown][] = [
      ['livenessProbe', c.livenessProbe],
      ['readinessProbe', c.readinessProbe],
      ['startupProbe', c.startupProbe],
      ['lifecycle.postStart', rec(c.lifecycle)?.postStart],
      ['lifecycle.preStop', rec(c.lifecycle)?.preStop],
    ];
    for (const [field, handler] of handlers) {
      for (const action of ['httpGet', 'tcpSocket']) {
        const host = str(rec(rec(handler)?.[action])?.host);
        if (host === '') continue;
        names.add(name);
        hosts.push(host);
        paths.push(`${path}.${field}.${action}.host`);
      }
    }
  }
  if (names.size === 0) return undefined;
  const distinct = sortedSet(hosts);
  return fail(
    'probe or lifecycle host',
    `${containersPhrase(sortedSet(names))} ${pluralize('uses', 'use', names.size)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', distinct.length)} ${joinQuote(distinct)}`,
    paths,
  );
};

export const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

const capabilitiesBaseline: CheckPod = ({ spec }) => {
  const names: string[] = [];
  const caps: string[] = [];
  const paths: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    const add = list(rec(sc(c, 'capabilities'))?.add);
    const bad = add.map(String).filter((x) => !BASELINE_CAPABILITIES.includes(x));
    if (bad.length === 0) continue;
    names.push(name);
    caps.push(...bad);
    paths.push(`${path}.securityContext.capabilities.add`);
  }
  if (names.length === 0) return undefined;
  return fail(
    'non-default capabilities',
    `${containersPhrase(names)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`,
    paths,
  );
};

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

const appArmorProfile: CheckPod = ({ metadata, spec }) => {
  const setters: string[] = [];
  const values: string[] = [];
  const paths: string[] = [];
  const allowedType = (t: string) => t === 'RuntimeDefault' || t === 'Localhost';
  const podProfile = rec(podSc(spec, 'appArmorProfile'));
  if (podProfile && !allowedType(str(podProfile.type))) {
    setters.push('pod');
    values.push(str(podProfile.type));
    paths.push('spec.securityContext.appArmorProfile.type');
  }
  const names: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    const profile = rec(sc(c, 'appArmorProfile'));
    if (profile && !allowedType(str(profile.type))) {
      names.push(name);
      values.push(str(profile.type));
      paths.push(`${path}.securityContext.appArmorProfile.type`);
    }
  }
  if (names.length > 0) setters.push(containersPhrase(names));
  const annotations: string[] = [];
  for (const [k, v] of Object.entries(rec(metadata.annotations) ?? {})) {
    const value = str(v);
    const ok = value === '' || value === 'runtime/default' || value.startsWith('localhost/');
    if (k.startsWith(APPARMOR_ANNOTATION) && !ok) {
      annotations.push(`${k}=${JSON.stringify(value)}`);
      paths.push(`metadata.annotations[${JSON.stringify(k)}]`);
    }
  }
  const badValues = sortedSet(values);
  if (annotations.length > 0) {
    badValues.push(...annotations.sort());
    setters.push(pluralize('annotation', 'annotations', annotations.length));
  }
  if (setters.length === 0) return undefined;
  return fail(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', badValues.length),
    `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(badValues)}`,
    paths,
  );
};

const SELINUX_TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const SELINUX_TYPES_1_31 = [...SELINUX_TYPES_1_0, 'container_engine_t'];

const seLinuxOptions =
  (allowed: readonly string[]): CheckPod =>
  ({ spec }) => {
    const types: string[] = [];
    let setUser = false;
    let setRole = false;
    const paths: string[] = [];
    const valid = (opts: Record<string, unknown>, at: string): boolean => {
      let ok = true;
      const type = str(opts.type);
      if (!allowed.includes(type)) {
        ok = false;
        types.push(type);
        paths.push(`${at}.type`);
      }
      if (str(opts.user) !== '') {
        ok = false;
        setUser = true;
        paths.push(`${at}.user`);
      }
      if (str(opts.role) !== '') {
        ok = false;
        setRole = true;
        paths.push(`${at}.role`);
      }
      return ok;
    };
    const setters: string[] = [];
    const podOpts = rec(podSc(spec, 'seLinuxOptions'));
    if (podOpts && !valid(podOpts, 'spec.securityContext.seLinuxOptions')) setters.push('pod');
    const names: string[] = [];
    for (const { name, path, c } of containersOf(spec)) {
      const opts = rec(sc(c, 'seLinuxOptions'));
      if (opts && !valid(opts, `${path}.securityContext.seLinuxOptions`)) names.push(name);
    }
    if (names.length > 0) setters.push(containersPhrase(names));
    if (setters.length === 0) return undefined;
    const data: string[] = [];
    const distinct = sortedSet(types);
    if (distinct.length > 0)
      data.push(`${pluralize('type', 'types', distinct.length)} ${joinQuote(distinct)}`);
    if (setUser) data.push('user may not be set');
    if (setRole) data.push('role may not be set');
    return fail(
      'seLinuxOptions',
      `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`,
      paths,
    );
  };

const procMountAt = (spec: Record<string, unknown>): CheckFailure | undefined => {
  const names: string[] = [];
  const types: string[] = [];
  const paths: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    const pm = sc(c, 'procMount');
    if (pm === undefined || pm === null || pm === 'Default') continue;
    names.push(name);
    types.push(str(pm));
    paths.push(`${path}.securityContext.procMount`);
  }
  if (names.length === 0) return undefined;
  return fail(
    'procMount',
    `${containersPhrase(names)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
    paths,
  );
};
export const procMount1_0: CheckPod = ({ spec }) => procMountAt(spec);
// 1.35+: baseline allows any procMount in a user namespace (hostUsers: false).
const procMount1_35: CheckPod = ({ spec }) => (inUserNamespace(spec) ? undefined : procMountAt(spec));

// The "safe" sysctls: namespaced and isolated from other pods. The list grows with versions.
const SYSCTLS_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [
  ...SYSCTLS_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const SYSCTLS_1_37 = [...SYSCTLS_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

const sysctls =
  (allowed: readonly string[]): CheckPod =>
  ({ spec }) => {
    const bad: string[] = [];
    const paths: string[] = [];
    list(podSc(spec, 'sysctls')).forEach((s, i) => {
      const name = str(rec(s)?.name);
      if (allowed.includes(name)) return;
      bad.push(name);
      paths.push(`spec.securityContext.sysctls[${i}].name`);
    });
    if (bad.length === 0) return undefined;
    return fail('forbidden sysctls', bad.join(', '), paths);
  };

const windowsHostProcess: CheckPod = ({ spec }) => {
  const setters: string[] = [];
  const paths: string[] = [];
  const names: string[] = [];
  for (const { name, path, c } of containersOf(spec)) {
    if (rec(sc(c, 'windowsOptions'))?.hostProcess === true) {
      names.push(name);
      paths.push(`${path}.securityContext.windowsOptions.hostProcess`);
    }
  }
  if (rec(podSc(spec, 'windowsOptions'))?.hostProcess === true) {
    setters.push('pod');
    paths.unshift('spec.securityContext.windowsOptions.hostProcess');
  }
  if (names.length > 0) setters.push(containersPhrase(names));
  if (setters.length === 0) return undefined;
  return fail(
    'hostProcess',
    `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
    paths,
  );
};

const since = (minimumMinor: number, checkPod: CheckPod) => ({ minimumMinor, checkPod });

export const BASELINE_CHECKS: readonly Check[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [since(0, appArmorProfile)] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [since(0, capabilitiesBaseline)] },
  { id: 'hostNamespaces', level: 'baseline', versions: [since(0, hostNamespaces)] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [since(0, hostPathVolumes)] },
  { id: 'hostPorts', level: 'baseline', versions: [since(0, hostPorts)] },
  {
    id: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    versions: [since(34, hostProbesAndHostLifecycle)],
  },
  { id: 'privileged', level: 'baseline', versions: [since(0, privileged)] },
  { id: 'procMount', level: 'baseline', versions: [since(0, procMount1_0), since(35, procMount1_35)] },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [since(0, seLinuxOptions(SELINUX_TYPES_1_0)), since(31, seLinuxOptions(SELINUX_TYPES_1_31))],
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    versions: [since(0, seccompBaseline1_0), since(19, seccompBaseline1_19)],
  },
  {
    id: 'sysctls',
    level: 'baseline',
    versions: [
      since(0, sysctls(SYSCTLS_1_0)),
      since(27, sysctls(SYSCTLS_1_27)),
      since(29, sysctls(SYSCTLS_1_29)),
      since(32, sysctls(SYSCTLS_1_32)),
      since(37, sysctls(SYSCTLS_1_37)),
    ],
  },
  { id: 'windowsHostProcess', level: 'baseline', versions: [since(0, windowsHostProcess)] },
];
