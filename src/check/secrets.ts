/**
 * Secret material must never reach git: not in the spec, not in rendered manifests. Finds
 * Secret objects carrying data, strings in known credential formats, credentials in URLs, and
 * high-entropy strings under keys that name a credential.
 */
import { type K8sObject, objectRef } from '../k8s/object.js';
import type { Finding } from './finding.js';

const KNOWN_FORMATS: readonly { name: string; re: RegExp }[] = [
  { name: 'an AWS access key id', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a private key', re: /-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED) )?PRIVATE KEY-----/ },
  {
    name: 'a GitHub token',
    re: /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b/,
  },
  { name: 'a Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'a Stripe key', re: /\b(sk|rk)_live_[A-Za-z0-9]{20,}\b/ },
  { name: 'a Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'a JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/ },
  // scheme://user:password@host — a password in a connection string.
  { name: 'a password in a URL', re: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
];

/** Keys whose value is a credential, unlike names of or references to one. */
const CREDENTIAL_KEY =
  /(^|[_-])?(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)$/i;
const REFERENCE_KEY = /(name|ref|path|file|selector)$/i;

export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** A random-looking token: long, mixed character classes, high entropy. */
export function looksRandom(s: string): boolean {
  if (s.length < 16 || /\s/.test(s)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(s)).length;
  return classes >= 3 && shannonEntropy(s) >= 3.5;
}

function scanString(value: string, key: string | undefined): string | undefined {
  for (const f of KNOWN_FORMATS) if (f.re.test(value)) return `looks like ${f.name}`;
  if (
    key &&
    CREDENTIAL_KEY.test(key) &&
    !REFERENCE_KEY.test(key) &&
    value !== '' &&
    !/^(\$\{.*\}|\{\{.*\}\})$/.test(value.trim())
  ) {
    if (looksRandom(value) || value.length >= 6)
      return `"${key}" holds a literal value; credentials come from External Secrets`;
  }
  return undefined;
}

function walk(
  value: unknown,
  path: string,
  key: string | undefined,
  hit: (path: string, why: string) => void,
): void {
  if (typeof value === 'string') {
    const why = scanString(value, key);
    if (why) hit(path, why);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`, key, hit);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, k, hit);
  }
}

export function scanObjects(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  for (const o of objects) {
    const resource = objectRef(o);
    if (o.kind === 'Secret' && o.apiVersion === 'v1') {
      for (const field of ['data', 'stringData']) {
        const d = o[field] as Record<string, unknown> | undefined;
        if (d && Object.keys(d).length > 0) {
          out.push({
            ruleId: 'secrets.secret-object',
            status: 'fail',
            resource,
            path: field,
            message: `a Secret with ${field} (${Object.keys(d).join(', ')}) would put credentials in git`,
            fix: 'use an ExternalSecret that fills the Secret in the cluster',
          });
        }
      }
      continue;
    }
    walk(o, '', undefined, (path, why) =>
      out.push({
        ruleId: 'secrets.literal',
        status: 'fail',
        resource,
        path,
        message: why,
        fix: 'move the value to the secret store and reference it',
      }),
    );
  }
  return out;
}

/** Scans raw text (the spec file) line by line, so findings point at file:line. */
export function scanText(text: string, file: string): Finding[] {
  const out: Finding[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /^\s*-?\s*([\w.-]+)\s*:\s*["']?([^"'#]*)["']?\s*(#.*)?$/.exec(line);
    const why = m ? scanString(m[2]!.trim(), m[1]) : scanString(line, undefined);
    if (why)
      out.push({
        ruleId: 'secrets.literal',
        status: 'fail',
        resource: `${file}:${i + 1}`,
        path: m?.[1] ?? '',
        message: why,
        fix: 'move the value to the secret store and reference it',
      });
  });
  return out;
}
