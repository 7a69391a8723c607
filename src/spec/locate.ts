/** Maps a field path back to line:col in the YAML source. */
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node } from 'yaml';
import type { PathSegment } from './errors.js';

export interface Position {
  line: number;
  col: number;
}

export class SourceMap {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Position of the deepest node along `path`; `key` points at that field's key instead. */
  locate(path: readonly PathSegment[], key?: string): Position {
    let node: Node | null | undefined = this.doc.contents as Node | null;
    let best: Node | null | undefined = node;
    const walk = key === undefined ? path : path.slice(0, -1);
    for (const seg of walk) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
        );
        if (!pair) break;
        node = pair.value as Node | null;
        if (node) best = node;
        else {
          best = pair.key as Node;
          break;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg] as Node | undefined;
        if (!node) break;
        best = node;
      } else break;
    }
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      if (pair) best = pair.key as Node;
    }
    const offset = best?.range?.[0] ?? 0;
    const pos = this.lines.linePos(offset);
    return { line: pos.line, col: pos.col };
  }
}

export { LineCounter };
