/**
 * Writes a rendered tree to disk so that a reader never sees half of it: the new tree is built
 * in a sibling temp folder and swapped in with renames. Files from an earlier synth that the
 * new one no longer produces are gone afterwards, because the whole folder is replaced.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { processAlive } from '../core/process.js';

/**
 * Removes the `<dir>.tmp-<pid>-<ms>` and `<dir>.old-<pid>-<ms>` siblings that an interrupted
 * writeTree left behind. Only those of processes that are gone: a synth running beside us keeps
 * its own. Returns the removed paths.
 */
export function sweepLeftovers(dir: string): string[] {
  const parent = dirname(dir);
  if (!existsSync(parent)) return [];
  const leftover = new RegExp(
    `^${basename(dir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-(\\d+)-\\d+$`,
  );
  const removed: string[] = [];
  for (const name of readdirSync(parent)) {
    const m = leftover.exec(name);
    if (!m || processAlive(Number(m[2]))) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(join(parent, name));
  }
  return removed;
}

export function writeTree(dir: string, files: ReadonlyMap<string, string>): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  sweepLeftovers(dir);
  const stamp = `${process.pid}-${Date.now()}`;
  const staging = `${dir}.tmp-${stamp}`;
  const old = `${dir}.old-${stamp}`;
  try {
    const made = new Set<string>();
    for (const [rel, content] of files) {
      const path = join(staging, rel);
      const d = dirname(path);
      if (!made.has(d)) {
        mkdirSync(d, { recursive: true });
        made.add(d);
      }
      writeFileSync(path, content);
    }
    let hadOld = false;
    try {
      renameSync(dir, old);
      hadOld = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    renameSync(staging, dir);
    if (hadOld) rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Reads every file under `dir` (relative path → content), for diffs against a directory. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}
