/**
 * The security contexts every workload the tree runs uses: what Pod Security `restricted`
 * requires (non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp)
 * plus a read-only root filesystem. One definition, so the data services, the registry and
 * the model servers cannot drift apart.
 */

/** The mlp image's user (Dockerfile `USER 1000:1000`, the official node images' `node`). */
export const SERVER_UID = 1000;

export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

export function restrictedPod(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
