/** Every engine the tree can install, in the order their components are listed. */
import { argoCd } from './argo-cd.js';
import { argoRollouts } from './argo-rollouts.js';
import { certManager } from './cert-manager.js';
import { externalSecrets } from './external-secrets.js';
import { ingressNginx } from './ingress-nginx.js';
import { kubePrometheusStack } from './kube-prometheus-stack.js';
import { kyverno } from './kyverno.js';
import { loki } from './loki.js';
import { otelCollector } from './otel-collector.js';
import { otelLogs } from './otel-logs.js';
import { tempo } from './tempo.js';
import type { Engine } from './types.js';

export type { Engine, EngineNetwork, EnginePort, HelmChart, PodSecurityLevel } from './types.js';

export const ENGINES: readonly Engine[] = [
  argoCd,
  argoRollouts,
  certManager,
  externalSecrets,
  ingressNginx,
  kubePrometheusStack,
  kyverno,
  loki,
  otelCollector,
  otelLogs,
  tempo,
];
