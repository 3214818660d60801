/**
 * Builds real, signed PKCS#10 CSRs from data, byte for byte as Go's `x509.CreateCertificateRequest` would encode the
 * template that cert-manager's `test/unit/gen.CSR` builds (v1.21.1 `test/unit/gen/csr.go`): the typed subject through
 * `pkix.Name.ToRDNSequence` (C, ST, L, STREET, POSTALCODE, O, OU as multi-valued RDNs in that order, then CN, then
 * SERIALNUMBER), the SAN extension from the typed names (DNS, email, IP, URI in that order), or, as the upstream
 * tests' `withRawSubject`/`withRawSAN` helpers do, a raw subject / raw SAN extension given entry by entry.
 *
 * A test helper, not part of the model: the model parses what this produces with @peculiar/x509.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign } from 'crypto';
import {
  CLASS_CONTEXT, CLASS_UNIVERSAL, concat, encodeOid, encodeTlv, goString, seq, setOf, TAG_BIT_STRING, TAG_BMP_STRING, TAG_GENERAL_STRING, TAG_INTEGER,
  TAG_OCTET_STRING, TAG_T61_STRING, TAG_UNIVERSAL_STRING, TAG_UTF8_STRING, utf8,
} from './asn1';

/** A Subject attribute value: a Go string (marshalled as Go does) or an explicitly typed ASN.1 value. */
export type RawAttributeValue =
  | { readonly string: string }
  | { readonly bmpString: string }
  | { readonly teletexString: string }
  | { readonly universalString: string }
  | { readonly generalString: string }
  | { readonly utf8String: string }
  | { readonly octetString: string }
  | { readonly integerHex: string };

export interface RawAttribute { readonly oid: string; readonly value: RawAttributeValue }

/** A SAN GeneralName entry, as the upstream tests' helpers (dnsGN, otherNameGN, constructedGN, registeredIDGN) build it. */
export type RawGeneralName =
  | { readonly dns: string }
  | { readonly otherName: { readonly oid: string; readonly utf8: string } }
  | { readonly constructed: { readonly tag: number; readonly innerPrintableString: string } }
  | { readonly registeredId: string };

export interface CsrSubject {
  readonly organizations?: string[];
  readonly countries?: string[];
  readonly organizationalUnits?: string[];
  readonly localities?: string[];
  readonly provinces?: string[];
  readonly streetAddresses?: string[];
  readonly postalCodes?: string[];
  readonly serialNumber?: string;
}

export interface CsrSpec {
  /** gen.CSR's key: ECDSA P-256 (default), RSA 2048 (`pki.MinRSAKeySize`) or Ed25519. */
  readonly keyAlgorithm?: 'ECDSA' | 'RSA' | 'Ed25519';
  readonly ecdsaCurve?: 'P-256' | 'P-384' | 'P-521';
  readonly rsaBits?: number;
  readonly commonName?: string;
  readonly subject?: CsrSubject;
  readonly dnsNames?: string[];
  readonly ipAddresses?: string[];
  readonly uris?: string[];
  readonly emailAddresses?: string[];
  /** Replaces the typed subject (`csr.RawSubject`): one inner list per RDN SET. */
  readonly rawSubject?: RawAttribute[][];
  /** A raw SAN extension (`csr.ExtraExtensions`), which replaces the one built from the typed names. */
  readonly rawSan?: RawGeneralName[];
}

const OID = {
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  province: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  postalCode: '2.5.4.17',
  subjectAltName: '2.5.29.17',
  extensionRequest: '1.2.840.113549.1.9.14',
};

const keyCache = new Map<string, KeyObject>();

function keyFor(spec: CsrSpec): KeyObject {
  const alg = spec.keyAlgorithm ?? 'ECDSA';
  const id = alg === 'RSA' ? `RSA-${spec.rsaBits ?? 2048}` : alg === 'ECDSA' ? `EC-${spec.ecdsaCurve ?? 'P-256'}` : alg;
  let key = keyCache.get(id);
  if (!key) {
    const pair = alg === 'RSA'
      ? generateKeyPairSync('rsa', { modulusLength: spec.rsaBits ?? 2048 })
      : alg === 'ECDSA' ? generateKeyPairSync('ec', { namedCurve: spec.ecdsaCurve ?? 'P-256' }) : generateKeyPairSync('ed25519');
    key = createPrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    keyCache.set(id, key);
  }
  return key;
}

function attributeValue(v: RawAttributeValue): Uint8Array {
  if ('string' in v) return goString(v.string);
  if ('utf8String' in v) return encodeTlv(CLASS_UNIVERSAL, false, TAG_UTF8_STRING, utf8(v.utf8String));
  if ('bmpString' in v) {
    const bytes: number[] = [];
    for (let i = 0; i < v.bmpString.length; i++) {
      const u = v.bmpString.charCodeAt(i);
      bytes.push(Math.floor(u / 256), u % 256);
    }
    return encodeTlv(CLASS_UNIVERSAL, false, TAG_BMP_STRING, bytes);
  }
  if ('teletexString' in v) return encodeTlv(CLASS_UNIVERSAL, false, TAG_T61_STRING, utf8(v.teletexString));
  if ('universalString' in v) {
    const bytes: number[] = [];
    for (const ch of v.universalString) {
      let cp = ch.codePointAt(0)!;
      const four: number[] = [];
      for (let i = 0; i < 4; i++) {
        four.unshift(cp % 256);
        cp = Math.floor(cp / 256);
      }
      bytes.push(...four);
    }
    return encodeTlv(CLASS_UNIVERSAL, false, TAG_UNIVERSAL_STRING, bytes);
  }
  if ('generalString' in v) return encodeTlv(CLASS_UNIVERSAL, false, TAG_GENERAL_STRING, utf8(v.generalString));
  if ('octetString' in v) return encodeTlv(CLASS_UNIVERSAL, false, TAG_OCTET_STRING, utf8(v.octetString));
  return encodeTlv(CLASS_UNIVERSAL, false, TAG_INTEGER, Buffer.from(v.integerHex, 'hex'));
}

function atv(a: RawAttribute): Uint8Array {
  return seq(encodeOid(a.oid), attributeValue(a.value));
}

/** `pkix.Name.ToRDNSequence()` of the typed subject, marshalled. */
function typedSubject(spec: CsrSpec): Uint8Array {
  const s = spec.subject ?? {};
  const rdns: Uint8Array[] = [];
  const multi = (oid: string, values?: string[]) => {
    if (values && values.length > 0) rdns.push(setOf(...values.map((v) => atv({ oid, value: { string: v } }))));
  };
  multi(OID.country, s.countries);
  multi(OID.province, s.provinces);
  multi(OID.locality, s.localities);
  multi(OID.streetAddress, s.streetAddresses);
  multi(OID.postalCode, s.postalCodes);
  multi(OID.organization, s.organizations);
  multi(OID.organizationalUnit, s.organizationalUnits);
  if (spec.commonName) multi(OID.commonName, [spec.commonName]);
  if (s.serialNumber) multi(OID.serialNumber, [s.serialNumber]);
  return seq(...rdns);
}

function ipBytes(ip: string): number[] {
  if (ip.includes(':')) {
    const [head, tail] = ip.split('::');
    const parse = (part: string | undefined) => (part ? part.split(':') : []).flatMap((h) => {
      if (h.includes('.')) return ipBytes(h);
      const n = parseInt(h, 16);
      return [Math.floor(n / 256), n % 256];
    });
    const a = parse(head);
    const b = tail === undefined ? [] : parse(tail);
    return [...a, ...new Array(16 - a.length - b.length).fill(0), ...b];
  }
  return ip.split('.').map(Number);
}

function generalName(gn: RawGeneralName): Uint8Array {
  if ('dns' in gn) return encodeTlv(CLASS_CONTEXT, false, 2, utf8(gn.dns));
  if ('registeredId' in gn) return encodeTlv(CLASS_CONTEXT, false, 8, encodeOid(gn.registeredId).subarray(2));
  if ('constructed' in gn) {
    return encodeTlv(CLASS_CONTEXT, true, gn.constructed.tag, goString(gn.constructed.innerPrintableString));
  }
  const inner = encodeTlv(CLASS_UNIVERSAL, false, TAG_UTF8_STRING, utf8(gn.otherName.utf8));
  return encodeTlv(CLASS_CONTEXT, true, 0, concat(encodeOid(gn.otherName.oid), encodeTlv(CLASS_CONTEXT, true, 0, inner)));
}

function sanExtensionValue(spec: CsrSpec): Uint8Array | undefined {
  if (spec.rawSan) return seq(...spec.rawSan.map(generalName));
  const names: Uint8Array[] = [
    ...(spec.dnsNames ?? []).map((n) => encodeTlv(CLASS_CONTEXT, false, 2, utf8(n))),
    ...(spec.emailAddresses ?? []).map((n) => encodeTlv(CLASS_CONTEXT, false, 1, utf8(n))),
    ...(spec.ipAddresses ?? []).map((n) => encodeTlv(CLASS_CONTEXT, false, 7, ipBytes(n))),
    ...(spec.uris ?? []).map((n) => encodeTlv(CLASS_CONTEXT, false, 6, utf8(n))),
  ];
  return names.length > 0 ? seq(...names) : undefined;
}

/** The CSR as DER. */
export function buildCsrDer(spec: CsrSpec): Uint8Array {
  const key = keyFor(spec);
  const spki = new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  const subject = spec.rawSubject ? seq(...spec.rawSubject.map((set) => setOf(...set.map(atv)))) : typedSubject(spec);
  const san = sanExtensionValue(spec);
  const attributes = san
    ? encodeTlv(CLASS_CONTEXT, true, 0, seq(encodeOid(OID.extensionRequest), setOf(seq(seq(encodeOid(OID.subjectAltName),
      encodeTlv(CLASS_UNIVERSAL, false, TAG_OCTET_STRING, san))))))
    : encodeTlv(CLASS_CONTEXT, true, 0, []);
  const info = seq(encodeTlv(CLASS_UNIVERSAL, false, TAG_INTEGER, [0]), subject, spki, attributes);
  const alg = spec.keyAlgorithm ?? 'ECDSA';
  let algId: Uint8Array;
  let signature: Buffer;
  if (alg === 'Ed25519') {
    algId = seq(encodeOid('1.3.101.112'));
    signature = sign(null, info, key);
  } else if (alg === 'RSA') {
    algId = seq(encodeOid('1.2.840.113549.1.1.11'), encodeTlv(CLASS_UNIVERSAL, false, 5, []));
    signature = sign('sha256', info, key);
  } else {
    const curve = spec.ecdsaCurve ?? 'P-256';
    const hash = curve === 'P-256' ? 'sha256' : curve === 'P-384' ? 'sha384' : 'sha512';
    algId = seq(encodeOid(curve === 'P-256' ? '1.2.840.10045.4.3.2' : curve === 'P-384' ? '1.2.840.10045.4.3.3' : '1.2.840.10045.4.3.4'));
    signature = sign(hash, info, key);
  }
  return seq(info, algId, encodeTlv(CLASS_UNIVERSAL, false, TAG_BIT_STRING, [0, ...signature]));
}

/** The CSR as PEM, as `pem.EncodeToMemory` writes it. */
export function buildCsrPem(spec: CsrSpec): string {
  const b64 = Buffer.from(buildCsrDer(spec)).toString('base64');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** `spec.request` of a CertificateRequest: the PEM, base64-encoded (the JSON form of Go's `[]byte`). */
export function csrRequestField(spec: CsrSpec): string {
  return Buffer.from(buildCsrPem(spec)).toString('base64');
}
