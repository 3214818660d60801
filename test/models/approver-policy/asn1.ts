/**
 * A minimal DER reader and writer, enough to see a PKCS#10 CSR the way Go's `encoding/asn1` (used by
 * `crypto/x509.ParseCertificateRequest` for the subject and by cert-manager's `pki.UnmarshalSANs`) sees it:
 * which Subject attribute values decode to a Go `string` and which do not, and every SAN GeneralName entry.
 *
 * Written from the Go standard library's documented behaviour (encoding/asn1 `parseField` into an `interface{}`:
 * PrintableString, IA5String, T61String, UTF8String, NumericString and BMPString decode to a string, every other
 * universal type to a non-string value or nil), not copied from it. Arithmetic instead of bit operators (the
 * repository's lint forbids bitwise operators).
 */

/** One DER TLV. */
export interface Tlv {
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly cls: number;
  readonly constructed: boolean;
  readonly tag: number;
  /** The content octets. */
  readonly content: Uint8Array;
  /** The whole TLV (header and content). */
  readonly full: Uint8Array;
}

export const CLASS_UNIVERSAL = 0;
export const CLASS_CONTEXT = 2;

export const TAG_INTEGER = 2;
export const TAG_BIT_STRING = 3;
export const TAG_OCTET_STRING = 4;
export const TAG_NULL = 5;
export const TAG_OID = 6;
export const TAG_UTF8_STRING = 12;
export const TAG_SEQUENCE = 16;
export const TAG_SET = 17;
export const TAG_NUMERIC_STRING = 18;
export const TAG_PRINTABLE_STRING = 19;
export const TAG_T61_STRING = 20;
export const TAG_IA5_STRING = 22;
export const TAG_GENERAL_STRING = 27;
export const TAG_UNIVERSAL_STRING = 28;
export const TAG_BMP_STRING = 30;

export class Asn1Error extends Error {}

/** Reads one DER TLV at `offset` (strict DER lengths, as Go's encoding/asn1). */
export function readTlv(buf: Uint8Array, offset = 0): { tlv: Tlv; next: number } {
  let pos = offset;
  if (pos >= buf.length) throw new Asn1Error('asn1: syntax error: data truncated');
  const first = buf[pos++];
  const cls = Math.floor(first / 64);
  const constructed = Math.floor(first / 32) % 2 === 1;
  let tag = first % 32;
  if (tag === 31) {
    tag = 0;
    for (;;) {
      if (pos >= buf.length) throw new Asn1Error('asn1: syntax error: data truncated');
      const b = buf[pos++];
      tag = tag * 128 + (b % 128);
      if (b < 128) break;
    }
  }
  if (pos >= buf.length) throw new Asn1Error('asn1: syntax error: data truncated');
  let length = buf[pos++];
  if (length === 128) throw new Asn1Error('asn1: syntax error: indefinite length found (not DER)');
  if (length > 128) {
    const n = length - 128;
    length = 0;
    for (let i = 0; i < n; i++) {
      if (pos >= buf.length) throw new Asn1Error('asn1: syntax error: data truncated');
      length = length * 256 + buf[pos++];
    }
    if (length < 128) throw new Asn1Error('asn1: structure error: non-minimal length');
  }
  if (pos + length > buf.length) throw new Asn1Error('asn1: syntax error: data truncated');
  return {
    tlv: { cls, constructed, tag, content: buf.subarray(pos, pos + length), full: buf.subarray(offset, pos + length) },
    next: pos + length,
  };
}

/** Reads a single TLV that must span `buf` exactly. */
export function readOne(buf: Uint8Array, what = 'value'): Tlv {
  const { tlv, next } = readTlv(buf, 0);
  if (next !== buf.length) throw new Asn1Error(`x509: trailing data after ${what}`);
  return tlv;
}

/** The children of a constructed TLV. */
export function children(tlv: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < tlv.content.length) {
    const { tlv: child, next } = readTlv(tlv.content, pos);
    out.push(child);
    pos = next;
  }
  return out;
}

export function isUniversal(tlv: Tlv, tag: number, constructed = false): boolean {
  return tlv.cls === CLASS_UNIVERSAL && tlv.tag === tag && tlv.constructed === constructed;
}

/** Dotted form of an OBJECT IDENTIFIER's content octets, as Go's `asn1.ObjectIdentifier.String()`. */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new Asn1Error('asn1: syntax error: zero length OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let value = 0n;
  let started = false;
  for (const b of content) {
    if (!started && b === 0x80) throw new Asn1Error('asn1: structure error: base 128 integer not minimally encoded');
    started = true;
    value = value * 128n + BigInt(b % 128);
    if (b < 128) {
      arcs.push(value);
      value = 0n;
      started = false;
    }
  }
  if (started) throw new Asn1Error('asn1: syntax error: truncated base 128 integer');
  const first = arcs[0];
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].map(String).join('.');
}

/** The value of a Subject attribute as Go's encoding/asn1 decodes an ANY into `interface{}`. */
export type GoAttributeValue = { readonly kind: 'string'; readonly value: string } | { readonly kind: 'non-string'; readonly asn1Type: string };

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?*&]*$/;

/**
 * Decodes an attribute value TLV as Go's `asn1.Unmarshal` into an `interface{}` does: the six string types decode to
 * a Go string (with Go's validation; a malformed one fails the whole parse), everything else is not a string.
 */
export function goDecodeAny(tlv: Tlv): GoAttributeValue {
  if (tlv.cls !== CLASS_UNIVERSAL || tlv.constructed) return { kind: 'non-string', asn1Type: `class ${tlv.cls} tag ${tlv.tag}` };
  const bytes = tlv.content;
  switch (tlv.tag) {
    case TAG_PRINTABLE_STRING: {
      const s = latin1(bytes);
      if (!PRINTABLE.test(s)) throw new Asn1Error('asn1: syntax error: PrintableString contains invalid character');
      return { kind: 'string', value: s };
    }
    case TAG_NUMERIC_STRING: {
      const s = latin1(bytes);
      if (!/^[0-9 ]*$/.test(s)) throw new Asn1Error('asn1: syntax error: NumericString contains invalid character');
      return { kind: 'string', value: s };
    }
    case TAG_IA5_STRING: {
      if (bytes.some((b) => b >= 128)) throw new Asn1Error('asn1: syntax error: IA5String contains invalid character');
      return { kind: 'string', value: latin1(bytes) };
    }
    case TAG_T61_STRING:
      // Go decodes T.61 as ISO 8859-1 (Latin-1), byte by byte.
      return { kind: 'string', value: latin1(bytes) };
    case TAG_UTF8_STRING: {
      try {
        return { kind: 'string', value: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
      } catch {
        throw new Asn1Error('asn1: syntax error: invalid UTF-8 string');
      }
    }
    case TAG_BMP_STRING: {
      if (bytes.length % 2 !== 0) throw new Asn1Error('pkcs12: odd-length BMP string');
      let b = bytes;
      if (b.length >= 2 && b[b.length - 1] === 0 && b[b.length - 2] === 0) b = b.subarray(0, b.length - 2);
      const units: number[] = [];
      for (let i = 0; i < b.length; i += 2) units.push(b[i] * 256 + b[i + 1]);
      return { kind: 'string', value: String.fromCharCode(...units) };
    }
    case TAG_INTEGER: return { kind: 'non-string', asn1Type: 'INTEGER' };
    case TAG_OCTET_STRING: return { kind: 'non-string', asn1Type: 'OCTET STRING' };
    case TAG_BIT_STRING: return { kind: 'non-string', asn1Type: 'BIT STRING' };
    case TAG_OID: return { kind: 'non-string', asn1Type: 'OBJECT IDENTIFIER' };
    case TAG_UNIVERSAL_STRING: return { kind: 'non-string', asn1Type: 'UniversalString' };
    case TAG_GENERAL_STRING: return { kind: 'non-string', asn1Type: 'GeneralString' };
    default: return { kind: 'non-string', asn1Type: `universal tag ${tlv.tag}` };
  }
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bit length of a big-endian unsigned integer (an RSA modulus). */
export function bitLength(content: Uint8Array): number {
  let i = 0;
  while (i < content.length && content[i] === 0) i++;
  if (i === content.length) return 0;
  return (content.length - i - 1) * 8 + content[i].toString(2).length;
}

// ---------------------------------------------------------------------------------------------------------------
// Writer (used by the tests to build CSRs byte for byte, including encodings no CSR library would produce).
// ---------------------------------------------------------------------------------------------------------------

export function encodeLength(n: number): number[] {
  if (n < 128) return [n];
  const bytes: number[] = [];
  let v = n;
  while (v > 0) {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  }
  return [128 + bytes.length, ...bytes];
}

/** A TLV with a low tag number (< 31). */
export function encodeTlv(cls: number, constructed: boolean, tag: number, content: Uint8Array | number[]): Uint8Array {
  const body = content instanceof Uint8Array ? Array.from(content) : content;
  return Uint8Array.from([cls * 64 + (constructed ? 32 : 0) + tag, ...encodeLength(body.length), ...body]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export function seq(...items: Uint8Array[]): Uint8Array {
  return encodeTlv(CLASS_UNIVERSAL, true, TAG_SEQUENCE, concat(...items));
}

/** A DER SET OF: the elements sorted by their encodings. */
export function setOf(...items: Uint8Array[]): Uint8Array {
  const sorted = [...items].sort(compareBytes);
  return encodeTlv(CLASS_UNIVERSAL, true, TAG_SET, concat(...sorted));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  const values = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
  const body: number[] = [];
  for (const v of values) {
    const chunk: number[] = [];
    let x = v;
    do {
      chunk.unshift(Number(x % 128n));
      x /= 128n;
    } while (x > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] += 128;
    body.push(...chunk);
  }
  return encodeTlv(CLASS_UNIVERSAL, false, TAG_OID, body);
}

export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** A Go string as `asn1.Marshal` encodes it: PrintableString when every character is printable, else UTF8String. */
export function goString(s: string): Uint8Array {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)
    ? encodeTlv(CLASS_UNIVERSAL, false, TAG_PRINTABLE_STRING, utf8(s))
    : encodeTlv(CLASS_UNIVERSAL, false, TAG_UTF8_STRING, utf8(s));
}
