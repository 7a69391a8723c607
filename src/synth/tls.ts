/**
 * TLS for team ingresses with cert-manager. Locally a self-signed root bootstraps a platform CA
 * (trust it once on the laptop); in the cloud an ACME (Let's Encrypt) ClusterIssuer solves
 * HTTP-01 through ingress-nginx. Every ingress host gets an explicit Certificate.
 */
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { ENGINE_NAMESPACES } from '../spec/reserved.js';
import type { Team } from '../spec/schema.js';
import { commonLabels } from './labels.js';

const CM = 'cert-manager.io/v1';
export const CERT_MANAGER_NAMESPACE = ENGINE_NAMESPACES.certManager;

export function issuerName(env: ResolvedEnvironment): string {
  return env.tls.issuer === 'acme' ? 'letsencrypt' : 'platform-ca';
}

export function clusterIssuers(env: ResolvedEnvironment): K8sObject[] {
  const labels = commonLabels(env);
  if (env.tls.issuer === 'acme') {
    return [
      {
        apiVersion: CM,
        kind: 'ClusterIssuer',
        metadata: { name: 'letsencrypt', labels },
        spec: {
          acme: {
            server: env.tls.server ?? 'https://acme-v02.api.letsencrypt.org/directory',
            ...(env.tls.email ? { email: env.tls.email } : {}),
            privateKeySecretRef: { name: 'letsencrypt-account-key' },
            solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }],
          },
        },
      },
    ];
  }
  return [
    {
      apiVersion: CM,
      kind: 'ClusterIssuer',
      metadata: { name: 'selfsigned-bootstrap', labels },
      spec: { selfSigned: {} },
    },
    {
      apiVersion: CM,
      kind: 'Certificate',
      metadata: { name: 'platform-ca', namespace: CERT_MANAGER_NAMESPACE, labels },
      spec: {
        isCA: true,
        // cert-manager refuses a commonName over 64 bytes (the X.509 bound): shorten the name.
        commonName: `${env.platform.name.slice(0, 64 - ` ${env.environment} CA`.length)} ${env.environment} CA`,
        secretName: 'platform-ca',
        duration: '87600h',
        privateKey: { algorithm: 'ECDSA', size: 256 },
        issuerRef: { kind: 'ClusterIssuer', name: 'selfsigned-bootstrap', group: 'cert-manager.io' },
      },
    },
    {
      apiVersion: CM,
      kind: 'ClusterIssuer',
      metadata: { name: 'platform-ca', labels },
      spec: { ca: { secretName: 'platform-ca' } },
    },
  ];
}

/** Ingresses with TLS and per-client rate limits, and their Certificates. */
export function teamIngresses(
  env: ResolvedEnvironment,
  team: Team,
  labels: Record<string, string>,
): K8sObject[] {
  if (!env.domain) return [];
  return team.ingress.flatMap((route) => {
    const host = `${route.host}.${env.domain}`;
    const secretName = `${route.host}-tls`;
    return [
      {
        apiVersion: CM,
        kind: 'Certificate',
        metadata: { name: route.host, namespace: team.name, labels },
        spec: {
          secretName,
          dnsNames: [host],
          issuerRef: { kind: 'ClusterIssuer', name: issuerName(env), group: 'cert-manager.io' },
        },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: {
          name: route.host,
          namespace: team.name,
          labels,
          annotations: {
            'nginx.ingress.kubernetes.io/limit-rps': String(route.rateLimit.rps),
            'nginx.ingress.kubernetes.io/limit-connections': String(route.rateLimit.connections),
            'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
          },
        },
        spec: {
          ingressClassName: 'nginx',
          tls: [{ hosts: [host], secretName }],
          rules: [
            {
              host,
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: route.service, port: { number: route.port } } },
                  },
                ],
              },
            },
          ],
        },
      },
    ];
  });
}
