/**
 * The objects as they reach the cluster: the rendered objects, with what `kubectl apply -k
 * gitops/<env>` adds (each component's kustomization sets the `argocd.argoproj.io/sync-wave`
 * annotation) and the ApplySet membership label. Pure.
 */
import type { K8sObject } from '../k8s/object.js';
import type { Component } from '../synth/component.js';
import { withPartOf } from './applyset.js';
import { planWaves, type Wave } from './order.js';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

function withWave(o: K8sObject, wave: number): K8sObject {
  return {
    ...o,
    metadata: {
      ...o.metadata,
      annotations: { ...(o.metadata.annotations ?? {}), [SYNC_WAVE_ANNOTATION]: String(wave) },
    },
  };
}

export function desiredWaves(components: readonly Component[], applySetId: string): Wave[] {
  return planWaves(components).map((w) => ({
    ...w,
    objects: w.objects.map((o) => withPartOf(withWave(o, w.wave), applySetId)),
  }));
}

export function desiredObjects(components: readonly Component[], applySetId: string): K8sObject[] {
  return desiredWaves(components, applySetId).flatMap((w) => w.objects);
}
