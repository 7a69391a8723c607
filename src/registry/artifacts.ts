/**
 * Artifacts on the local filesystem. Paths are relative to the root and can never leave it; an
 * upload streams into a temp file and becomes visible only by an atomic rename once complete,
 * so a cut-off upload leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalid, MlflowError, notFound } from './errors.js';

const TMP = '.uploads';

export interface ArtifactFile {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** Where artifacts live: the local filesystem or an S3-compatible bucket. */
export interface ArtifactStore {
  /** Stores `body` at `path`; nothing is visible at `path` unless the whole body arrived. */
  put(path: string, body: Readable, maxBytes: number): Promise<{ size: number }>;
  open(path: string): Promise<{ stream: Readable; size: number }>;
  list(path: string): Promise<ArtifactFile[]>;
  delete(path: string): Promise<void>;
  /** Removes leftovers of uploads a crash cut off; returns how many. */
  sweepUploads?(): Promise<number>;
}

/**
 * A relative artifact path with no way out of the store: not absolute (`/tmp/x`, `//tmp/x`),
 * no empty, `..` or `.` segments, no backslashes or NULs, and not the upload staging folder.
 */
export function safeArtifactPath(path: string): string {
  if (path.startsWith('/')) throw invalid(`Invalid artifact path '${path}': artifact paths are relative`);
  const clean = path.replace(/\/$/, '');
  if (
    clean === '' ||
    clean.includes('\0') ||
    clean.includes('\\') ||
    clean.split('/').some((seg) => seg === '..' || seg === '.' || seg === '' || seg === TMP)
  ) {
    throw invalid(`Invalid artifact path '${path}'`);
  }
  return clean;
}

/** Counts bytes through `body` and fails it past `maxBytes`, or when the client disconnects. */
export function guardUpload(body: Readable, maxBytes: number): () => number {
  let size = 0;
  body.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes)
      body.destroy(new MlflowError('INVALID_PARAMETER_VALUE', `Artifact larger than ${maxBytes} bytes`));
  });
  // A client that disconnects mid-upload ends the request without completing it.
  body.once('close', () => {
    if ((body as Readable & { complete?: boolean }).complete === false)
      body.destroy(new MlflowError('BAD_REQUEST', 'upload interrupted'));
  });
  return () => size;
}

export class FsArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Absolute path of a relative artifact path; rejects anything that could escape the root. */
  resolve(path: string): string {
    const full = resolve(this.root, safeArtifactPath(path));
    if (!full.startsWith(this.root + sep)) throw invalid(`Invalid artifact path '${path}'`);
    return full;
  }

  async put(path: string, body: Readable, maxBytes: number): Promise<{ size: number }> {
    const target = this.resolve(path);
    const tmpDir = join(this.root, TMP);
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const size = guardUpload(body, maxBytes);
    try {
      await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
      if ((body as Readable & { complete?: boolean }).complete === false)
        throw new MlflowError('BAD_REQUEST', 'upload interrupted');
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
      return { size: size() };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Removes what uploads cut off by a crash (kill -9) left in the staging folder. Only for the
   * folder's single owner at start, when no upload can be in flight.
   */
  async sweepUploads(): Promise<number> {
    const dir = join(this.root, TMP);
    const entries = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(entries.map((e) => rm(join(dir, e), { recursive: true, force: true })));
    return entries.length;
  }

  async open(path: string): Promise<{ stream: Readable; size: number }> {
    const full = this.resolve(path);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile()) throw notFound(`Artifact '${path}' not found`);
    return { stream: createReadStream(full), size: info.size };
  }

  async list(path: string): Promise<ArtifactFile[]> {
    const dir = path ? this.resolve(path) : this.root;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const out: ArtifactFile[] = [];
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === TMP) continue;
      const full = join(dir, e.name);
      const rel = relative(this.root, full).split(sep).join('/');
      out.push(
        e.isDirectory()
          ? { path: rel, is_dir: true }
          : { path: rel, is_dir: false, file_size: (await stat(full)).size },
      );
    }
    return out;
  }

  async delete(path: string): Promise<void> {
    await rm(this.resolve(path), { recursive: true, force: true });
  }
}
