/** The model server (with its embedded registry) in a process of its own, for the serving benchmark. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlatform } from '../serving/local-platform.js';

const platform = await startLocalPlatform({
  stateDir: mkdtempSync(join(tmpdir(), 'mlp-bench-serving-')),
  host: '127.0.0.1',
  registryPort: 0,
  servingPort: 0,
  challengerPercent: 10,
  pollMs: 60_000,
  logger: false,
  progress: () => {},
});
process.stdout.write(`${JSON.stringify({ url: platform.servingUrl })}\n`);
process.on('SIGTERM', () => void platform.stop().then(() => process.exit(0)));
