/** Issue 7, item 4: ports, ranges and CIDRs are validated at load time, located. */
import { describe, expect, it } from 'vitest';
import { cidrContains, cidrProblem, parseAddress, parseCidr, probeAddress } from '../src/core/cidr.js';
import { isPortName } from '../src/core/ports.js';
import { mlp } from './helpers.js';
import { lineOf, problems, replace } from './spec-helpers.js';

describe('ports', () => {
  it('rejects a port above 65535 instead of rendering it into a NetworkPolicy', () => {
    const text = replace(
      'metricsPorts: [8080/TCP]\n      ingressPorts',
      'metricsPorts: [99999/TCP]\n      ingressPorts',
    );
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, '99999')}:22: teams[0].network.metricsPorts[0]: expected a port 1-65535 such as 8080, 8080/TCP, 53/UDP or 9000-9100/TCP, received "99999/TCP"`,
    ]);
  });

  it('rejects a range written backwards instead of keeping its first port', () => {
    const text = replace(
      '- { team: app-team, ports: [8080/TCP] }',
      '- { team: app-team, ports: [9100-9000/TCP] }',
    );
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, '9100-9000')}:37: teams[0].network.allowFrom[0].ports[0]: expected a port range written low-high, such as 9000-9100/TCP, received "9100-9000/TCP"`,
    ]);
  });

  it.each([
    ['65535/TCP', true],
    ['65536/TCP', false],
    ['1', true],
    ['0', false],
    ['1-65535/UDP', true],
    ['8080-8080/TCP', true],
    ['8080-65536', false],
  ])('port %j valid: %s', (port, ok) => {
    const text = replace('ports: [6379/TCP]', `ports: ["${port}"]`);
    expect(problems(text).length === 0).toBe(ok);
  });

  it('rejects a managed endpoint port out of range', () => {
    const text = replace('rds.amazonaws.com:5432", cidr: 10.40', 'rds.amazonaws.com:99999", cidr: 10.40');
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, ':99999')}:40: environments.prod.services.postgres.managed.endpoint: expected host:port (port 1-65535) such as ml.abc123.eu-west-1.rds.amazonaws.com:5432, received "ml-platform-prod.cluster-c1x2.eu-west-1.rds.amazonaws.com:99999"`,
    ]);
  });

  // IANA_SVC_NAME, as IsValidPortName in apimachinery's util/validation/validation.go.
  it.each([
    ['metrics', true],
    ['http-alt', true],
    ['a'.repeat(15), true],
    ['a'.repeat(16), false],
    ['8080', false],
    ['Metrics', false],
    ['-http', false],
    ['http-', false],
    ['http--alt', false],
    ['', false],
  ])('port name %j valid: %s', (name, ok) => expect(isPortName(name)).toBe(ok));

  it('mlp reach refuses a --port that is neither a number nor a port name', async () => {
    const r = await mlp(['reach', 'ml-team', 'data-team', '--port', 'Not_A_Name/TCP', '-e', 'local']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port: "Not_A_Name" is neither a port number (1-65535) nor a port name');
  });
});

describe('CIDRs', () => {
  it('rejects 999.40.0.0/99 at load time', () => {
    const text = replace('cidr: 10.40.0.0/16 } }', 'cidr: 999.40.0.0/99 } }');
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, '999.40')}:112: environments.prod.services.postgres.managed.cidr: expected an IPv4 or IPv6 CIDR such as 10.0.0.0/16 or 2001:db8::/64, received "999.40.0.0/99"`,
    ]);
  });

  it('rejects host bits beyond the prefix, naming both readings', () => {
    const text = replace('cidr: 10.40.0.0/16 } }', 'cidr: 10.40.0.1/16 } }');
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, '10.40.0.1/16')}:112: environments.prod.services.postgres.managed.cidr: expected a CIDR with no bits set beyond the prefix length (10.40.0.0/16, or 10.40.0.1/32 for the one address), received "10.40.0.1/16"`,
    ]);
  });

  it('accepts IPv6 egress CIDRs', () => {
    const text = replace(
      'metricsPorts: [8080/TCP]\n\n  - name: app-team',
      'metricsPorts: [8080/TCP]\n      egressCidrs: [2001:db8::/32, 10.0.0.0/8]\n\n  - name: app-team',
    );
    expect(problems(text)).toEqual([]);
  });

  // Strict rules of apimachinery util/validation/ip.go (parseCIDR, StrictIPCIDRValidation).
  it.each([
    ['10.0.0.0/8', true],
    ['0.0.0.0/0', true],
    ['10.0.0.5/32', true],
    ['2001:db8::/64', true],
    ['::/0', true],
    ['2001:db8::1/128', true],
    ['10.0.0.0/33', false],
    ['010.0.0.0/8', false], // leading zero: octal to some parsers, decimal to others
    ['10.0.0.0/08', false],
    ['10.0/16', false],
    ['0x0a.0.0.0/8', false],
    ['::ffff:10.0.0.0/104', false], // IPv4-mapped IPv6
    ['2001:db8::/129', false],
    ['2001:db8::1/64', false],
    ['10.0.0.0', false],
    ['', false],
  ])('CIDR %j valid: %s', (cidr, ok) => expect(cidrProblem(cidr) === undefined).toBe(ok));

  it('contains within one family only; probes a /32 and a /128 at their one address', () => {
    const v4 = parseCidr('10.40.0.0/16')!;
    expect(cidrContains(v4, parseAddress('10.40.255.255')!)).toBe(true);
    expect(cidrContains(v4, parseAddress('10.41.0.0')!)).toBe(false);
    expect(cidrContains(parseCidr('::/0')!, parseAddress('10.0.0.1')!)).toBe(false);
    expect(probeAddress(v4)).toBe('10.40.0.1');
    expect(probeAddress(parseCidr('10.40.0.7/32')!)).toBe('10.40.0.7');
    expect(probeAddress(parseCidr('2001:db8::7/128')!)).toBe('2001:db8::7');
    expect(probeAddress(parseCidr('2001:db8::/64')!)).toBe('2001:db8::1');
  });
});
