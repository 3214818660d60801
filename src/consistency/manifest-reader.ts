/* eslint-disable no-bitwise -- the string table hashes with FNV-1a and masks indexes into its slots */
import * as fs from 'fs';
import { loadAll } from 'js-yaml';

/**
 * The documents of a YAML file, as js-yaml's `loadAll(text)` reads them (empty documents left out), fast for the files
 * the library writes itself.
 *
 * The library writes one block-style document per file (`yamlText`): `key: value` lines, `- item` lines indented under
 * their key, two spaces a level, and scalars that are plain names, JSON's double-quoted strings, single-quoted strings,
 * safe integers, `true`, `false`, `null`, `[]` and `{}`. Such a file is read here line by line, into the same objects
 * js-yaml builds. Anything else, or anything whose meaning could differ (a plain scalar js-yaml could read as a number,
 * a date or a boolean, a comment, an anchor, a block scalar, a duplicate key, tabs or CRLF...), goes to js-yaml
 * itself, so every file reads exactly as before: test/yaml-text.test.ts proves both agree on random documents.
 * @internal
 */
export function readYamlDocuments(text: string): any[] {
  const fast = readSimpleDocument(text);
  if (fast !== undefined) return [fast];
  return loadAll(text).filter((m) => m !== null && m !== undefined);
}

/** A read buffer shared by every read (the library's files are a few KiB; a larger one is read whole). */
let buffer: Buffer | undefined;

/** The UTF-8 text of `file`, as fs.readFileSync(file, 'utf8') reads it, with one syscall fewer (no fstat) for small files. @internal */
export function readText(file: string): string {
  buffer ??= Buffer.allocUnsafe(1 << 16);
  const fd = fs.openSync(file, 'r');
  try {
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    if (n < buffer.length) return buffer.toString('utf8', 0, n);
  } finally {
    fs.closeSync(fd);
  }
  return fs.readFileSync(file, 'utf8');
}

/**
 * The one document of `text` when it has the simple form (see readYamlDocuments), else undefined. The strings it
 * returns do not hold the file's text alive: keys become property names, and values are shared through a table of
 * the values already read (a fleet's files repeat the same few thousand).
 * @internal
 */
export function readSimpleDocument(text: string): any {
  const end = text.length;
  if (end === 0 || text.charCodeAt(end - 1) !== NL || text.includes('\r') || text.includes('\t')) return undefined;
  const reader = new TextReader(text);
  const doc = reader.document();
  return doc === FAIL ? undefined : doc;
}

/** YAML 1.1 and 1.2 booleans and nulls (a superset: case-insensitive), which a plain scalar must not be to stay a string. */
const KEYWORD = /^(?:y|yes|n|no|true|false|on|off|null)$/i;
/** First characters of those words (a cheap test before the regular expression). */
const KEYWORD_START = new Uint8Array(128);
for (const c of 'yYnNtTfFoO') KEYWORD_START[c.charCodeAt(0)] = 1;
/** Whether `text` (printable ASCII) may be such a word. */
const mayBeKeyword = (text: string) => text.length <= 5 && KEYWORD_START[text.charCodeAt(0)] === 1 && KEYWORD.test(text);
/** Go durations (`24h`, `8h`, `1h30m`, `500ms`): no schema reads them as anything but a string. */
const DURATION = /^[0-9]+(?:ms|[hms])(?:[0-9]+(?:ms|[hms]))*$/;
/** Integers js-yaml reads as this very number. */
const INTEGER = /^(?:0|-?[1-9][0-9]{0,14})$/;
/** A failed read: the caller falls back to js-yaml. */
const FAIL = Symbol('fail');

const NL = 10;
const SPACE = 32;
const DASH = 45;
const COLON = 58;
const HASH = 35;
const DQUOTE = 34;
const SQUOTE = 39;

/** Characters of a plain key (as yamlText writes keys): letters, digits, `-`, `_`, `.`, `/`. */
const KEY_CHAR = new Uint8Array(128);
/** Characters a plain key or string may start with: letters, `_`, `/`. */
const NAME_START = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_/]/.test(ch)) NAME_START[c] = 1;
  if (/[-A-Za-z0-9_./]/.test(ch)) KEY_CHAR[c] = 1;
}

/**
 * The keys and values already read, shared: a fleet's files repeat the same few thousand strings, so reading one is a
 * lookup by a hash computed while scanning it, compared in place (no string is made to look it up), and the strings
 * the documents hold are these shared copies, none a slice holding a whole file's text alive.
 */
class StringTable {
  private slots: (string | undefined)[] = new Array(1 << 12);
  private size = 0;

  /** The string `text[start, end)`, whose FNV-1a hash is `hash`. */
  public get(text: string, start: number, end: number, hash: number): string {
    let mask = this.slots.length - 1;
    const length = end - start;
    let i = hash & mask;
    for (let s = this.slots[i]; s !== undefined; s = this.slots[i]) {
      if (s.length === length && text.startsWith(s, start)) return s;
      i = (i + 1) & mask;
    }
    if (2 * (this.size + 1) > this.slots.length) {
      this.resize();
      mask = this.slots.length - 1;
      i = hash & mask;
      while (this.slots[i] !== undefined) i = (i + 1) & mask;
    }
    const slice = text.slice(start, end);
    // A copy of its own: a slice of 13 characters or more would keep the whole file's text alive.
    const own = length < 13 ? slice : (` ${slice}`).slice(1);
    this.slots[i] = own;
    this.size++;
    return own;
  }

  /** Doubles the table, up to 2^20 slots; a full table starts again empty (it is only a cache). */
  private resize(): void {
    const old = this.slots;
    this.slots = new Array(old.length >= 1 << 20 ? 1 << 12 : old.length * 2);
    this.size = 0;
    if (old.length >= 1 << 20) return;
    const mask = this.slots.length - 1;
    for (const s of old) {
      if (s === undefined) continue;
      let i = hashOf(s, 0, s.length) & mask;
      while (this.slots[i] !== undefined) i = (i + 1) & mask;
      this.slots[i] = s;
      this.size++;
    }
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashOf(text: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

const strings = new StringTable();

class TextReader {
  /** The next unread character: a line's start, or (when `carry` >= 0) content on the line of a `- ` item. */
  private pos = 0;
  /** The column of the content at `pos` when it starts mid-line (a map or sequence opened on an item's line), else -1. */
  private carry = -1;
  /** Where the current line's content starts (set by `indent()`). */
  private content = 0;
  /** The hash of the key `keyEnd()` found last. */
  private hash = 0;
  private readonly end: number;

  constructor(private readonly text: string) {
    this.end = text.length;
  }

  public document(): any {
    if (this.indent() !== 0) return FAIL;
    const t = this.text;
    const value = t.charCodeAt(this.content) === DASH && t.charCodeAt(this.content + 1) === SPACE ? this.seq(0) : this.map(0);
    return this.pos === this.end ? value : FAIL;
  }

  /** The column of the current line's content (-1 at the end), and `content` its position. */
  private indent(): number {
    if (this.carry >= 0) {
      this.content = this.pos;
      return this.carry;
    }
    if (this.pos >= this.end) return -1;
    let i = this.pos;
    while (this.text.charCodeAt(i) === SPACE) i++;
    this.content = i;
    return i - this.pos;
  }

  /**
   * The end of a plain key starting at `at` (the position of its `:`, followed by a space or the line's end), or -1;
   * `hash` is then the key's hash.
   */
  private keyEnd(at: number): number {
    const t = this.text;
    let c = t.charCodeAt(at);
    if (c >= 128 || NAME_START[c] !== 1) return -1;
    let h = Math.imul(FNV_OFFSET ^ c, FNV_PRIME);
    let i = at + 1;
    for (c = t.charCodeAt(i); c < 128 && KEY_CHAR[c] === 1; c = t.charCodeAt(++i)) h = Math.imul(h ^ c, FNV_PRIME);
    const next = t.charCodeAt(i + 1);
    this.hash = h >>> 0;
    return c === COLON && (next === SPACE || next === NL) ? i : -1;
  }

  private map(indent: number): any {
    const t = this.text;
    const map: Record<string, unknown> = {};
    for (;;) {
      const at = this.indent();
      if (at < indent) break;
      if (at > indent) return FAIL;
      const start = this.content;
      const colon = this.keyEnd(start);
      if (colon < 0 || colon - start > 1000) return FAIL;
      const key = strings.get(t, start, colon, this.hash);
      if (key === '__proto__' || mayBeKeyword(key)) return FAIL;
      // A key met twice: js-yaml refuses the file (an inherited name such as `constructor` is not own).
      if (map[key] !== undefined && Object.prototype.hasOwnProperty.call(map, key)) return FAIL;
      this.carry = -1;
      let value: unknown;
      if (t.charCodeAt(colon + 1) === NL) {
        // `key:` then its block, two spaces in (a sequence too: `- ` lines under the key).
        this.pos = colon + 2;
        if (this.indent() !== indent + 2) return FAIL;
        value = t.charCodeAt(this.content) === DASH && t.charCodeAt(this.content + 1) === SPACE ? this.seq(indent + 2) : this.map(indent + 2);
      } else {
        const eol = t.indexOf('\n', colon + 2);
        value = scalar(t, colon + 2, eol);
        this.pos = eol + 1;
      }
      if (value === FAIL) return FAIL;
      map[key] = value;
    }
    return map;
  }

  private seq(indent: number): any {
    const t = this.text;
    const seq: unknown[] = [];
    for (;;) {
      const at = this.indent();
      if (at < indent) break;
      const start = this.content;
      if (at > indent || t.charCodeAt(start) !== DASH || t.charCodeAt(start + 1) !== SPACE) return FAIL;
      const item = start + 2;
      let value: unknown;
      const nested = t.charCodeAt(item) === DASH && t.charCodeAt(item + 1) === SPACE;
      if (nested || this.keyEnd(item) >= 0) {
        // A sequence or map that opens on the item's line, its other lines two spaces in.
        this.pos = item;
        this.carry = indent + 2;
        value = nested ? this.seq(indent + 2) : this.map(indent + 2);
      } else {
        this.carry = -1;
        const eol = t.indexOf('\n', item);
        value = scalar(t, item, eol);
        this.pos = eol + 1;
      }
      if (value === FAIL) return FAIL;
      seq.push(value);
    }
    return seq;
  }
}

/** A scalar on one line (`start` to `end` of `t`) as js-yaml reads it, or FAIL when it may read otherwise. */
function scalar(t: string, start: number, end: number): unknown {
  if (end <= start) return FAIL;
  const first = t.charCodeAt(start);
  if (first === DQUOTE || first === SQUOTE) {
    if (end - start < 2 || t.charCodeAt(end - 1) !== first) return FAIL;
    const text = t.slice(start, end);
    if (first === SQUOTE) {
      const inner = text.slice(1, -1);
      if (inner.replace(/''/g, '').includes("'")) return FAIL;
      const value = inner.replace(/''/g, "'");
      return strings.get(value, 0, value.length, hashOf(value, 0, value.length));
    }
    // YAML's double-quoted escapes are a superset of JSON's: what JSON reads, YAML reads the same.
    try {
      const value = JSON.parse(text);
      return typeof value === 'string' ? strings.get(value, 0, value.length, hashOf(value, 0, value.length)) : FAIL;
    } catch {
      return FAIL;
    }
  }
  // Plain: printable ASCII only, no comment (` #`), no `: `, no trailing space or colon.
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c < SPACE || c > 126) return FAIL;
    if ((c === COLON || c === SPACE) && t.charCodeAt(i + 1) === (c === COLON ? SPACE : HASH)) return FAIL;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  const last = t.charCodeAt(end - 1);
  if (last === SPACE || last === COLON) return FAIL;
  if (first < 128 && NAME_START[first] === 1) {
    const text = strings.get(t, start, end, h >>> 0);
    if (mayBeKeyword(text)) {
      if (text === 'true') return true;
      if (text === 'false') return false;
      if (text === 'null') return null;
      return FAIL;
    }
    return text;
  }
  const text = t.slice(start, end);
  if (text === '[]') return [];
  if (text === '{}') return {};
  if (INTEGER.test(text)) return Number(text);
  if (DURATION.test(text)) return strings.get(t, start, end, h >>> 0);
  return FAIL;
}
