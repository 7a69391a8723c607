/** The `mlp` command: parse flags, call one command module, map errors to exit codes. */
import { Command, CommanderError, Option } from 'commander';
import { formatIssue, SpecError } from '../spec/errors.js';
import { parseCheckOutput, parseOutput } from './formats.js';
import { EXIT, type Io, processIo, UsageError } from './io.js';

/*
 * Command modules are imported inside their actions, not here: `mlp --version` or `mlp can-i`
 * must not pay for the ONNX runtime, the AWS SDK, Fastify or PGlite that other commands use.
 */
const commands = {
  admit: () => import('./commands/admit.js'),
  apply: () => import('./commands/apply.js'),
  bootstrap: () => import('./commands/bootstrap.js'),
  canI: () => import('./commands/can-i.js'),
  check: () => import('./commands/check.js'),
  diff: () => import('./commands/diff.js'),
  experiment: () => import('./commands/experiment.js'),
  experimentLive: () => import('./commands/experiment-live.js'),
  model: () => import('./commands/model.js'),
  modelRollout: () => import('./commands/model-rollout.js'),
  policy: () => import('./commands/policy.js'),
  reach: () => import('./commands/reach.js'),
  registryServe: () => import('./commands/registry-serve.js'),
  rollout: () => import('./commands/rollout.js'),
  serve: () => import('./commands/serve.js'),
  synth: () => import('./commands/synth.js'),
  up: () => import('./commands/up.js'),
  verify: () => import('./commands/verify.js'),
  whoCan: () => import('./commands/who-can.js'),
};

const ROLLOUT_EXAMPLES = `
Examples:
  mlp rollout simulate -f testdata/rollout/good.json
  mlp rollout simulate -f testdata/rollout/errors-5pct.json --max-error-ratio 0.01 -o json
  mlp rollout simulate -f metrics.json --steps steps.json --count 3 --interval 1m --max-p95 none

Samples: {"requests": 1200, "errors": 3, "p95Seconds": 0.08} (or "errorRatio": 0.0025);
null = the query returned no value; {"queryError": "…"} = the query failed.
`;

const EXPERIMENT_EXAMPLES = `
Examples:
  mlp experiment status sentiment                       # live, from the model server of mlp up
  mlp experiment status sentiment --server http://models.example.com -o json
  mlp experiment status -f testdata/rollout/experiment-winner.json
  mlp experiment status -f counts.json --split 90/10 --mde 0.02 --min-samples 1000 -o json
`;

const CONCLUDE_EXAMPLES = `
Examples:
  mlp experiment conclude sentiment
  mlp experiment conclude sentiment --server http://127.0.0.1:8080 --registry http://127.0.0.1:5000
  mlp experiment conclude sentiment --force champion     # stop early, keep the champion
`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The model server's access flags, the same on `mlp up` and `mlp serve` (parsed by servingAccess). */
const servingAccessOptions = {
  token: () =>
    new Option(
      '--token <[team=]token>',
      'model server bearer token, repeatable (default: $MLP_TOKENS, comma-separated); none: inference is open',
    ).argParser(collect),
  rateLimit: () =>
    new Option(
      '--rate-limit <n/window>',
      'requests per client and window, e.g. 100/1s (default: $MLP_RATE_LIMIT)',
    ),
  allowSource: () =>
    new Option(
      '--allow-source <origin>',
      'an http(s) origin model sources may also be fetched from, repeatable',
    ).argParser(collect),
};

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('mlp')
    .description(
      'ML platform as code: one spec, synthesized per environment into a GitOps tree, proven offline.',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError(true);

  const specOption = () =>
    new Option(
      '-f, --file <platform.yaml>',
      'platform spec (default: ./platform.yaml, else the bundled example)',
    );
  const outputOption = () =>
    new Option('-o, --output <format>', 'table | json | yaml').default('table').argParser(parseOutput);
  const envOption = () =>
    new Option('-e, --env <environment>', 'environment: local | dev | staging | prod').default('local');

  program
    .command('synth')
    .description('render gitops/<env>/ for each environment (atomically; stale files removed)')
    .addOption(specOption())
    .addOption(
      new Option('-e, --env <environment>', 'environment to render (repeatable; default: all)').argParser(
        collect,
      ),
    )
    .option('--out <dir>', 'output directory', 'gitops')
    .addOption(outputOption())
    .action(async (opts) => setExit((await commands.synth()).synthCommand(opts, io)));

  program
    .command('check')
    .description('prove the rendered platform offline: schema, RBAC, network isolation, quota fit')
    .addOption(specOption())
    .addOption(
      new Option('-e, --env <environment>', 'environment to check (repeatable; default: all)').argParser(
        collect,
      ),
    )
    .addOption(
      new Option('-o, --output <format>', 'table | json | yaml | sarif')
        .default('table')
        .argParser(parseCheckOutput),
    )
    .option('--all', 'list passing findings too')
    .action(async (opts) => setExit(await (await commands.check()).checkCommand(opts, io)));

  /** What `can-i` and `who-can` both ask about: VERB RESOURCE [NAME] in a namespace. */
  const accessQuery = (name: string, description: string, allNamespaces: string) =>
    program
      .command(name)
      .description(description)
      .argument('<verb>', 'get, list, create, delete, … or *')
      .argument('<resource>', 'RESOURCE[.GROUP][/SUBRESOURCE], or a non-resource URL such as /healthz')
      .argument('[name]', 'object name, for rules limited by resourceNames')
      .addOption(specOption())
      .addOption(envOption())
      .option('-n, --namespace <ns>', 'namespace (default: default)')
      .option('-A, --all-namespaces', allNamespaces)
      .option('--subresource <sub>', 'subresource, as kubectl spells it: --subresource=log');

  accessQuery(
    'can-i',
    'answer "kubectl auth can-i" from the rendered RBAC (exit 0 yes, 1 no)',
    'ask cluster-wide',
  )
    .requiredOption('--as <user>', 'user to ask for (system:serviceaccount:NS:NAME for a service account)')
    .option('--as-group <group>', 'group of the user (repeatable); groups are never implied', collect, [])
    .option('--effective', 'follow escalation paths: pods, tokens, impersonation, bind/escalate')
    .option(
      '--argocd',
      "ask Argo CD's RBAC instead: ACTION RESOURCE OBJECT, e.g. sync applications ml-team/my-app (policy.csv + AppProject roles; glob match, deny wins)",
    )
    .addOption(outputOption())
    .action(async (verb, resource, name, opts) =>
      setExit((await commands.canI()).canICommand(verb, resource, name, opts, io)),
    );

  accessQuery(
    'who-can',
    'which users, groups and service accounts may do it, and through which binding',
    'cluster-wide bindings only',
  )
    .option('--effective', 'also subjects that reach it through escalation paths, with the path')
    .addOption(outputOption())
    .action(async (verb, resource, name, opts) =>
      setExit((await commands.whoCan()).whoCanCommand(verb, resource, name, opts, io)),
    );

  program
    .command('reach')
    .description('can a pod in FROM connect to TO? (exit 0 allowed, 1 denied)')
    .argument('<from>', 'NAMESPACE, NAMESPACE/key=value,… or an IPv4 or IPv6 address')
    .argument('<to>', 'NAMESPACE, NAMESPACE/key=value,… or an IPv4 or IPv6 address')
    .option('-p, --port <port>', 'PORT[/TCP|UDP|SCTP] (default: any port)')
    .addOption(specOption())
    .addOption(envOption())
    .addOption(outputOption())
    .action(async (from, to, opts) => setExit((await commands.reach()).reachCommand(from, to, opts, io)));

  program
    .command('admit')
    .description(
      'would the API server admit this pod (or the pods a workload creates)? LimitRange, Pod Security, policies, quota (exit 0 admitted, 1 rejected)',
    )
    .argument('<pod.yaml>', 'a Pod, or a workload with a pod template')
    .option('-n, --namespace <ns>', "namespace (default: the pod's own, else default)")
    .addOption(specOption())
    .addOption(envOption())
    .addOption(outputOption())
    .action(async (file, opts) => setExit((await commands.admit()).admitCommand(file, opts, io)));

  program
    .command('diff')
    .description(
      'diff two environments, an environment against a directory, or (--live) against the cluster (exit 1 when they differ)',
    )
    .argument('[env]', 'environment (or -e ENV)')
    .argument('[other]', 'second environment')
    .option('-e, --env <environment>', 'environment (with --live)')
    .option('--against <dir>', 'compare the rendered tree with this directory, e.g. gitops/local')
    .option(
      '--live',
      'compare with the live cluster: server-side dry-run apply vs live objects, like kubectl diff',
    )
    .addOption(specOption())
    .addOption(outputOption())
    .option('--kubeconfig <file>', 'kubeconfig (with --live; default: $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (with --live)')
    .action(async (env, other, opts) =>
      setExit(
        opts.live
          ? await (await commands.diff()).liveDiffCommand(env, other, opts, io)
          : (await commands.diff()).diffCommand(env ?? opts.env, other, opts, io),
      ),
    );

  /** What every command that talks to a cluster takes. */
  const clusterOptions = (c: Command) =>
    c
      .addOption(specOption())
      .addOption(envOption())
      .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, else ~/.kube/config)')
      .option('--context <name>', 'kubeconfig context (default: its current-context)')
      .addOption(outputOption());

  clusterOptions(
    program
      .command('apply')
      .description(
        'server-side apply of the tree to the cluster, in sync-wave order, with ApplySet prune (exit 1 when an object fails)',
      ),
  )
    .option('--dry-run <mode>', 'server: the API server validates and admits, nothing is stored')
    .option('--prune', 'delete members of this ApplySet that are no longer in the tree')
    .option('--timeout <duration>', 'longest wait for a namespace or a CRD', '5m')
    .action(async (opts) => setExit(await (await commands.apply()).applyCommand(opts, io)));

  clusterOptions(
    program
      .command('verify')
      .description(
        "ask the live API server the offline proof's questions (RBAC, quota, Pod Security, policies, drift); exit 1 on any disagreement",
      ),
  )
    .option('--timeout <duration>', 'longest wait for quota status to be observed', '30s')
    .action(async (opts) => setExit(await (await commands.verify()).verifyCommand(opts, io)));

  clusterOptions(
    program
      .command('bootstrap')
      .description(
        'install Argo CD (upstream manifest, pinned release), then the AppProjects and the root Application',
      ),
  )
    .option('--print', 'write what would be applied to stdout instead of applying it')
    .option(
      '--argocd-manifest <file|url>',
      'the Argo CD install manifest (default: the pinned release on GitHub)',
    )
    .option('--timeout <duration>', 'longest wait for a namespace or a CRD', '5m')
    .action(async (opts) => setExit(await (await commands.bootstrap()).bootstrapCommand(opts, io)));

  program
    .command('policy')
    .description('admission rules (defined once in CEL; emitted as ValidatingAdmissionPolicies)')
    .command('check')
    .description(
      "run manifests through an environment's admission chain offline: Pod Security, LimitRange, policies, quota (exit 1 when one fails)",
    )
    .argument('<manifest.yaml...>', 'files with Pods or workloads')
    .addOption(specOption())
    .addOption(envOption())
    .addOption(outputOption())
    .action(async (files, opts) => setExit((await commands.policy()).policyCheckCommand(files, opts, io)));

  program
    .command('up')
    .description(
      'run the embedded local platform: model registry + model server with the demo model, until Ctrl-C',
    )
    .option('--state <dir>', 'where registry data and artifacts live', '.mlp')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--registry-port <port>', 'registry port (MLflow default)', '5000')
    .option('-p, --port <port>', 'model server port', '8080')
    .option('--challenger-percent <n>', 'share of traffic for the challenger', '10')
    .option('-v, --verbose', 'JSON request logs on stderr (warnings and errors are always logged)')
    .option(
      '--registry-token <token>',
      'token registry writes need (default: $MLP_REGISTRY_TOKEN, else generated into <state>/registry-token)',
    )
    .addOption(servingAccessOptions.token())
    .addOption(servingAccessOptions.rateLimit())
    .addOption(servingAccessOptions.allowSource())
    .option(
      '--inject <fault>',
      'local demos only: make a version fail or slow down, e.g. version=3,errors=0.2,latencyMs=300 (every 5th request of v3 fails, each waits 300 ms); repeatable',
      collect,
    )
    .option('--exit-with-parent', 'stop when the parent process (npm start) exits')
    .option(
      '--prometheus',
      "also run Prometheus (a `prometheus` on the PATH, or $MLP_PROMETHEUS) with the environment's rendered alert and SLO rules, scraping the model server",
    )
    .option('--prometheus-port <port>', 'port of that Prometheus', '9090')
    .addOption(
      new Option(
        '-f, --file <platform.yaml>',
        'with --prometheus: spec whose rules to load (default: ./platform.yaml, else the bundled example)',
      ),
    )
    .addOption(
      new Option('-e, --env <environment>', 'with --prometheus: environment whose rules to load').default(
        'local',
      ),
    )
    .action(async (opts) => setExit(await (await commands.up()).upCommand(opts, io)));

  program
    .command('serve')
    .description(
      "the model server alone (the in-cluster image's entrypoint): serves the registry's champion and challenger of one model at the registry's live weight; SIGTERM drains",
    )
    .requiredOption('--model <name>', 'registered model to serve')
    .option('--registry <url>', 'registry URL (default: $MLFLOW_TRACKING_URI)')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('-p, --port <port>', 'port', '8080')
    .option(
      '--challenger-percent <n>',
      "challenger's share while the registry has no mlp.challenger_percent tag",
      '0',
    )
    .option('--poll-interval <duration>', 'how often the registry is read (aliases, weight)', '2s')
    .option(
      '--shutdown-delay <duration>',
      'on SIGTERM, keep serving this long before draining (time for endpoints to drop the pod)',
      '0s',
    )
    .addOption(servingAccessOptions.token())
    .addOption(servingAccessOptions.rateLimit())
    .addOption(servingAccessOptions.allowSource())
    .option('-v, --verbose', 'JSON request logs on stderr (warnings and errors are always logged)')
    .action(async (opts) => setExit(await (await commands.serve()).serveCommand(opts, io)));

  program
    .command('registry')
    .description('the model registry (MLflow Model Registry API)')
    .command('serve')
    .description(
      "the registry alone (the in-cluster image's other entrypoint), configured by the environment: DATABASE_URL, MLP_ARTIFACTS_URI (s3://bucket/prefix), MLP_S3_ENDPOINT, AWS_* credentials, MLP_REGISTRY_TOKEN or MLP_REGISTRY_TOKEN_FILE (required for writes); SIGTERM drains",
    )
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('-p, --port <port>', 'port (MLflow default)', '5000')
    .option(
      '--state <dir>',
      'embedded PGlite database and artifact folder here, when DATABASE_URL / MLP_ARTIFACTS_URI are unset',
    )
    .option(
      '--insecure-open-writes',
      'start without MLP_REGISTRY_TOKEN: anyone who reaches the registry may write',
    )
    .option('--shutdown-delay <duration>', 'on SIGTERM, keep serving this long before draining', '0s')
    .option('-v, --verbose', 'JSON request logs on stderr')
    .action(async (opts) => setExit(await (await commands.registryServe()).registryServeCommand(opts, io)));

  const model = program.command('model').description('build, evaluate and register model versions');
  model
    .command('build')
    .description('write a demo sentiment model (ONNX) built from the AFINN-165 lexicon')
    .argument('<version>', 'model version: 1 (lexicon) or 2 (lexicon + negation and contrast)')
    .requiredOption('-o, --out <file.onnx>', 'output file')
    .action(async (version, opts) =>
      setExit((await commands.model()).modelBuildCommand({ version, out: opts.out }, io)),
    );
  model
    .command('eval')
    .description('accuracy of sentiment models on a labelled TSV set')
    .argument('<model.onnx...>', 'model files')
    .option('--data <file.tsv>', 'labelled examples (label<TAB>text)', 'testdata/sentiment/eval.tsv')
    .action(async (files, opts) => setExit(await (await commands.model()).modelEvalCommand(files, opts, io)));
  model
    .command('push')
    .description('register a model file as a new version in the registry')
    .argument('<model.onnx>', 'model file')
    .requiredOption('--name <model>', 'registered model name')
    .option('--alias <alias>', 'point this alias (e.g. challenger) at the new version')
    .option('--description <text>', 'version description')
    .option('--registry <url>', 'registry URL (default: $MLFLOW_TRACKING_URI or http://127.0.0.1:5000)')
    .option(
      '--token <token>',
      'registry write token (default: $MLP_REGISTRY_TOKEN, else .mlp/registry-token)',
    )
    .action(async (file, opts) => setExit(await (await commands.model()).modelPushCommand(file, opts, io)));
  model
    .command('alias')
    .description(
      'move an alias (champion, challenger, …) to a version; the model server follows within seconds',
    )
    .argument('<model>', 'registered model name')
    .argument('<alias>', 'alias name')
    .argument('[version]', 'version number')
    .option('--delete', 'remove the alias instead')
    .option('--registry <url>', 'registry URL (default: $MLFLOW_TRACKING_URI or http://127.0.0.1:5000)')
    .option(
      '--token <token>',
      'registry write token (default: $MLP_REGISTRY_TOKEN, else .mlp/registry-token)',
    )
    .action(async (name, alias, version, opts) => {
      if (!version && !opts.delete) throw new UsageError('give a version, or --delete');
      setExit(await (await commands.model()).modelAliasCommand(name, alias, version ?? '', opts, io));
    });

  model
    .command('rollout')
    .description(
      "canary against a running model server (mlp up, mlp serve): VERSION becomes challenger at weight 0, then each step's weight is analysed on the server's live /metrics with the same analysis as the cluster's; promoted to champion, or rolled back (exit 0 promoted, 1 rolled back)",
    )
    .argument('<model>', 'registered model name')
    .argument('<version>', 'version to roll out')
    .option('--steps <weights>', 'challenger weights in percent, an analysis after each', '10,25,50,100')
    .option('--registry <url>', 'registry URL (default: $MLFLOW_TRACKING_URI or http://127.0.0.1:5000)')
    .option(
      '--token <token>',
      'registry write token (default: $MLP_REGISTRY_TOKEN, else .mlp/registry-token)',
    )
    .option('--server <url>', 'model server whose /metrics are analysed', 'http://127.0.0.1:8080')
    .option('--interval <duration>', 'time between measurements, e.g. 5s', '5s')
    .option('--count <n>', 'measurements per analysis', '1')
    .option('--max-error-ratio <ratio>', 'highest 5xx share per interval', '0.01')
    .option('--max-p95 <seconds>', 'highest p95 latency, or none', '0.5')
    .option('--max-p99 <seconds>', 'highest p99 latency (default: not judged)')
    .option(
      '--min-requests <n>',
      'fewer challenger requests in an interval is Inconclusive (rolled back)',
      '20',
    )
    .option('--failure-limit <n>', 'failed measurements tolerated per metric', '0')
    .option('--inconclusive-limit <n>', 'inconclusive measurements tolerated per metric (default 0)')
    .option('--consecutive-error-limit <n>', 'failed /metrics scrapes in a row tolerated (default 4)')
    .option('--settle-timeout <duration>', 'longest wait for the server to follow a registry change', '60s')
    .addOption(outputOption())
    .action(async (name, version, opts) =>
      setExit(await (await commands.modelRollout()).modelRolloutCommand(name, version, opts, io)),
    );

  const rollout = program
    .command('rollout')
    .description('canary analysis (Argo Rollouts semantics), offline');
  rollout
    .command('simulate')
    .description(
      'replay recorded metrics through the canary steps with the same analysis the AnalysisTemplates carry (exit 0 promoted, 1 aborted or paused)',
    )
    .requiredOption(
      '-f, --file <metrics.json>',
      'samples per analysis step: [[{requests, errors}…]…], or {steps, measurements}',
    )
    .option(
      '--steps <steps.json>',
      'canary steps [{setWeight}, {pause}, {analysis}] (default: 10/25/50/100 %, an analysis after each)',
    )
    .option('--max-error-ratio <ratio>', 'highest 5xx share per interval', '0.01')
    .option('--max-p95 <seconds>', 'highest p95 latency, or none', '0.5')
    .option('--max-p99 <seconds>', 'highest p99 latency (default: not judged)')
    .option('--min-requests <n>', 'fewer requests in an interval is Inconclusive', '100')
    .option('--failure-limit <n>', 'failed measurements tolerated per metric', '0')
    .option('--inconclusive-limit <n>', 'inconclusive measurements tolerated per metric (default 0)')
    .option('--consecutive-error-limit <n>', 'query errors in a row tolerated (default 4)')
    .option('--count <n>', 'measurements per analysis (default: one, or as many as an --interval run gets)')
    .option('--interval <duration>', 'time between measurements, e.g. 1m')
    .option('--promote-pauses', 'treat indefinite pauses as promoted by hand')
    .addOption(outputOption())
    .addHelpText('after', ROLLOUT_EXAMPLES)
    .action(async (opts) => setExit((await commands.rollout()).rolloutSimulateCommand(opts, io)));

  const experiment = program
    .command('experiment')
    .description('A/B experiments between champion and challenger');
  // The statistics' settings, shared by status and conclude so both decide the same way.
  const statsOptions = (c: Command) =>
    c
      .option(
        '--split <a/b>',
        'traffic split the counts were assigned with, champion first (default: the server’s or file’s, else 50/50)',
      )
      .option('--alpha <a>', 'significance of the sequential test', '0.05')
      .option(
        '--mde <effect>',
        'minimum detectable effect, absolute (0.03 = 3 points); the mixture scale',
        '0.03',
      )
      .option('--min-samples <n>', 'no decision before each arm has this many outcomes', '100')
      .option('--max-samples <n>', 'keep the champion when each arm has this many outcomes and no winner')
      .addOption(outputOption());
  const serverOption = () =>
    new Option(
      '--server <url>',
      'model server to read live counts from (default: $MLP_SERVER_URL or http://127.0.0.1:8080)',
    );
  statsOptions(
    experiment
      .command('status')
      .description(
        'rates with confidence intervals, the always-valid (mSPRT) p-value, the sample-ratio check and the decision: continue, ship-challenger, keep-champion',
      )
      .argument('[model]', 'read the live counts of this model from its model server (GET /experiment)')
      .option(
        '-f, --file <counts.json>',
        'recorded counts instead: {"champion": {assigned, feedback?, conversions}, "challenger": {…}}',
      )
      .addOption(serverOption()),
  )
    .addHelpText('after', EXPERIMENT_EXAMPLES)
    .action(async (model, opts) =>
      setExit(await (await commands.experiment()).experimentStatusCommand(model, opts, io)),
    );
  statsOptions(
    experiment
      .command('conclude')
      .description(
        'act on the live decision in the registry: ship-challenger moves champion to the challenger’s version and removes challenger; keep-champion removes challenger; continue refuses (exit 1) unless --force',
      )
      .argument('<model>', 'registered model name (its model server is --server)')
      .addOption(serverOption())
      .option('--registry <url>', 'registry URL (default: $MLFLOW_TRACKING_URI or http://127.0.0.1:5000)')
      .option(
        '--token <token>',
        'registry write token (default: $MLP_REGISTRY_TOKEN, else .mlp/registry-token)',
      )
      .option(
        '--force <winner>',
        'end the experiment with this winner whatever the statistics say: champion | challenger',
      ),
  )
    .addHelpText('after', CONCLUDE_EXAMPLES)
    .action(async (model, opts) => {
      const live = await commands.experimentLive();
      const force = opts.force === undefined ? undefined : live.parseWinner(opts.force);
      setExit(await live.experimentConcludeCommand(model, { ...opts, ...(force ? { force } : {}) }, io));
    });

  program
    .command('schema')
    .description('print the JSON Schema of platform.yaml (for editor completion)')
    .action(async () => {
      const { platformJsonSchema } = await import('../spec/schema.js');
      io.stdout(`${JSON.stringify(platformJsonSchema(), null, 2)}\n`);
      setExit(EXIT.ok);
    });

  return program;
}

/** Runs `mlp` with `argv` (without the node and script names); resolves to the exit code. */
export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof SpecError) {
      for (const issue of err.issues) io.stderr(`${formatIssue(issue)}\n`);
      io.stderr(
        `mlp: ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'} in the spec; nothing was written\n`,
      );
      return EXIT.usage;
    }
    if (err instanceof UsageError) {
      io.stderr(`mlp: ${err.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`mlp: internal error: ${(err as Error).message}\n`);
    if (process.env.MLP_DEBUG) io.stderr(`${(err as Error).stack}\n`);
    return 70;
  }
}
