// The Dockerfile, checked by parsing it: `docker build` cannot run on this machine. A small
// strict parser (no Dockerfile parser is installed: dockerfile-ast would be the one to add)
// following the Dockerfile reference: line continuations with `\`, `#` comment lines, JSON
// (exec) form vs shell form, `FROM [--platform=…] image [AS name]`.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

interface Instruction {
  readonly line: number;
  readonly keyword: string;
  readonly args: string;
  /** The JSON array of the exec form, when the arguments are one. */
  readonly exec?: string[];
}

function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    // A trailing backslash continues the instruction; comment lines inside it are dropped.
    let continued = /\\\s*$/.test(line);
    while (continued && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, ' ');
      i++;
      if (/^\s*#/.test(lines[i]!)) {
        line += '\\';
        continue;
      }
      line += lines[i]!;
      continued = /\\\s*$/.test(line);
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start}: not an instruction: ${line}`);
    const args = m[2]!.trim();
    let exec: string[] | undefined;
    if (args.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(args);
        if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) exec = parsed;
      } catch {}
    }
    out.push({ line: start, keyword: m[1]!.toUpperCase(), args, ...(exec ? { exec } : {}) });
  }
  return out;
}

interface Stage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

function stages(instructions: readonly Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      out.push({ image: words[0]!, ...(as > 0 ? { name: words[as + 1]! } : {}), instructions: [] });
    } else {
      if (out.length === 0 && ins.keyword !== 'ARG')
        throw new Error(`line ${ins.line}: ${ins.keyword} before FROM`);
      out.at(-1)?.instructions.push(ins);
    }
  }
  return out;
}

const SECRET_NAME = /(SECRET|PASSW(OR)?D|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE|CREDENTIAL|DATABASE_URL)/i;
const DIGEST = /^[^@\s]+@sha256:[0-9a-f]{64}$/;

/** Names an ENV or ARG defines: `ENV A=1 B=2`, `ENV A 1`, `ARG A`, `ARG A=1`. */
function definedNames(ins: Instruction): string[] {
  if (ins.keyword === 'ARG') return ins.args.split(/\s+/).map((w) => w.split('=')[0]!);
  if (!ins.args.includes('=')) return [ins.args.split(/\s+/)[0]!];
  return [...ins.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!);
}

/** What this repository promises about its image (issue 11 §1), as messages; [] when all hold. */
function dockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const all = parseDockerfile(text);
  const st = stages(all);
  if (st.length < 2) problems.push('multi-stage: expected a build stage and a runtime stage');
  const names = new Set(st.flatMap((s) => (s.name ? [s.name] : [])));
  for (const s of st)
    if (!names.has(s.image) && !DIGEST.test(s.image)) problems.push(`FROM ${s.image}: not pinned by digest`);
  for (const ins of all)
    for (const name of ins.keyword === 'ENV' || ins.keyword === 'ARG' ? definedNames(ins) : [])
      if (SECRET_NAME.test(name))
        problems.push(`line ${ins.line}: ${ins.keyword} ${name} looks like a secret`);
  const final = st.at(-1);
  if (!final) return [...problems, 'no FROM'];
  const last = (k: string) => final.instructions.filter((i) => i.keyword === k).at(-1);
  const user = last('USER');
  const uid = user && /^(\d+)(?::(\d+))?$/.exec(user.args);
  if (!user) problems.push('final stage: no USER (runs as root)');
  else if (!uid) problems.push(`USER ${user.args}: not numeric (Kubernetes cannot verify runAsNonRoot)`);
  else if (Number(uid[1]) === 0 || uid[2] === '0') problems.push(`USER ${user.args}: root`);
  const hc = last('HEALTHCHECK');
  if (!hc || /^NONE$/i.test(hc.args)) problems.push('final stage: no HEALTHCHECK');
  else if (!/\bCMD\s+\[\s*"node"/.test(hc.args))
    problems.push('HEALTHCHECK: expected CMD ["node", …] (no curl in slim)');
  const entry = last('ENTRYPOINT');
  if (!entry?.exec) problems.push('ENTRYPOINT: expected exec form ["mlp"]');
  else if (entry.exec[0] !== 'mlp') problems.push(`ENTRYPOINT: runs ${entry.exec[0]}, expected mlp`);
  const cmd = last('CMD');
  if (cmd && !cmd.exec) problems.push('CMD: expected exec form (JSON array)');
  const installs = final.instructions.filter(
    (i) => i.keyword === 'RUN' && /\bnpm (ci|install)\b/.test(i.args),
  );
  if (installs.length === 0 || installs.some((i) => !/--omit=dev\b/.test(i.args)))
    problems.push('runtime stage: dependencies must be installed with --omit=dev');
  if (final.instructions.some((i) => i.keyword === 'COPY' && /node_modules/.test(i.args)))
    problems.push('runtime stage: copies node_modules (dev dependencies would come along)');
  return problems;
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

describe('Dockerfile', () => {
  it('holds every promise: digest-pinned FROMs, numeric non-root USER, HEALTHCHECK, no secrets, exec-form mlp', () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
    const st = stages(parseDockerfile(dockerfile));
    expect(st.map((s) => s.name)).toEqual(['build', 'runtime']);
    for (const s of st) expect(s.image).toMatch(/^node:22-bookworm-slim@sha256:[0-9a-f]{64}$/);
    // onnxruntime's telemetry would write under ~/.cache (read-only) and try uploads.
    expect(dockerfile).toMatch(/^ENV .*\bORT_DISABLE_TELEMETRY=1\b/m);
  });

  it('finds each planted violation (the checks are not vacuous)', () => {
    const plant = (from: string | RegExp, to: string) => {
      const text = dockerfile.replace(from, to);
      expect(text, `nothing replaced for ${String(from)}`).not.toBe(dockerfile);
      return dockerfileProblems(text).join('\n');
    };
    expect(plant(/FROM (\S+)@sha256:\S+ AS runtime/, 'FROM $1 AS runtime')).toMatch(/not pinned by digest/);
    expect(plant(/FROM \S+ AS build/, 'FROM node:22-bookworm-slim AS build')).toMatch(/not pinned by digest/);
    expect(plant('USER 1000:1000', 'USER node')).toMatch(/not numeric/);
    expect(plant('USER 1000:1000', 'USER 0')).toMatch(/root/);
    expect(plant('USER 1000:1000', 'USER 1000:0')).toMatch(/root/);
    expect(plant(/^USER .*$/m, '')).toMatch(/no USER/);
    expect(plant(/^HEALTHCHECK [\s\S]*?\n(?=ENTRYPOINT)/m, '')).toMatch(/no HEALTHCHECK/);
    expect(plant('ENTRYPOINT ["mlp"]', 'ENTRYPOINT mlp')).toMatch(/exec form/);
    expect(plant('ENTRYPOINT ["mlp"]', 'ENTRYPOINT ["node", "bin/mlp.js"]')).toMatch(/expected mlp/);
    expect(
      plant(
        'ENV NODE_ENV=production ORT_DISABLE_TELEMETRY=1',
        'ENV NODE_ENV=production ORT_DISABLE_TELEMETRY=1 AWS_SECRET_ACCESS_KEY=x',
      ),
    ).toMatch(/AWS_SECRET_ACCESS_KEY looks like a secret/);
    expect(plant('ENV NODE_ENV=production ORT_DISABLE_TELEMETRY=1', 'ARG MLP_REGISTRY_TOKEN')).toMatch(
      /MLP_REGISTRY_TOKEN looks like a secret/,
    );
    expect(
      plant('ENV NODE_ENV=production ORT_DISABLE_TELEMETRY=1', 'ENV DATABASE_URL postgres://u:p@db/x'),
    ).toMatch(/DATABASE_URL/);
    expect(plant('npm ci --omit=dev', 'npm ci')).toMatch(/--omit=dev/);
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    // Deny by default, then allow the few inputs: node_modules, .git, .mlp and dist never go in.
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    for (const bad of ['node_modules', '.git', '.mlp', 'dist', '.env', 'gitops'])
      expect(allowed.some((a) => a === bad || a.startsWith(`${bad}/`))).toBe(false);
    for (const ins of parseDockerfile(dockerfile).filter(
      (i) => i.keyword === 'COPY' && !/--from=/.test(i.args),
    )) {
      const sources = ins.args.split(/\s+/).slice(0, -1);
      for (const src of sources) {
        expect(existsSync(join(ROOT, src)), `COPY ${src}: missing`).toBe(true);
        expect(
          allowed.some((a) => src === a || src.startsWith(`${a}/`)),
          `COPY ${src}: excluded by .dockerignore`,
        ).toBe(true);
      }
    }
  });

  it('the entrypoint is the CLI: bin/mlp.js is executable in git, with a node shebang', () => {
    const mode = execFileSync('git', ['ls-files', '-s', 'bin/mlp.js'], { cwd: ROOT, encoding: 'utf8' });
    expect(mode.split(/\s+/)[0]).toBe('100755');
    expect(readFileSync(join(ROOT, 'bin', 'mlp.js'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(dockerfile).toMatch(/^RUN ln -s \/app\/bin\/mlp\.js \/usr\/local\/bin\/mlp$/m);
  });

  it('the parser follows continuations, comments and both instruction forms', () => {
    const parsed = parseDockerfile(
      'FROM a@sha256:' +
        '0'.repeat(64) +
        ' AS x\n# c\nRUN one \\\n# inside\n  two\ncmd ["a", "b"]\nENTRYPOINT a b\n',
    );
    expect(parsed.map((p) => p.keyword)).toEqual(['FROM', 'RUN', 'CMD', 'ENTRYPOINT']);
    expect(parsed[1]!.args).toMatch(/^one\s+two$/);
    expect(parsed[2]!.exec).toEqual(['a', 'b']);
    expect(parsed[3]!.exec).toBeUndefined();
    expect(definedNames({ line: 1, keyword: 'ENV', args: 'A=1 B="x y" C=3' })).toEqual(['A', 'B', 'C']);
    expect(definedNames({ line: 1, keyword: 'ENV', args: 'PASSWORD secret' })).toEqual(['PASSWORD']);
  });
});
