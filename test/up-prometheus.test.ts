// `mlp up --prometheus`: a real Prometheus loads the environment's rendered rules, scrapes the
// local model server, and the SLI recording rule equals the error ratio of the traffic sent.

import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { upCommand } from '../src/cli/commands/up.js';
import { findPrometheus, prometheusConfig } from '../src/serving/local-prometheus.js';
import { loadSpec } from '../src/spec/load.js';
import { environmentObservability } from '../src/synth/observability.js';
import { ROOT, tempDir, waitFor } from './helpers.js';
import { inCi } from './promtool/run.js';
import { runUp } from './up-helpers.js';

const hasPrometheus = (() => {
  try {
    findPrometheus();
    return true;
  } catch {
    return false;
  }
})();

if (!hasPrometheus && inCi) {
  it('needs prometheus (Debian package `prometheus`; .ci/run installs it)', () => {
    expect.fail('prometheus not found on the PATH under CI=true');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(url: string, q: string): Promise<Sample[]> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as { status: string; data: { result: Sample[] } };
  expect(body.status).toBe('success');
  return body.data.result;
}

describe('prometheus config', () => {
  it('scrapes each target over plain HTTP at <url>/metrics with the rule file', () => {
    const yaml = prometheusConfig(
      [{ job: 'mlp-model-server', url: 'http://127.0.0.1:8080' }],
      '/s/rules.yaml',
      {
        environment: 'local',
      },
    );
    expect(yaml).toContain('job_name: mlp-model-server');
    expect(yaml).toContain('metrics_path: /metrics');
    expect(yaml).toContain('- 127.0.0.1:8080');
    expect(yaml).toContain('- /s/rules.yaml');
    expect(() => prometheusConfig([{ job: 'x', url: 'file:///etc/passwd' }], '/r')).toThrow(/http:\/\//);
  });

  it('refuses a MLP_PROMETHEUS that is not an absolute executable, and says how to get one', () => {
    expect(() => findPrometheus({ MLP_PROMETHEUS: 'prometheus' })).toThrow(/absolute path/);
    expect(() => findPrometheus({ MLP_PROMETHEUS: '/etc/passwd' })).toThrow(/absolute path/);
    expect(() => findPrometheus({ PATH: tempDir() })).toThrow(/apt-get install prometheus/);
  });

  it('refuses --prometheus before starting anything when no binary is found', async () => {
    const dir = tempDir();
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      const io = { stdout: () => {}, stderr: () => {}, cwd: dir };
      await expect(
        upCommand(
          {
            state: '.mlp',
            host: '127.0.0.1',
            registryPort: '0',
            port: '0',
            challengerPercent: '0',
            prometheus: true,
          },
          io,
        ),
      ).rejects.toThrow(/no prometheus executable on the PATH/);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe.skipIf(!hasPrometheus)('mlp up --prometheus (real Prometheus)', () => {
  it('loads every rendered rule and records the SLI of real traffic', async () => {
    const dir = tempDir();
    const prometheusPort = await freePort();
    const url = `http://127.0.0.1:${prometheusPort}`;
    const rendered = environmentObservability(
      loadSpec(`${ROOT}/examples/platform.yaml`).environments.get('local')!,
    );
    const renderedRules = rendered.groups.flatMap((g) => g.rules);
    let sent = 0;
    let failed = 0;
    let refused = 0;
    const r = await runUp(
      dir,
      async (serving) => {
        // Steady traffic until the SLI is recorded: `rate` needs the counter to move between two
        // scrapes. Good requests, and requests the server refuses (bad body): 4xx are not SLO errors.
        let stopTraffic = false;
        const traffic = (async () => {
          for (let i = 0; !stopTraffic; i++) {
            const ok = await fetch(`${serving}/predict`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ text: i % 2 ? 'great service' : 'awful' }),
            });
            // v1 answers 503 for every 5th request it serves (`--inject`), the rest 200.
            if (ok.status >= 500) failed++;
            else expect(ok.status).toBe(200);
            sent++;
            if (i % 4 === 0) {
              const bad = await fetch(`${serving}/predict`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ nope: 1 }),
              });
              expect(bad.status).toBeGreaterThanOrEqual(400);
              expect(bad.status).toBeLessThan(500);
              refused++;
            }
            await new Promise((r) => setTimeout(r, 20));
          }
        })();
        // Every rendered rule is loaded, healthy (no evaluation error), in the same groups.
        const rules = await waitFor(
          async () => {
            const body = (await (await fetch(`${url}/api/v1/rules`)).json()) as {
              data: { groups: { name: string; rules: { name: string; health: string }[] }[] };
            };
            const all = body.data.groups.flatMap((g) => g.rules);
            return all.length === renderedRules.length && all.every((x) => x.health === 'ok')
              ? all
              : undefined;
          },
          120_000,
          500,
        );
        expect(rules?.map((x) => x.name).sort()).toEqual(
          renderedRules.map((x) => (x.kind === 'alert' ? x.alert : x.record)).sort(),
        );
        // The 5m SLI appears after two scrapes; read it once traffic has run for several more,
        // so the window holds many requests: it is the 5xx share the clients saw (every 5th v1
        // request, over all requests including the refused 4xx ones), within one scrape's jitter.
        const first = await waitFor(
          async () => {
            const r = await query(url, 'slo:sli_error:ratio_rate5m{slo="sentiment",sli="availability"}');
            return r.length === 1 ? r : undefined;
          },
          120_000,
          500,
        );
        expect(first?.[0]?.metric).toMatchObject({ model: 'sentiment' });
        await new Promise((r) => setTimeout(r, 30_000));
        const sli = await query(url, 'slo:sli_error:ratio_rate5m{slo="sentiment",sli="availability"}');
        const seen = failed / (sent + refused);
        expect(failed).toBeGreaterThan(10);
        expect(Number(sli[0]?.value[1])).toBeGreaterThan(seen - 0.04);
        expect(Number(sli[0]?.value[1])).toBeLessThan(seen + 0.04);
        // 4xx are not errors: the ratio is below v1's 20 % because refused requests count in the total.
        expect(seen).toBeLessThan(0.2);
        stopTraffic = true;
        await traffic;
        // The scrape reached the model server and counted what was sent.
        const counted = await waitFor(
          async () => {
            const s = await query(url, 'sum(inference_requests_total{model="sentiment"})');
            return s.length === 1 && Number(s[0]!.value[1]) === sent + refused ? s : undefined;
          },
          120_000,
          500,
        );
        expect(counted).toBeDefined();
      },
      {
        prometheus: true,
        prometheusPort: String(prometheusPort),
        challengerPercent: '0',
        inject: ['version=1,errors=0.2'],
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`prometheus                   ${url}`);
    // Stopped with the platform.
    await expect(fetch(`${url}/-/ready`)).rejects.toThrow();
  }, 300_000);
});
