import { Yaml } from 'cdk8s';

/**
 * The YAML text of one JSON document, byte for byte what cdk8s's `Yaml.stringify(doc)` writes (the `yaml` package cdk8s
 * bundles, YAML 1.1 schema, `lineWidth: 0`), without building the `yaml` package's document tree.
 *
 * Block style only, which is all cdk8s writes for JSON: a map is `key: value` lines, a sequence `- item` lines indented
 * under its key, an empty map or sequence `{}` / `[]`. A string is written plain when it is certainly plain (a letter,
 * `_` or `/` first, printable ASCII, no `: `, ` #`, trailing space or `:`, not a YAML 1.1 boolean, null or float), quoted
 * when its first character makes it certainly quoted (an indicator such as `*` or `!`: single quotes when it holds a `"`
 * and no `'`, JSON's double quotes otherwise). Every other scalar on one line (numbers other than safe integers, strings
 * starting with a digit, `-`, `.`, non-ASCII text...) is asked of `Yaml.stringify` itself once and remembered. Anything
 * else (a string with a line break, a key that is not a plain name, `undefined`, a class instance, an object met twice,
 * which the `yaml` package writes as an anchor and alias) makes the whole document go to `Yaml.stringify`.
 *
 * test/yaml-text.test.ts proves it against `Yaml.stringify` over random documents and over every object the examples
 * synthesize; the bench proves the written trees identical to a raw cdk8s writer's at every size it measures.
 * @internal
 */
export function yamlText(doc: unknown): string {
  if (doc !== null && typeof doc === 'object') {
    const seen = new Set<object>();
    const body = Array.isArray(doc) ? prefixed('- ', seqBody(doc, '', seen)) : isPlainObject(doc) ? mapBody(doc, '', seen) : undefined;
    if (body !== undefined) return `${body}\n`;
  }
  return Yaml.stringify(doc);
}

/** Strings certainly written plain: see yamlText. */
const PLAIN = /^[A-Za-z_/][ -~]*$/;
/** ...unless they hold `: ` or ` #`, or end with a space or a colon. */
const NOT_PLAIN = /: | #|[ :]$/;
/**
 * Words of YAML 1.1 that must be quoted to stay strings although they start with a letter: booleans and nulls (a
 * superset: case-insensitive), and floats without digits before the exponent (`e5`, `E-3`: YAML 1.1's float).
 */
const KEYWORD = /^(?:y|yes|n|no|true|false|on|off|null|e[-+]?[0-9]+)$/i;
/** Keys certainly written plain. */
const PLAIN_KEY = /^[A-Za-z_/][-A-Za-z0-9_./]{0,999}$/;
/** Indicator characters that never start a plain scalar: a string starting with one is quoted. */
const QUOTED_FIRST = /^[*!&|>%@`{}[\],#'"][ -~]*$/;

/** Scalars rendered by `Yaml.stringify` (one line each), by value. */
const asked = new Map<string | number, string>();
const ASKED_MAX = 100_000;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as any).toJSON !== 'function';
}

/** A non-empty map's pairs, the first line unindented, the others at `indent`; undefined to fall back. */
function mapBody(map: Record<string, unknown>, indent: string, seen: Set<object>): string | undefined {
  if (seen.has(map)) return undefined;
  seen.add(map);
  const keys = Object.keys(map);
  if (keys.length === 0) return undefined;
  const inner = `${indent}  `;
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (!PLAIN_KEY.test(key) || KEYWORD.test(key)) return undefined;
    const value = map[key];
    let text: string | undefined;
    if (value !== null && typeof value === 'object') {
      if (Array.isArray(value)) {
        text = value.length === 0 ? empty(value, ' []', seen) : prefixed(`\n${inner}- `, seqBody(value, inner, seen));
      } else if (isPlainObject(value)) {
        text = Object.keys(value).length === 0 ? empty(value, ' {}', seen) : prefixed(`\n${inner}`, mapBody(value, inner, seen));
      }
    } else {
      text = prefixed(' ', scalar(value));
    }
    if (text === undefined) return undefined;
    out += i === 0 ? `${key}:${text}` : `\n${indent}${key}:${text}`;
  }
  return out;
}

/** A non-empty sequence's items without the first `- `, the others as `- ` lines at `indent`; undefined to fall back. */
function seqBody(seq: unknown[], indent: string, seen: Set<object>): string | undefined {
  if (seen.has(seq)) return undefined;
  seen.add(seq);
  if (seq.length === 0) return undefined;
  const inner = `${indent}  `;
  let out = '';
  for (let i = 0; i < seq.length; i++) {
    const item = seq[i];
    let text: string | undefined;
    if (item !== null && typeof item === 'object') {
      if (Array.isArray(item)) {
        text = item.length === 0 ? empty(item, '[]', seen) : prefixed('- ', seqBody(item, inner, seen));
      } else if (isPlainObject(item)) {
        text = Object.keys(item).length === 0 ? empty(item, '{}', seen) : mapBody(item, inner, seen);
      }
    } else {
      text = scalar(item);
    }
    if (text === undefined) return undefined;
    out += i === 0 ? text : `\n${indent}- ${text}`;
  }
  return out;
}

/** An empty map or sequence (`{}`, `[]`), unless met before (the `yaml` package would write an alias). */
function empty(value: object, text: string, seen: Set<object>): string | undefined {
  if (seen.has(value)) return undefined;
  seen.add(value);
  return text;
}

function prefixed(prefix: string, text: string | undefined): string | undefined {
  return text === undefined ? undefined : prefix + text;
}

/** A scalar on one line, or undefined to fall back. */
function scalar(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      if (PLAIN.test(value) && !NOT_PLAIN.test(value) && !KEYWORD.test(value)) return value;
      if (QUOTED_FIRST.test(value)) return value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
      return value.includes('\n') ? undefined : ask(value);
    case 'number':
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : ask(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      return undefined;
  }
}

/** What `Yaml.stringify` writes for `value` as a map's value, when that is one line; undefined otherwise. */
function ask(value: string | number): string | undefined {
  const known = asked.get(value);
  if (known !== undefined) return known;
  const text = Yaml.stringify({ k: value });
  if (!text.startsWith('k: ') || !text.endsWith('\n') || text.indexOf('\n') !== text.length - 1) return undefined;
  const rendered = text.slice(3, -1);
  if (asked.size >= ASKED_MAX) asked.clear();
  asked.set(value, rendered);
  return rendered;
}
