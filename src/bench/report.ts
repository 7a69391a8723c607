/** Benchmark results live between `<!-- bench:NAME:start/end -->` markers in BENCHMARKS.md. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCHMARKS_MD = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'BENCHMARKS.md');

/** Replaces the named section's body, or appends the section under `heading` when it is new. */
export function writeSection(name: string, heading: string, body: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  let doc: string;
  try {
    doc = readFileSync(BENCHMARKS_MD, 'utf8');
  } catch {
    doc = '# Benchmarks\n';
  }
  const section = `${start}\n${body.trim()}\n${end}`;
  const at = doc.indexOf(start);
  const until = doc.indexOf(end);
  doc =
    at >= 0 && until > at
      ? doc.slice(0, at) + section + doc.slice(until + end.length)
      : `${doc.trimEnd()}\n\n## ${heading}\n\n${section}\n`;
  writeFileSync(BENCHMARKS_MD, doc);
}
