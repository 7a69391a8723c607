/**
 * Loads `platform.yaml`: YAML → zod → cross-references → per-environment resolution.
 * Every problem found is collected (not just the first) and reported with its location.
 */
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { formatPath, type PathSegment, SpecError, type SpecIssue } from './errors.js';
import { SourceMap } from './locate.js';
import type { ResolvedEnvironment, Spec } from './model.js';
import { checkModels, withModelSlos } from './model-refs.js';
import { resolveObservability } from './observability.js';
import { checkPlatform, checkTeams } from './references.js';
import { ENVIRONMENTS, type EnvironmentName, platformSchema, type Team, teamSchema } from './schema.js';
import { checkPlatformSubjects } from './subjects.js';
import { checkDocument, controlCharacter, decode, lineCol, position, sizeProblem } from './yaml.js';
import { type RawIssue, translateIssues } from './zod-issues.js';

export function loadSpec(file: string): Spec {
  const at = (message: string, line = 1, col = 1) => new SpecError([{ file, line, col, path: '', message }]);
  let bytes: Buffer;
  try {
    // Refuse a huge file before reading it: parsing is what costs (seconds and GBs).
    const size = statSync(file).size;
    const tooBig = sizeProblem(size);
    if (tooBig) throw at(tooBig);
    bytes = readFileSync(file);
  } catch (err) {
    if (err instanceof SpecError) throw err;
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw at(`cannot read spec: ${reason}`);
  }
  const tooBig = sizeProblem(bytes.length); // a pipe or device has no size up front
  if (tooBig) throw at(tooBig);
  const decoded = decode(bytes);
  if (!('text' in decoded)) {
    const before = new TextDecoder().decode(bytes.subarray(0, decoded.offset));
    const pos = lineCol(before, before.length);
    throw at(decoded.message, pos.line, pos.col);
  }
  return parseSpec(decoded.text, file);
}

export function parseSpec(text: string, file = 'platform.yaml'): Spec {
  const bytes = Buffer.byteLength(text, 'utf8');
  const tooBig = sizeProblem(bytes);
  if (tooBig) throw new SpecError([{ file, line: 1, col: 1, path: '', message: tooBig }]);
  const lines = new LineCounter();
  const control = controlCharacter(text);
  if (control) {
    throw new SpecError([{ file, ...lineCol(text, control.offset), path: '', message: control.message }]);
  }
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
  const yamlIssues = checkDocument(doc);
  if (yamlIssues.length > 0) {
    throw new SpecError(
      yamlIssues.map((i) => ({
        file,
        ...position(lines, i.offset),
        path: formatPath(i.path),
        message: i.message,
      })),
    );
  }
  const source = new SourceMap(doc, lines);
  const issues: SpecIssue[] = [];
  const report = (raw: RawIssue) => {
    const pos = source.locate(raw.path, raw.key);
    issues.push({ file, line: pos.line, col: pos.col, path: formatPath(raw.path), message: raw.message });
  };

  // checkDocument bounded the expansion, so the library's own alias limit is not needed.
  const input = doc.toJS({ maxAliasCount: -1 }) as unknown;
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
  const reportBase = (i: RawIssue) => {
    baseProblems.add(i.message);
    report(i);
  };
  checkPlatform(raw, baseTeams, reportBase);
  checkTeams(raw, baseTeams, ['teams'], reportBase);
  checkModels(raw, baseTeams, ['teams'], reportBase);

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
    if (!raw.gitops && e.gitops.revision !== undefined) {
      report({
        path: ['environments', env, 'gitops', 'revision'],
        key: 'revision',
        message:
          'a revision needs the repository it is a revision of: add gitops: {repoURL: https://github.com/acme/platform.git} at the top level',
      });
    }
    const teams: Team[] = [];
    raw.teams.forEach((teamInput, index) => {
      const team = baseTeams[index]!;
      const override = e.teams[team.name];
      if (!override) {
        teams.push(team);
        return;
      }
      const overridePath: PathSegment[] = ['environments', env, 'teams', team.name];
      if ('name' in override && override.name !== team.name) {
        report({
          path: [...overridePath, 'name'],
          message: `an override cannot rename its team; remove name (the override applies to ${team.name})`,
        });
        return;
      }
      const merged = deepMerge(teamInput, override);
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
    if (!e.domain && teams.some((t) => t.ingress.length > 0 || t.models.length > 0)) {
      report({
        path: ['environments', env],
        message:
          'teams publish ingress hosts, so this environment needs a domain (e.g. domain: ml.local.dev)',
      });
    }
    if (e.domain) {
      // Each route renders an Ingress for <host>.<domain>; the API server allows 253 characters.
      for (const t of teams)
        for (const route of t.ingress) {
          const host = `${route.host}.${e.domain}`;
          if (host.length > 253)
            report({
              path: ['environments', env, 'domain'],
              message: `host ${route.host} of team ${t.name} would be ${host.length} characters long under this domain; an Ingress host may have at most 253. Expected a shorter domain`,
            });
        }
    }
    if (teams.length === raw.teams.length) {
      checkTeams(
        raw,
        teams,
        ['environments', env, 'teams'],
        (i) => baseProblems.has(i.message) || report(i),
        true,
      );
      checkModels(
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
      gitops: raw.gitops && {
        repoURL: raw.gitops.repoURL,
        path: raw.gitops.path,
        revision: e.gitops.revision ?? raw.gitops.revision,
      },
      observability: withModelSlos(resolveObservability(raw, env), teams),
      ha: e.ha ?? env === 'prod',
      // Pruning deletes live objects: automatic only where environments are disposable.
      prune: e.gitops.prune ?? (env === 'local' || env === 'dev'),
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
