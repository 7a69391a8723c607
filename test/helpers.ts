import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { run } from '../src/cli/main.js';
import { loadSpec } from '../src/spec/load.js';

/** The real PostgreSQL every development and CI machine runs. */
export const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const ROOT = join(import.meta.dirname, '..');
export const EXAMPLE = join(ROOT, 'examples', 'platform.yaml');
export const exampleText = () => readFileSync(EXAMPLE, 'utf8');
export const exampleSpec = () => loadSpec(EXAMPLE);
export const tempDir = () => mkdtempSync(join(tmpdir(), 'mlp-test-'));
export const readYaml = <T>(path: string): T => parse(readFileSync(path, 'utf8')) as T;

/** Runs `mlp` in-process and captures what it prints. */
export async function mlp(
  args: string[],
  cwd = ROOT,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

/**
 * Polls `probe` until it returns something truthy, or gives up after `ms` and returns the last
 * value. The deadline is generous on purpose: CI shares two cores, and this guards against hangs,
 * it measures nothing.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, ms = 90_000, every = 50): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await probe();
  while (!value && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, every));
    value = await probe();
  }
  return value;
}
