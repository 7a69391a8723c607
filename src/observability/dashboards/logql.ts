/**
 * LogQL through the upstream grammar (`@grafana/lezer-logql`, the parser Grafana's Loki query
 * editor uses): syntax errors with their offset, and Loki's own rule for stream selectors.
 */

import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';
import { decodeString, MAX_EXPRESSION_LENGTH, type SyntaxIssue, syntaxErrorAt } from '../promql.js';

/**
 * Problems of one LogQL query (empty = fine). Beyond the grammar, Loki refuses a stream selector
 * without a matcher that needs a non-empty value ("queries require at least one regexp or
 * equality matcher that does not have an empty-compatible value. For instance, app=~".*" does
 * not meet this requirement, but app=~".+" will", pkg/logql/syntax validation): such a query
 * would scan every stream, so it is an error here too.
 */
export function checkLogql(expr: string): SyntaxIssue[] {
  if (expr.length > MAX_EXPRESSION_LENGTH)
    return [
      { offset: MAX_EXPRESSION_LENGTH, message: `query longer than ${MAX_EXPRESSION_LENGTH} characters` },
    ];
  if (expr.trim() === '')
    return [
      { offset: 0, message: 'empty query: a LogQL query starts with a stream selector {label="value"}' },
    ];
  const tree = parser.parse(expr);
  const errors: SyntaxIssue[] = [];
  let selectors = 0;
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        errors.push(syntaxErrorAt(expr, ref.from, 'query'));
        return false;
      }
      if (ref.name === 'Selector') {
        selectors++;
        const issue = selectorIssue(ref.node, expr);
        if (issue) errors.push(issue);
        // Descend: the grammar's recovery nodes inside the selector are the errors to report.
      }
      return undefined;
    },
  });
  if (errors.length === 0 && selectors === 0)
    errors.push({
      offset: 0,
      message: 'no stream selector: a LogQL query reads streams chosen by {label="value"}',
    });
  return errors;
}

function selectorIssue(node: SyntaxNode, expr: string): SyntaxIssue | undefined {
  const matchers: SyntaxNode[] = [];
  const walk = (n: SyntaxNode) => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === 'Matcher') matchers.push(c);
      else if (c.name === 'Matchers') walk(c);
    }
  };
  walk(node);
  if (matchers.some((m) => !emptyCompatible(m, expr))) return undefined;
  // The grammar's own errors inside the selector are reported on their own.
  if (hasError(node)) return undefined;
  return {
    offset: node.from,
    message: `stream selector ${JSON.stringify(expr.slice(node.from, node.to))} has no matcher that requires a non-empty value (Loki: "queries require at least one regexp or equality matcher that does not have an empty-compatible value")`,
  };
}

function hasError(node: SyntaxNode): boolean {
  let found = false;
  node.toTree().iterate({
    enter: (r) => {
      if (r.type.isError) found = true;
      return !found;
    },
  });
  return found;
}

/** Does this matcher accept a stream that lacks the label (value "")? Unknown = yes (conservative). */
function emptyCompatible(m: SyntaxNode, expr: string): boolean {
  const op = m.getChild('Eq') ? '=' : m.getChild('Re') ? '=~' : m.getChild('Neq') ? '!=' : '!~';
  const lit = m.getChild('String');
  const value = lit ? decodeString(expr.slice(lit.from, lit.to)) : undefined;
  if (value === undefined) return true;
  if (op === '=') return value === '';
  if (op === '!=') return value !== '';
  let re: RegExp;
  try {
    // Loki anchors matcher regexes like Prometheus; RE2 and JS agree on the constructs used here.
    re = new RegExp(`^(?:${value})$`, 'u');
  } catch {
    return true;
  }
  return op === '=~' ? re.test('') : !re.test('');
}
