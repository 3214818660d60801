/**
 * The CEL environment of approver-policy's `validations` (v0.27.0 `pkg/internal/approver/validation/validator.go`,
 * `serviceaccount.go`, `certificaterequest.proto`, `cache.go`), modelled on @bufbuild/cel 0.6.1.
 *
 * Upstream compiles each rule with cel-go in an environment of two variables, `self` (string: the attribute value)
 * and `cr` (a `cm.io.policy.pkg.internal.approver.validation.CertificateRequest` message with `name`, `namespace`,
 * `username` and `groups`), the ext.Strings library and a ServiceAccount library (`serviceAccount(string)`,
 * `.getName()`, `.getNamespace()`, `isServiceAccount(string)`); a rule that does not compile, or whose output type is
 * not `bool`, is an error; evaluation runs under a cost limit of 1,000,000.
 *
 * @bufbuild/cel 0.6.1 parses and evaluates but does not type-check, so the compile step is modelled here by a small
 * checker of that environment (declared variables and fields, the overloads of the standard library, ext.Strings and
 * the ServiceAccount library, comprehension ranges, the bool output type) that reports errors in cel-go's wording
 * and display format. Syntax errors are reported by the @bufbuild/cel parser in its own words. The cost limit is
 * modelled by an estimate of iteration counts (see `estimateCost`). See README.md, "Modelled approximately".
 */
import { celEnv, celFunc, celMethod, CelScalar, isCelError, mapType, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** What upstream binds to `cr` (validator.go `Validate`). */
export interface CelRequest {
  readonly name: string;
  readonly namespace: string;
  readonly username: string;
  readonly groups: readonly string[];
}

/** A rule that cel-go would not compile; `message` is cel-go's `iss.Err()` text (or the result-type error). */
export class CelCompileError extends Error {}
/** An evaluation error (upstream returns it and the allowed evaluator reports a field.InternalError). */
export class CelEvalError extends Error {}

export const CEL_COST_LIMIT = 1_000_000;
const CR_TYPE = 'cm.io.policy.pkg.internal.approver.validation.CertificateRequest';
const SA_TYPE = 'cm.io.policy.pkg.internal.approver.validation.ServiceAccount';

// ---------------------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------------------

type Prim = 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null_type' | 'type' | 'google.protobuf.Timestamp' | 'google.protobuf.Duration';
type T =
  | { readonly k: 'prim'; readonly n: Prim }
  | { readonly k: 'dyn' }
  | { readonly k: 'error' }
  | { readonly k: 'list'; readonly e: T }
  | { readonly k: 'map'; readonly key: T; readonly val: T }
  | { readonly k: 'obj'; readonly n: string };

const p = (n: Prim): T => ({ k: 'prim', n });
const BOOL = p('bool');
const INT = p('int');
const UINT = p('uint');
const DOUBLE = p('double');
const STRING = p('string');
const BYTES = p('bytes');
const NULL = p('null_type');
const TYPE = p('type');
const TIMESTAMP = p('google.protobuf.Timestamp');
const DURATION = p('google.protobuf.Duration');
const DYN: T = { k: 'dyn' };
const ERR: T = { k: 'error' };
const list = (e: T): T => ({ k: 'list', e });
const map = (key: T, val: T): T => ({ k: 'map', key, val });
const CR: T = { k: 'obj', n: CR_TYPE };
const SA: T = { k: 'obj', n: SA_TYPE };

function fmt(t: T): string {
  switch (t.k) {
    case 'prim': return t.n;
    case 'dyn': return 'dyn';
    case 'error': return '*error*';
    case 'list': return `list(${fmt(t.e)})`;
    case 'map': return `map(${fmt(t.key)}, ${fmt(t.val)})`;
    case 'obj': return t.n;
  }
}

const loose = (t: T) => t.k === 'dyn' || t.k === 'error';

/** Whether a value of type `actual` may be passed where `want` is expected (dyn and errors go anywhere). */
function assignable(want: T, actual: T): boolean {
  if (loose(want) || loose(actual)) return true;
  if (want.k !== actual.k) return false;
  switch (want.k) {
    case 'prim': return want.n === (actual as typeof want).n;
    case 'obj': return want.n === (actual as typeof want).n;
    case 'list': return assignable(want.e, (actual as typeof want).e);
    case 'map': return assignable(want.key, (actual as typeof want).key) && assignable(want.val, (actual as typeof want).val);
  }
  return false;
}

/** The more specific of two mutually assignable types. */
function join(a: T, b: T): T {
  if (loose(a)) return b;
  if (loose(b)) return a;
  if (a.k === 'list' && b.k === 'list') return list(join(a.e, b.e));
  if (a.k === 'map' && b.k === 'map') return map(join(a.key, b.key), join(a.val, b.val));
  return a;
}

const is = (t: T, ...prims: Prim[]) => loose(t) || (t.k === 'prim' && prims.includes(t.n));
const isList = (t: T) => loose(t) || t.k === 'list';
const isMap = (t: T) => loose(t) || t.k === 'map';
const elem = (t: T) => (t.k === 'list' ? t.e : DYN);

// ---------------------------------------------------------------------------------------------------------------
// Overloads: (target, args) -> result, or undefined when the overload does not apply.
// ---------------------------------------------------------------------------------------------------------------

type Overload = (target: T | undefined, args: T[]) => T | undefined;

const fn = (params: ((t: T) => boolean)[], result: T | ((args: T[]) => T)): Overload => (target, args) => {
  if (target !== undefined || args.length !== params.length || !params.every((ok, i) => ok(args[i]))) return undefined;
  return typeof result === 'function' ? result(args) : result;
};
const method = (recv: (t: T) => boolean, params: ((t: T) => boolean)[], result: T | ((target: T, args: T[]) => T)): Overload => (target, args) => {
  if (target === undefined || !recv(target) || args.length !== params.length || !params.every((ok, i) => ok(args[i]))) return undefined;
  return typeof result === 'function' ? result(target, args) : result;
};
const of = (...prims: Prim[]) => (t: T) => is(t, ...prims);
const anyT = () => true;
const obj = (n: string) => (t: T) => loose(t) || (t.k === 'obj' && t.n === n);

const NUMERIC: Prim[] = ['int', 'uint', 'double'];
const sameTyped = (prims: Prim[], result?: T): Overload => (target, args) => {
  if (target !== undefined || args.length !== 2) return undefined;
  for (const n of prims) {
    if (is(args[0], n) && is(args[1], n)) return result ?? (loose(args[0]) ? (loose(args[1]) ? DYN : args[1]) : args[0]);
  }
  return undefined;
};
const comparable: Overload = (target, args) => {
  if (target !== undefined || args.length !== 2) return undefined;
  const [a, b] = args;
  if (is(a, ...NUMERIC) && is(b, ...NUMERIC)) return BOOL; // cross-type numeric comparisons are on by default
  for (const n of ['string', 'bytes', 'bool', 'google.protobuf.Timestamp', 'google.protobuf.Duration'] as Prim[]) {
    if (is(a, n) && is(b, n)) return BOOL;
  }
  return undefined;
};
const equality: Overload = (target, args) => (target === undefined && args.length === 2 && assignable(args[0], args[1]) ? BOOL : undefined);
const conversion = (result: T, from: Prim[]): Overload => fn([of(...from)], result);
const stringMethod = (params: ((t: T) => boolean)[], result: T): Overload => method(of('string'), params, result);

const OVERLOADS: Record<string, Overload[]> = {
  '_+_': [
    sameTyped(['int', 'uint', 'double', 'string', 'bytes', 'google.protobuf.Duration']),
    fn([isList, isList], (a) => (assignable(a[0], a[1]) ? join(a[0], a[1]) : ERR)),
    fn([of('google.protobuf.Timestamp'), of('google.protobuf.Duration')], TIMESTAMP),
    fn([of('google.protobuf.Duration'), of('google.protobuf.Timestamp')], TIMESTAMP),
  ],
  '_-_': [
    sameTyped(['int', 'uint', 'double', 'google.protobuf.Duration']),
    fn([of('google.protobuf.Timestamp'), of('google.protobuf.Timestamp')], DURATION),
    fn([of('google.protobuf.Timestamp'), of('google.protobuf.Duration')], TIMESTAMP),
  ],
  '_*_': [sameTyped(NUMERIC)],
  '_/_': [sameTyped(NUMERIC)],
  '_%_': [sameTyped(['int', 'uint'])],
  '-_': [fn([of('int')], INT), fn([of('double')], DOUBLE)],
  '!_': [fn([of('bool')], BOOL)],
  '_<_': [comparable],
  '_<=_': [comparable],
  '_>_': [comparable],
  '_>=_': [comparable],
  '_==_': [equality],
  '_!=_': [equality],
  '_?_:_': [(target, args) => (target === undefined && args.length === 3 && is(args[0], 'bool') && assignable(args[1], args[2]) ? join(args[1], args[2]) : undefined)],
  '_[_]': [
    fn([isList, of('int')], (a) => elem(a[0])),
    fn([isMap, anyT], (a) => (a[0].k === 'map' ? (assignable(a[0].key, a[1]) ? a[0].val : ERR) : DYN)),
  ],
  '@in': [
    fn([anyT, isList], (a) => (assignable(elem(a[1]), a[0]) ? BOOL : ERR)),
    fn([anyT, isMap], (a) => (a[1].k !== 'map' || assignable(a[1].key, a[0]) ? BOOL : ERR)),
  ],
  '@not_strictly_false': [fn([of('bool')], BOOL)],
  'size': [
    fn([(t) => is(t, 'string', 'bytes') || isList(t) || isMap(t)], INT),
    method((t) => is(t, 'string', 'bytes') || isList(t) || isMap(t), [], INT),
  ],
  'contains': [stringMethod([of('string')], BOOL)],
  'startsWith': [stringMethod([of('string')], BOOL)],
  'endsWith': [stringMethod([of('string')], BOOL)],
  'matches': [stringMethod([of('string')], BOOL), fn([of('string'), of('string')], BOOL)],
  'int': [conversion(INT, ['int', 'uint', 'double', 'string', 'google.protobuf.Timestamp'])],
  'uint': [conversion(UINT, ['uint', 'int', 'double', 'string'])],
  'double': [conversion(DOUBLE, ['double', 'int', 'uint', 'string'])],
  'string': [conversion(STRING, ['string', 'int', 'uint', 'double', 'bytes', 'bool', 'google.protobuf.Timestamp', 'google.protobuf.Duration'])],
  'bytes': [conversion(BYTES, ['bytes', 'string'])],
  'bool': [conversion(BOOL, ['bool', 'string'])],
  'dyn': [fn([anyT], DYN)],
  'type': [fn([anyT], TYPE)],
  'duration': [conversion(DURATION, ['string'])],
  'timestamp': [conversion(TIMESTAMP, ['string'])],
  // ext.Strings (cel-go `ext.Strings()`, latest version)
  'charAt': [stringMethod([of('int')], STRING)],
  'indexOf': [stringMethod([of('string')], INT), stringMethod([of('string'), of('int')], INT)],
  'lastIndexOf': [stringMethod([of('string')], INT), stringMethod([of('string'), of('int')], INT)],
  'lowerAscii': [stringMethod([], STRING)],
  'upperAscii': [stringMethod([], STRING)],
  'replace': [stringMethod([of('string'), of('string')], STRING), stringMethod([of('string'), of('string'), of('int')], STRING)],
  'split': [stringMethod([of('string')], list(STRING)), stringMethod([of('string'), of('int')], list(STRING))],
  'substring': [stringMethod([of('int')], STRING), stringMethod([of('int'), of('int')], STRING)],
  'trim': [stringMethod([], STRING)],
  'reverse': [stringMethod([], STRING)],
  'join': [method((t) => loose(t) || (t.k === 'list' && is(t.e, 'string')), [], STRING),
    method((t) => loose(t) || (t.k === 'list' && is(t.e, 'string')), [of('string')], STRING)],
  'format': [stringMethod([isList], STRING)],
  'strings.quote': [fn([of('string')], STRING)],
  // the ServiceAccount library (serviceaccount.go)
  'serviceAccount': [fn([of('string')], SA)],
  'getName': [method(obj(SA_TYPE), [], STRING)],
  'getNamespace': [method(obj(SA_TYPE), [], STRING)],
  'isServiceAccount': [fn([of('string')], BOOL)],
};
for (const getter of ['getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfYear', 'getDayOfWeek', 'getHours', 'getMinutes',
  'getSeconds', 'getMilliseconds']) {
  OVERLOADS[getter] = [method(of('google.protobuf.Timestamp', 'google.protobuf.Duration'), [], INT),
    method(of('google.protobuf.Timestamp'), [of('string')], INT)];
}

const CR_FIELDS: Record<string, T> = { name: STRING, namespace: STRING, username: STRING, groups: list(STRING) };

// ---------------------------------------------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------------------------------------------

interface CheckError { offset: number; message: string }

class Checker {
  readonly errors: CheckError[] = [];
  private readonly scopes: Map<string, T>[] = [new Map([['self', STRING], ['cr', CR]])];

  constructor(private readonly source: string, private readonly positions: Record<string, number>) {}

  check(e: any): T {
    const v = e.exprKind.value;
    switch (e.exprKind.case) {
      case 'constExpr': return this.constant(v);
      case 'identExpr': return this.ident(e, v.name);
      case 'selectExpr': return this.select(e, v);
      case 'callExpr': return this.call(e, v);
      case 'listExpr': {
        const types = v.elements.map((x: any) => this.check(x));
        if (types.length === 0) return list(DYN);
        return list(types.every((t: T) => assignable(types[0], t) && assignable(t, types[0])) ? types.reduce(join) : DYN);
      }
      case 'structExpr': {
        if (v.messageName) {
          this.report(e, `undeclared reference to '${v.messageName}' (in container '')`);
          v.entries.forEach((x: any) => x.value && this.check(x.value));
          return ERR;
        }
        let key: T | undefined;
        let val: T | undefined;
        for (const entry of v.entries) {
          const kt = this.check(entry.keyKind.value);
          const vt = this.check(entry.value);
          key = key === undefined ? kt : assignable(key, kt) ? join(key, kt) : DYN;
          val = val === undefined ? vt : assignable(val, vt) ? join(val, vt) : DYN;
        }
        return map(key ?? DYN, val ?? DYN);
      }
      case 'comprehensionExpr': return this.comprehension(v);
      default:
        this.report(e, `unsupported expression kind ${e.exprKind.case}`);
        return ERR;
    }
  }

  private constant(c: any): T {
    switch (c.constantKind.case) {
      case 'boolValue': return BOOL;
      case 'int64Value': return INT;
      case 'uint64Value': return UINT;
      case 'doubleValue': return DOUBLE;
      case 'stringValue': return STRING;
      case 'bytesValue': return BYTES;
      case 'nullValue': return NULL;
      default: return DYN;
    }
  }

  private lookup(name: string): T | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const t = this.scopes[i].get(name);
      if (t) return t;
    }
    return undefined;
  }

  private ident(e: any, name: string): T {
    const t = this.lookup(name);
    if (t) return t;
    this.report(e, `undeclared reference to '${name}' (in container '')`);
    return ERR;
  }

  private select(e: any, v: any): T {
    const operand = this.check(v.operand);
    const field: string = v.field;
    let result: T;
    if (loose(operand)) {
      result = DYN;
    } else if (operand.k === 'map') {
      result = assignable(operand.key, STRING) ? operand.val : ERR;
    } else if (operand.k === 'obj') {
      const ft = operand.n === CR_TYPE ? CR_FIELDS[field] : undefined;
      if (!ft) {
        this.report(e, `undefined field '${field}'`);
        result = ERR;
      } else {
        result = ft;
      }
    } else {
      this.report(e, `type '${fmt(operand)}' does not support field selection`);
      result = ERR;
    }
    return v.testOnly ? BOOL : result;
  }

  private call(e: any, v: any): T {
    const name: string = v.function;
    if (name === '_&&_' || name === '_||_') {
      for (const arg of v.args) {
        const t = this.check(arg);
        if (!is(t, 'bool')) this.report(arg, `expected type 'bool' but found '${fmt(t)}'`);
      }
      return BOOL;
    }
    // A namespaced global function (`strings.quote(x)`) parses as a method call on an undeclared identifier.
    if (v.target?.exprKind.case === 'identExpr' && !this.lookup(v.target.exprKind.value.name)) {
      const qualified = `${v.target.exprKind.value.name}.${name}`;
      if (OVERLOADS[qualified]) return this.call(e, { function: qualified, args: v.args });
    }
    const target = v.target ? this.check(v.target) : undefined;
    const args: T[] = v.args.map((a: any) => this.check(a));
    const overloads = OVERLOADS[name];
    if (!overloads) {
      this.report(e, `undeclared reference to '${name}' (in container '')`);
      return ERR;
    }
    const results = overloads.map((o) => o(target, args)).filter((r): r is T => r !== undefined && r.k !== 'error');
    if (results.length === 0) {
      const sig = target ? `${fmt(target)}.(${args.map(fmt).join(', ')})` : `(${args.map(fmt).join(', ')})`;
      this.report(e, `found no matching overload for '${name}' applied to '${sig}'`);
      return ERR;
    }
    return results.every((r) => fmt(r) === fmt(results[0])) ? results[0] : DYN;
  }

  private comprehension(v: any): T {
    const range = this.check(v.iterRange);
    let iter: T;
    let iter2: T = DYN;
    if (loose(range)) {
      iter = DYN;
    } else if (range.k === 'list') {
      iter = v.iterVar2 ? INT : range.e;
      iter2 = range.e;
    } else if (range.k === 'map') {
      iter = range.key;
      iter2 = range.val;
    } else {
      this.report(v.iterRange, `expression of type '${fmt(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`);
      iter = DYN;
    }
    let accu = this.check(v.accuInit);
    const loopScope = new Map<string, T>([[v.accuVar, accu], [v.iterVar, iter]]);
    if (v.iterVar2) loopScope.set(v.iterVar2, iter2);
    this.scopes.push(loopScope);
    const cond = this.check(v.loopCondition);
    if (!is(cond, 'bool')) this.report(v.loopCondition, `expected type 'bool' but found '${fmt(cond)}'`);
    const step = this.check(v.loopStep);
    if (assignable(accu, step)) accu = join(accu, step);
    this.scopes.pop();
    this.scopes.push(new Map([[v.accuVar, accu]]));
    const result = this.check(v.result);
    this.scopes.pop();
    return result;
  }

  /** Records an error at the expression's location, placed where cel-go's parser places it. */
  private report(e: any, message: string): void {
    this.errors.push({ offset: this.location(e), message });
  }

  private location(e: any): number {
    let pos = this.positions[String(e.id)] ?? 0;
    const src = this.source;
    const skipSpace = () => {
      while (pos < src.length && /\s/.test(src[pos])) pos++;
    };
    if (e.exprKind.case === 'callExpr') {
      const name: string = e.exprKind.value.function;
      if (/^[-!]_$|^_.*_$/.test(name) && name !== '_[_]') {
        skipSpace(); // @bufbuild/cel places binary operators just after the left operand; cel-go at the operator
      } else if (name !== '_[_]') {
        // cel-go places a call at its open parenthesis; @bufbuild/cel at the function name (or the '.' of a method)
        if (src[pos] === '.') pos++;
        skipSpace();
        while (pos < src.length && /[\w.]/.test(src[pos])) pos++;
        skipSpace();
      }
    }
    return pos;
  }

  /** cel-go's `Errors.ToDisplayString`: sorted by location, each with the source line and a caret. */
  display(): string {
    const lines = this.source.split('\n');
    const located = this.errors.map((err) => {
      let line = 0;
      let col = err.offset;
      while (line < lines.length - 1 && col > lines[line].length) {
        col -= lines[line].length + 1;
        line++;
      }
      return { ...err, line, col };
    });
    located.sort((a, b) => a.line - b.line || a.col - b.col);
    return located.map((err) => {
      const snippet = (lines[err.line] ?? '').replace(/\t/g, ' ');
      const chars = Array.from(snippet);
      let ind = '';
      for (let i = 0; i < err.col && i < chars.length; i++) ind += chars[i].length > 1 || chars[i].charCodeAt(0) > 127 ? '\uff0e' : '.';
      ind += err.col < chars.length && chars[err.col].charCodeAt(0) > 127 ? '\uff3e' : '^';
      const head = `ERROR: <input>:${err.line + 1}:${err.col + 1}: ${err.message}`;
      return snippet.length > 0 ? `${head}\n | ${snippet}\n | ${ind}` : head;
    }).join('\n');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Runtime
// ---------------------------------------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * k8s.io/apiserver `serviceaccount.SplitUsername`: `system:serviceaccount:<namespace>:<name>` with a DNS-1123 label
 * namespace and a DNS-1123 subdomain name.
 */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  const prefix = 'system:serviceaccount:';
  if (!username.startsWith(prefix)) return undefined;
  const parts = username.slice(prefix.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts;
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) return undefined;
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

const SA_RUNTIME = mapType(CelScalar.STRING, CelScalar.STRING);
const RUNTIME_FUNCS = [
  ...strings,
  celMethod('reverse', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
    return Array.from(this).reverse().join('');
  }),
  celFunc('serviceAccount', [CelScalar.STRING], SA_RUNTIME, (username: string) => {
    const sa = splitServiceAccountUsername(username);
    if (!sa) {
      throw new Error(`Unable to convert to serviceaccount: err: Username must be in the form system:serviceaccount:namespace:name, username: ${username}`);
    }
    return new Map([['name', sa.name], ['namespace', sa.namespace]]);
  }),
  celMethod('getName', SA_RUNTIME, [], CelScalar.STRING, function (this: any) {
    return this.get('name') as string;
  }),
  celMethod('getNamespace', SA_RUNTIME, [], CelScalar.STRING, function (this: any) {
    return this.get('namespace') as string;
  }),
  celFunc('isServiceAccount', [CelScalar.STRING], CelScalar.BOOL, (username: string) => splitServiceAccountUsername(username) !== undefined),
];
const ENV = celEnv({
  funcs: RUNTIME_FUNCS,
  variables: { self: CelScalar.STRING, cr: mapType(CelScalar.STRING, CelScalar.DYN) },
});

function bindings(value: string, cr: CelRequest): any {
  return {
    self: value,
    cr: new Map<string, unknown>([['name', cr.name], ['namespace', cr.namespace], ['username', cr.username], ['groups', [...cr.groups]]]),
  };
}

/**
 * An estimate of cel-go's runtime cost: one unit per expression node evaluated, each comprehension's step and
 * condition counted once per element of its range. Range sizes are those of list/map literals, or of ranges computed
 * from `self`/`cr` alone (evaluated); a range over a comprehension variable counts as one element.
 */
export function estimateCost(e: any, value: string, cr: CelRequest, bound: Set<string> = new Set()): number {
  const v = e.exprKind.value;
  switch (e.exprKind.case) {
    case 'constExpr':
    case 'identExpr': return 1;
    case 'selectExpr': return 1 + estimateCost(v.operand, value, cr, bound);
    case 'callExpr': return 1 + (v.target ? estimateCost(v.target, value, cr, bound) : 0)
      + v.args.reduce((n: number, a: any) => n + estimateCost(a, value, cr, bound), 0);
    case 'listExpr': return 1 + v.elements.reduce((n: number, a: any) => n + estimateCost(a, value, cr, bound), 0);
    case 'structExpr': return 1 + v.entries.reduce((n: number, x: any) => n + estimateCost(x.value, value, cr, bound)
      + (x.keyKind.case === 'mapKey' ? estimateCost(x.keyKind.value, value, cr, bound) : 0), 0);
    case 'comprehensionExpr': {
      const inner = new Set([...bound, v.iterVar, v.iterVar2, v.accuVar].filter(Boolean));
      const size = rangeSize(v.iterRange, value, cr, bound);
      return estimateCost(v.iterRange, value, cr, bound) + estimateCost(v.accuInit, value, cr, bound)
        + size * (estimateCost(v.loopCondition, value, cr, inner) + estimateCost(v.loopStep, value, cr, inner))
        + estimateCost(v.result, value, cr, inner);
    }
    default: return 1;
  }
}

function freeIdents(e: any, out: Set<string> = new Set()): Set<string> {
  const v = e.exprKind.value;
  switch (e.exprKind.case) {
    case 'identExpr': out.add(v.name); break;
    case 'selectExpr': freeIdents(v.operand, out); break;
    case 'callExpr': if (v.target) freeIdents(v.target, out); v.args.forEach((a: any) => freeIdents(a, out)); break;
    case 'listExpr': v.elements.forEach((a: any) => freeIdents(a, out)); break;
    case 'structExpr': v.entries.forEach((x: any) => freeIdents(x.value, out)); break;
    case 'comprehensionExpr': ['iterRange', 'accuInit', 'loopCondition', 'loopStep', 'result'].forEach((k) => freeIdents(v[k], out)); break;
    default: break;
  }
  return out;
}

function rangeSize(range: any, value: string, cr: CelRequest, bound: Set<string>): number {
  if (range.exprKind.case === 'listExpr') return range.exprKind.value.elements.length;
  if (range.exprKind.case === 'structExpr') return range.exprKind.value.entries.length;
  if ([...freeIdents(range)].some((n) => bound.has(n))) return 1;
  const result: any = plan(ENV, range)(bindings(value, cr));
  if (isCelError(result)) return 1;
  if (Array.isArray(result)) return result.length;
  if (typeof result?.size === 'number') return result.size;
  return 1;
}

/** A compiled validation rule (upstream `validator`). */
export interface Validator {
  /** upstream `Validate`: the rule's verdict on `value` in the context of the request; throws CelEvalError. */
  validate(value: string, cr: CelRequest): boolean;
}

/** upstream `validator.compile`: parse, type-check against the environment, require a bool result. */
export function compileRule(rule: string): Validator {
  let parsed: any;
  try {
    parsed = parse(rule);
  } catch (err) {
    throw new CelCompileError(`ERROR: <input>: Syntax error: ${(err as Error).message}`);
  }
  const checker = new Checker(rule, parsed.sourceInfo?.positions ?? {});
  const out = checker.check(parsed.expr);
  if (checker.errors.length > 0) throw new CelCompileError(checker.display());
  if (!(out.k === 'prim' && out.n === 'bool')) throw new CelCompileError(`got ${fmt(out)}, wanted bool result type`);
  const program = plan(ENV, parsed);
  return {
    validate(value: string, cr: CelRequest): boolean {
      if (estimateCost(parsed.expr, value, cr) > CEL_COST_LIMIT) throw new CelEvalError('operation cancelled: actual cost limit exceeded');
      const result: any = program(bindings(value, cr));
      if (isCelError(result)) throw new CelEvalError(result.message);
      if (typeof result !== 'boolean') throw new CelEvalError(`no such overload: result ${String(result)} is not a bool`);
      return result;
    },
  };
}

/**
 * upstream `validation.Cache` (cache.go): compiled rules (and compile errors) by expression, in an LRU of
 * `DefaultCacheSize` (1024) entries; a hit returns the same validator (or the same error) again.
 */
export class ValidatorCache {
  private readonly entries = new Map<string, { validator?: Validator; error?: CelCompileError }>();

  constructor(private readonly size = 1024) {}

  get(rule: string): Validator {
    let entry = this.entries.get(rule);
    if (entry) {
      this.entries.delete(rule); // most recently used goes last
    } else {
      try {
        entry = { validator: compileRule(rule) };
      } catch (err) {
        if (!(err instanceof CelCompileError)) throw err;
        entry = { error: err };
      }
    }
    this.entries.set(rule, entry);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
    if (entry.error) throw entry.error;
    return entry.validator!;
  }
}

/**
 * Evaluates an expression in the runtime environment of the validations (ext.Strings and the ServiceAccount
 * library) with arbitrary variables, without the compile step: for the upstream cases that exercise the library's
 * functions in an environment of their own (serviceaccount_test.go `TestServiceAccountLib_CELIntegration`).
 */
export function evaluateExpression(expr: string, variables: Record<string, unknown>): unknown {
  const env = celEnv({ funcs: RUNTIME_FUNCS });
  const result: any = plan(env, parse(expr))(variables as any);
  if (isCelError(result)) throw new CelEvalError(result.message);
  return result;
}
