import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetworkModel, parseEndpoint } from '../src/check/network/reach.js';
import { parsePort } from '../src/core/ports.js';
import type { K8sObject } from '../src/k8s/object.js';
import { ROOT, readYaml } from './helpers.js';

interface Case {
  from: string;
  to: string;
  port?: string;
  allowed: boolean;
  note?: string;
}

const dir = join(ROOT, 'testdata', 'reach');
for (const file of readdirSync(dir).sort()) {
  const fixture = readYaml<{ objects: K8sObject[]; cases: Case[] }>(join(dir, file));
  describe(`reachability fixture ${file}`, () => {
    const model = new NetworkModel(fixture.objects);
    it.each(fixture.cases)('$from → $to on $port: $allowed', (c) => {
      const port = c.port ? parsePort(c.port) : undefined;
      const verdict = model.reach(
        parseEndpoint(c.from),
        parseEndpoint(c.to),
        port && { protocol: port.protocol, port: port.port },
      );
      expect(verdict.allowed, verdict.reason).toBe(c.allowed);
      // The fast path the isolation matrix uses must agree with the explained one.
      expect(
        model.allowed(
          parseEndpoint(c.from),
          parseEndpoint(c.to),
          port && { protocol: port.protocol, port: port.port },
        ),
      ).toBe(c.allowed);
    });
  });
}
