/**
 * Secret material must never reach git: not in the spec, not in rendered manifests. Finds
 * Secret objects carrying data, strings in known credential formats, and literal values under
 * keys that name a credential.
 *
 * Formats come from a maintained detector, secretlint's recommended preset (AWS, GCP, GitHub,
 * Slack, npm, SendGrid, Shopify, OpenAI, Anthropic, Linear, 1Password, basic auth, database
 * connection strings, private keys), plus a few linear-time patterns of our own for what it
 * lacks. Each format reports its own rule id (`secrets.github`, `secrets.stripe`, …) so a test
 * per format proves that format, not the key-name rule that happens to sit next to it.
 */
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig } from '@secretlint/types';
import { type K8sObject, objectRef } from '../k8s/object.js';
import type { Finding } from './finding.js';

/**
 * Our own formats. Every pattern is linear: a fixed literal prefix with no overlapping
 * repetition in front of it, so a long line costs one pass (no `\b[a-z]*://`-style scans that
 * restart at every character).
 */
const OWN_FORMATS: readonly { id: string; name: string; re: RegExp }[] = [
  {
    id: 'private-key',
    name: 'a private key',
    re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/,
  },
  { id: 'stripe', name: 'a Stripe key', re: /(?<![A-Za-z0-9_])(?:sk|rk)_live_[A-Za-z0-9]{20,}/ },
  {
    id: 'google-api-key',
    name: 'a Google API key',
    re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/,
  },
  {
    id: 'jwt',
    name: 'a JSON Web Token',
    // The header segment must start the token: no match can begin inside another's run.
    re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
  },
  {
    id: 'url-password',
    name: 'a password in a URL',
    // scheme://user:password@host, anchored on the `://` literal rather than on the scheme.
    re: /:\/\/[^/\s:@]{1,256}:[^/\s@]{1,256}@/,
  },
];

const SECRETLINT: SecretLintCoreConfig = {
  rules: [
    {
      id: '@secretlint/secretlint-rule-preset-recommend',
      rule: recommended,
      // Report AWS access key ids too, not only secret access keys.
      rules: [{ id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } }],
    },
  ],
};

/** Keys whose value is a credential, unlike names of or references to one. */
const CREDENTIAL_KEY =
  /(?:^|[_-])(?:pass(?:word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)$/i;
const REFERENCE_KEY = /(?:name|ref|path|file|selector)$/i;

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

interface Hit {
  ruleId: string;
  message: string;
}

/** A value scanned in context: where it sits, and the key that holds it. */
interface Candidate {
  value: string;
  key: string | undefined;
  report: (hit: Hit) => void;
}

/** `@secretlint/secretlint-rule-github` → `secrets.github`. */
const ruleIdOf = (secretlintId: string) =>
  `secrets.${secretlintId.replace(/^@secretlint\/secretlint-rule-/, '').replace(/[^a-z0-9-]/gi, '-')}`;

/**
 * Runs every candidate through the format detectors (secretlint in one pass over all of them,
 * then our own patterns) and, for those no format matched, the key-name rule. One finding per
 * value at most, from the most specific rule.
 */
async function scanCandidates(candidates: readonly Candidate[]): Promise<void> {
  if (candidates.length === 0) return;
  // One text, one candidate per block: secretlint's ranges map back by offset.
  const starts: number[] = [];
  let text = '';
  for (const c of candidates) {
    starts.push(text.length);
    text += `${c.value}\n\n`;
  }
  const result = await lintSource({
    source: { filePath: 'values.txt', content: text, contentType: 'text', ext: '.txt' },
    options: { config: SECRETLINT, noPhysicFilePath: true, maskSecrets: true },
  });
  const found = new Map<number, Hit>();
  for (const m of result.messages) {
    if (m.type !== 'message' || m.ruleId === '@secretlint/secretlint-rule-filter-comments') continue;
    const start = m.range[0];
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    if (!found.has(lo))
      found.set(lo, { ruleId: ruleIdOf(m.ruleId), message: `looks like ${m.messageId}: ${m.message}` });
  }
  candidates.forEach((c, i) => {
    const hit = found.get(i) ?? ownFormat(c.value) ?? keyRule(c.value, c.key);
    if (hit) c.report(hit);
  });
}

function ownFormat(value: string): Hit | undefined {
  for (const f of OWN_FORMATS)
    if (f.re.test(value)) return { ruleId: `secrets.${f.id}`, message: `looks like ${f.name}` };
  return undefined;
}

function keyRule(value: string, key: string | undefined): Hit | undefined {
  if (
    key &&
    CREDENTIAL_KEY.test(key) &&
    !REFERENCE_KEY.test(key) &&
    value !== '' &&
    !/^(?:\$\{[^}]*\}|\{\{.*\}\})$/.test(value.trim()) &&
    (looksRandom(value) || value.length >= 6)
  )
    return {
      ruleId: 'secrets.credential-key',
      message: `"${key}" holds a literal value; credentials come from External Secrets`,
    };
  return undefined;
}

function collect(
  value: unknown,
  path: string,
  key: string | undefined,
  out: (value: string, path: string, key: string | undefined) => void,
): void {
  if (typeof value === 'string') out(value, path, key);
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) collect(v, `${path}[${i}]`, key, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collect(v, path ? `${path}.${k}` : k, k, out);
  }
}

export async function scanObjects(objects: readonly K8sObject[]): Promise<Finding[]> {
  const out: Finding[] = [];
  const candidates: Candidate[] = [];
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
    collect(o, '', undefined, (value, path, key) =>
      candidates.push({
        value,
        key,
        report: (hit) =>
          out.push({
            ruleId: hit.ruleId,
            status: 'fail',
            resource,
            path,
            message: hit.message,
            fix: 'move the value to the secret store and reference it',
          }),
      }),
    );
  }
  await scanCandidates(candidates);
  return out;
}

const LINE = /^[ \t]*(?:-[ \t]*)?([\w.-]+)[ \t]*:[ \t]*(.*)$/;

/** The value of a `key: value  # comment` line, without quotes or comment. */
function lineValue(rest: string): string {
  const quoted = /^(["'])(.*)\1/.exec(rest);
  if (quoted) return quoted[2]!;
  const hash = rest.search(/[ \t]#/);
  return (hash >= 0 ? rest.slice(0, hash) : rest).trim();
}

/** Scans raw text (the spec file) line by line, so findings point at file:line. */
export async function scanText(text: string, file: string): Promise<Finding[]> {
  const out: { line: number; finding: Finding }[] = [];
  const candidates: Candidate[] = [];
  text.split('\n').forEach((line, i) => {
    const m = LINE.exec(line);
    const value = m ? lineValue(m[2]!) : line;
    const report = (hit: Hit) =>
      out.push({
        line: i,
        finding: {
          ruleId: hit.ruleId,
          status: 'fail',
          resource: `${file}:${i + 1}`,
          path: m?.[1] ?? '',
          message: hit.message,
          fix: 'move the value to the secret store and reference it',
        },
      });
    // The whole line for formats (a comment can hold a credential too), the value for the key rule.
    candidates.push({ value: m ? line : line, key: undefined, report });
    if (m)
      candidates.push({
        value,
        key: m[1],
        report: (hit) => hit.ruleId === 'secrets.credential-key' && report(hit),
      });
  });
  await scanCandidates(candidates);
  // One finding per line: a format beats the key rule.
  const byLine = new Map<number, Finding>();
  for (const { line, finding } of out) if (!byLine.has(line)) byLine.set(line, finding);
  return [...byLine.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
}
