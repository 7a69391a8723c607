import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveGroups, RbacAuthorizer } from '../src/check/rbac/evaluate.js';
import type { K8sObject } from '../src/k8s/object.js';
import { ROOT, readYaml } from './helpers.js';

interface Case {
  user: string;
  groups?: string[];
  verb: string;
  resource?: string;
  subresource?: string;
  apiGroup?: string;
  namespace?: string;
  name?: string;
  nonResourceURL?: string;
  allowed: boolean;
  note?: string;
}

const dir = join(ROOT, 'testdata', 'rbac');
for (const file of readdirSync(dir).sort()) {
  const fixture = readYaml<{ objects: K8sObject[]; cases: Case[]; builtins?: boolean }>(join(dir, file));
  describe(`RBAC fixture ${file}`, () => {
    const rbac = new RbacAuthorizer(fixture.objects, { builtins: fixture.builtins ?? true });
    it.each(fixture.cases)(
      '$user $verb $resource/$subresource $nonResourceURL in $namespace → $allowed',
      (c) => {
        const { allowed, note: _note, ...req } = c;
        expect(rbac.authorize(req).allowed).toBe(allowed);
      },
    );
  });
}

describe('implicit groups', () => {
  it('adds system:authenticated and the service-account groups', () => {
    expect(effectiveGroups('system:serviceaccount:qa:runner').sort()).toEqual([
      'system:authenticated',
      'system:serviceaccounts',
      'system:serviceaccounts:qa',
    ]);
    expect(effectiveGroups('system:anonymous')).toEqual(['system:unauthenticated']);
  });
});
