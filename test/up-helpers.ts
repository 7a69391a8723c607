/** Runs `mlp up` in-process until `work` is done, then stops it as Ctrl-C would. */
import { type UpOptions, upCommand } from '../src/cli/commands/up.js';
import { waitFor } from './helpers.js';

export async function runUp(
  cwd: string,
  work: (servingUrl: string, registryUrl: string) => Promise<void>,
  extra: Partial<UpOptions> = {},
) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), cwd };
  const stop = new AbortController();
  const opts = {
    state: '.mlp',
    host: '127.0.0.1',
    registryPort: '0',
    port: '0',
    challengerPercent: '10',
    ...extra,
  };
  const done = upCommand(opts, io, stop.signal);
  // A refused start rejects `done`: surface it instead of waiting for a banner that never comes.
  let failed: { error: unknown } | undefined;
  done.catch((error: unknown) => {
    failed = { error };
  });
  await waitFor(() => stdout.includes('model server') || failed);
  if (failed) throw failed.error;
  const servingUrl = /model server\s+(\S+)/.exec(stdout)![1]!;
  const registryUrl = /model registry \(MLflow API\)\s+(\S+)\/api/.exec(stdout)![1]!;
  await work(servingUrl, registryUrl);
  stop.abort();
  const code = await done;
  return { code, stdout, stderr };
}
