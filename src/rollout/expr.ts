/**
 * A small evaluator for the part of expr-lang (github.com/expr-lang/expr, the language of Argo
 * Rollouts' `successCondition`/`failureCondition`) that analysis conditions use, so a condition
 * can be judged offline on the inputs that matter: NaN, +Inf, an empty vector.
 *
 * Semantics kept from the real thing: Go float comparisons (anything compared with NaN is
 * false, `!=` true), `&&`/`and`, `||`/`or` short-circuit, `!`/`not`, indexing out of range is a
 * runtime error (Argo scores the measurement Error), `len`, and the functions Argo Rollouts adds
 * to the environment in utils/evaluate (`isNaN`, `isInf`, `asInt`, `asFloat`) plus expr's
 * `all`/`any`/`none`/`filter` predicates over `#`. Anything else throws `Unsupported`: the
 * caller then says it could not judge, rather than guessing.
 */

export class Unsupported extends Error {}
export class RuntimeError extends Error {}

type Value = number | boolean | string | null | Value[] | ((args: Value[]) => Value);

type Token = { kind: 'num' | 'str' | 'id' | 'op'; text: string };

const OPS = [
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '**',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '(',
  ')',
  '[',
  ']',
  ',',
  '{',
  '}',
  '#',
];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(src.slice(i));
    if (num) {
      out.push({ kind: 'num', text: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i));
    if (id) {
      out.push({ kind: 'id', text: id[0] });
      i += id[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new Unsupported('unterminated string');
      out.push({ kind: 'str', text: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new Unsupported(`unexpected ${JSON.stringify(c)} at ${i}`);
    out.push({ kind: 'op', text: op });
    i += op.length;
  }
  return out;
}

type Node =
  | { t: 'lit'; v: Value }
  | { t: 'id'; name: string }
  | { t: 'elem' }
  | { t: 'un'; op: string; x: Node }
  | { t: 'bin'; op: string; a: Node; b: Node }
  | { t: 'idx'; x: Node; i: Node }
  | { t: 'call'; fn: string; args: Node[] }
  | { t: 'closure'; body: Node };

const PREC: Record<string, number> = {
  '||': 1,
  or: 1,
  '&&': 2,
  and: 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '>': 3,
  '<=': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '**': 6,
};

function parse(src: string): Node {
  if (src.length > 4096) throw new Unsupported('condition longer than 4096 characters');
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const take = (text?: string) => {
    const t = toks[p];
    if (!t || (text !== undefined && t.text !== text)) throw new Unsupported(`expected ${text ?? 'a token'}`);
    p++;
    return t;
  };
  const binop = (t: Token | undefined) =>
    t && ((t.kind === 'op' && t.text in PREC) || (t.kind === 'id' && (t.text === 'and' || t.text === 'or')))
      ? t.text
      : undefined;
  let depth = 0;
  function expr(min: number): Node {
    if (++depth > 200) throw new Unsupported('condition nested too deeply');
    let left = unary();
    for (let op = binop(peek()); op !== undefined && PREC[op]! >= min; op = binop(peek())) {
      p++;
      const right = expr(op === '**' ? PREC[op]! : PREC[op]! + 1);
      left = { t: 'bin', op: op === 'and' ? '&&' : op === 'or' ? '||' : op, a: left, b: right };
    }
    depth--;
    return left;
  }
  function unary(): Node {
    const t = peek();
    if (
      t &&
      ((t.kind === 'op' && (t.text === '!' || t.text === '-' || t.text === '+')) ||
        (t.kind === 'id' && t.text === 'not'))
    ) {
      p++;
      return { t: 'un', op: t.text === 'not' ? '!' : t.text, x: unary() };
    }
    return postfix(primary());
  }
  function postfix(x: Node): Node {
    while (peek()?.text === '[') {
      take('[');
      const i = expr(1);
      take(']');
      x = { t: 'idx', x, i };
    }
    return x;
  }
  function primary(): Node {
    const t = take();
    if (t.kind === 'num') return { t: 'lit', v: Number(t.text) };
    if (t.kind === 'str') return { t: 'lit', v: t.text };
    if (t.text === '(') {
      const x = expr(1);
      take(')');
      return x;
    }
    if (t.text === '#') return { t: 'elem' };
    if (t.text === '{') {
      const body = expr(1);
      take('}');
      return { t: 'closure', body };
    }
    if (t.kind === 'id') {
      if (t.text === 'true' || t.text === 'false') return { t: 'lit', v: t.text === 'true' };
      if (t.text === 'nil') return { t: 'lit', v: null };
      if (peek()?.text === '(') {
        take('(');
        const args: Node[] = [];
        while (peek()?.text !== ')') {
          args.push(expr(1));
          if (peek()?.text === ',') take(',');
          else break;
        }
        take(')');
        return { t: 'call', fn: t.text, args };
      }
      return { t: 'id', name: t.text };
    }
    throw new Unsupported(`unexpected ${JSON.stringify(t.text)}`);
  }
  const node = expr(1);
  if (p !== toks.length) throw new Unsupported(`unexpected ${JSON.stringify(toks[p]!.text)}`);
  return node;
}

const num = (v: Value, what: string): number => {
  if (typeof v !== 'number') throw new RuntimeError(`${what}: expected a number, got ${typeof v}`);
  return v;
};
const bool = (v: Value): boolean => {
  if (typeof v !== 'boolean') throw new RuntimeError(`expected a bool, got ${typeof v}`);
  return v;
};

function evaluate(n: Node, env: Readonly<Record<string, Value>>, elem?: Value): Value {
  switch (n.t) {
    case 'lit':
      return n.v;
    case 'elem':
      if (elem === undefined) throw new RuntimeError('# outside a predicate');
      return elem;
    case 'id':
      if (!Object.hasOwn(env, n.name)) throw new Unsupported(`unknown name ${n.name}`);
      return env[n.name]!;
    case 'un': {
      const x = evaluate(n.x, env, elem);
      if (n.op === '!') return !bool(x);
      return n.op === '-' ? -num(x, '-') : num(x, '+');
    }
    case 'idx': {
      const x = evaluate(n.x, env, elem);
      const i = num(evaluate(n.i, env, elem), 'index');
      if (!Array.isArray(x)) throw new RuntimeError('index of a non-array');
      const k = i < 0 ? x.length + i : i;
      if (!Number.isInteger(k) || k < 0 || k >= x.length)
        throw new RuntimeError(`index out of range: ${i} (len ${x.length})`);
      return x[k]!;
    }
    case 'bin': {
      if (n.op === '&&') return bool(evaluate(n.a, env, elem)) ? bool(evaluate(n.b, env, elem)) : false;
      if (n.op === '||') return bool(evaluate(n.a, env, elem)) ? true : bool(evaluate(n.b, env, elem));
      const a = evaluate(n.a, env, elem);
      const b = evaluate(n.b, env, elem);
      if (n.op === '==') return a === b; // NaN == NaN is false, as in Go
      if (n.op === '!=') return a !== b;
      const x = num(a, n.op);
      const y = num(b, n.op);
      switch (n.op) {
        case '<':
          return x < y;
        case '>':
          return x > y;
        case '<=':
          return x <= y;
        case '>=':
          return x >= y;
        case '+':
          return x + y;
        case '-':
          return x - y;
        case '*':
          return x * y;
        case '/':
          return x / y;
        case '%':
          return x % y;
        default:
          return x ** y;
      }
    }
    case 'closure':
      throw new Unsupported('a predicate outside all/any/none/filter');
    case 'call': {
      const pred = ['all', 'any', 'none', 'filter'].includes(n.fn);
      if (pred) {
        const [arr, body] = n.args;
        if (!arr || body?.t !== 'closure' || n.args.length !== 2)
          throw new Unsupported(`${n.fn}(array, {predicate})`);
        const list = evaluate(arr, env, elem);
        if (!Array.isArray(list)) throw new RuntimeError(`${n.fn} of a non-array`);
        const test = (v: Value) => bool(evaluate(body.body, env, v));
        if (n.fn === 'all') return list.every(test);
        if (n.fn === 'any') return list.some(test);
        if (n.fn === 'none') return !list.some(test);
        return list.filter(test);
      }
      const args = n.args.map((a) => evaluate(a, env, elem));
      switch (n.fn) {
        case 'len': {
          const x = args[0];
          if (Array.isArray(x) || typeof x === 'string') return x.length;
          throw new RuntimeError('len of a non-array');
        }
        case 'isNaN':
          return Number.isNaN(num(args[0]!, 'isNaN'));
        case 'isInf':
          return !Number.isFinite(num(args[0]!, 'isInf')) && !Number.isNaN(args[0]);
        case 'asFloat':
          return num(args[0]!, 'asFloat');
        case 'asInt':
          return Math.trunc(num(args[0]!, 'asInt'));
        case 'abs':
          return Math.abs(num(args[0]!, 'abs'));
        default:
          throw new Unsupported(`function ${n.fn}`);
      }
    }
  }
}

/** Evaluates a condition with `result` bound; throws RuntimeError (Argo: Error) or Unsupported. */
export function evalCondition(condition: string, result: Value): boolean {
  const v = evaluate(parse(condition), { result });
  if (typeof v !== 'boolean') throw new RuntimeError(`condition is a ${typeof v}, not a bool`);
  return v;
}

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/**
 * The phase Argo Rollouts gives a measurement (utils/evaluate/evaluate.go `EvaluateResult`):
 * no conditions → Successful; only a success condition → Failed when it is false; only a
 * failure condition → Successful when it is false; both false → Inconclusive; an evaluation
 * error → Error. Throws Unsupported for conditions outside the subset.
 */
export function measurementPhase(
  successCondition: string | undefined,
  failureCondition: string | undefined,
  result: Value,
): MeasurementPhase {
  let success = false;
  let failure = false;
  try {
    if (successCondition) success = evalCondition(successCondition, result);
    if (failureCondition) failure = evalCondition(failureCondition, result);
  } catch (e) {
    if (e instanceof RuntimeError) return 'Error';
    throw e;
  }
  if (!successCondition && !failureCondition) return 'Successful';
  if (successCondition && !failureCondition) failure = !success;
  if (!successCondition && failureCondition) success = !failure;
  if (failure) return 'Failed';
  if (!success) return 'Inconclusive';
  return 'Successful';
}
