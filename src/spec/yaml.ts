/**
 * The YAML layer of the loader, hardened: what a spec file may be before anyone parses it
 * (size, encoding), and what its document may do once parsed (aliases, keys that would reach
 * an object's prototype). Every rejection is a located issue, never an exception.
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './errors.js';

/**
 * The largest spec we read. The example is 8 KiB and a platform of 200 teams with every field
 * set stays under 300 KiB, so 1 MiB leaves room while keeping the worst case (a malformed file
 * the YAML parser must recover from) at well under a second and a few tens of MB.
 */
export const MAX_SPEC_BYTES = 1024 * 1024;

/**
 * Alias dereferences after expansion. Real specs reuse a few anchors (shared member lists,
 * quota blocks) a few dozen times; the yaml library's default of 100 is hit by honest reuse,
 * while an alias bomb (`*a` nine times, nine levels deep) needs millions.
 */
export const MAX_ALIASES = 1000;

/** Values after expansion: bounds aliases of large anchors (few aliases, huge expansion). */
export const MAX_EXPANDED_NODES = 1_000_000;

/** Deeper than any spec field (8 levels); deep enough for free-form label maps. */
export const MAX_DEPTH = 64;

/** Keys that would change, not set, a JavaScript object's shape when merged. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface YamlIssue {
  /** Offset in the text. */
  readonly offset: number;
  readonly path: PathSegment[];
  readonly message: string;
}

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KiB`;

export function sizeProblem(bytes: number): string | undefined {
  return bytes > MAX_SPEC_BYTES
    ? `the spec is ${kib(bytes)}, over the limit of ${kib(MAX_SPEC_BYTES)}; a platform spec is a few KiB (split it or check that this is the right file)`
    : undefined;
}

/** Bytes → text, or where and why the bytes are not a UTF-8 YAML file. */
export function decode(bytes: Uint8Array): { text: string } | { offset: number; message: string } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      offset: 0,
      message: 'the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8',
    };
  }
  try {
    // A UTF-8 byte order mark is allowed by YAML 1.2 and skipped by the parser.
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    // Find the first invalid sequence, to point at it.
    const strict = new TextDecoder('utf-8', { fatal: true });
    let offset = 0;
    for (let i = 0; i < bytes.length; i++) {
      try {
        strict.decode(bytes.subarray(offset, i + 1));
        offset = i + 1;
      } catch {
        if (i - offset >= 3) break;
      }
    }
    return { offset, message: `invalid UTF-8 at byte ${offset}; save the file as UTF-8` };
  }
}

/** Characters YAML does not allow in a document (NUL and other C0/C1 controls but tab, LF, CR, NEL). */
export function controlCharacter(text: string): { offset: number; message: string } | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  const m = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u0084\u0086-\u009f\ufffe\uffff]/.exec(text);
  if (!m) return undefined;
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return {
    offset: m.index,
    message: `control character U+${code}${code === '0000' ? ' (NUL)' : ''} is not allowed in YAML; is this a binary file?`,
  };
}

/**
 * Walks the parsed document before it becomes JavaScript: forbidden keys, nesting depth, and
 * the size of the document once every alias is expanded (the YAML bomb), located at the alias
 * that crosses the limit.
 */
export function checkDocument(doc: Document.Parsed): YamlIssue[] {
  const issues: YamlIssue[] = [];
  const expansion = new Map<Node, { aliases: number; nodes: number }>();
  const total = { aliases: 0, nodes: 0 };
  let stopped = false;

  /** Aliases and nodes in the full expansion of `node` (memoized per anchored node). */
  const expand = (node: Node, stack: Set<Node>): { aliases: number; nodes: number } | 'cycle' => {
    const hit = expansion.get(node);
    if (hit) return hit;
    if (stack.has(node)) return 'cycle';
    stack.add(node);
    let aliases = 0;
    let nodes = 1;
    const add = (child: unknown): boolean => {
      if (!child || typeof child !== 'object') return true;
      if (isAlias(child)) {
        const target = child.resolve(doc) as Node | undefined;
        if (!target) return true;
        const r = expand(target, stack);
        if (r === 'cycle') return false;
        aliases += 1 + r.aliases;
        nodes += r.nodes;
      } else if (isMap(child) || isSeq(child) || isScalar(child)) {
        const r = expand(child as Node, stack);
        if (r === 'cycle') return false;
        aliases += r.aliases;
        nodes += r.nodes;
      }
      return aliases <= MAX_ALIASES && nodes <= MAX_EXPANDED_NODES;
    };
    let ok = true;
    if (isMap(node)) {
      for (const pair of node.items) if (!(add(pair.key) && add(pair.value))) ok = false;
    } else if (isSeq(node)) {
      for (const item of node.items) if (!add(item)) ok = false;
    }
    stack.delete(node);
    const out = { aliases, nodes };
    // Past a limit the exact count does not matter; keep the walk from growing further.
    if (ok) expansion.set(node, out);
    return ok ? out : { aliases: MAX_ALIASES + 1, nodes };
  };

  const walk = (node: unknown, path: PathSegment[], ancestors: Set<Node>): void => {
    if (stopped || !node || typeof node !== 'object') return;
    if (path.length > MAX_DEPTH) {
      issues.push({
        offset: (node as Node).range?.[0] ?? 0,
        path,
        message: `nested more than ${MAX_DEPTH} levels deep; no spec field is`,
      });
      stopped = true;
      return;
    }
    if (isAlias(node)) {
      const target = node.resolve(doc) as Node | undefined;
      const offset = node.range?.[0] ?? 0;
      if (!target) {
        issues.push({
          offset,
          path,
          message: `alias *${node.source} refers to no anchor; define &${node.source} before it is used`,
        });
        return;
      }
      if (ancestors.has(target)) {
        issues.push({
          offset,
          path,
          message: `alias *${node.source} refers to a node that contains it, which would be infinitely deep`,
        });
        stopped = true;
        return;
      }
      const r = expand(target, new Set(ancestors));
      if (r === 'cycle') {
        issues.push({ offset, path, message: `alias *${node.source} expands into itself` });
        stopped = true;
        return;
      }
      total.aliases += 1 + r.aliases;
      total.nodes += r.nodes;
      if (total.aliases > MAX_ALIASES || total.nodes > MAX_EXPANDED_NODES) {
        issues.push({
          offset,
          path,
          message:
            total.aliases > MAX_ALIASES
              ? `too many aliases: expanding them dereferences more than ${MAX_ALIASES} (a YAML bomb?); write the values out or reuse less`
              : `aliases expand the document to more than ${MAX_EXPANDED_NODES.toLocaleString('en')} values (a YAML bomb?)`,
        });
        stopped = true;
      }
      return;
    }
    total.nodes += 1;
    ancestors.add(node as Node);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined && FORBIDDEN_KEYS.has(key)) {
          issues.push({
            offset: (pair.key as Node).range?.[0] ?? 0,
            path: [...path, key],
            message: `key "${key}" is not allowed: it names a JavaScript object property and would be silently dropped or change how the spec merges; rename it`,
          });
        }
        walk(pair.key, path, ancestors);
        walk(pair.value, [...path, key ?? '?'], ancestors);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        walk(item, [...path, i], ancestors);
      });
    }
    ancestors.delete(node as Node);
  };
  walk(doc.contents, [], new Set());
  return issues;
}

export function position(lines: LineCounter, offset: number): { line: number; col: number } {
  const p = lines.linePos(offset);
  return { line: p.line, col: p.col };
}

/** line:col (1-based) of `offset` in `text`, for problems found before the YAML parser runs. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, col: offset - before.lastIndexOf('\n') };
}
