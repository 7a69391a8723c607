/**
 * The platform spec (`platform.yaml`), defined once with zod. The loader validates with it and
 * `mlp schema` emits its JSON Schema for editors, so the two can never disagree.
 */
import { z } from 'zod';
import { cidrProblem, metadataInside, parseCidr } from '../core/cidr.js';
import {
  DNS1035_LABEL_PATTERN,
  DNS1123_LABEL_MAX,
  DNS1123_LABEL_PATTERN,
  isDns1123Subdomain,
  isLabelKey,
  isLabelValue,
} from '../core/names.js';
import { PORT_NUMBER, PORT_PATTERN, parsePort } from '../core/ports.js';
import { QUANTITY_PATTERN } from '../core/quantity.js';
import { modelSchema, servingSchema } from './models.js';
import { observabilitySchema } from './observability.js';

export const ENVIRONMENTS = ['local', 'dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export const TEAM_ROLES = ['admin', 'developer', 'viewer'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

const dnsLabel = z
  .string()
  .max(DNS1123_LABEL_MAX)
  .regex(
    new RegExp(DNS1123_LABEL_PATTERN),
    'a DNS-1123 label: lowercase letters, digits and "-", e.g. ml-team',
  )
  .describe('DNS-1123 label (lowercase alphanumerics and "-", at most 63 characters)');

/** What names a Service (a shared service run in-cluster, an ingress backend): starts with a letter. */
const dns1035Label = z
  .string()
  .max(DNS1123_LABEL_MAX)
  .regex(
    new RegExp(DNS1035_LABEL_PATTERN),
    'a Service name (DNS-1035 label): a lowercase letter, then lowercase letters, digits and "-", e.g. ml-inference',
  )
  .describe('DNS-1035 label (starts with a lowercase letter; lowercase alphanumerics and "-", at most 63)');

/** Labels as the API server validates them: qualified-name keys, label values. */
const labels = z.record(z.string(), z.string()).check((ctx) => {
  for (const [k, v] of Object.entries(ctx.value)) {
    if (!isLabelKey(k))
      ctx.issues.push({
        code: 'custom',
        message: `label key "${k}" is invalid; expected keys such as app.kubernetes.io/name (an optional DNS prefix and "/", then at most 63 alphanumerics, "-", "_" or ".")`,
        input: k,
      });
    if (!isLabelValue(v))
      ctx.issues.push({
        code: 'custom',
        message:
          'expected a label value (at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric)',
        input: v,
        path: [k],
      });
  }
});

const quantity = z
  .union([
    z
      .string()
      .regex(new RegExp(QUANTITY_PATTERN), 'a Kubernetes quantity such as 500m, 2, 64Gi or 1Ti')
      // Quotas, limits and capacities are amounts: the API server refuses a negative one.
      .refine((text) => !text.trim().startsWith('-'), 'expected a quantity of at least 0, such as 500m or 2'),
    z.number().nonnegative(),
  ])
  .describe('Kubernetes quantity, e.g. 500m, 4, 64Gi (binary suffixes Ki..Ei, decimal k..E)');

const count = z.number().int().nonnegative();

const port = z
  .union([
    z
      .string()
      .regex(new RegExp(PORT_PATTERN), 'a port 1-65535 such as 8080, 8080/TCP, 53/UDP or 9000-9100/TCP')
      .refine((text) => {
        if (!new RegExp(PORT_PATTERN).test(text)) return true; // reported by the pattern
        const r = parsePort(text);
        return r.endPort >= r.port;
      }, 'expected a port range written low-high, such as 9000-9100/TCP'),
    z.number().int().min(1).max(65535),
  ])
  .describe('Port 1-65535: 8080, "8080/TCP", "53/UDP" or a range "9000-9100/TCP" (low-high)');

/** A CIDR the API server accepts as a new ipBlock value (IPv4 or IPv6, no host bits). */
const cidr = (description: string) =>
  z
    .string()
    .check((ctx) => {
      const problem = cidrProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: `expected ${problem}`, input: ctx.value });
      // Wider CIDRs get the metadata address excepted; this one would be nothing else.
      else if (metadataInside(parseCidr(ctx.value)!).includes(ctx.value))
        ctx.issues.push({
          code: 'custom',
          message:
            "expected a network, not the cloud metadata endpoint (egress to it gives pods the node's cloud identity)",
          input: ctx.value,
        });
    })
    .describe(description);

/** A namespace the admission rules skip, and why: an exemption is a decision, so it is recorded. */
const exemption = z
  .strictObject({
    namespace: dnsLabel,
    reason: z
      .string()
      .trim()
      .min(10, 'the reason this namespace escapes the admission rules, in a sentence')
      .describe(
        'Why the admission rules must not apply there (shown by mlp check, annotated on the bindings)',
      ),
  })
  .describe('A namespace exempt from the admission rules, with the reason');

/**
 * A subject name also lands in Argo CD's policy.csv (`g, <subject>, proj:<team>:<role>`): a comma,
 * quote or line break there would end the field and let a name write its own policy line.
 */
const subjectName = z
  .string()
  .min(1)
  .refine(
    (text) => !/[,"\r\n]/.test(text) && text.trim() === text,
    "expected a name without commas, quotes, line breaks or surrounding spaces (it is written into Argo CD's policy.csv), e.g. ml-engineers",
  );

/** A git repository Argo CD can clone: https://host/path or ssh (git@host:path, ssh://…). */
export const GIT_URL_PATTERN =
  '^(https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%+-]+)+/?|ssh://[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%+-]+)+/?|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~%+/-]+)$';
const gitUrl = z
  .string()
  .max(2048)
  .regex(
    new RegExp(GIT_URL_PATTERN),
    'a git URL: https://github.com/acme/platform.git or git@github.com:acme/platform.git',
  )
  .describe('Git repository URL (https, ssh:// or scp-like git@host:path)');

const members = z
  .strictObject({
    users: z
      .array(subjectName)
      .default([])
      .describe('User names as the API server authenticates them; "system:" names are reserved and rejected'),
    groups: z
      .array(subjectName)
      .default([])
      .describe(
        'Groups from the identity provider; "system:" groups (system:authenticated, system:masters…) are rejected',
      ),
  })
  .describe('Subjects bound to one team role');

const serviceAccount = z.strictObject({
  name: dnsLabel,
  role: z
    .enum(TEAM_ROLES)
    .default('developer')
    .describe('@default developer. Not admin where developers create pods: they could run pods as it'),
});

const computePair = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });

const quota = z
  .strictObject({
    requests: computePair.prefault({}).describe('requests.cpu / requests.memory'),
    limits: computePair.prefault({}).describe('limits.cpu / limits.memory'),
    gpu: count.default(0).describe('requests.nvidia.com/gpu; 0 forbids GPUs'),
    storage: quantity.optional().describe('requests.storage over all PVCs'),
    objects: z
      .partialRecord(
        z.enum([
          'pods',
          'services',
          'services.loadbalancers',
          'services.nodeports',
          'persistentvolumeclaims',
          'configmaps',
          'secrets',
          'replicationcontrollers',
          'resourcequotas',
        ]),
        count,
      )
      .default({})
      .describe('Object counts, e.g. {pods: 50, services: 10}'),
  })
  .describe('ResourceQuota of the team namespace');

const limits = z
  .strictObject({
    default: computePair.prefault({}).describe('Default container limits'),
    defaultRequest: computePair.prefault({}).describe('Default container requests'),
    max: computePair.prefault({}).describe('Largest container limits'),
    min: computePair.prefault({}).describe('Smallest container requests'),
  })
  .describe('LimitRange: container defaults and maxima');

const ingressRoute = z.strictObject({
  host: dnsLabel.describe('Host name under the environment domain, e.g. ml-api → ml-api.<domain>'),
  service: dns1035Label.describe('Service in the team namespace that serves it'),
  port: z.number().int().min(1).max(65535).describe('Service port; must be one of network.ingressPorts'),
  rateLimit: z
    .strictObject({
      rps: z.number().int().min(1).describe('nginx.ingress.kubernetes.io/limit-rps'),
      connections: z.number().int().min(1).describe('nginx.ingress.kubernetes.io/limit-connections'),
    })
    .default({ rps: 20, connections: 20 })
    .describe('Per client address. @default 20 requests/s, 20 connections'),
});

const crossTeam = z.strictObject({
  team: dnsLabel.describe('Source team allowed to connect'),
  ports: z.array(port).min(1),
});

const network = z
  .strictObject({
    allowFrom: z
      .array(crossTeam)
      .default([])
      .describe('Other teams that may reach this team, on which ports'),
    services: z.array(dnsLabel).default([]).describe('Shared services (by name) this team may reach'),
    metricsPorts: z.array(port).default([]).describe('Ports monitoring may scrape'),
    ingressPorts: z.array(port).default([]).describe('Ports the ingress controller may reach'),
    egressCidrs: z
      .array(cidr('IPv4 or IPv6 CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32'))
      .default([])
      .describe('External CIDRs the team may reach (HTTPS and other egress)'),
  })
  .prefault({});

export const podSecurityLevel = z.enum(['privileged', 'baseline', 'restricted']);

export const teamSchema = z.strictObject({
  name: dnsLabel,
  description: z.string().default(''),
  costCenter: dnsLabel.describe('Cost centre label value'),
  members: z
    .strictObject({ admin: members.optional(), developer: members.optional(), viewer: members.optional() })
    .prefault({}),
  serviceAccounts: z.array(serviceAccount).default([]),
  quota: quota.prefault({}),
  limits: limits.prefault({}),
  ingress: z
    .array(ingressRoute)
    .default([])
    .describe('Hosts published through the ingress controller, with TLS'),
  podSecurity: podSecurityLevel
    .default('restricted')
    .describe('Pod Security Admission level. @default restricted'),
  network,
  repos: z
    .array(gitUrl)
    .default([])
    .describe("The team's own application repositories (its Argo CD AppProject's sourceRepos). @default []"),
  models: z
    .array(modelSchema)
    .max(50)
    .default([])
    .describe(
      'Model servers of the team, rolled out as Argo Rollouts canaries (docs/models-on-the-cluster.md). @default []',
    ),
});
export type Team = z.infer<typeof teamSchema>;

const capacity = z
  .strictObject({
    cpu: quantity,
    memory: quantity,
    gpu: count.default(0),
    storage: quantity.optional(),
  })
  .describe('Allocatable capacity of the environment cluster');

/** An environment's overrides are partial teams merged over the base; validated after merging. */
const registry = z
  .string()
  .regex(
    /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/,
    'a registry prefix such as ghcr.io/acme or registry.local:5000',
  );

const managedService = z.strictObject({
  endpoint: z
    .string()
    .regex(
      new RegExp(`^[a-z0-9.-]+:${PORT_NUMBER}$`),
      'host:port (port 1-65535) such as ml.abc123.eu-west-1.rds.amazonaws.com:5432',
    )
    // It renders an ExternalName Service, whose CNAME the API server wants a DNS-1123 subdomain.
    .refine(
      (text) => isDns1123Subdomain(text.slice(0, text.lastIndexOf(':'))),
      'expected a DNS name as host (labels of lowercase alphanumerics and "-", each starting and ending with an alphanumeric), e.g. ml.abc123.eu-west-1.rds.amazonaws.com:5432',
    )
    .describe('Managed endpoint consumers reach instead of the in-cluster service'),
  cidr: cidr('Where the endpoint lives (the VPC), IPv4 or IPv6: consumers get egress to it'),
});

const environment = z.strictObject({
  capacity,
  domain: z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, 'a DNS domain such as ml.company.com')
    .optional()
    .describe('Domain of team ingress hosts'),
  tls: z
    .strictObject({
      issuer: z.enum(['self-signed', 'acme']).describe("self-signed: a local CA (kind); acme: Let's Encrypt"),
      email: z.string().email().optional().describe('ACME account e-mail'),
      server: z.string().url().optional().describe("ACME directory. @default Let's Encrypt production"),
    })
    .default({ issuer: 'self-signed' })
    .describe('How ingress certificates are issued. @default self-signed'),
  secretStore: z
    .strictObject({
      provider: z
        .enum(['generated', 'aws-secrets-manager'])
        .describe('generated: in-cluster (local); aws-secrets-manager: cloud'),
      region: z.string().optional(),
    })
    .default({ provider: 'generated' })
    .describe('Where credentials come from. @default generated in-cluster'),
  services: z
    .record(z.string(), z.strictObject({ managed: managedService.optional(), storage: quantity.optional() }))
    .default({})
    .describe('Per shared service: a managed endpoint (RDS, ElastiCache, S3) or in-cluster storage size'),
  allowedRegistries: z
    .array(registry)
    .optional()
    .describe('Image registries allowed in this environment; overrides policies.allowedRegistries'),
  teams: z.record(z.string(), z.record(z.string(), z.unknown())).default({}).describe('Per-team overrides'),
  gitops: z
    .strictObject({
      revision: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[A-Za-z0-9._/-]+$/, 'a branch, tag or commit such as main, release-1.2 or v1.4.0')
        .optional()
        .describe('Git revision Argo CD follows here. @default gitops.revision'),
      prune: z
        .boolean()
        .optional()
        .describe(
          'Let automated sync delete what left the tree. @default true for local and dev, false for staging and prod',
        ),
    })
    .default({})
    .describe('How Argo CD syncs this environment'),
  ha: z
    .boolean()
    .optional()
    .describe(
      'Run the engines highly available (≥ 2 replicas, chart PodDisruptionBudgets). @default true for prod only',
    ),
});

const sharedService = z.strictObject({
  name: dnsLabel,
  engine: z
    .enum(['postgres', 'redis', 'minio'])
    .optional()
    .describe('Run it in-cluster with this engine (else: declared only)'),
  namespace: dnsLabel,
  storage: quantity.default('10Gi').describe('PVC size in-cluster. @default 10Gi'),
  buckets: z.array(dnsLabel).default([]).describe('minio: buckets created by a Job'),
  podSelector: labels
    .default({})
    .describe('Labels of the service pods; required (non-empty) when mlp runs it (engine)'),
  ports: z.array(port).min(1),
});

export const platformSchema = z.strictObject({
  platform: z.strictObject({
    name: dnsLabel,
    kubernetesVersion: z
      .string()
      .regex(/^1\.(2[5-9]|3[0-9])$/, 'a Kubernetes minor version 1.25 .. 1.39, e.g. "1.31"')
      .describe('Target Kubernetes minor version, e.g. "1.31"'),
    admins: members.prefault({}).describe('Bound to the platform-admin ClusterRole'),
    ingressNamespace: dnsLabel.default('ingress-nginx'),
    monitoringNamespace: dnsLabel.default('monitoring'),
    policies: z
      .strictObject({
        engine: z
          .enum(['validating-admission-policy', 'kyverno'])
          .default('validating-admission-policy')
          .describe('How admission rules reach the cluster. @default validating-admission-policy'),
        allowedRegistries: z
          .array(registry)
          .default([])
          .describe('Allowed image registries; empty allows any'),
        exemptions: z
          .array(exemption)
          .default([])
          .describe(
            "Namespaces the admission rules do not apply to, each with the reason. The platform's own (kube-system, the engines' namespaces) are exempted by mlp with their reasons; list only others. @default []",
          ),
      })
      .prefault({}),
    serving: servingSchema,
  }),
  environments: z.strictObject({
    local: environment.optional(),
    dev: environment.optional(),
    staging: environment.optional(),
    prod: environment.optional(),
  }),
  gitops: z
    .strictObject({
      repoURL: gitUrl.describe('The repository that holds the rendered tree'),
      path: z
        .string()
        .max(255)
        .regex(
          /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/,
          'a relative folder such as gitops or deploy/gitops (no "..", no leading "/")',
        )
        .default('gitops')
        .describe('Folder of the repository holding <env>/. @default gitops'),
      revision: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[A-Za-z0-9._/-]+$/, 'a branch, tag or commit such as main, release-1.2 or v1.4.0')
        .default('main')
        .describe('Git revision Argo CD follows. @default main'),
    })
    .optional()
    .describe('Where Argo CD reads the tree from; without it no root/child Applications are rendered'),
  sharedServices: z.array(sharedService).default([]),
  observability: observabilitySchema.describe('Alert thresholds, SLOs, runbook links and metrics retention'),
  teams: z.array(z.unknown()).describe('Teams; each validated as a Team'),
});
export type PlatformSpecRaw = z.infer<typeof platformSchema>;
export type SharedService = z.infer<typeof sharedService>;
export type Capacity = z.infer<typeof capacity>;

/** JSON Schema for editors: the same zod source, with teams and overrides typed precisely. */
// biome-ignore-start lint/suspicious/noExplicitAny: generated JSON Schema is untyped JSON we patch in place
export function platformJsonSchema(): Record<string, unknown> {
  const teamJson = z.toJSONSchema(teamSchema, { io: 'input' });
  const root = z.toJSONSchema(platformSchema, { io: 'input' }) as Record<string, any>;
  root.$id = 'https://mlp.dev/schema/platform.schema.json';
  root.title = 'mlp platform spec';
  root.properties.teams = { type: 'array', items: { $ref: '#/$defs/Team' } };
  const { $schema: _drop, ...team } = teamJson as Record<string, any>;
  root.$defs = { Team: team };
  for (const env of ENVIRONMENTS) {
    const e = root.properties.environments.properties[env];
    if (e?.properties?.teams) {
      e.properties.teams = {
        type: 'object',
        additionalProperties: { type: 'object', description: 'Partial Team' },
      };
    }
  }
  return root;
}
// biome-ignore-end lint/suspicious/noExplicitAny: end of JSON Schema patching
