/**
 * Vitest global setup: compile src/ to dist/ before any test runs, because a few tests run the
 * real `bin/mlp.js` as a child process (Ctrl-C handling), and bin/ runs the compiled CLI. Without
 * this, those tests would judge whatever dist/ an earlier build left behind.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
