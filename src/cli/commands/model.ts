/** `mlp model build|eval|push|alias`: make, measure and register model versions. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { accuracy, readExamples } from '../../model/evaluate.js';
import { type DemoVersion, demoModelOnnx, MODEL_VERSIONS } from '../../model/sentiment.js';
import { RegistryClient, RegistryError } from '../../registry/client.js';
import { EXIT, type Io, UsageError } from '../io.js';

export const DEFAULT_REGISTRY = 'http://127.0.0.1:5000';
export const registryUrl = (flag?: string) => flag ?? process.env.MLFLOW_TRACKING_URI ?? DEFAULT_REGISTRY;

/** The registry write token: --token, $MLP_REGISTRY_TOKEN, or the one `mlp up` generated in ./.mlp. */
export function registryToken(flag: string | undefined, cwd: string): string | undefined {
  if (flag) return flag;
  if (process.env.MLP_REGISTRY_TOKEN) return process.env.MLP_REGISTRY_TOKEN;
  try {
    return readFileSync(resolve(cwd, '.mlp', 'registry-token'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function client(url: string, token: string | undefined): RegistryClient {
  return new RegistryClient(url, token ? { token } : {});
}

export async function call<T>(fn: () => Promise<T>, url: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistryError) {
      const hint =
        err.status === 401 || err.status === 403
          ? ' (pass the registry token with --token or MLP_REGISTRY_TOKEN; mlp up keeps it in <state>/registry-token)'
          : '';
      throw new UsageError(`registry ${url}: ${err.message}${hint}`);
    }
    if (err instanceof Error && / timed out after /.test(err.message))
      throw new UsageError(`registry ${url}: ${err.message}`);
    // fetch fails with a TypeError whatever went wrong on the network: say what and where.
    if (err instanceof TypeError && err.message === 'fetch failed') {
      const cause = err.cause as { code?: string; message?: string } | undefined;
      const why = cause?.code ?? cause?.message ?? 'network error';
      throw new UsageError(
        `cannot reach a registry at ${url} (${why}); start one with "mlp up", or set --registry / MLFLOW_TRACKING_URI`,
      );
    }
    throw err;
  }
}

export function modelBuildCommand(opts: { version: string; out: string }, io: Io): number {
  if (!(MODEL_VERSIONS as readonly string[]).includes(opts.version)) {
    throw new UsageError(`version: expected one of ${MODEL_VERSIONS.join(', ')}, received "${opts.version}"`);
  }
  const bytes = demoModelOnnx(opts.version as DemoVersion);
  const out = resolve(io.cwd, opts.out);
  writeFileSync(out, bytes);
  io.stdout(`wrote ${out} (${bytes.length} bytes)\n`);
  return EXIT.ok;
}

export async function modelEvalCommand(files: string[], opts: { data: string }, io: Io): Promise<number> {
  let examples: ReturnType<typeof readExamples>;
  try {
    examples = readExamples(resolve(io.cwd, opts.data));
  } catch (err) {
    // A missing file or a malformed line: the user's input, located, not a crash.
    throw new UsageError(
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? `cannot read ${opts.data}` : (err as Error).message,
    );
  }
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(resolve(io.cwd, file));
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
    let acc: number;
    try {
      acc = await accuracy(bytes, examples);
    } catch (err) {
      throw new UsageError(
        `${file}: not a sentiment model onnxruntime can run: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    io.stdout(`${file}: accuracy ${(acc * 100).toFixed(1)}% on ${examples.length} examples\n`);
  }
  return EXIT.ok;
}

export async function modelPushCommand(
  file: string,
  opts: { name: string; registry?: string; alias?: string; description?: string; token?: string },
  io: Io,
): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(resolve(io.cwd, file));
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  const url = registryUrl(opts.registry);
  const registry = client(url, registryToken(opts.token, io.cwd));
  const pushed = await call(
    () => registry.push(opts.name, bytes, { ...(opts.description ? { description: opts.description } : {}) }),
    url,
  );
  io.stdout(`registered ${opts.name} version ${pushed.version} (${pushed.source})\n`);
  if (opts.alias) {
    await call(() => registry.setAlias(opts.name, opts.alias!, pushed.version), url);
    io.stdout(`${opts.name}@${opts.alias} → version ${pushed.version}\n`);
  }
  return EXIT.ok;
}

export async function modelAliasCommand(
  name: string,
  alias: string,
  version: string,
  opts: { registry?: string; delete?: boolean; token?: string },
  io: Io,
): Promise<number> {
  const url = registryUrl(opts.registry);
  const registry = client(url, registryToken(opts.token, io.cwd));
  if (opts.delete) {
    await call(() => registry.deleteAlias(name, alias), url);
    io.stdout(`${name}@${alias} removed\n`);
  } else {
    await call(() => registry.setAlias(name, alias, version), url);
    io.stdout(`${name}@${alias} → version ${version}\n`);
  }
  return EXIT.ok;
}
