// An A/B experiment end to end over real sockets: the local platform of `mlp up` (registry and
// model server, in-process), users sticky by x-user-id, seeded feedback where the challenger
// converts better, `mlp experiment status sentiment` reading the live counts, and `mlp
// experiment conclude` moving the champion alias, which the server then follows.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../src/registry/client.js';
import { type LocalPlatform, startLocalPlatform } from '../src/serving/local-platform.js';
import { mlp, tempDir, waitFor } from './helpers.js';
import { mulberry32 } from './serving-helpers.js';

let platform: LocalPlatform;
let registry: RegistryClient;
/** The arm of the one request of the first test. */
let earlyArm: 'champion' | 'challenger';

beforeAll(async () => {
  platform = await startLocalPlatform({
    stateDir: tempDir(),
    host: '127.0.0.1',
    registryPort: 0,
    servingPort: 0,
    challengerPercent: 50,
    pollMs: 200,
    logger: false,
    progress: () => {},
    logStream: { write: () => true },
  });
  registry = new RegistryClient(platform.registryUrl);
}, 120_000);
afterAll(async () => {
  await platform?.stop();
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

async function predict(user: string) {
  const r = await fetch(`${platform.servingUrl}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': user },
    body: JSON.stringify({ text: 'pretty good' }),
  });
  expect(r.status).toBe(200);
  const body = (await r.json()) as { model_version: string; requestId: string };
  expect(r.headers.get('x-request-id')).toBe(body.requestId);
  return body;
}

async function sendFeedback(requestId: string, outcome: boolean) {
  const r = await fetch(`${platform.servingUrl}/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ requestId, outcome }),
  });
  expect(r.status).toBe(200);
}

const live = (...args: string[]) => [...args, '--server', platform.servingUrl];
const conclude = (...args: string[]) =>
  mlp([
    'experiment',
    'conclude',
    'sentiment',
    ...live(...args),
    '--registry',
    platform.registryUrl,
    '--token',
    platform.registryToken,
  ]);

describe('a live A/B experiment', () => {
  it('too early: status says continue, conclude refuses (exit 1) and moves nothing', async () => {
    const { model_version, requestId } = await predict('early-user');
    await sendFeedback(requestId, true);
    const status = await mlp(['experiment', 'status', 'sentiment', ...live('-o', 'json')]);
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout);
    expect(doc).toMatchObject({ model: 'sentiment', decision: 'continue', config: { split: [50, 50] } });
    expect(doc.versions).toEqual({ champion: '1', challenger: '2' });
    earlyArm = model_version === '1' ? 'champion' : 'challenger';
    expect(doc.counts[earlyArm]).toEqual({ assigned: 1, feedback: 1, conversions: 1 });

    const r = await conclude();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not concluded: the decision is "continue"');
    expect(r.stderr).toContain('--force champion|challenger');
    expect((await registry.versionByAlias('sentiment', 'champion'))?.version).toBe('1');
    expect((await registry.versionByAlias('sentiment', 'challenger'))?.version).toBe('2');
  });

  it('clear errors when the server or the registry is down (address and cause, exit 2)', async () => {
    const port = await closedPort();
    const down = await mlp(['experiment', 'status', 'sentiment', '--server', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`cannot reach a model server at http://127.0.0.1:${port} (ECONNREFUSED)`);
    const noRegistry = await mlp([
      'experiment',
      'conclude',
      'sentiment',
      ...live('--force', 'challenger'),
      '--registry',
      `http://127.0.0.1:${port}`,
    ]);
    expect(noRegistry.code).toBe(2);
    expect(noRegistry.stderr).toContain(`cannot reach a registry at http://127.0.0.1:${port} (ECONNREFUSED)`);
    // The registry is the mlp up one, not this; a wrong model name is refused before anything.
    const other = await mlp(['experiment', 'status', 'fraud', ...live()]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('serves model "sentiment", not "fraud"');
    const bad = await mlp(['experiment', 'conclude', 'sentiment', ...live('--force', 'both')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--force: expected champion or challenger');
    const both = await mlp(['experiment', 'status', 'sentiment', '-f', 'x.json']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    expect((await registry.versionByAlias('sentiment', 'champion'))?.version).toBe('1');
  });

  it('sticky users, a better challenger: ship-challenger, and conclude makes it champion', async () => {
    const random = mulberry32(2026);
    const rate = { '1': 0.3, '2': 0.55 } as Record<string, number>;
    const byUser = new Map<string, string>();
    let challengerUsers = 0;
    for (let u = 0; u < 400; u++) {
      const user = `user-${u}`;
      // Two requests per user: the same version both times; feedback on the second.
      const first = await predict(user);
      const second = await predict(user);
      expect(second.model_version, user).toBe(first.model_version);
      byUser.set(user, first.model_version);
      if (first.model_version === '2') challengerUsers++;
      await sendFeedback(second.requestId, random() < rate[second.model_version]!);
    }
    // 400 users at 50/50: sd 10; ± 4 sd.
    expect(challengerUsers).toBeGreaterThan(160);
    expect(challengerUsers).toBeLessThan(240);

    const text = await mlp(['experiment', 'status', 'sentiment', ...live('--mde', '0.1')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/│ champion \(v1\)\s+│ \d+\s+│/);
    expect(text.stdout).toMatch(/│ challenger \(v2\)\s+│ \d+\s+│/);
    expect(text.stdout).toContain('sample ratio (split 50/50)');
    expect(text.stdout).toContain('decision: ship-challenger');
    const json = JSON.parse(
      (await mlp(['experiment', 'status', 'sentiment', ...live('--mde', '0.1', '-o', 'json')])).stdout,
    );
    // The early user's two requests plus these 800.
    expect(json.counts.champion.assigned + json.counts.challenger.assigned).toBe(801);
    expect(json.counts.challenger.assigned).toBe(challengerUsers * 2 + (earlyArm === 'challenger' ? 1 : 0));
    expect(json.counts.champion.feedback + json.counts.challenger.feedback).toBe(401);
    expect(json.srm.mismatch).toBe(false);

    const r = await conclude('--mde', '0.1');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('concluded: challenger version 2 wins');
    expect(r.stdout).toContain('sentiment@champion → version 2');
    expect(r.stdout).toContain('sentiment@challenger removed (was version 2)');
    expect((await registry.versionByAlias('sentiment', 'champion'))?.version).toBe('2');
    expect(await registry.versionByAlias('sentiment', 'challenger')).toBeUndefined();

    // The server follows the registry: everyone gets v2, and there is no experiment any more.
    const ended = await waitFor(
      async () => (await fetch(`${platform.servingUrl}/experiment`)).status === 404,
    );
    expect(ended).toBe(true);
    for (const user of [...byUser.keys()].slice(0, 20)) expect((await predict(user)).model_version).toBe('2');
    const after = await mlp(['experiment', 'status', 'sentiment', ...live()]);
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('no experiment: sentiment has no challenger loaded (MLP_NO_EXPERIMENT)');
  }, 180_000);
});

describe('conclude: keep-champion, forced endings and stale or hostile servers', () => {
  /** A model server stand-in that answers GET /experiment with `body` (status 200 unless given). */
  async function fakeServer(body: string | Buffer, status = 200): Promise<{ url: string; close(): void }> {
    const { createServer: http } = await import('node:http');
    const s = http((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { port } = s.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, close: () => s.close() };
  }
  const counts = (champion: string, challenger: string) =>
    JSON.stringify({
      model: 'sentiment',
      split: [50, 50],
      champion: { version: champion, assigned: 10, feedback: 5, conversions: 1 },
      challenger: { version: challenger, assigned: 10, feedback: 5, conversions: 2 },
    });
  const concludeAt = (url: string, ...args: string[]) =>
    mlp([
      'experiment',
      'conclude',
      'sentiment',
      '--server',
      url,
      '--registry',
      platform.registryUrl,
      '--token',
      platform.registryToken,
      ...args,
    ]);

  it('refuses to act on counts for versions the aliases no longer name', async () => {
    const champion = (await registry.versionByAlias('sentiment', 'champion'))!.version;
    const fake = await fakeServer(counts(champion, '9'));
    try {
      const r = await concludeAt(fake.url, '--force', 'challenger');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("the registry's aliases moved since the model server loaded them");
      expect(r.stderr).toContain(`the counts are for champion=${champion}, challenger=9`);
      expect((await registry.versionByAlias('sentiment', 'champion'))?.version).toBe(champion);
    } finally {
      fake.close();
    }
  });

  it('--force champion on a running experiment removes the challenger and keeps the champion', async () => {
    const writer = new RegistryClient(platform.registryUrl, { token: platform.registryToken });
    const champion = (await registry.versionByAlias('sentiment', 'champion'))!.version;
    const other = champion === '1' ? '2' : '1';
    await writer.setAlias('sentiment', 'challenger', other);
    const fake = await fakeServer(counts(champion, other));
    try {
      const r = await concludeAt(fake.url, '--force', 'champion');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `concluded by --force (the statistics say: continue): champion version ${champion} wins`,
      );
      expect(r.stdout).not.toContain('@champion →');
      expect((await registry.versionByAlias('sentiment', 'champion'))?.version).toBe(champion);
      expect(await registry.versionByAlias('sentiment', 'challenger')).toBeUndefined();
    } finally {
      fake.close();
    }
  });

  it('hostile or wrong answers from --server are located usage errors, never crashes', async () => {
    const cases: [string | Buffer, number, string][] = [
      ['<html>hello</html>', 200, 'is not JSON'],
      [Buffer.alloc(1024 * 1024 + 10, 0x20), 200, 'answer larger than 1048576 bytes'],
      [Buffer.from([0x7b, 0xff, 0x7d]), 200, 'not valid UTF-8'],
      ['{"error": "no route GET /experiment", "code": "MLP_ROUTE_NOT_FOUND"}', 404, 'is http://127.0.0.1'],
      ['{"error": "boom"}', 500, ': boom'],
      ['{"__proto__": {"x": 1}, "champion": {}, "challenger": {}}', 200, '$.__proto__: unknown field'],
      [
        '{"champion": {"assigned": -1, "conversions": 0}, "challenger": {"assigned": 1, "conversions": 0, "version": "../x"}}',
        200,
        '$.challenger.version: expected a version',
      ],
      ['[1, 2]', 200, 'expected {"champion"'],
    ];
    for (const [body, status, message] of cases) {
      const fake = await fakeServer(body, status);
      try {
        const r = await mlp(['experiment', 'status', 'sentiment', '--server', fake.url]);
        expect(r.code, message).toBe(2);
        expect(r.stderr, message).toContain(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      } finally {
        fake.close();
      }
    }
    for (const server of ['ftp://x', 'not a url']) {
      const r = await mlp(['experiment', 'status', 'sentiment', '--server', server]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--server: expected');
    }
  });
});
