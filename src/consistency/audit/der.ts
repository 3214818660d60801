import { createPublicKey, X509Certificate } from 'crypto';

/**
 * The little DER the audit needs, read with Node's own crypto where it can (X509Certificate, createPublicKey) and a
 * minimal tag-length-value reader for what Node does not expose: an X.509 certificate's basic constraints path length
 * and name constraints (RFC 5280 4.2.1.9, 4.2.1.10) and a PKCS#10 request's subject and extension request (RFC 2986).
 * No key material is ever read: certificates and requests are public.
 */

/** One DER element: its tag byte, and where its contents start and end in the buffer. @internal */
export interface Tlv {
  readonly tag: number;
  /** Where the element (its tag) starts. */
  readonly offset: number;
  /** Where its contents start. */
  readonly start: number;
  readonly end: number;
}

/** Reads the element at `offset`. @internal */
export function readTlv(buf: Buffer, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new Error('truncated DER');
  const tag = buf[offset];
  let length = buf[offset + 1];
  let start = offset + 2;
  if (length >= 0x80) {
    const bytes = length - 0x80;
    if (bytes === 0 || bytes > 4 || start + bytes > buf.length) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[start + i];
    start += bytes;
  }
  if (start + length > buf.length) throw new Error('truncated DER');
  return { tag, offset, start, end: start + length };
}

/** The elements inside a constructed element. @internal */
export function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const child = readTlv(buf, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** An OBJECT IDENTIFIER's dotted text. @internal */
export function oidText(buf: Buffer, tlv: Tlv): string {
  const bytes = buf.subarray(tlv.start, tlv.end);
  const parts: number[] = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    value = value * 128 + (bytes[i] % 0x80);
    if (bytes[i] < 0x80) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_NAME_CONSTRAINTS = '2.5.29.30';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';

/** The extensions of a certificate (tbsCertificate [3]) or of a request's extensionRequest, by OID. */
function extensionMap(buf: Buffer, extensions: Tlv): Map<string, Tlv> {
  const map = new Map<string, Tlv>();
  for (const ext of children(buf, extensions)) {
    const parts = children(buf, ext);
    const value = parts[parts.length - 1]; // OCTET STRING after the optional critical flag
    map.set(oidText(buf, parts[0]), readTlv(buf, value.start));
  }
  return map;
}

/** What the audit reads from a certificate. @internal */
export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serialNumber: string;
  readonly fingerprint256: string;
  readonly isCA: boolean;
  /** Issued by itself (subject = issuer and its own key verifies it): a root. */
  readonly selfSigned: boolean;
  /** The basic constraints path length, when the certificate is a CA and sets one. */
  readonly pathLength?: number;
  /** The permitted DNS name constraints (empty when it has none). */
  readonly permittedDnsDomains: string[];
  readonly dnsNames: string[];
  readonly keyAlgorithm: string;
  readonly keySize: number;
}

/** The certificates of a PEM text (a bundle: every CERTIFICATE block), decoded; blocks that do not parse are skipped. @internal */
export function certificatesOf(pem: string): CertificateFacts[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const out: CertificateFacts[] = [];
  for (const block of blocks) {
    try {
      out.push(certificateFacts(new X509Certificate(block)));
    } catch {
      // not a certificate Node can read: the rules report what they could read
    }
  }
  return out;
}

function certificateFacts(cert: X509Certificate): CertificateFacts {
  const buf = cert.raw;
  const tbs = children(buf, readTlv(buf, 0))[0];
  const explicit = children(buf, tbs).find((t) => t.tag === 0xa3);
  const extensions = explicit ? extensionMap(buf, readTlv(buf, explicit.start)) : new Map<string, Tlv>();
  let pathLength: number | undefined;
  const basic = extensions.get(OID_BASIC_CONSTRAINTS);
  if (basic) {
    const integer = children(buf, basic).find((t) => t.tag === 0x02);
    if (integer) pathLength = integerValue(buf, integer);
  }
  const permittedDnsDomains: string[] = [];
  const constraints = extensions.get(OID_NAME_CONSTRAINTS);
  if (constraints) {
    const permitted = children(buf, constraints).find((t) => t.tag === 0xa0);
    for (const subtree of permitted ? children(buf, permitted) : []) {
      const base = children(buf, subtree)[0];
      if (base?.tag === 0x82) permittedDnsDomains.push(buf.subarray(base.start, base.end).toString('latin1'));
    }
  }
  const key = keyFacts(cert.publicKey);
  const selfSigned = cert.subject === cert.issuer && safe(() => cert.verify(cert.publicKey), false);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    commonName: /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? '',
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    isCA: cert.ca,
    selfSigned,
    pathLength,
    permittedDnsDomains,
    dnsNames: (cert.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    keyAlgorithm: key.algorithm,
    keySize: key.size,
  };
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

function integerValue(buf: Buffer, tlv: Tlv): number {
  let v = 0;
  for (let i = tlv.start; i < tlv.end; i++) v = v * 256 + buf[i];
  return v;
}

/** The algorithm family (as cert-manager names it) and size of a public key. */
function keyFacts(key: ReturnType<typeof createPublicKey>): { algorithm: string; size: number } {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { algorithm: 'RSA', size: details.modulusLength ?? 0 };
    case 'ec':
      return { algorithm: 'ECDSA', size: ({ prime256v1: 256, secp384r1: 384, secp521r1: 521 } as Record<string, number>)[details.namedCurve ?? ''] ?? 0 };
    case 'ed25519':
      return { algorithm: 'Ed25519', size: 0 };
    default:
      return { algorithm: key.asymmetricKeyType ?? 'unknown', size: 0 };
  }
}

/** What approver-policy reads from a CertificateRequest's CSR (its subject, SANs and key). @internal */
export interface CsrFacts {
  readonly commonName: string;
  readonly organizations: string[];
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  readonly uris: string[];
  readonly emailAddresses: string[];
  readonly keyAlgorithm: string;
  readonly keySize: number;
}

/** Decodes a CertificateRequest's `spec.request` (base64 of a PEM CSR). @internal */
export function csrFacts(request: string): CsrFacts {
  const pem = Buffer.from(request, 'base64').toString('latin1');
  const body = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]+?)-----END/.exec(pem)?.[1];
  if (!body) throw new Error('spec.request is not a PEM certificate request');
  const buf = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const info = children(buf, readTlv(buf, 0))[0];
  const [, subject, spki, attributes] = children(buf, info);
  const rdns = children(buf, subject).flatMap((set) => children(buf, set)).map((atv) => {
    const [oid, value] = children(buf, atv);
    return { oid: oidText(buf, oid), value: buf.subarray(value.start, value.end).toString('utf8') };
  });
  const key = keyFacts(createPublicKey({ key: buf.subarray(spki.offset, spki.end), format: 'der', type: 'spki' }));
  const names = { dnsNames: [] as string[], ipAddresses: [] as string[], uris: [] as string[], emailAddresses: [] as string[] };
  for (const attribute of attributes && attributes.tag === 0xa0 ? children(buf, attributes) : []) {
    const [oid, values] = children(buf, attribute);
    if (oidText(buf, oid) !== OID_EXTENSION_REQUEST) continue;
    const san = extensionMap(buf, children(buf, values)[0]).get(OID_SUBJECT_ALT_NAME);
    for (const name of san ? children(buf, san) : []) {
      const raw = buf.subarray(name.start, name.end);
      if (name.tag === 0x82) names.dnsNames.push(raw.toString('latin1'));
      else if (name.tag === 0x81) names.emailAddresses.push(raw.toString('latin1'));
      else if (name.tag === 0x86) names.uris.push(raw.toString('latin1'));
      else if (name.tag === 0x87) names.ipAddresses.push(ipText(raw));
    }
  }
  return {
    commonName: rdns.find((r) => r.oid === OID_COMMON_NAME)?.value ?? '',
    organizations: rdns.filter((r) => r.oid === OID_ORGANIZATION).map((r) => r.value),
    ...names,
    keyAlgorithm: key.algorithm,
    keySize: key.size,
  };
}

/** An IP SAN's text, as Go's net.IP.String() writes it (IPv4 dotted; IPv6 lower-case with the longest zero run as ::). */
function ipText(raw: Buffer): string {
  if (raw.length === 4) return [...raw].join('.');
  const groups: number[] = [];
  for (let i = 0; i < raw.length; i += 2) groups.push(raw.readUInt16BE(i));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}
