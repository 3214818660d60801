import { Duration } from 'cdk8s';

/**
 * What a prop must be, checked at run time at every public entry point: JavaScript, `ts-node --transpile-only` and
 * the other jsii languages hand the library whatever they were given, and a string where a list is expected would
 * otherwise be iterated character by character (one error per character), a number where a `Duration` is expected
 * would be a TypeError deep inside.
 * @internal
 */
export enum Shape {
  /** A list (JavaScript array) of strings. */
  STRINGS = 'strings',
  /** A list of anything (objects, constructs): only its being a list is checked here. */
  LIST = 'list',
  /** A `cdk8s.Duration`. */
  DURATION = 'duration',
  STRING = 'string',
  NUMBER = 'number',
  BOOLEAN = 'boolean',
  /** A plain object (a map of strings, an options object). */
  OBJECT = 'object',
}

/** How a value is described in a message: its type, and the value when short. */
function described(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string '${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof value}`;
}

/** A `Duration` for a string a user may have meant as one: `24h` → `Duration.hours(24)`. */
function durationHint(value: unknown): string {
  const m = typeof value === 'string' ? /^(\d+)(s|m|h|d)$/.exec(value.trim()) : null;
  const unit: Record<string, string> = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days' };
  if (m) {
    return `: write Duration.${unit[m[2]]}(${m[1]}) (cdk8s's Duration.parse takes ISO 8601, e.g. Duration.parse('PT${m[2] === 'd' ? `${Number(m[1]) * 24}H` : `${m[1]}${m[2].toUpperCase()}`}'), ` +
      `not '${value}')`;
  }
  if (typeof value === 'number') return `: write Duration.hours(${value}) or Duration.seconds(${value}) (a bare number has no unit)`;
  return ": write e.g. Duration.hours(24) (import { Duration } from 'cdk8s')";
}

/**
 * The problem of one prop's shape, or undefined when it has the shape (or is undefined: required props are checked by
 * the construct's own rules).
 * @internal
 */
export function shapeProblem(prop: string, value: unknown, shape: Shape): string | undefined {
  if (value === undefined) return undefined;
  switch (shape) {
    case Shape.STRINGS:
      if (!Array.isArray(value)) {
        return `'${prop}' must be a list of strings, got ${described(value)}` +
          (typeof value === 'string' ? `: write ['${value}']` : '');
      }
      {
        const bad = value.findIndex((v) => typeof v !== 'string');
        return bad === -1 ? undefined : `'${prop}[${bad}]' must be a string, got ${described(value[bad])}`;
      }
    case Shape.LIST:
      return Array.isArray(value) ? undefined : `'${prop}' must be a list, got ${described(value)}${typeof value === 'object' && value !== null ? ': wrap it in [ ]' : ''}`;
    case Shape.DURATION:
      return value instanceof Duration || (typeof value === 'object' && value !== null && typeof (value as Duration).toSeconds === 'function')
        ? undefined : `'${prop}' must be a Duration, got ${described(value)}${durationHint(value)}`;
    case Shape.STRING:
      return typeof value === 'string' ? undefined : `'${prop}' must be a string, got ${described(value)}`;
    case Shape.NUMBER:
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `'${prop}' must be a number, got ${described(value)}`;
    case Shape.BOOLEAN:
      return typeof value === 'boolean' ? undefined : `'${prop}' must be true or false, got ${described(value)}`;
    case Shape.OBJECT:
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : `'${prop}' must be an object, got ${described(value)}`;
  }
}

/**
 * The shape problems of `props` against `shapes` (prop name -> shape), in the order the shapes are listed, each prop named
 * with `prefix` (e.g. `intermediates[0].`). A
 * construct runs this first, as a gate, before any rule that reads the props.
 * @internal
 */
export function shapeProblems(props: unknown, shapes: Record<string, Shape>, prefix = ''): string[] {
  if (props === undefined || props === null) return [];
  if (typeof props !== 'object') return [`${prefix ? `'${prefix.replace(/\.$/, '')}'` : 'its props'} must be an object, got ${described(props)}`];
  const p = props as Record<string, unknown>;
  return Object.entries(shapes).map(([prop, shape]) => shapeProblem(`${prefix}${prop}`, p[prop], shape)).filter((x): x is string => x !== undefined);
}
