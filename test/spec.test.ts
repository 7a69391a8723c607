import { describe, expect, it } from 'vitest';
import { isDns1123Label } from '../src/core/names.js';
import { parseQuantity } from '../src/core/quantity.js';
import { exampleSpec } from './helpers.js';
import { lineOf, problems, replace } from './spec-helpers.js';

describe('the example platform', () => {
  it('loads with all four environments and the seed teams', () => {
    const spec = exampleSpec();
    expect([...spec.environments.keys()]).toEqual(['local', 'dev', 'staging', 'prod']);
    const staging = spec.environments.get('staging')!;
    const ml = staging.teams.find((t) => t.name === 'ml-team')!;
    expect(ml.quota).toMatchObject({ requests: { cpu: '20', memory: '64Gi' }, gpu: 4 });
    expect(staging.teams.find((t) => t.name === 'data-team')!.quota.storage).toBe('1Ti');
    expect(staging.teams.find((t) => t.name === 'app-team')!.quota).toMatchObject({
      requests: { cpu: '8', memory: '24Gi' },
      storage: '200Gi',
    });
    expect(ml.members.developer?.groups).toContain('ml-engineers');
  });

  it('applies environment overrides by merging mappings and replacing scalars', () => {
    const local = exampleSpec().environments.get('local')!;
    const ml = local.teams.find((t) => t.name === 'ml-team')!;
    expect(ml.quota.requests).toEqual({ cpu: '6', memory: '20Gi' });
    expect(ml.quota.gpu).toBe(0);
    // Not overridden in local: kept from the base.
    expect(ml.limits.defaultRequest).toEqual({ cpu: '250m', memory: '512Mi' });
    expect(ml.quota.objects.pods).toBe(50);
  });
});

describe('located errors', () => {
  it('reports a bad quantity with file:line:col, path, expected and received', () => {
    const text = replace('requests: { cpu: "20", memory: 64Gi }', 'requests: { cpu: "20", memory: 1GB }');
    const line = lineOf(text, 'memory: 1GB');
    expect(problems(text)).toEqual([
      `p.yaml:${line}:38: teams[0].quota.requests.memory: expected a Kubernetes quantity such as 500m, 2, 64Gi or 1Ti, received "1GB"`,
    ]);
  });

  it('reports an unknown field at its key with the fields that are allowed', () => {
    const text = replace('    costCenter: product\n', '    costCenter: product\n    owner: bob\n');
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, 'owner: bob')}:5: teams[2].owner: unknown field "owner"; expected one of: name, description, costCenter, members, serviceAccounts, quota, limits, ingress, podSecurity, network, repos, models`,
    ]);
  });

  it('reports a wrong type', () => {
    const text = replace('      gpu: 4\n', '      gpu: four\n');
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, 'gpu: four')}:12: teams[0].quota.gpu: expected a number, received "four"`,
    ]);
  });

  it('reports a non-DNS-1123 team name', () => {
    const text = replace('- name: data-team', '- name: Data_Team');
    expect(problems(text)[0]).toBe(
      `p.yaml:${lineOf(text, 'Data_Team')}:11: teams[1].name: expected a DNS-1123 label: lowercase letters, digits and "-", e.g. ml-team, received "Data_Team"`,
    );
  });

  it('reports a duplicate team', () => {
    const text = replace('- name: app-team', '- name: data-team');
    expect(problems(text)).toContain(
      `p.yaml:${lineOf(text, 'Product APIs') - 1}:11: teams[2].name: duplicate team "data-team" (first defined at teams[1])`,
    );
  });

  it('reports references to teams and services that do not exist', () => {
    const text = replace(
      '- { team: app-team, ports: [8080/TCP] }',
      '- { team: web-team, ports: [8080/TCP] }',
    ).replace('services: [postgres, minio]', 'services: [postgres, mongo]');
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, 'web-team')}:19: teams[0].network.allowFrom[0].team: unknown team "web-team"; expected one of: ml-team, data-team, app-team`,
      `p.yaml:${lineOf(text, 'mongo')}:28: teams[1].network.services[1]: unknown shared service "mongo"; expected one of: postgres, redis, minio`,
    ]);
  });

  it('points an invalid override at the override, not at the base', () => {
    const text = replace(
      'quota: { requests: { cpu: "4", memory: 12Gi }',
      'quota: { requests: { cpu: "4", memory: 12GB }',
    );
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, '12GB')}:48: environments.local.teams.data-team.quota.requests.memory: expected a Kubernetes quantity such as 500m, 2, 64Gi or 1Ti, received "12GB"`,
    ]);
  });

  it('reports an override of a team that does not exist', () => {
    const text = replace(
      '  staging:\n',
      '  staging:\n    teams: { ghost-team: { podSecurity: baseline } }\n',
    );
    expect(problems(text)[0]).toMatch(
      /environments\.staging\.teams\.ghost-team: override for unknown team "ghost-team"/,
    );
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('platform:\n  name: x\n teams: [\n')[0]).toMatch(
      /^p\.yaml:3:1: \(root\): invalid YAML: /,
    );
  });

  it('collects every problem in one run', () => {
    const text = replace('memory: 64Gi }', 'memory: 64GB }')
      .replace('- name: data-team', '- name: DATA')
      .replace('capacity: { cpu: "128"', 'capacity: { cpu: [1]');
    expect(problems(text)).toHaveLength(3);
  });
});

describe('boundaries', () => {
  it.each([
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['', false],
    ['ml-team', true],
    ['ML-team', false],
    ['-ml', false],
    ['ml-', false],
    ['ml.team', false],
    ['0ml', true],
  ])('DNS-1123 label %j → %s', (name, ok) => expect(isDns1123Label(name)).toBe(ok));

  it.each([
    ['500m', 500],
    ['0.5', 500],
    ['2', 2000],
    ['1Gi', 2 ** 30 * 1000],
    ['1G', 1e9 * 1000],
    ['1e3', 1e6],
    ['1.5Ki', 1536 * 1000],
    ['1GB', undefined],
    ['1 Gi', undefined],
    ['', undefined],
    ['Gi', undefined],
  ])('quantity %j → %s milli', (text, milli) => expect(parseQuantity(text)).toBe(milli));
});
