/**
 * An S3 protocol server for tests (MinIO cannot run on these machines): s3rver on a free port
 * with the `mlp-artifacts` bucket, data in a temp folder.
 */
import S3rver from 's3rver';
import { tempDir } from './helpers.js';

export const ARTIFACTS_BUCKET = 'mlp-artifacts';

export async function startS3rver(): Promise<{ server: S3rver; endpoint: string }> {
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: tempDir(),
    configureBuckets: [{ name: ARTIFACTS_BUCKET, configs: [] }],
  });
  const { port } = (await server.run()) as unknown as { port: number };
  return { server, endpoint: `http://127.0.0.1:${port}` };
}
