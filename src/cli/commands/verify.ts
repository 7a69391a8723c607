/** `mlp verify -e ENV`: the offline proof's questions asked of the live API server (src/cluster/verify). */
import { parentRefFor } from '../../cluster/applyset.js';
import { Discovery } from '../../cluster/discovery.js';
import { type VerifyRow, verify } from '../../cluster/verify/run.js';
import { synthesize } from '../../synth/platform.js';
import { environment, openSpec } from '../context.js';
import { EXIT, type Io } from '../io.js';
import { emit, type OutputFormat, table } from '../output.js';
import { type ClusterOptions, connectCluster, timeoutOf, withCluster } from './apply.js';

export interface VerifyCommandOptions extends ClusterOptions {
  readonly file?: string;
  readonly env: string;
  readonly timeout: string;
  readonly output: OutputFormat;
}

function summary(rows: readonly VerifyRow[]): string {
  const kinds = ['access', 'admission', 'drift'] as const;
  return table(
    ['check', 'questions', 'agree', 'disagree'],
    kinds.map((k) => {
      const of = rows.filter((r) => r.check === k);
      const bad = of.filter((r) => !r.agree).length;
      return [k, String(of.length), String(of.length - bad), String(bad)];
    }),
  );
}

export async function verifyCommand(opts: VerifyCommandOptions, io: Io): Promise<number> {
  const timeoutMs = timeoutOf(opts.timeout);
  const spec = openSpec(opts, io);
  const env = environment(spec, opts.env);
  const components = synthesize(env);
  return withCluster(async () => {
    const cluster = await connectCluster(opts);
    const report = await verify(cluster, new Discovery(cluster), env, components, {
      timeoutMs,
      parent: parentRefFor(env.platform.name, env.environment),
    });
    const bad = report.rows.filter((r) => !r.agree);
    io.stdout(
      emit(opts.output, { environment: env.environment, server: cluster.server, ...report }, () => {
        // Every admission probe side by side; access and drift rows only where they disagree
        // (hundreds agree; -o json lists them all).
        const shown = report.rows.filter((r) => r.check === 'admission' || !r.agree);
        const head = ['check', 'subject', 'question', 'offline', 'live', '', 'detail'];
        const rows = shown.map((r) => [
          r.check,
          r.subject,
          r.question,
          r.offline,
          r.live,
          r.agree ? 'ok' : 'DISAGREE',
          r.agree && r.check !== 'admission' ? '' : (r.detail ?? '').slice(0, 160),
        ]);
        const verdictLine = report.agree
          ? `verified: all ${report.rows.length} answers of the live server agree with the offline proof\n`
          : `NOT verified: ${bad.length} of ${report.rows.length} answers disagree\n`;
        return `${table(head, rows)}${summary(report.rows)}${verdictLine}note: ${report.dataplane}\n`;
      }),
    );
    return report.agree ? EXIT.ok : EXIT.failed;
  });
}
