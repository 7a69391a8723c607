/**
 * The live side of `mlp experiment`: counts read from a running model server's GET /experiment,
 * and `mlp experiment conclude`, which acts on the decision by moving registry aliases (the model
 * servers follow the aliases by polling; nothing is redeployed).
 *
 * - ship-challenger: `champion` → the challenger's version, then `challenger` removed;
 * - keep-champion: `challenger` removed;
 * - continue: refused (exit 1) unless `--force champion|challenger` names the winner.
 *
 * Before moving anything the registry's aliases must still point at the versions the counts are
 * for: concluding an experiment whose challenger was replaced meanwhile would promote a version
 * nobody measured.
 */
import { RegistryClient } from '../../registry/client.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { jsonSyntaxReason, MAX_JSON_BYTES } from '../json-file.js';
import { emit } from '../output.js';
import {
  type ExperimentInput,
  type ExperimentStatusOptions,
  evaluate,
  experimentInput,
  renderStatus,
} from './experiment.js';
import { call, registryToken, registryUrl } from './model.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
const TIMEOUT_MS = 10_000;

/** --server, else $MLP_SERVER_URL, else the `mlp up` default; http(s) only. */
export function serverUrl(flag?: string): string {
  const text = flag ?? process.env.MLP_SERVER_URL ?? DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server: expected a URL like ${DEFAULT_SERVER}, received "${text.slice(0, 200)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--server: expected an http(s) URL, received "${text.slice(0, 200)}"`);
  return text.replace(/\/+$/, '');
}

/** Reads at most MAX_JSON_BYTES of a response: a misconfigured URL must not fill memory. */
async function cappedText(res: Response, where: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).length;
    if (size > MAX_JSON_BYTES) {
      await res.body?.cancel().catch(() => {});
      throw new UsageError(`${where}: answer larger than ${MAX_JSON_BYTES} bytes; is this a model server?`);
    }
    chunks.push(chunk as Uint8Array);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new UsageError(`${where}: answer is not valid UTF-8`);
  }
}

/** The running experiment's counts from a model server; every failure a UsageError naming the address. */
export async function fetchCounts(server: string, model: string): Promise<ExperimentInput> {
  const url = `${server}/experiment`;
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new UsageError(
      `cannot reach a model server at ${server} (${why}); start one with "mlp up", or set --server / MLP_SERVER_URL`,
    );
  }
  const text = await cappedText(res, url);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `${url} answered ${res.status} with something that is not JSON (${jsonSyntaxReason(err as Error)}); is this an mlp model server?`,
    );
  }
  if (!res.ok) {
    const body = doc as { error?: unknown; code?: unknown } | null;
    const code = typeof body?.code === 'string' ? body.code : undefined;
    if (code === 'MLP_ROUTE_NOT_FOUND')
      throw new UsageError(`${url}: no such endpoint; is ${server} an mlp model server?`);
    const message = typeof body?.error === 'string' ? body.error.slice(0, 500) : `HTTP ${res.status}`;
    throw new UsageError(`${url}: ${message}${code ? ` (${code})` : ''}`);
  }
  const input = experimentInput(doc, url);
  if (input.model !== undefined && input.model !== model)
    throw new UsageError(
      `${server} serves model "${input.model}", not "${model}"; point --server at ${model}'s server`,
    );
  return input;
}

export type Winner = 'champion' | 'challenger';

export interface ConcludeOptions extends ExperimentStatusOptions {
  readonly server?: string;
  readonly registry?: string;
  readonly token?: string;
  readonly force?: Winner;
}

export function parseWinner(text: string): Winner {
  if (text !== 'champion' && text !== 'challenger')
    throw new UsageError(`--force: expected champion or challenger, received "${text.slice(0, 40)}"`);
  return text;
}

export async function experimentConcludeCommand(
  model: string,
  opts: ConcludeOptions,
  io: Io,
): Promise<number> {
  const input = await fetchCounts(serverUrl(opts.server), model);
  const champion = input.versions?.champion;
  const challenger = input.versions?.challenger;
  if (champion === undefined || challenger === undefined)
    throw new UsageError('the model server did not say which versions the counts are for; is it up to date?');
  const { config, status, data } = evaluate(opts, input);
  const winner: Winner | undefined =
    opts.force ??
    (status.decision === 'ship-challenger'
      ? 'challenger'
      : status.decision === 'keep-champion'
        ? 'champion'
        : undefined);
  const report = () => renderStatus(status, input, config);
  if (winner === undefined) {
    io.stdout(emit(opts.output, { ...data, concluded: false }, report));
    io.stderr(
      `not concluded: the decision is "continue" (${status.reason}); wait for more feedback, or end it anyway with --force champion|challenger\n`,
    );
    return EXIT.failed;
  }
  const url = registryUrl(opts.registry);
  const token = registryToken(opts.token, io.cwd);
  const registry = new RegistryClient(url, token ? { token } : {});
  // The counts must describe what the aliases point at now.
  const [nowChampion, nowChallenger] = await call(
    () =>
      Promise.all([registry.versionByAlias(model, 'champion'), registry.versionByAlias(model, 'challenger')]),
    url,
  );
  if (nowChampion?.version !== champion || nowChallenger?.version !== challenger) {
    throw new UsageError(
      `the registry's aliases moved since the model server loaded them: registry has champion=${nowChampion?.version ?? 'none'}, challenger=${nowChallenger?.version ?? 'none'}; the counts are for champion=${champion}, challenger=${challenger}. Nothing changed; look again when the server has caught up.`,
    );
  }
  const actions: string[] = [];
  if (winner === 'challenger') {
    // Champion first: if removing the challenger then fails, both aliases name the winner, which
    // serves the winner and ends the experiment (a server sees no distinct challenger).
    await call(() => registry.setAlias(model, 'champion', challenger), url);
    actions.push(`${model}@champion → version ${challenger}`);
  }
  await call(() => registry.deleteAlias(model, 'challenger'), url);
  actions.push(`${model}@challenger removed (was version ${challenger})`);
  const forced = opts.force !== undefined;
  io.stdout(
    emit(opts.output, { ...data, concluded: true, winner, forced, actions }, () =>
      [
        report().trimEnd(),
        `concluded${forced ? ` by --force (the statistics say: ${status.decision})` : ''}: ${winner} version ${winner === 'challenger' ? challenger : champion} wins`,
        ...actions,
        '',
      ].join('\n'),
    ),
  );
  return EXIT.ok;
}
