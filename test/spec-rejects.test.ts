/** Issue 7, items 1, 6 and 9: duplicates, unsafe inputs and hostile YAML get located errors. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, SpecError } from '../src/spec/errors.js';
import { loadSpec, parseSpec } from '../src/spec/load.js';
import { MAX_SPEC_BYTES } from '../src/spec/yaml.js';
import { exampleText, mlp, tempDir } from './helpers.js';
import { lineOf, problems, replace } from './spec-helpers.js';

/** The located problems of loading `bytes` from a file. */
function fileProblems(bytes: Uint8Array | string): string[] {
  const file = join(tempDir(), 'p.yaml');
  writeFileSync(file, bytes);
  try {
    loadSpec(file);
    return [];
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    return err.issues.map((i) => formatIssue({ ...i, file: 'p.yaml' }));
  }
}

describe('duplicate objects are spec mistakes, located (item 1)', () => {
  it('the same allowFrom team twice', () => {
    const text = replace(
      '- { team: app-team, ports: [8080/TCP] }',
      '- { team: app-team, ports: [8080/TCP] }\n        - { team: app-team, ports: [9090/TCP] }',
    );
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, '9090/TCP')}:19: teams[0].network.allowFrom[1].team: team "app-team" is already allowed at allowFrom[0]; list its ports in one entry (each entry renders NetworkPolicy allow-from-team-app-team)`,
    ]);
  });

  it('a duplicate allowFrom brought in by an environment override points at the override', () => {
    const text = replace(
      '      app-team:\n        quota: { objects',
      '      ml-team:\n        network: { allowFrom: [{ team: app-team, ports: [8080] }, { team: app-team, ports: [9090] }] }\n      app-team:\n        quota: { objects',
    );
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, 'ports: [9090]')}:75: environments.prod.teams.ml-team.network.allowFrom[1].team: team "app-team" is already allowed at allowFrom[0]; list its ports in one entry (each entry renders NetworkPolicy allow-from-team-app-team)`,
    ]);
  });

  it('a service account twice', () => {
    const text = replace(
      '- { name: model-server, role: viewer }',
      '- { name: training-runner, role: viewer }',
    );
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, '- { name: training-runner, role: viewer }')}:17: teams[0].serviceAccounts[1].name: service account "training-runner" is already defined at serviceAccounts[0]; one account has one role`,
    ]);
  });

  it('a team named like a shared-service namespace', () => {
    const text = replace('- name: data-team', '- name: database').replace(
      '      data-team:\n        quota: { requests: { cpu: "4"',
      '      database:\n        quota: { requests: { cpu: "4"',
    );
    expect(problems(text)[0]).toBe(
      `p.yaml:${lineOf(text, '- name: database')}:11: teams[1].name: team "database" is named like the namespace of shared service "postgres" (sharedServices[0].namespace): both would render Namespace database`,
    );
  });

  it('the same shared service, port, bucket or ingress host listed twice', () => {
    const text = replace('services: [postgres, minio]', 'services: [postgres, minio, postgres]')
      .replace(
        'metricsPorts: [8080/TCP]\n      ingressPorts',
        'metricsPorts: [8080/TCP, 8080]\n      ingressPorts',
      )
      .replace(
        'buckets: [ml-artifacts, data-lake, model-registry]',
        'buckets: [ml-artifacts, data-lake, ml-artifacts, model-registry]',
      )
      .replace(
        '- { host: app, service: app-api, port: 8080, rateLimit: { rps: 10, connections: 10 } }',
        '- { host: app, service: app-api, port: 8080 }\n      - { host: app, service: app-web, port: 8080 }',
      );
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, 'buckets: [ml-artifacts')}:40: sharedServices[2].buckets[2]: bucket "ml-artifacts" is already listed at buckets[0]`,
      `p.yaml:${lineOf(text, '[8080/TCP, 8080]')}:32: teams[0].network.metricsPorts[1]: port 8080 is already listed at metricsPorts[0]`,
      `p.yaml:${lineOf(text, 'minio, postgres]')}:35: teams[1].network.services[2]: shared service "postgres" is already listed at services[0]`,
      `p.yaml:${lineOf(text, 'app-web')}:17: teams[2].ingress[1].host: host "app" is already published at ingress[0] (each host renders one Ingress and one Certificate)`,
    ]);
  });

  it('members listed twice are harmless (one RoleBinding lists the subject twice) and accepted', () => {
    const text = replace(
      'developer: { groups: [ml-engineers] }',
      'developer: { groups: [ml-engineers, ml-engineers] }',
    );
    expect(problems(text)).toEqual([]);
  });
});

describe('unsafe or surprising inputs (item 6)', () => {
  it.each([
    ['kube-system', 'a namespace of Kubernetes itself'],
    ['default', 'a namespace of Kubernetes itself'],
    ['kube-node-lease', 'a namespace of Kubernetes itself'],
    ['monitoring', 'the monitoring namespace (platform.monitoringNamespace)'],
    ['ingress-nginx', 'the ingress controller namespace (platform.ingressNamespace)'],
    ['cert-manager', 'the namespace of the cert-manager engine'],
    ['external-secrets', 'the namespace of the external-secrets engine'],
    ['argocd', 'the namespace of the argocd engine'],
    ['kyverno', 'the namespace of the kyverno engine'],
  ])('refuses the reserved team name %s', (name, why) => {
    const text = replace('- name: data-team', `- name: ${name}`).replace(
      '      data-team:\n        quota: { requests: { cpu: "4"',
      `      ${name}:\n        quota: { requests: { cpu: "4"`,
    );
    expect(problems(text)[0]).toBe(
      `p.yaml:${lineOf(text, `- name: ${name}`)}:11: teams[1].name: team name "${name}" is reserved: the team namespace would be ${why}; choose another`,
    );
  });

  it('refuses a team the admission rules would exempt', () => {
    const text = replace(
      'exemptions: []',
      'exemptions: [{ namespace: app-team, reason: "its alerts are too noisy for now" }]',
    );
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, '- name: app-team')}:11: teams[2].name: team name "app-team" is reserved: the team namespace would be exempt from the admission rules (platform.policies.exemptions); choose another`,
    ]);
  });

  it('refuses a shared service in kube-system', () => {
    const text = replace('namespace: cache', 'namespace: kube-system');
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, 'namespace: kube-system')}:16: sharedServices[1].namespace: namespace "kube-system" is reserved: a namespace of Kubernetes itself; choose another`,
    ]);
  });

  it('refuses the same ingress host in two teams', () => {
    const text = replace('- { host: app, service: app-api', '- { host: ml-api, service: app-api');
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, 'service: app-api')}:17: teams[2].ingress[0].host: host "ml-api" is also published by team ml-team; hosts are unique across teams (both would serve ml-api.<domain>)`,
    ]);
  });

  it('gives one located error when the policy engine does not exist in the target version', async () => {
    const text = replace('kubernetesVersion: "1.31"', 'kubernetesVersion: "1.29"');
    expect(problems(text)).toEqual([
      `p.yaml:7:22: platform.kubernetesVersion: admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy is served from Kubernetes 1.30 on, and platform.policies.engine is validating-admission-policy; target "1.30" or later, or set platform.policies.engine: kyverno`,
    ]);
    expect(problems(text.replace('engine: validating-admission-policy', 'engine: kyverno'))).toEqual([]);
  });

  it('refuses __proto__ in an environment override instead of silently ignoring it', () => {
    const text = replace(
      '      app-team:\n        quota: { objects',
      '      app-team:\n        __proto__: { podSecurity: privileged }\n        quota: { objects',
    );
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, '__proto__')}:9: environments.prod.teams.app-team.__proto__: key "__proto__" is not allowed: it names a JavaScript object property and would be silently dropped or change how the spec merges; rename it`,
    ]);
  });

  it.each(['constructor', 'prototype', '__proto__'])('refuses the key %s anywhere', (key) => {
    const text = replace('podSelector: { app.kubernetes.io/name: redis }', `podSelector: { ${key}: redis }`);
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, `${key}: redis`)}:20: sharedServices[1].podSelector.${key}: key "${key}" is not allowed: it names a JavaScript object property and would be silently dropped or change how the spec merges; rename it`,
    ]);
  });

  it('refuses an override that renames its team', () => {
    const text = replace(
      '      app-team:\n        quota: { objects',
      '      app-team:\n        name: web-team\n        quota: { objects',
    );
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, 'name: web-team')}:15: environments.prod.teams.app-team.name: an override cannot rename its team; remove name (the override applies to app-team)`,
    ]);
  });
});

describe('hostile YAML (item 9)', () => {
  it('accepts honest reuse beyond the old limit of 100 aliases', () => {
    const aliases = Array.from({ length: 150 }, () => '*g').join(', ');
    const text = replace(
      'developer: { groups: [ml-engineers] }',
      `developer: { groups: [&g ml-engineers, ${aliases}] }`,
    );
    expect(problems(text)).toEqual([]);
  });

  it('locates a billion-laughs bomb at the alias that crosses the limit', () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const out = problems(levels.join('\n'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(
      /^p\.yaml:5:8: e\[0\]: too many aliases: expanding them dereferences more than 1000 \(a YAML bomb\?\); write the values out or reuse less$/,
    );
  });

  it('locates a few aliases of a huge anchor', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => i).join(',');
    const text = `a: &a [${big}]\nb: [${Array(60).fill('*a').join(', ')}]\n`;
    const out = problems(text);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(
      /^p\.yaml:2:\d+: b\[\d+\]: aliases expand the document to more than 1,000,000 values \(a YAML bomb\?\)$/,
    );
  });

  it('refuses an alias to no anchor', () => {
    expect(problems('a: *nope\n')).toEqual([
      'p.yaml:1:4: a: alias *nope refers to no anchor; define &nope before it is used',
    ]);
  });

  it('refuses an alias inside its own anchor (an infinitely deep value)', () => {
    expect(problems('a: &a [1, *a]\n')).toEqual([
      'p.yaml:1:11: a[1]: alias *a refers to a node that contains it, which would be infinitely deep',
    ]);
  });

  it('caps the size before parsing, naming the size and the limit', () => {
    const text = `${exampleText()}#${'x'.repeat(MAX_SPEC_BYTES)}\n`;
    // The size follows the example's (which grows with the spec): KiB rounded up, as reported.
    const kib = Math.ceil(Buffer.byteLength(text) / 1024);
    expect(kib).toBeGreaterThan(1024);
    expect(problems(text)).toEqual([
      `p.yaml:1:1: (root): the spec is ${kib} KiB, over the limit of 1024 KiB; a platform spec is a few KiB (split it or check that this is the right file)`,
    ]);
    const started = performance.now();
    expect(fileProblems(`{${'['.repeat(27 * 1024 * 1024)}`)[0]).toMatch(
      /the spec is 27649 KiB, over the limit of 1024 KiB/,
    );
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses NUL bytes, invalid UTF-8 and UTF-16, located; accepts a UTF-8 byte order mark', () => {
    expect(problems('platform:\n  name: a\u0000b\n')).toEqual([
      'p.yaml:2:10: (root): control character U+0000 (NUL) is not allowed in YAML; is this a binary file?',
    ]);
    const bad = Buffer.concat([
      Buffer.from('platform:\n  name: caf'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\n'),
    ]);
    expect(fileProblems(bad)).toEqual([
      'p.yaml:2:12: (root): invalid UTF-8 at byte 21; save the file as UTF-8',
    ]);
    expect(fileProblems(Buffer.from('\ufeffplatform: {}\n', 'utf16le'))).toEqual([
      'p.yaml:1:1: (root): the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8',
    ]);
    expect(fileProblems(`\ufeff${exampleText()}`)).toEqual([]);
  });

  it('nests at most 64 levels', () => {
    const out = problems(`teams:\n${'  - '.repeat(1).concat('['.repeat(80), ']'.repeat(80))}\n`);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/nested more than 64 levels deep; no spec field is$/);
  });

  it('never ends in an internal error: the CLI exits 2 with the location', async () => {
    const dir = tempDir();
    const file = join(dir, 'bomb.yaml');
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++) {
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    }
    writeFileSync(file, levels.join('\n'));
    const r = await mlp(['check', '-f', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bomb\.yaml:5:8: e\[0\]: too many aliases/);
    expect(r.stderr).not.toContain('internal error');
  });
});

describe('parseSpec never throws anything but a SpecError', () => {
  it.each([
    ['a merge key', 'platform: { <<: {name: x} }\n'],
    ['a complex key', '? [a, b]\n: 1\n'],
    ['a tag', 'platform: !!binary aGVsbG8=\n'],
    ['a document stream', 'a: 1\n---\nb: 2\n'],
    ['an empty file', ''],
    ['a scalar', '42\n'],
  ])('%s', (_what, text) => {
    try {
      parseSpec(text, 'p.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(SpecError);
    }
  });
});
