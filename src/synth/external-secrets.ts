/**
 * Credentials without secrets in git (External Secrets Operator). Locally a Password generator
 * creates each data service's credentials in-cluster, and a ClusterSecretStore per service
 * namespace (ESO's kubernetes provider) lets consumers copy them. In the cloud one
 * ClusterSecretStore reads AWS Secrets Manager. Either way every consumer namespace gets an
 * ExternalSecret with the same name and keys, so workloads are identical across environments.
 */
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { ENGINE_NAMESPACES } from '../spec/reserved.js';
import type { SharedService } from '../spec/schema.js';
import { credentialsSecret } from './data-services.js';
import { commonLabels } from './labels.js';

const ESO = 'external-secrets.io/v1';
const GENERATORS = 'generators.external-secrets.io/v1alpha1';
const ESO_SA = { name: 'external-secrets', namespace: ENGINE_NAMESPACES.externalSecrets };
export const AWS_STORE = 'aws-secrets-manager';
const localStore = (ns: string) => `platform-${ns}`;

function runsInCluster(env: ResolvedEnvironment, svc: SharedService): boolean {
  return svc.engine !== undefined && !env.services[svc.name]?.managed;
}

/** Stores and the service-side credentials. */
export function secretStores(env: ResolvedEnvironment): K8sObject[] {
  const labels = commonLabels(env);
  if (env.secretStore.provider === 'aws-secrets-manager') {
    // In-cluster services read their own credentials from the same store as their consumers.
    const inCluster = env.sharedServices.filter((s) => runsInCluster(env, s));
    return [
      ...inCluster.map((svc) => awsExternalSecret(env, svc, svc.namespace, labels)),
      {
        apiVersion: ESO,
        kind: 'ClusterSecretStore',
        metadata: { name: AWS_STORE, labels },
        spec: {
          provider: {
            aws: {
              service: 'SecretsManager',
              region: env.secretStore.region ?? 'us-east-1',
              // IRSA: the controller's service account assumes the role; no keys anywhere.
              auth: { jwt: { serviceAccountRef: ESO_SA } },
            },
          },
        },
      },
    ];
  }
  const out: K8sObject[] = [];
  for (const svc of env.sharedServices.filter((s) => runsInCluster(env, s))) {
    const name = credentialsSecret(svc);
    out.push(
      {
        apiVersion: GENERATORS,
        kind: 'Password',
        metadata: { name: `${svc.name}-password`, namespace: svc.namespace, labels },
        spec: { length: 32, digits: 6, symbols: 0, noUpper: false, allowRepeat: true },
      },
      {
        apiVersion: ESO,
        kind: 'ExternalSecret',
        metadata: { name, namespace: svc.namespace, labels },
        spec: {
          // Generated once: a refresh would rotate the password under a running database.
          refreshInterval: '0s',
          target: {
            name,
            creationPolicy: 'Owner',
            template: { data: { username: 'platform', password: '{{ .password }}' } },
          },
          dataFrom: [
            {
              sourceRef: {
                generatorRef: { apiVersion: GENERATORS, kind: 'Password', name: `${svc.name}-password` },
              },
            },
          ],
        },
      },
    );
  }
  for (const ns of [
    ...new Set(env.sharedServices.filter((s) => runsInCluster(env, s)).map((s) => s.namespace)),
  ].sort()) {
    out.push(
      {
        apiVersion: ESO,
        kind: 'ClusterSecretStore',
        metadata: { name: localStore(ns), labels },
        spec: {
          provider: {
            kubernetes: {
              remoteNamespace: ns,
              server: {
                caProvider: { type: 'ConfigMap', name: 'kube-root-ca.crt', key: 'ca.crt', namespace: ns },
              },
              auth: { serviceAccount: ESO_SA },
            },
          },
        },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'external-secrets-reader', namespace: ns, labels },
        rules: [
          { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectrulesreviews'], verbs: ['create'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'external-secrets-reader', namespace: ns, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'external-secrets-reader' },
        subjects: [{ kind: 'ServiceAccount', ...ESO_SA }],
      },
    );
  }
  return out;
}

/** One ExternalSecret per team and shared service it declares: `<service>-credentials`. */
export function consumerSecrets(
  env: ResolvedEnvironment,
  team: { name: string; network: { services: readonly string[] } },
  labels: Record<string, string>,
): K8sObject[] {
  const out: K8sObject[] = [];
  for (const name of team.network.services) {
    const svc = env.sharedServices.find((s) => s.name === name);
    if (!svc?.engine) continue;
    out.push(
      env.secretStore.provider === 'aws-secrets-manager'
        ? awsExternalSecret(env, svc, team.name, labels)
        : copySecret(svc, team.name, localStore(svc.namespace), credentialsSecret(svc), labels),
    );
  }
  return out;
}

function copySecret(
  svc: SharedService,
  namespace: string,
  store: string,
  key: string,
  labels: Record<string, string>,
): K8sObject {
  const target = credentialsSecret(svc);
  return {
    apiVersion: ESO,
    kind: 'ExternalSecret',
    metadata: { name: target, namespace, labels },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: store },
      target: { name: target, creationPolicy: 'Owner' },
      data: ['username', 'password'].map((property) => ({
        secretKey: property,
        remoteRef: { key, property },
      })),
    },
  };
}

/** `<platform>/<env>/<service>` in AWS Secrets Manager, with username and password properties. */
function awsExternalSecret(
  env: ResolvedEnvironment,
  svc: SharedService,
  namespace: string,
  labels: Record<string, string>,
): K8sObject {
  return copySecret(svc, namespace, AWS_STORE, `${env.platform.name}/${env.environment}/${svc.name}`, labels);
}

/**
 * A platform credential (an engine's admin login) without a secret in git: generated in-cluster
 * where the environment generates, else read from `<platform>/<env>/<name>` in AWS Secrets
 * Manager (properties `username`, `password`). The Secret `name` gets the keys `userKey` and
 * `passwordKey`, as the engine's chart expects them.
 */
export function platformCredential(
  env: ResolvedEnvironment,
  name: string,
  namespace: string,
  keys: { readonly user: string; readonly password: string; readonly username: string },
): K8sObject[] {
  const labels = commonLabels(env);
  if (env.secretStore.provider === 'aws-secrets-manager') {
    return [
      {
        apiVersion: ESO,
        kind: 'ExternalSecret',
        metadata: { name, namespace, labels },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { kind: 'ClusterSecretStore', name: AWS_STORE },
          target: { name, creationPolicy: 'Owner' },
          data: [
            {
              secretKey: keys.user,
              remoteRef: { key: `${env.platform.name}/${env.environment}/${name}`, property: 'username' },
            },
            {
              secretKey: keys.password,
              remoteRef: { key: `${env.platform.name}/${env.environment}/${name}`, property: 'password' },
            },
          ],
        },
      },
    ];
  }
  return [
    {
      apiVersion: GENERATORS,
      kind: 'Password',
      metadata: { name: `${name}-password`, namespace, labels },
      spec: { length: 32, digits: 6, symbols: 0, noUpper: false, allowRepeat: true },
    },
    {
      apiVersion: ESO,
      kind: 'ExternalSecret',
      metadata: { name, namespace, labels },
      spec: {
        // Generated once: a refresh would change the login under a running engine.
        refreshInterval: '0s',
        target: {
          name,
          creationPolicy: 'Owner',
          template: { data: { [keys.user]: keys.username, [keys.password]: '{{ .password }}' } },
        },
        dataFrom: [
          {
            sourceRef: {
              generatorRef: { apiVersion: GENERATORS, kind: 'Password', name: `${name}-password` },
            },
          },
        ],
      },
    },
  ];
}
