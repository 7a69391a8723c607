/**
 * Custom resources the platform emits for engines it installs (Kyverno, …). Their schemas are
 * not bundled yet, so the schema check recognises them but does not validate their fields.
 */
export const KNOWN_CRDS: ReadonlySet<string> = new Set([
  'argoproj.io/v1alpha1/Application',
  'argoproj.io/v1alpha1/AppProject',
  'kyverno.io/v1/ClusterPolicy',
  'kyverno.io/v1/Policy',
  'external-secrets.io/v1/ExternalSecret',
  'external-secrets.io/v1/ClusterSecretStore',
  'generators.external-secrets.io/v1alpha1/Password',
  'cert-manager.io/v1/Certificate',
  'cert-manager.io/v1/ClusterIssuer',
]);
