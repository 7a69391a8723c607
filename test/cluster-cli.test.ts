import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARGOCD_INSTALL_SHA256,
  ARGOCD_VERSION,
  argocdManifestUrl,
  checkDigest,
  parseManifest,
  placeInNamespace,
  treeArgoObjects,
} from '../src/cluster/bootstrap.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, mlp, ROOT, tempDir } from './helpers.js';

/** A kubeconfig pointing at `server`, with a token (no cluster needed to read it). */
function kubeconfig(dir: string, server: string, name = 'kubeconfig', insecure = false): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}"${insecure ? ', insecure-skip-tls-verify: true' : ''}}}]
users: [{name: u, user: {token: not-a-real-token}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
`,
  );
  return path;
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('no cluster reachable', () => {
  const dir = tempDir();
  let refusing: Server;
  let refusingUrl = '';
  beforeAll(async () => {
    // Answers like an API server that rejects the token: 401 with a Status body.
    refusing = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401,
        }),
      );
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    refusingUrl = `http://127.0.0.1:${(refusing.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => refusing.close(r)));

  for (const command of [
    ['apply'],
    ['verify'],
    ['diff', '--live'],
    ['bootstrap', '--argocd-manifest', 'testdata/cluster/argocd-mini.yaml'],
  ])
    it(`${command.join(' ')}: one line with the address and ECONNREFUSED, exit 2`, async () => {
      const port = await closedPort();
      const r = await mlp([
        ...command,
        '-e',
        'local',
        '--kubeconfig',
        kubeconfig(dir, `https://127.0.0.1:${port}`),
      ]);
      expect(r.code).toBe(2);
      const lines = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('mlp: ') && !l.includes('bundled example') && !l.includes('sha256'));
      expect(lines).toEqual([
        `mlp: cannot reach the API server at https://127.0.0.1:${port}: connection refused (ECONNREFUSED): is the API server running?`,
      ]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

  it('refused credentials: 401 said as such, exit 2', async () => {
    const r = await mlp(['apply', '-e', 'local', '--kubeconfig', kubeconfig(dir, refusingUrl, 'k401', true)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `mlp: the API server at ${refusingUrl} refused the credentials of context "ctx" (401 Unauthorized): Unauthorized`,
    );
  });

  it('a server certificate the kubeconfig does not trust: said to be TLS, exit 2', async () => {
    // A real TLS server with a self-signed certificate the kubeconfig has no CA for.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-days',
        '1',
        '-keyout',
        join(dir, 'tls.key'),
        '-out',
        join(dir, 'tls.crt'),
      ],
      { stdio: 'ignore' },
    );
    const tls = createHttpsServer(
      { key: readFileSync(join(dir, 'tls.key')), cert: readFileSync(join(dir, 'tls.crt')) },
      (_q, res) => res.end('{}'),
    );
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(tls.address() as { port: number }).port}`;
    try {
      const r = await mlp(['apply', '--kubeconfig', kubeconfig(dir, url, 'ktls')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `mlp: cannot reach the API server at ${url}: TLS: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`,
      );
    } finally {
      await new Promise((r) => tls.close(r));
    }
  });

  it('plain http without insecure-skip-tls-verify is refused as a kubeconfig problem', async () => {
    const r = await mlp(['apply', '--kubeconfig', kubeconfig(dir, refusingUrl, 'khttp')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `mlp: cannot use the credentials of context "ctx" for ${refusingUrl}: HTTP protocol is not allowed`,
    );
  });

  it('a missing kubeconfig, an unknown context, a bad timeout and a bad dry-run mode are usage errors', async () => {
    let r = await mlp(['apply', '--kubeconfig', join(dir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`kubeconfig ${join(dir, 'nope')} does not exist`);
    r = await mlp(['verify', '--kubeconfig', kubeconfig(dir, 'https://127.0.0.1:1'), '--context', 'prod']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('context "prod" is not in the kubeconfig; it has: ctx');
    r = await mlp(['apply', '--timeout', 'forever']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout: expected a duration such as 5m, 90s or 300, received "forever"');
    r = await mlp(['apply', '--dry-run', 'client']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dry-run: only "server" is supported');
    r = await mlp(['diff', 'local', 'dev', '--live']);
    expect(r.code).toBe(2);
  });

  it('a kubeconfig that is not YAML is a clear error', async () => {
    const bad = join(dir, 'garbage');
    writeFileSync(bad, Buffer.from([0xff, 0xfe, 0x00, 0x3a, 0x3a, 0x7b]));
    const r = await mlp(['apply', '--kubeconfig', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mlp: /m);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

describe('help', () => {
  for (const c of ['apply', 'verify', 'bootstrap', 'diff'])
    it(`${c} --help lists -o and the cluster options`, async () => {
      let out = '';
      const { run } = await import('../src/cli/main.js');
      const code = await run([c, '--help'], {
        stdout: (t) => (out += t),
        stderr: (t) => (out += t),
        cwd: ROOT,
      });
      expect(code).toBe(0);
      expect(out).toContain('--output');
      expect(out).toContain('--kubeconfig');
      expect(out).toContain('--context');
    });
});

describe('bootstrap', () => {
  it('pins the release URL and its digest', () => {
    expect(argocdManifestUrl(ARGOCD_VERSION)).toBe(
      `https://raw.githubusercontent.com/argoproj/argo-cd/v${ARGOCD_VERSION}/manifests/install.yaml`,
    );
    expect(ARGOCD_INSTALL_SHA256[ARGOCD_VERSION]).toMatch(/^[0-9a-f]{64}$/);
    expect(checkDigest(Buffer.from('x'), 'f', ARGOCD_VERSION).digest).toBe('mismatch');
    expect(checkDigest(Buffer.from('x'), 'f', '0.0.0').digest).toBe('unpinned');
  });

  it("--print: the tree's namespace argocd first, install objects placed in it, then AppProjects and the root", async () => {
    const r = await mlp([
      'bootstrap',
      '-e',
      'local',
      '--print',
      '--argocd-manifest',
      'testdata/cluster/argocd-mini.yaml',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const docs = r.stdout.split(/^---$/m);
    expect(docs[0]).toMatch(/kind: Namespace\nmetadata:\n {2}name: argocd\n {2}labels:/);
    expect(docs[0]).toContain('pod-security.kubernetes.io/enforce');
    expect(r.stdout).toMatch(
      /kind: ServiceAccount\nmetadata:\n {2}name: argocd-server\n {2}namespace: argocd/,
    );
    expect(r.stdout).toMatch(/kind: ClusterRole\nmetadata:\n {2}name: argocd-server\nrules/);
    expect(r.stdout).toMatch(/kind: AppProject\nmetadata:\n {2}name: default\n {2}namespace: argocd/);
    expect(docs.at(-1)).toMatch(/kind: Application\n/);
    expect(r.stderr).toContain(`is not the digest of Argo CD v${ARGOCD_VERSION}`);
  });

  it('finds the root Application and the projects in the tree, and says when there is none', () => {
    const env = exampleSpec().environments.get('local')!;
    const components = synthesize(env);
    const tree = treeArgoObjects(components);
    expect(tree.root.length).toBe(1);
    expect(tree.projects.length).toBeGreaterThan(0);
    expect(tree.namespace?.object.metadata.name).toBe('argocd');
    const without = treeArgoObjects(components.filter((c) => c.name !== 'argocd'));
    expect(without.root).toEqual([]);
    expect(without.projects).toEqual([]);
  });

  it('refuses non-objects, YAML errors, plain-http URLs, directories and paths that do not exist', async () => {
    expect(() => parseManifest('- a\n- b\n', 'm')).toThrow('m: document 1 is not a Kubernetes object');
    expect(() => parseManifest('a: [\n', 'm')).toThrow(/^m: document 1: /);
    expect(() => parseManifest('---\n', 'm')).toThrow('m: no objects');
    const dir = tempDir();
    for (const [arg, msg] of [
      ['http://example.com/install.yaml', 'only https URLs are fetched'],
      [dir, 'is not a file'],
      ['../../../../etc/nonexistent-install.yaml', 'does not exist'],
    ]) {
      const r = await mlp(['bootstrap', '--print', '--argocd-manifest', arg!]);
      expect(r.code, arg).toBe(2);
      expect(r.stderr).toContain(msg);
    }
  });

  it('prototype keys in a manifest stay data', () => {
    const [o] = parseManifest(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {__proto__: {polluted: "yes"}, constructor: c}\n',
      'm',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const placed = placeInNamespace([o!], 'argocd');
    expect(placed[0]!.metadata.namespace).toBe('argocd');
    expect(Object.keys(placed[0]!.data as object)).toEqual(['__proto__', 'constructor']);
  });
});
