/** Synthetic platforms of N teams, shaped like the example (members, quotas, cross-team links). */
import { stringify } from 'yaml';

export function syntheticSpec(teams: number): string {
  const list = Array.from({ length: teams }, (_, i) => ({
    name: `team-${i}`,
    costCenter: `cc-${i % 17}`,
    members: {
      admin: { users: [`lead-${i}@company.com`] },
      developer: { groups: [`devs-${i}`] },
      viewer: { groups: [`viewers-${i}`] },
    },
    serviceAccounts: [{ name: 'runner', role: 'developer' }],
    quota: {
      requests: { cpu: '2', memory: '8Gi' },
      limits: { cpu: '4', memory: '16Gi' },
      storage: '50Gi',
      objects: { pods: 20, services: 10 },
    },
    limits: {
      defaultRequest: { cpu: '100m', memory: '256Mi' },
      default: { cpu: '500m', memory: '1Gi' },
      max: { cpu: '2', memory: '8Gi' },
    },
    network: {
      services: i % 2 === 0 ? ['postgres'] : ['postgres', 'redis'],
      metricsPorts: ['8080/TCP'],
      ingressPorts: i % 3 === 0 ? ['8080/TCP'] : [],
      // Each team admits its predecessor: a sparse, non-trivial matrix.
      allowFrom: i > 0 ? [{ team: `team-${i - 1}`, ports: ['8080/TCP'] }] : [],
    },
  }));
  return stringify({
    platform: { name: 'bench', kubernetesVersion: '1.31', admins: { groups: ['platform-admins'] } },
    sharedServices: [
      { name: 'postgres', namespace: 'database', podSelector: { app: 'postgres' }, ports: ['5432/TCP'] },
      { name: 'redis', namespace: 'cache', podSelector: { app: 'redis' }, ports: ['6379/TCP'] },
    ],
    teams: list,
    environments: {
      local: { capacity: { cpu: String(teams * 3), memory: `${teams * 10}Gi`, storage: `${teams * 60}Gi` } },
    },
  });
}
