#!/usr/bin/env node
// Generates src/generated/k8s-fields.json from the type declarations of kubernetes-models:
// for every Kubernetes type, its field names and the type of each object-valued field. The
// validators kubernetes-models ships accept unknown fields; this table lets `mlp check` reject
// them. Run `npm run gen:k8s` after upgrading kubernetes-models; never edit the output by hand.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const roots = ['kubernetes-models', '@kubernetes-models/apimachinery'].map((p) =>
  dirname(require.resolve(`${p}/package.json`)),
);

function* dts(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name.startsWith('_')) continue;
    if (statSync(p).isDirectory()) yield* dts(p);
    else if (name.endsWith('.d.ts') && name !== 'index.d.ts') yield p;
  }
}

/** `"name"?: TYPE;` pairs of an interface body; TYPE may hold nested braces and generics. */
function* fieldsOf(body) {
  const flat = body.replace(/\s+/g, ' ');
  const re = /"([^"]+)"\??: /g;
  for (let m = re.exec(flat); m; m = re.exec(flat)) {
    let depth = 0;
    let i = re.lastIndex;
    for (; i < flat.length; i++) {
      const c = flat[i];
      if (c === '{' || c === '<' || c === '(') depth++;
      else if (c === '}' || c === '>' || c === ')') depth--;
      else if (c === ';' && depth === 0) break;
    }
    yield [m[1], flat.slice(re.lastIndex, i).trim()];
    re.lastIndex = i + 1;
  }
}

const types = {};

/**
 * The table entry of a field type: a referenced type, `[]T`, `{}T` (map values), an inline
 * object type registered under `syntheticName`, or null for scalars and free-form values.
 */
function fieldType(t, syntheticName) {
  const inline = /^(Array<)?\{ "/.exec(t);
  if (inline) {
    const open = t.indexOf('{');
    const body = t.slice(open + 1, t.lastIndexOf('}'));
    const fields = {};
    for (const [n, sub] of fieldsOf(body)) fields[n] = fieldType(sub, `${syntheticName}.${n}`);
    types[syntheticName] = fields;
    return inline[1] ? `[]${syntheticName}` : syntheticName;
  }
  const ref = /\bI(IoK8s\w+)\b/.exec(t);
  if (!ref || /JSONSchemaProps|Quantity|IntOrString|Time\b|MicroTime|RawExtension|FieldsV1/.test(t))
    return null;
  if (t.startsWith('Array<')) return `[]${ref[1]}`;
  if (t.startsWith('{')) return `{}${ref[1]}`;
  return ref[1];
}
const kinds = {};
for (const root of roots) {
  for (const file of dts(root)) {
    const text = readFileSync(file, 'utf8');
    const iface = /export interface (I\w+)(?: extends \w+)? \{\n([\s\S]*?)\n\}/.exec(text);
    if (!iface) continue;
    const alias = new RegExp(`${iface[1]} as (I\\w+)`).exec(text);
    const canonical = (alias ? alias[1] : iface[1]).slice(1);
    const body = iface[2].replace(/\/\*\*[\s\S]*?\*\//g, '');
    const fields = {};
    let apiVersion;
    let kind;
    for (const [name, t] of fieldsOf(body)) {
      if (name === 'apiVersion' && /^"[^"]+"$/.test(t)) apiVersion = t.slice(1, -1);
      if (name === 'kind' && /^"[^"]+"$/.test(t)) kind = t.slice(1, -1);
      fields[name] = fieldType(t, `${canonical}.${name}`);
    }
    types[canonical] = fields;
    if (apiVersion && kind && !kind.endsWith('List')) kinds[`${apiVersion}/${kind}`] = canonical;
  }
}

const sorted = (o) =>
  Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
const out = {
  generatedFrom: `kubernetes-models@${require('kubernetes-models/package.json').version}`,
  kinds: sorted(kinds),
  types: sorted(types),
};
const target = new URL('../src/generated/k8s-fields.json', import.meta.url);
mkdirSync(dirname(target.pathname), { recursive: true });
writeFileSync(target, `${JSON.stringify(out)}\n`);
console.log(
  `${Object.keys(kinds).length} kinds, ${Object.keys(types).length} types → src/generated/k8s-fields.json`,
);
