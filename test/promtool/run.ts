/** Finding and running promtool (Debian package `prometheus`) for the observability tests. */
import { spawn, spawnSync } from 'node:child_process';

export const hasPromtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
export const inCi = process.env.CI === 'true';
export const PROMTOOL_MISSING =
  'promtool not found: install Debian package `prometheus` (apt-get update && apt-get install -y prometheus)';

export function runPromtool(
  cwd: string,
  ...args: string[]
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { cwd, timeout: 280_000 });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}
