/**
 * Loads `platform.yaml`: YAML → zod → cross-references → per-environment resolution.
 * Every problem found is collected (not just the first) and reported with its location.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { parsePort } from '../core/ports.js';
import { formatPath, type PathSegment, SpecError, type SpecIssue } from './errors.js';
import { SourceMap } from './locate.js';
import type { ResolvedEnvironment, Spec } from './model.js';
import {
  ENVIRONMENTS,
  type EnvironmentName,
  type PlatformSpecRaw,
  platformSchema,
  type Team,
  teamSchema,
} from './schema.js';
import { checkPlatformSubjects, checkTeamSubjects } from './subjects.js';
import { type RawIssue, translateIssues } from './zod-issues.js';

export function loadSpec(file: string): Spec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new SpecError([{ file, line: 1, col: 1, path: '', message: `cannot read spec: ${reason}` }]);
  }
  return parseSpec(text, file);
}

export function parseSpec(text: string, file = 'platform.yaml'): Spec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
        return {
          file,
          line: pos.line,
          col: pos.col,
          path: '',
          message: `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        };
      }),
    );
  }
  const source = new SourceMap(doc, lines);
  const issues: SpecIssue[] = [];
  const report = (raw: RawIssue) => {
    const pos = source.locate(raw.path, raw.key);
    issues.push({ file, line: pos.line, col: pos.col, path: formatPath(raw.path), message: raw.message });
  };

  const input = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const parsed = platformSchema.safeParse(input);
  if (!parsed.success) {
    for (const i of translateIssues(platformSchema, parsed.error.issues, input)) report(i);
  }
  // Teams are validated even when the rest failed, so one run reports every problem.
  const teamInputs = (input as { teams?: unknown } | null)?.teams;
  const baseTeams = validateTeams(Array.isArray(teamInputs) ? teamInputs : [], ['teams'], report);
  if (!parsed.success || issues.length > 0) throw new SpecError(issues);
  const raw = parsed.data;
  checkPlatformSubjects(raw.platform.admins, report);
  // Reference problems of the base are reported once, not again for every environment.
  const baseProblems = new Set<string>();
  checkReferences(raw, baseTeams, ['teams'], (i) => {
    baseProblems.add(i.message);
    report(i);
  });

  const environments = new Map<EnvironmentName, ResolvedEnvironment>();
  const platform = raw.platform;
  for (const env of ENVIRONMENTS) {
    const e = raw.environments[env];
    if (!e) continue;
    for (const name of Object.keys(e.teams)) {
      if (!baseTeams.some((t) => t.name === name)) {
        report({
          path: ['environments', env, 'teams', name],
          key: name,
          message: `override for unknown team "${name}"; expected one of: ${baseTeams.map((t) => t.name).join(', ')}`,
        });
      }
    }
    for (const name of Object.keys(e.services)) {
      if (!raw.sharedServices.some((s) => s.name === name)) {
        report({
          path: ['environments', env, 'services', name],
          key: name,
          message: `unknown shared service "${name}"; expected one of: ${raw.sharedServices.map((s) => s.name).join(', ') || '(none declared)'}`,
        });
      }
    }
    const teams: Team[] = [];
    raw.teams.forEach((teamInput, index) => {
      const team = baseTeams[index]!;
      const override = e.teams[team.name];
      if (!override) {
        teams.push(team);
        return;
      }
      const merged = deepMerge(teamInput, override);
      const overridePath: PathSegment[] = ['environments', env, 'teams', team.name];
      const result = teamSchema.safeParse(merged);
      if (!result.success) {
        // The base already validated, so what fails here came from the override: point there.
        for (const i of translateIssues(teamSchema, result.error.issues, merged)) {
          report({ ...i, path: [...overridePath, ...i.path] });
        }
        return;
      }
      teams.push(result.data);
    });
    if (!e.domain && teams.some((t) => t.ingress.length > 0)) {
      report({
        path: ['environments', env],
        message:
          'teams publish ingress hosts, so this environment needs a domain (e.g. domain: ml.local.dev)',
      });
    }
    if (teams.length === raw.teams.length) {
      checkReferences(
        raw,
        teams,
        ['environments', env, 'teams'],
        (i) => baseProblems.has(i.message) || report(i),
        true,
      );
    }
    environments.set(env, {
      platform,
      environment: env,
      capacity: e.capacity,
      allowedRegistries: e.allowedRegistries ?? platform.policies.allowedRegistries,
      secretStore: e.secretStore,
      domain: e.domain,
      tls: e.tls,
      services: e.services,
      teams,
      sharedServices: raw.sharedServices,
    });
  }
  if (environments.size === 0) {
    report({
      path: ['environments'],
      message: 'expected at least one of local, dev, staging, prod, received none',
    });
  }
  if (issues.length > 0) throw new SpecError(dedupe(issues));
  return { file, platform, environments };
}

function validateTeams(
  inputs: readonly unknown[],
  prefix: PathSegment[],
  report: (i: RawIssue) => void,
): Team[] {
  const teams: Team[] = [];
  inputs.forEach((input, index) => {
    const result = teamSchema.safeParse(input);
    if (result.success) teams.push(result.data);
    else
      for (const i of translateIssues(teamSchema, result.error.issues, input, [...prefix, index])) report(i);
  });
  return teams;
}

/** Names must be unique and every reference must point at something that exists. */
function checkReferences(
  raw: PlatformSpecRaw,
  teams: readonly Team[],
  prefix: PathSegment[],
  report: (i: RawIssue) => void,
  byName = false,
): void {
  const at = (index: number, team: Team, ...rest: PathSegment[]): PathSegment[] =>
    byName ? [...prefix, team.name, ...rest] : [...prefix, index, ...rest];
  const seen = new Map<string, number>();
  const services = new Set(raw.sharedServices.map((s) => s.name));
  const serviceSeen = new Set<string>();
  raw.sharedServices.forEach((s, i) => {
    if (serviceSeen.has(s.name))
      report({ path: ['sharedServices', i, 'name'], message: `duplicate shared service "${s.name}"` });
    serviceSeen.add(s.name);
  });
  const names = new Set(teams.map((t) => t.name));
  teams.forEach((team, index) => {
    if (!byName) {
      const first = seen.get(team.name);
      if (first !== undefined) {
        report({
          path: [...prefix, index, 'name'],
          message: `duplicate team "${team.name}" (first defined at teams[${first}])`,
        });
      } else seen.set(team.name, index);
    }
    checkTeamSubjects(team, (...rest) => at(index, team, ...rest), report);
    team.network.allowFrom.forEach((a, j) => {
      if (!names.has(a.team)) {
        report({
          path: at(index, team, 'network', 'allowFrom', j, 'team'),
          message: `unknown team "${a.team}"; expected one of: ${[...names].join(', ')}`,
        });
      } else if (a.team === team.name) {
        report({
          path: at(index, team, 'network', 'allowFrom', j, 'team'),
          message: 'a team always reaches itself; remove this entry',
        });
      }
    });
    team.ingress.forEach((route, j) => {
      const open = team.network.ingressPorts.some((p) => {
        const r = parsePort(p);
        return r.protocol === 'TCP' && route.port >= r.port && route.port <= r.endPort;
      });
      if (!open) {
        report({
          path: at(index, team, 'ingress', j, 'port'),
          message: `port ${route.port} of host "${route.host}" is not in network.ingressPorts, so the ingress controller could not reach it; add ${route.port}/TCP there`,
        });
      }
    });
    team.network.services.forEach((s, j) => {
      if (!services.has(s)) {
        report({
          path: at(index, team, 'network', 'services', j),
          message: `unknown shared service "${s}"; expected one of: ${[...services].join(', ') || '(none declared)'}`,
        });
      }
    });
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Overrides merge into mappings key by key; lists and scalars replace what they override. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

function dedupe(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.line}:${i.col}:${i.path}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
