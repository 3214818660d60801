/**
 * A small evaluator for the Terraform JSON-syntax templates the library emits (`"${vault_mount.x.path}"`,
 * `"${element(a.b.imported_issuers, 0)}"`, `"${join(\"\\n\", [a.certificate, b.certificate])}"`) and for the condition
 * expressions a caller may put in `lifecycle.precondition` / `postcondition` / `check` blocks.
 *
 * Values are JSON values plus {@link UNKNOWN}, Terraform's "(known after apply)": any operation over an unknown operand
 * yields unknown, as cty does (internal/lang, hashicorp/terraform v1.11.4). Only the subset of HCL the library and the
 * model's tests use is parsed: literals, traversals (`a.b[0]`), function calls, tuples, objects, unary `!`/`-`,
 * binary arithmetic/comparison/logic and the conditional `c ? a : b`. Template directives (`%{ if }`) are not supported.
 */

/** Terraform's unknown value ("known after apply"). */
export const UNKNOWN = Object.freeze({ unknown: true as const });
export type Unknown = typeof UNKNOWN;
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value } | Unknown;

export function isUnknown(v: unknown): v is Unknown {
  return v === UNKNOWN;
}

/** True when the value is unknown or contains an unknown anywhere. */
export function containsUnknown(v: Value): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === 'object') return Object.values(v).some(containsUnknown);
  return false;
}

export function valuesEqual(a: Value, b: Value): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => valuesEqual(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b as object).sort();
    if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
    return ka.every((k) => valuesEqual((a as Record<string, Value>)[k], (b as Record<string, Value>)[k]));
  }
  return a === b;
}

// ---------------------------------------------------------------------------------------------------------------
// AST

export type Node =
  | { kind: 'lit'; value: Value }
  | { kind: 'template'; parts: Array<string | Node> }
  | { kind: 'var'; name: string }
  | { kind: 'attr'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'tuple'; items: Node[] }
  | { kind: 'object'; items: Array<{ key: Node; value: Node }> }
  | { kind: 'unary'; op: string; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'cond'; cond: Node; then: Node; else: Node };

interface Token { t: 'id' | 'num' | 'str' | 'punct' | 'eof'; v: string }

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const punct = ['==', '!=', '<=', '>=', '&&', '||', '=>', '(', ')', '[', ']', '{', '}', ',', '.', '?', ':', '=', '<', '>', '!', '+', '-', '*', '/', '%'];
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_-]/.test(src[j])) j++;
      out.push({ t: 'id', v: src.slice(i, j) });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9.eE]/.test(src[j])) j++;
      out.push({ t: 'num', v: src.slice(i, j) });
      i = j;
      continue;
    }
    if (c === '"') {
      // Keep the raw body (escapes and nested ${...} are handled by parseTemplate).
      let j = i + 1;
      let depth = 0;
      while (j < src.length) {
        if (src[j] === '\\') { j += 2; continue; }
        if (src[j] === '$' && src[j + 1] === '{') { depth++; j += 2; continue; }
        if (depth > 0 && src[j] === '}') { depth--; j++; continue; }
        if (depth === 0 && src[j] === '"') break;
        j++;
      }
      out.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const p = punct.find((q) => src.startsWith(q, i));
    if (!p) throw new Error(`expr: unexpected character ${JSON.stringify(c)} in ${JSON.stringify(src)}`);
    out.push({ t: 'punct', v: p });
    i += p.length;
  }
  out.push({ t: 'eof', v: '' });
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(["\\nrt])/g, (_m, ch: string) => ({ 'n': '\n', 'r': '\r', 't': '\t', '"': '"', '\\': '\\' } as Record<string, string>)[ch]);
}

const PREC: Record<string, number> = {
  '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6,
};

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[], private readonly src: string) {}
  private peek(): Token { return this.toks[this.pos]; }
  private next(): Token { return this.toks[this.pos++]; }
  private isP(v: string): boolean { const t = this.peek(); return t.t === 'punct' && t.v === v; }
  private expect(v: string): void {
    const t = this.next();
    if (t.t !== 'punct' || t.v !== v) throw new Error(`expr: expected ${v} in ${JSON.stringify(this.src)}, got ${t.v}`);
  }
  parseAll(): Node {
    const n = this.expr();
    if (this.peek().t !== 'eof') throw new Error(`expr: trailing input in ${JSON.stringify(this.src)}`);
    return n;
  }
  expr(): Node {
    const c = this.binary(0);
    if (this.isP('?')) {
      this.next();
      const a = this.expr();
      this.expect(':');
      const b = this.expr();
      return { kind: 'cond', cond: c, then: a, else: b };
    }
    return c;
  }
  private binary(min: number): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const prec = t.t === 'punct' ? PREC[t.v] : undefined;
      if (prec === undefined || prec <= min) return left;
      this.next();
      const right = this.binary(prec);
      left = { kind: 'binary', op: t.v, left, right };
    }
  }
  private unary(): Node {
    if (this.isP('!') || this.isP('-')) {
      const op = this.next().v;
      return { kind: 'unary', op, operand: this.unary() };
    }
    return this.postfix(this.primary());
  }
  private postfix(n: Node): Node {
    for (;;) {
      if (this.isP('.')) {
        this.next();
        const t = this.next();
        if (t.t === 'id' || t.t === 'num') n = t.t === 'num' ? { kind: 'index', target: n, index: { kind: 'lit', value: Number(t.v) } } : { kind: 'attr', target: n, name: t.v };
        else throw new Error(`expr: bad attribute access in ${JSON.stringify(this.src)}`);
      } else if (this.isP('[')) {
        this.next();
        const idx = this.expr();
        this.expect(']');
        n = { kind: 'index', target: n, index: idx };
      } else {
        return n;
      }
    }
  }
  private primary(): Node {
    const t = this.next();
    if (t.t === 'num') return { kind: 'lit', value: Number(t.v) };
    if (t.t === 'str') return parseTemplate(unescapeKeepingInterpolations(t.v));
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return { kind: 'lit', value: t.v === 'true' };
      if (t.v === 'null') return { kind: 'lit', value: null };
      if (this.isP('(')) {
        this.next();
        const args: Node[] = [];
        while (!this.isP(')')) {
          args.push(this.expr());
          if (this.isP(',')) this.next();
        }
        this.expect(')');
        return { kind: 'call', name: t.v, args };
      }
      return { kind: 'var', name: t.v };
    }
    if (t.t === 'punct' && t.v === '(') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (t.t === 'punct' && t.v === '[') {
      const items: Node[] = [];
      while (!this.isP(']')) {
        items.push(this.expr());
        if (this.isP(',')) this.next();
      }
      this.expect(']');
      return { kind: 'tuple', items };
    }
    if (t.t === 'punct' && t.v === '{') {
      const items: Array<{ key: Node; value: Node }> = [];
      while (!this.isP('}')) {
        const kt = this.peek();
        const key: Node = kt.t === 'id' ? (this.next(), { kind: 'lit', value: kt.v }) : this.expr();
        if (this.isP('=') || this.isP(':')) this.next();
        items.push({ key, value: this.expr() });
        if (this.isP(',')) this.next();
      }
      this.expect('}');
      return { kind: 'object', items };
    }
    throw new Error(`expr: unexpected token ${t.v} in ${JSON.stringify(this.src)}`);
  }
}

/** Unescape a quoted HCL string body but leave the `${...}` sequences for the template parser. */
function unescapeKeepingInterpolations(s: string): string {
  return unescape(s);
}

/** Split a template string into literal parts and `${...}` expressions (`$${` is a literal `${`). */
export function parseTemplate(s: string): Node {
  const parts: Array<string | Node> = [];
  let lit = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) { lit += '${'; i += 3; continue; }
    if (s.startsWith('${', i)) {
      let j = i + 2;
      let depth = 1;
      let inStr = false;
      while (j < s.length && depth > 0) {
        const c = s[j];
        if (inStr) {
          if (c === '\\') j++;
          else if (c === '"') inStr = false;
        } else if (c === '"') {inStr = true;} else if (c === '{') {depth++;} else if (c === '}') {depth--;}
        j++;
      }
      const body = s.slice(i + 2, j - 1);
      if (lit) parts.push(lit);
      lit = '';
      parts.push(parseExpression(body));
      i = j;
      continue;
    }
    lit += s[i];
    i++;
  }
  if (lit || parts.length === 0) parts.push(lit);
  if (parts.length === 1 && typeof parts[0] !== 'string') return parts[0];
  if (parts.length === 1) return { kind: 'lit', value: parts[0] as string };
  return { kind: 'template', parts };
}

export function parseExpression(src: string): Node {
  return new Parser(tokenize(src), src).parseAll();
}

/** A JSON-syntax attribute value with its templates parsed (objects and arrays are walked). */
export function parseJsonValue(v: unknown): Node {
  if (typeof v === 'string') return parseTemplate(v);
  if (Array.isArray(v)) return { kind: 'tuple', items: v.map(parseJsonValue) };
  if (v !== null && typeof v === 'object') {
    return { kind: 'object', items: Object.entries(v).map(([k, x]) => ({ key: { kind: 'lit', value: k }, value: parseJsonValue(x) })) };
  }
  return { kind: 'lit', value: v as Value };
}

// ---------------------------------------------------------------------------------------------------------------
// References

/** A reference found in an expression: `type.name[.attr]`, `data.type.name[.attr]`, or another root (`var.x`, `self.x`). */
export interface Reference {
  readonly root: string;
  /** `type.name` / `data.type.name` for resources; `var.x`, `local.x`, `self` etc. otherwise. */
  readonly subject: string;
  readonly attr?: string;
}

const NON_RESOURCE_ROOTS = new Set(['var', 'local', 'self', 'count', 'each', 'path', 'terraform', 'module']);

function traversal(n: Node): string[] | undefined {
  if (n.kind === 'var') return [n.name];
  if (n.kind === 'attr') {
    const t = traversal(n.target);
    return t ? [...t, n.name] : undefined;
  }
  if (n.kind === 'index') {
    const t = traversal(n.target);
    return t ? [...t, '[]'] : undefined;
  }
  return undefined;
}

export function references(n: Node): Reference[] {
  const out: Reference[] = [];
  const visit = (x: Node): void => {
    const tr = traversal(x);
    if (tr) {
      const clean = tr.filter((s) => s !== '[]');
      const root = tr[0];
      if (root === 'data' && clean.length >= 3) out.push({ root, subject: `data.${clean[1]}.${clean[2]}`, attr: tr[3] !== '[]' ? tr[3] : undefined });
      else if (NON_RESOURCE_ROOTS.has(root)) out.push({ root, subject: clean.slice(0, 2).join('.') });
      else if (tr.length >= 2 && tr[1] !== '[]') out.push({ root, subject: `${root}.${tr[1]}`, attr: tr[2] !== undefined && tr[2] !== '[]' ? tr[2] : undefined });
      if (x.kind === 'index') visit(x.index);
      if (x.kind === 'index' || x.kind === 'attr') {
        // indices inside the traversal may hold references too
        let t: Node = x;
        while (t.kind === 'attr' || t.kind === 'index') {
          if (t.kind === 'index') visit(t.index);
          t = t.target;
        }
      }
      return;
    }
    switch (x.kind) {
      case 'template': x.parts.forEach((p) => typeof p !== 'string' && visit(p)); break;
      case 'attr': visit(x.target); break;
      case 'index': visit(x.target); visit(x.index); break;
      case 'call': x.args.forEach(visit); break;
      case 'tuple': x.items.forEach(visit); break;
      case 'object': x.items.forEach((i) => { visit(i.key); visit(i.value); }); break;
      case 'unary': visit(x.operand); break;
      case 'binary': visit(x.left); visit(x.right); break;
      case 'cond': visit(x.cond); visit(x.then); visit(x.else); break;
      default: break;
    }
  };
  visit(n);
  return out;
}

/** True when the expression calls one of the named functions (e.g. `plantimestamp`). */
export function callsFunction(n: Node, name: string): boolean {
  switch (n.kind) {
    case 'call': return n.name === name || n.args.some((a) => callsFunction(a, name));
    case 'template': return n.parts.some((p) => typeof p !== 'string' && callsFunction(p, name));
    case 'attr': return callsFunction(n.target, name);
    case 'index': return callsFunction(n.target, name) || callsFunction(n.index, name);
    case 'tuple': return n.items.some((i) => callsFunction(i, name));
    case 'object': return n.items.some((i) => callsFunction(i.key, name) || callsFunction(i.value, name));
    case 'unary': return callsFunction(n.operand, name);
    case 'binary': return callsFunction(n.left, name) || callsFunction(n.right, name);
    case 'cond': return callsFunction(n.cond, name) || callsFunction(n.then, name) || callsFunction(n.else, name);
    default: return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

export interface EvalScope {
  /** Root variables: resource types map to `{ name: object }`, `data` to `{ type: { name: object } }`, `self` etc. */
  readonly vars: Record<string, Value>;
  /** The value plantimestamp() returns (RFC 3339); unknown when not given (validate walk). */
  readonly planTimestamp?: string;
}

function toStr(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`expr: cannot convert ${JSON.stringify(v)} to string`);
}

function parseDuration(d: string): number {
  let ms = 0;
  const re = /(-?[0-9.]+)(h|ms|m|s)/g;
  let m: RegExpExecArray | null;
  let matched = '';
  while ((m = re.exec(d)) !== null) {
    matched += m[0];
    ms += Number(m[1]) * ({ h: 3600e3, m: 60e3, s: 1e3, ms: 1 } as Record<string, number>)[m[2]];
  }
  if (matched !== d) throw new Error(`expr: invalid duration ${d}`);
  return ms;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

type Fn = (args: Value[]) => Value;
const FUNCTIONS: Record<string, Fn> = {
  element: ([list, idx]) => {
    if (isUnknown(list) || isUnknown(idx)) return UNKNOWN;
    if (!Array.isArray(list)) throw new Error('expr: element() needs a list');
    if (list.length === 0) throw new Error('expr: element() on an empty list');
    return list[Number(idx) % list.length];
  },
  join: ([sep, list]) => {
    if (containsUnknown(sep) || containsUnknown(list)) return UNKNOWN;
    return (list as Value[]).map(toStr).join(toStr(sep));
  },
  length: ([v]) => {
    if (isUnknown(v)) return UNKNOWN;
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v !== null && typeof v === 'object') return Object.keys(v).length;
    throw new Error('expr: length() of a non-collection');
  },
  concat: (lists) => (lists.some(isUnknown) ? UNKNOWN : (lists as Value[][]).flat()),
  contains: ([list, v]) => (containsUnknown(list) || containsUnknown(v) ? UNKNOWN : (list as Value[]).some((x) => valuesEqual(x, v))),
  tostring: ([v]) => (isUnknown(v) ? UNKNOWN : v === null ? null : toStr(v)),
  tonumber: ([v]) => (isUnknown(v) ? UNKNOWN : v === null ? null : Number(v)),
  tolist: ([v]) => v,
  toset: ([v]) => (isUnknown(v) ? UNKNOWN : Array.from(new Set((v as Value[]).map((x) => JSON.stringify(x)))).map((x) => JSON.parse(x) as Value)),
  jsonencode: ([v]) => (containsUnknown(v) ? UNKNOWN : JSON.stringify(v)),
  lower: ([v]) => (isUnknown(v) ? UNKNOWN : toStr(v).toLowerCase()),
  upper: ([v]) => (isUnknown(v) ? UNKNOWN : toStr(v).toUpperCase()),
  trimspace: ([v]) => (isUnknown(v) ? UNKNOWN : toStr(v).trim()),
  split: ([sep, v]) => (isUnknown(sep) || isUnknown(v) ? UNKNOWN : toStr(v).split(toStr(sep))),
  replace: ([s, find, rep]) => {
    if ([s, find, rep].some(isUnknown)) return UNKNOWN;
    const f = toStr(find);
    if (f.length > 1 && f.startsWith('/') && f.endsWith('/')) return toStr(s).replace(new RegExp(f.slice(1, -1), 'g'), toStr(rep));
    return toStr(s).split(f).join(toStr(rep));
  },
  format: ([fmt, ...rest]) => {
    if (isUnknown(fmt) || rest.some(containsUnknown)) return UNKNOWN;
    let i = 0;
    return toStr(fmt).replace(/%[sdv%]/g, (m) => (m === '%%' ? '%' : toStr(rest[i++])));
  },
  startswith: ([s, p]) => (isUnknown(s) || isUnknown(p) ? UNKNOWN : toStr(s).startsWith(toStr(p))),
  endswith: ([s, p]) => (isUnknown(s) || isUnknown(p) ? UNKNOWN : toStr(s).endsWith(toStr(p))),
  coalesce: (args) => {
    for (const a of args) {
      if (isUnknown(a)) return UNKNOWN;
      if (a !== null && a !== '') return a;
    }
    throw new Error('expr: coalesce() with no non-null argument');
  },
  lookup: ([m, k, d]) => {
    if (isUnknown(m) || isUnknown(k)) return UNKNOWN;
    const o = m as Record<string, Value>;
    return Object.prototype.hasOwnProperty.call(o, toStr(k)) ? o[toStr(k)] : (d === undefined ? (() => { throw new Error('expr: lookup() missing key'); })() : d);
  },
  keys: ([m]) => (isUnknown(m) ? UNKNOWN : Object.keys(m as object).sort()),
  values: ([m]) => (isUnknown(m) ? UNKNOWN : Object.keys(m as object).sort().map((k) => (m as Record<string, Value>)[k])),
  merge: (ms) => (ms.some(isUnknown) ? UNKNOWN : Object.assign({}, ...(ms as object[]))),
  one: ([l]) => (isUnknown(l) ? UNKNOWN : (l as Value[]).length === 0 ? null : (l as Value[])[0]),
  distinct: ([l]) => FUNCTIONS.toset([l]),
  compact: ([l]) => (isUnknown(l) ? UNKNOWN : (l as Value[]).filter((x) => x !== null && x !== '')),
  flatten: ([l]) => (isUnknown(l) ? UNKNOWN : (l as Value[]).flat(Infinity as 1) as Value[]),
  sort: ([l]) => (containsUnknown(l) ? UNKNOWN : [...(l as Value[])].map(toStr).sort()),
  max: (a) => (a.some(isUnknown) ? UNKNOWN : Math.max(...(a as number[]))),
  min: (a) => (a.some(isUnknown) ? UNKNOWN : Math.min(...(a as number[]))),
  abs: ([a]) => (isUnknown(a) ? UNKNOWN : Math.abs(a as number)),
  substr: ([s, o, l]) => {
    if (isUnknown(s) || isUnknown(o) || isUnknown(l)) return UNKNOWN;
    return toStr(s).substr(o as number, (l as number) < 0 ? undefined : l as number);
  },
  index: ([l, v]) => (containsUnknown(l) || containsUnknown(v) ? UNKNOWN : (l as Value[]).findIndex((x) => valuesEqual(x, v))),
  // timecmp(a, b): -1, 0 or 1 (internal/lang/funcs/datetime.go TimeCmpFunc)
  timecmp: ([a, b]) => {
    if (isUnknown(a) || isUnknown(b)) return UNKNOWN;
    const x = Date.parse(toStr(a));
    const y = Date.parse(toStr(b));
    if (Number.isNaN(x) || Number.isNaN(y)) throw new Error('expr: timecmp() needs RFC 3339 timestamps');
    return x < y ? -1 : x > y ? 1 : 0;
  },
  timeadd: ([t, d]) => (isUnknown(t) || isUnknown(d) ? UNKNOWN : rfc3339(Date.parse(toStr(t)) + parseDuration(toStr(d)))),
};

export function evaluate(n: Node, scope: EvalScope): Value {
  switch (n.kind) {
    case 'lit': return n.value;
    case 'template': {
      const vals = n.parts.map((p) => (typeof p === 'string' ? p : evaluate(p, scope)));
      if (vals.some(containsUnknown)) return UNKNOWN;
      return vals.map((v) => toStr(v)).join('');
    }
    case 'var': {
      if (!(n.name in scope.vars)) throw new Error(`expr: unknown name ${n.name}`);
      return scope.vars[n.name];
    }
    case 'attr': {
      const t = evaluate(n.target, scope);
      if (isUnknown(t)) return UNKNOWN;
      if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new Error(`expr: cannot read .${n.name} of ${JSON.stringify(t)}`);
      if (!(n.name in t)) throw new Error(`expr: unsupported attribute ${n.name}`);
      return (t as Record<string, Value>)[n.name];
    }
    case 'index': {
      const t = evaluate(n.target, scope);
      const i = evaluate(n.index, scope);
      if (isUnknown(t) || isUnknown(i)) return UNKNOWN;
      if (Array.isArray(t)) return t[i as number];
      if (t !== null && typeof t === 'object') return (t as Record<string, Value>)[toStr(i)];
      throw new Error('expr: index of a non-collection');
    }
    case 'call': {
      if (n.name === 'plantimestamp') return scope.planTimestamp ?? UNKNOWN;
      if (n.name === 'try') {
        for (const a of n.args) {
          try { return evaluate(a, scope); } catch { /* next */ }
        }
        throw new Error('expr: try() with no successful argument');
      }
      if (n.name === 'can') {
        try { const v = evaluate(n.args[0], scope); return isUnknown(v) ? UNKNOWN : true; } catch { return false; }
      }
      const f = FUNCTIONS[n.name];
      if (!f) throw new Error(`expr: unsupported function ${n.name}()`);
      return f(n.args.map((a) => evaluate(a, scope)));
    }
    case 'tuple': return n.items.map((i) => evaluate(i, scope));
    case 'object': {
      const o: Record<string, Value> = {};
      for (const it of n.items) {
        const k = evaluate(it.key, scope);
        if (isUnknown(k)) return UNKNOWN;
        o[toStr(k)] = evaluate(it.value, scope);
      }
      return o;
    }
    case 'unary': {
      const v = evaluate(n.operand, scope);
      if (isUnknown(v)) return UNKNOWN;
      return n.op === '!' ? !v : -(v as number);
    }
    case 'binary': {
      const a = evaluate(n.left, scope);
      const b = evaluate(n.right, scope);
      if (isUnknown(a) || isUnknown(b)) return UNKNOWN;
      switch (n.op) {
        case '==': return valuesEqual(a, b);
        case '!=': return !valuesEqual(a, b);
        case '&&': return Boolean(a) && Boolean(b);
        case '||': return Boolean(a) || Boolean(b);
        case '<': return (a as number) < (b as number);
        case '>': return (a as number) > (b as number);
        case '<=': return (a as number) <= (b as number);
        case '>=': return (a as number) >= (b as number);
        case '+': return (a as number) + (b as number);
        case '-': return (a as number) - (b as number);
        case '*': return (a as number) * (b as number);
        case '/': return (a as number) / (b as number);
        case '%': return (a as number) % (b as number);
        default: throw new Error(`expr: operator ${n.op}`);
      }
    }
    case 'cond': {
      const c = evaluate(n.cond, scope);
      if (isUnknown(c)) return UNKNOWN;
      return evaluate(c ? n.then : n.else, scope);
    }
    default: throw new Error('expr: unreachable');
  }
}
