/**
 * Artifacts in an S3-compatible bucket (AWS S3, MinIO). An object becomes visible only when its
 * upload completes — a single PUT or a completed multipart upload — so an interrupted upload is
 * never seen; a failed multipart upload is aborted.
 */

import type { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type ArtifactFile, type ArtifactStore, guardUpload, safeArtifactPath } from './artifacts.js';
import { notFound } from './errors.js';

export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** `s3://bucket/some/prefix` → bucket and prefix (no leading or trailing slash). */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`not an S3 URI: ${uri}; expected s3://bucket[/prefix]`);
  return { bucket: m[1]!, prefix: m[2]!.replace(/\/+$/, '') };
}

export interface S3StoreOptions {
  readonly uri: string;
  /** For MinIO and other S3-compatible servers, e.g. http://minio.storage:9000. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Credentials; otherwise the AWS SDK's default chain (env, IRSA, instance profile). */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

export class S3ArtifactStore implements ArtifactStore {
  private readonly client: S3Client;
  private readonly location: S3Location;

  constructor(opts: S3StoreOptions) {
    this.location = parseS3Uri(opts.uri);
    this.client = new S3Client({
      region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    });
  }

  private key(path: string): string {
    const clean = safeArtifactPath(path);
    return this.location.prefix ? `${this.location.prefix}/${clean}` : clean;
  }

  async put(path: string, body: Readable, maxBytes: number): Promise<{ size: number }> {
    const size = guardUpload(body, maxBytes);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.location.bucket, Key: this.key(path), Body: body },
    });
    await upload.done();
    return { size: size() };
  }

  async open(path: string): Promise<{ stream: Readable; size: number }> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(path) }),
      );
      return { stream: out.Body as Readable, size: out.ContentLength ?? 0 };
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey')
        throw notFound(`Artifact '${path}' not found`);
      throw err;
    }
  }

  async list(path: string): Promise<ArtifactFile[]> {
    const base = path.replace(/^\/+|\/+$/g, '')
      ? `${this.key(path)}/`
      : this.location.prefix
        ? `${this.location.prefix}/`
        : '';
    const strip = this.location.prefix ? this.location.prefix.length + 1 : 0;
    const out: ArtifactFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: base,
          Delimiter: '/',
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const p of page.CommonPrefixes ?? [])
        out.push({ path: p.Prefix!.slice(strip).replace(/\/$/, ''), is_dir: true });
      for (const o of page.Contents ?? [])
        out.push({ path: o.Key!.slice(strip), is_dir: false, file_size: o.Size ?? 0 });
      token = page.NextContinuationToken;
    } while (token);
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  async delete(path: string): Promise<void> {
    const key = this.key(path);
    // A path names one object or a "folder" of them: delete the object and everything under it.
    const keys = [key];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: `${key}/`,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    for (let i = 0; i < keys.length; i += 1000) {
      await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.location.bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) },
        }),
      );
    }
  }
}
