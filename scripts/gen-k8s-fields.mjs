#!/usr/bin/env node
// Generates the field tables `mlp check` walks to reject unknown fields, from the type
// declarations of the installed model packages (the packages' own validators accept unknown
// fields):
//   src/generated/k8s-fields.json          built-in kinds (kubernetes-models, apimachinery)
//   src/generated/crd-kinds.json           apiVersion/kind → model package and root type, for
//                                          every kind of the CRD model packages below
//   src/generated/crd-fields/<pkg>.json    one table per CRD model package, only the types its
//                                          kinds reach; types of kubernetes-models stay in the
//                                          built-in table (the walker falls back to it)
// A table maps a type to its fields; a field's entry is a type name, `[]T` (list of T), `{}T`
// (map of T) — prefixes nest — or null for scalars and free-form values (RawExtension, JSON,
// `{}`; these carry `x-kubernetes-preserve-unknown-fields` in the CRDs, so anything goes).
// Fields come from the generated classes' bodies, which flatten Go's embedded structs.
// Run `npm run gen:k8s` (`node scripts/gen-k8s-fields.mjs [--out DIR]`) after upgrading kubernetes-models or a CRD model package; the output is
// deterministic (sorted keys, no timestamps); never edit it by hand.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const rootOf = (p) => dirname(require.resolve(`${p}/package.json`));
const versionOf = (p) => require(`${p}/package.json`).version;

const BUILT_IN = ['kubernetes-models', '@kubernetes-models/apimachinery'];
/** The engines' CRD model packages (keep in step with CRD_MODELS in src/k8s/crds.ts). */
const CRD_PACKAGES = ['argo-cd', 'argo-rollouts', 'cert-manager', 'external-secrets', 'prometheus-operator'];
/** Packages whose types CRD packages reference but whose kinds we do not validate. */
const TYPE_ONLY = ['@kubernetes-models/gateway-api'];

function* dts(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'node_modules' || name.startsWith('_')) continue;
    if (statSync(p).isDirectory()) yield* dts(p);
    else if (name.endsWith('.d.ts') && name !== 'index.d.ts') yield p;
  }
}

/** `"name"?: TYPE;` pairs of a body; TYPE may hold nested braces and generics. */
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

/** Types whose values are free-form or scalar in the API although they are declared as types. */
const FREE_FORM = /JSONSchemaProps|Quantity|IntOrString|Time$|MicroTime$|RawExtension$|FieldsV1$/;

/**
 * A type expression as a table entry. Inline object types are registered in `types` under
 * `syntheticName`. Unions, literals and scalars are null (the packages' validators check them).
 */
function fieldType(t, syntheticName, types) {
  t = t.trim();
  const array = /^Array<([\s\S]*)>$/.exec(t);
  if (array) {
    const inner = fieldType(array[1], syntheticName, types);
    return inner ? `[]${inner}` : null;
  }
  const map = /^\{ \[key: string\]: ([\s\S]*?);? \}$/.exec(t);
  if (map) {
    const inner = fieldType(map[1], syntheticName, types);
    return inner ? `{}${inner}` : null;
  }
  if (/^\{ "/.test(t)) {
    const fields = {};
    for (const [n, sub] of fieldsOf(t.slice(1, t.lastIndexOf('}'))))
      fields[n] = fieldType(sub, `${syntheticName}.${n}`, types);
    types[syntheticName] = fields;
    return syntheticName;
  }
  const ref = /^I([A-Z]\w*)$/.exec(t);
  if (!ref || FREE_FORM.test(ref[1])) return null;
  return ref[1];
}

/** Every interface, class body and type alias of a package root. */
function parseRoot(root) {
  const types = {};
  const aliases = {};
  const kinds = {};
  for (const file of dts(root)) {
    const text = readFileSync(file, 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '');
    const canonicalOf = (local) => {
      const m = new RegExp(`\\b${local} as (I\\w+)`).exec(text);
      return (m ? m[1] : local).slice(1);
    };
    // The class body lists every field, inherited ones (Go's embedded structs) included.
    const cls = /export declare class \w+ extends Model<(I\w+)> implements I\w+ \{\n([\s\S]*?)^\}/m.exec(
      text,
    );
    const iface = /export interface (I\w+)(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text);
    const alias = /export type (I\w+) = ([\s\S]*?);\nexport type /.exec(text);
    if (cls || iface) {
      const [, local, body] = cls ?? iface;
      const canonical = canonicalOf(local);
      const fields = {};
      for (const [name, t] of fieldsOf(body)) fields[name] = fieldType(t, `${canonical}.${name}`, types);
      // The interface spells out apiVersion and kind; the class refers to them (`IPod["kind"]`).
      let apiVersion;
      let kind;
      for (const [name, t] of iface ? fieldsOf(iface[2]) : []) {
        if (name === 'apiVersion' && /^"[^"]+"$/.test(t)) apiVersion = t.slice(1, -1);
        if (name === 'kind' && /^"[^"]+"$/.test(t)) kind = t.slice(1, -1);
      }
      types[canonical] = fields;
      // A kind is a model with its own apiVersion and kind (not a type that embeds TypeMeta).
      if (apiVersion && kind && !kind.endsWith('List') && /\bstatic kind: /.test(text))
        kinds[`${apiVersion}/${kind}`] = { type: canonical, module: relative(root, file).slice(0, -5) };
    } else if (alias) {
      const canonical = canonicalOf(alias[1]);
      aliases[canonical] = fieldType(alias[2], canonical, types);
    }
  }
  return { types, aliases, kinds };
}

/**
 * Replaces references to aliases by what they stand for (`ApplicationSources` → `[]ApplicationSource`)
 * and references to field-less types (JSON, RawExtension: any value) by null.
 */
function resolveRefs(types, aliases) {
  const resolve = (ref, seen = new Set()) => {
    if (!ref) return null;
    const prefix = /^(?:\[\]|\{\})*/.exec(ref)[0];
    const base = ref.slice(prefix.length);
    if (base in aliases && !seen.has(base)) {
      seen.add(base);
      const target = resolve(aliases[base], seen);
      return target ? prefix + target : null;
    }
    if (base in types && Object.keys(types[base]).length === 0) return null;
    return ref;
  };
  for (const fields of Object.values(types))
    for (const k of Object.keys(fields)) fields[k] = resolve(fields[k]);
  return resolve;
}

const sorted = (o) =>
  Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
const baseOf = (ref) => ref.replace(/^(?:\[\]|\{\})*/, '');

// `--out DIR` writes the same files under DIR instead of the repository (the test that the
// committed tables are up to date compares the two).
const outAt = process.argv.indexOf('--out');
const outRoot =
  outAt > 0 ? resolvePath(process.argv[outAt + 1]) : fileURLToPath(new URL('..', import.meta.url));

function write(relPath, data) {
  const target = join(outRoot, relPath);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(data)}\n`);
}

// Built-ins: every type (the table is also the lookup of last resort for the CRD tables).
const builtIn = { types: {}, aliases: {}, kinds: {} };
for (const p of BUILT_IN) {
  const parsed = parseRoot(rootOf(p));
  Object.assign(builtIn.types, parsed.types);
  Object.assign(builtIn.aliases, parsed.aliases);
  Object.assign(builtIn.kinds, parsed.kinds);
}
resolveRefs(builtIn.types, builtIn.aliases);
write('src/generated/k8s-fields.json', {
  generatedFrom: `kubernetes-models@${versionOf('kubernetes-models')}`,
  kinds: sorted(Object.fromEntries(Object.entries(builtIn.kinds).map(([k, v]) => [k, v.type]))),
  types: sorted(builtIn.types),
});
console.log(
  `${Object.keys(builtIn.kinds).length} kinds, ${Object.keys(builtIn.types).length} types → src/generated/k8s-fields.json`,
);

// CRD packages: one pool of types (names are Go-package-qualified, so unique), then per
// package only what its kinds reach outside the built-in table.
const pool = { types: {}, aliases: { ...builtIn.aliases } };
const parsedCrd = {};
for (const p of [...CRD_PACKAGES.map((n) => `@kubernetes-models/${n}`), ...TYPE_ONLY]) {
  const parsed = parseRoot(rootOf(p));
  parsedCrd[p] = parsed;
  Object.assign(pool.types, parsed.types);
  Object.assign(pool.aliases, parsed.aliases);
}
resolveRefs(pool.types, { ...pool.aliases });
const crdKinds = {};
for (const name of CRD_PACKAGES) {
  const pkg = `@kubernetes-models/${name}`;
  const own = {};
  const queue = [];
  for (const [key, { type, module }] of Object.entries(parsedCrd[pkg].kinds)) {
    crdKinds[key] = { package: name, type, module };
    queue.push(type);
  }
  while (queue.length) {
    const t = queue.pop();
    if (t in own || t in builtIn.types || !(t in pool.types)) continue;
    own[t] = pool.types[t];
    for (const ref of Object.values(own[t])) if (ref) queue.push(baseOf(ref));
  }
  write(`src/generated/crd-fields/${name}.json`, {
    generatedFrom: `${pkg}@${versionOf(pkg)}`,
    types: sorted(own),
  });
  console.log(
    `${Object.keys(parsedCrd[pkg].kinds).length} kinds, ${Object.keys(own).length} types → src/generated/crd-fields/${name}.json`,
  );
}
write('src/generated/crd-kinds.json', sorted(crdKinds));
