// Shared pieces of the requester models: keys, Go-faithful PKCS#10 encoding (subject string types, SAN, key usage and
// extended key usage extensions, signature algorithm), Go durations, and the CertificateRequest object every requester
// hands to the API server. Each requester module (cert-manager.ts, csi-driver.ts, csi-driver-spiffe.ts, istio-agent.ts,
// istio-csr.ts) decides WHAT goes into a request from its upstream source; this file only encodes it the way Go's
// crypto/x509 and encoding/asn1 do. See README.md for the upstream files at their tags.
import 'reflect-metadata';
import { createHash, webcrypto } from 'crypto';
import { isIPv4, isIPv6 } from 'net';
import * as x509 from '@peculiar/x509';
import { CertificateRequestObject, RequesterIdentity } from '../certificate-request';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

// ---------------------------------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------------------------------

/** A private key as the requesters generate it (cert-manager's PrivateKeyAlgorithm names). */
export type KeySpec =
  | { readonly algorithm: 'RSA'; readonly size: number }
  | { readonly algorithm: 'ECDSA'; readonly size: 256 | 384 | 521 }
  | { readonly algorithm: 'Ed25519' };

/** Go `crypto/x509.SignatureAlgorithm` names the requesters end up with. */
export type GoSignatureAlgorithm =
  | 'SHA256WithRSA' | 'SHA384WithRSA' | 'SHA512WithRSA'
  | 'ECDSAWithSHA256' | 'ECDSAWithSHA384' | 'ECDSAWithSHA512'
  | 'PureEd25519';

const CURVES: Record<number, string> = { 256: 'P-256', 384: 'P-384', 521: 'P-521' };
const keyCache = new Map<string, Promise<CryptoKeyPair>>();
const rsaSigners = new Map<string, Promise<CryptoKey>>();

/** `RSA-2048`, `ECDSA-256`, `Ed25519`. */
export function keyName(key: KeySpec): string {
  return key.algorithm === 'Ed25519' ? 'Ed25519' : `${key.algorithm}-${key.size}`;
}

/**
 * The key pair for `key`, generated once per algorithm and size and reused (RSA generation is slow; a real requester
 * generates a fresh key for every request, which changes nothing an approver looks at).
 */
export function keyPair(key: KeySpec): Promise<CryptoKeyPair> {
  const name = keyName(key);
  let pair = keyCache.get(name);
  if (!pair) {
    const subtle = webcrypto.subtle;
    let generated: Promise<CryptoKeyPair>;
    if (key.algorithm === 'RSA') {
      generated = subtle.generateKey({
        name: 'RSASSA-PKCS1-v1_5', modulusLength: key.size, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256',
      }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
    } else if (key.algorithm === 'ECDSA') {
      const namedCurve = CURVES[key.size];
      if (!namedCurve) throw new Error(`unsupported ECDSA key size ${key.size}`);
      generated = subtle.generateKey({ name: 'ECDSA', namedCurve }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
    } else {
      generated = subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
    }
    pair = generated;
    keyCache.set(name, pair);
  }
  return pair;
}

/**
 * Go's default signature algorithm for a key when the template sets none (crypto/x509 `signingParamsForKey`): RSA
 * always SHA-256 with PKCS#1 v1.5, ECDSA the curve's hash, Ed25519 pure. Used by csi-driver, csi-driver-spiffe, the
 * Istio agent and istio-csr (all call `x509.CreateCertificateRequest` without a SignatureAlgorithm).
 */
export function goDefaultSignatureAlgorithm(key: KeySpec): GoSignatureAlgorithm {
  if (key.algorithm === 'RSA') return 'SHA256WithRSA';
  if (key.algorithm === 'Ed25519') return 'PureEd25519';
  return key.size === 521 ? 'ECDSAWithSHA512' : key.size === 384 ? 'ECDSAWithSHA384' : 'ECDSAWithSHA256';
}

const HASHES: Record<GoSignatureAlgorithm, string | undefined> = {
  SHA256WithRSA: 'SHA-256',
  SHA384WithRSA: 'SHA-384',
  SHA512WithRSA: 'SHA-512',
  ECDSAWithSHA256: 'SHA-256',
  ECDSAWithSHA384: 'SHA-384',
  ECDSAWithSHA512: 'SHA-512',
  PureEd25519: undefined,
};

/** The signing key and WebCrypto algorithm for `signature` (an RSA key is re-imported for the hash WebCrypto binds to it). */
async function signer(key: KeySpec, signature: GoSignatureAlgorithm): Promise<{ keys: CryptoKeyPair; algorithm: Algorithm | EcdsaParams }> {
  const pair = await keyPair(key);
  const hash = HASHES[signature];
  const family = signature.endsWith('RSA') ? 'RSA' : signature.startsWith('ECDSA') ? 'ECDSA' : 'Ed25519';
  if (family !== key.algorithm) throw new Error(`signature algorithm ${signature} does not fit a ${keyName(key)} key`);
  if (key.algorithm === 'ECDSA') return { keys: pair, algorithm: { name: 'ECDSA', hash: hash! } as EcdsaParams };
  if (key.algorithm === 'Ed25519') return { keys: pair, algorithm: { name: 'Ed25519' } };
  if (hash === 'SHA-256') return { keys: pair, algorithm: { name: 'RSASSA-PKCS1-v1_5' } };
  const id = `${keyName(key)}/${hash}`;
  let privateKey = rsaSigners.get(id);
  if (!privateKey) {
    privateKey = webcrypto.subtle.exportKey('pkcs8', pair.privateKey)
      .then((pkcs8) => webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: hash! }, false, ['sign']));
    rsaSigners.set(id, privateKey);
  }
  return { keys: { privateKey: await privateKey, publicKey: pair.publicKey }, algorithm: { name: 'RSASSA-PKCS1-v1_5' } };
}

// ---------------------------------------------------------------------------------------------------------------------
// Subject
// ---------------------------------------------------------------------------------------------------------------------

/** Attribute OIDs of Go's `pkix.Name` fields. */
export const NAME_OIDS = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  street: '2.5.4.9',
  postalCode: '2.5.4.17',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  serialNumber: '2.5.4.5',
} as const;
export type NameAttribute = keyof typeof NAME_OIDS;

/** One attribute of a relative distinguished name; `stringType` defaults to Go's choice for the value. */
export interface SubjectAttribute {
  readonly type: NameAttribute;
  readonly value: string;
  readonly stringType?: 'printableString' | 'utf8String';
}
/** A relative distinguished name (one SET of attributes). */
export type Rdn = readonly SubjectAttribute[];

/** The fields of Go's `crypto/x509/pkix.Name` the requesters fill. */
export interface GoName {
  readonly country?: string[];
  readonly province?: string[];
  readonly locality?: string[];
  readonly streetAddress?: string[];
  readonly postalCode?: string[];
  readonly organization?: string[];
  readonly organizationalUnit?: string[];
  readonly commonName?: string;
  readonly serialNumber?: string;
}

/**
 * Go's `pkix.Name.ToRDNSequence`: C, ST, L, street, postalCode, O, OU, then CN and serialNumber when non-empty; all
 * values of one field in ONE multi-valued RDN; a field given as `[""]` is kept (an empty value), an empty list dropped.
 */
export function goRdnSequence(name: GoName): Rdn[] {
  const rdns: Rdn[] = [];
  const add = (type: NameAttribute, values: readonly string[] | undefined) => {
    if (values && values.length > 0) rdns.push(values.map((value) => ({ type, value })));
  };
  add('C', name.country);
  add('ST', name.province);
  add('L', name.locality);
  add('street', name.streetAddress);
  add('postalCode', name.postalCode);
  add('O', name.organization);
  add('OU', name.organizationalUnit);
  if (name.commonName) add('CN', [name.commonName]);
  if (name.serialNumber) add('serialNumber', [name.serialNumber]);
  return rdns;
}

/**
 * The string type Go's encoding/asn1 gives a plain Go string (marshal.go `makeField`): PrintableString when every
 * character is in PrintableString's set (letters, digits, space and `'()+,-./:=?`; `*` and `&` rejected), else UTF8String.
 * An empty string is a PrintableString.
 */
export function goStringType(value: string): 'printableString' | 'utf8String' {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value) ? 'printableString' : 'utf8String';
}

/**
 * The subject as an `x509.Name`, each value with an explicit string type (the JSON object form of @peculiar/x509, so
 * no escaping is applied and empty values survive: Istio's `O=""`).
 * Approximation: a multi-valued RDN keeps its input order, where Go's DER encoder sorts SET OF members by encoding;
 * no requester the library configures emits a multi-valued RDN.
 */
export function subjectName(rdns: readonly Rdn[]): x509.Name {
  return new x509.Name(rdns.map((rdn) => {
    const item: Record<string, x509.JsonAttributeObject[]> = {};
    for (const attribute of rdn) {
      const oid = NAME_OIDS[attribute.type];
      (item[oid] ??= []).push({ [attribute.stringType ?? goStringType(attribute.value)]: attribute.value });
    }
    return item;
  }));
}

// ---------------------------------------------------------------------------------------------------------------------
// Subject alternative names, key usages
// ---------------------------------------------------------------------------------------------------------------------

/** A subject alternative name. */
export interface San {
  readonly type: 'dns' | 'email' | 'ip' | 'uri';
  readonly value: string;
}

/** The typed SAN lists of a Go x509.CertificateRequest template (or a cert-manager Certificate). */
export interface SanLists {
  readonly dnsNames?: readonly string[];
  readonly emailAddresses?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly uris?: readonly string[];
}

/**
 * SANs in Go's order (crypto/x509 `marshalSANs`, cert-manager `MarshalSANs`): DNS names, emails, IPs, URIs, each list
 * in its own order.
 */
export function goSans(names: SanLists): San[] {
  return [
    ...(names.dnsNames ?? []).map((value): San => ({ type: 'dns', value })),
    ...(names.emailAddresses ?? []).map((value): San => ({ type: 'email', value })),
    ...(names.ipAddresses ?? []).map((value): San => ({ type: 'ip', value })),
    ...(names.uris ?? []).map((value): San => ({ type: 'uri', value })),
  ];
}

/** An IP as Go encodes it in a SAN: 4 bytes whenever `net.IP.To4()` succeeds (IPv4, and IPv4-mapped IPv6). */
function goIp(value: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(value);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (!isIPv4(value) && !isIPv6(value)) throw new Error(`'${value}' is not an IP address`);
  return value;
}

/** Key usage bits, as Go's `x509.KeyUsage` (and @peculiar/x509's KeyUsageFlags) number them. */
export const KEY_USAGE_BITS: Record<string, number> = {
  'signing': 1,
  'digital signature': 1,
  'content commitment': 2,
  'key encipherment': 4,
  'data encipherment': 8,
  'key agreement': 16,
  'cert sign': 32,
  'crl sign': 64,
  'encipher only': 128,
  'decipher only': 256,
};

/** Extended key usage OIDs of cert-manager's usage names (pkg/api/util/usages.go, pkg/util/pki/keyusage.go). */
export const EXT_KEY_USAGE_OIDS: Record<string, string> = {
  'any': '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  'timestamping': '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

/** cert-manager's default usages when a Certificate or CertificateRequest names none (pkg/apis/certmanager/v1/types.go `DefaultKeyUsages`). */
export const CERT_MANAGER_DEFAULT_USAGES = ['digital signature', 'key encipherment'];

/**
 * cert-manager's `KeyUsagesForCertificateOrCertificateRequest` (pkg/util/pki/csr.go): cert sign when isCA, the default
 * usages when none are given, every name either a key usage bit or an extended key usage (in the given order).
 */
export function certManagerKeyUsages(usages: readonly string[] | undefined, isCA: boolean): KeyUsages {
  const keyUsages: string[] = isCA ? ['cert sign'] : [];
  const extKeyUsages: string[] = [];
  const unknown: string[] = [];
  for (const usage of usages && usages.length > 0 ? usages : CERT_MANAGER_DEFAULT_USAGES) {
    if (KEY_USAGE_BITS[usage] !== undefined) keyUsages.push(usage);
    else if (EXT_KEY_USAGE_OIDS[usage] !== undefined) extKeyUsages.push(EXT_KEY_USAGE_OIDS[usage]);
    else unknown.push(usage);
  }
  return { keyUsage: keyUsageFlags(keyUsages), extKeyUsages, unknown };
}

/** What {@link certManagerKeyUsages} returns: KeyUsage bits, ExtendedKeyUsage OIDs in order, unknown names. */
export interface KeyUsages {
  readonly keyUsage: number;
  readonly extKeyUsages: string[];
  readonly unknown: string[];
}

/** The KeyUsage bits of usage names (Go's `ku |= bit`: each bit once). */
export function keyUsageFlags(names: readonly string[]): number {
  const bits = new Set(names.map((name) => KEY_USAGE_BITS[name]).filter((bit) => bit !== undefined));
  return [...bits].reduce((sum, bit) => sum + bit, 0);
}

/** Whether KeyUsage `flags` has `bit` set. */
export function hasKeyUsageBit(flags: number, bit: number): boolean {
  return Math.floor(flags / bit) % 2 === 1;
}

/** The key usage bits of `flags` as cert-manager names them (`digital signature`, never `signing`). */
export function keyUsageNames(flags: number): string[] {
  return Object.entries(KEY_USAGE_BITS).filter(([name, bit]) => name !== 'signing' && hasKeyUsageBit(flags, bit)).map(([name]) => name);
}

// ---------------------------------------------------------------------------------------------------------------------
// The CSR
// ---------------------------------------------------------------------------------------------------------------------

/** Everything a requester puts into its PKCS#10 request. */
export interface CsrSpec {
  /** RDNs of the subject; empty for an empty subject (DER `30 00`). */
  readonly subject: readonly Rdn[];
  /** SANs in encoding order; none means no SAN extension. */
  readonly sans: readonly San[];
  readonly sanCritical: boolean;
  /** Key usage bits of a critical KeyUsage extension; undefined or 0 means no extension. */
  readonly keyUsage?: number;
  /** OIDs of a non-critical ExtendedKeyUsage extension; undefined or empty means no extension. */
  readonly extKeyUsages?: readonly string[];
  /** A critical BasicConstraints extension (cert-manager's `UseCertificateRequestBasicConstraints` gate, off by default). */
  readonly basicConstraints?: { readonly ca: boolean };
  /** Further extensions, appended last (hostile variants only). */
  readonly extraExtensions?: readonly x509.Extension[];
  readonly key: KeySpec;
  /** The signature algorithm; undefined means Go's default for the key. */
  readonly signatureAlgorithm?: GoSignatureAlgorithm;
}

/** Changes to a requester's CSR, to build hostile variants (a requester that does not behave as its source does). */
export interface CsrOverrides {
  /** Replaces the subject (see `goRdnSequence`). */
  readonly subject?: readonly Rdn[];
  /** Replaces every SAN. */
  readonly sans?: readonly San[];
  /** Appends SANs after the requester's own. */
  readonly extraSans?: readonly San[];
  readonly sanCritical?: boolean;
  /**
   * Replaces the KeyUsage/ExtendedKeyUsage extensions with cert-manager's encoding of these usage names (an empty list
   * means cert-manager's defaults, digital signature + key encipherment); null drops both extensions.
   */
  readonly usages?: readonly string[] | null;
  readonly basicConstraints?: { readonly ca: boolean } | null;
  readonly extraExtensions?: readonly x509.Extension[];
  /** Another key; the signature algorithm then becomes Go's default for it unless `signatureAlgorithm` is given too. */
  readonly key?: KeySpec;
  readonly signatureAlgorithm?: GoSignatureAlgorithm;
}

/** `spec` with `overrides` applied. */
export function applyCsrOverrides(spec: CsrSpec, overrides: CsrOverrides | undefined): CsrSpec {
  if (!overrides) return spec;
  const o = overrides;
  const usages = o.usages === undefined ? undefined : o.usages === null ? { keyUsage: 0, extKeyUsages: [] } : certManagerKeyUsages(o.usages, false);
  return {
    subject: o.subject ?? spec.subject,
    sans: [...(o.sans ?? spec.sans), ...(o.extraSans ?? [])],
    sanCritical: o.sanCritical ?? spec.sanCritical,
    keyUsage: usages ? usages.keyUsage : spec.keyUsage,
    extKeyUsages: usages ? usages.extKeyUsages : spec.extKeyUsages,
    basicConstraints: o.basicConstraints === null ? undefined : o.basicConstraints ?? spec.basicConstraints,
    extraExtensions: [...(spec.extraExtensions ?? []), ...(o.extraExtensions ?? [])],
    key: o.key ?? spec.key,
    signatureAlgorithm: o.signatureAlgorithm ?? (o.key ? undefined : spec.signatureAlgorithm),
  };
}

/**
 * Signs `spec` into a PKCS#10 request as Go's `x509.CreateCertificateRequest` lays it out: version 0, the subject, the
 * public key, one extensionRequest attribute with SAN, KeyUsage, ExtendedKeyUsage, BasicConstraints and extra
 * extensions in that order (no attribute when there are none), and the signature.
 */
export async function createCsr(spec: CsrSpec): Promise<x509.Pkcs10CertificateRequest> {
  const extensions: x509.Extension[] = [];
  if (spec.sans.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(spec.sans.map((san): x509.JsonGeneralName => ({
      type: san.type === 'uri' ? 'url' : san.type,
      value: san.type === 'ip' ? goIp(san.value) : san.value,
    })), spec.sanCritical));
  }
  if (spec.keyUsage) extensions.push(new x509.KeyUsagesExtension(spec.keyUsage, true));
  if (spec.extKeyUsages && spec.extKeyUsages.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension([...spec.extKeyUsages], false));
  if (spec.basicConstraints) extensions.push(new x509.BasicConstraintsExtension(spec.basicConstraints.ca, undefined, true));
  extensions.push(...(spec.extraExtensions ?? []));
  const { keys, algorithm } = await signer(spec.key, spec.signatureAlgorithm ?? goDefaultSignatureAlgorithm(spec.key));
  return x509.Pkcs10CertificateRequestGenerator.create({
    name: spec.subject.length > 0 ? subjectName(spec.subject) : undefined,
    keys,
    signingAlgorithm: algorithm,
    extensions,
  });
}

/** Go's `pem.Encode` of a CSR: 64-character base64 lines, trailing newline. */
export function csrPem(der: ArrayBuffer): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** The PEM of a CertificateRequest's `spec.request` (base64 of the PEM, the JSON form of Go's `[]byte`). */
export function requestPem(cr: CertificateRequestObject): string {
  return Buffer.from(cr.spec.request, 'base64').toString('utf8');
}

/** Parses a PEM CSR (or a CertificateRequest's `spec.request`) back with @peculiar/x509. */
export function parseCsr(input: string | CertificateRequestObject): x509.Pkcs10CertificateRequest {
  return new x509.Pkcs10CertificateRequest(typeof input === 'string' ? input : requestPem(input));
}

/** What an approver reads from a CSR, parsed back with @peculiar/x509. */
export interface CsrSummary {
  /** Hex DER of the subject (compare with `subjectDer` to check string types). */
  readonly subjectDer: string;
  /** The subject as @peculiar/x509 prints it. */
  readonly subject: string;
  readonly commonName?: string;
  readonly sans: San[];
  readonly sanCritical?: boolean;
  /** cert-manager names of the KeyUsage bits; undefined when the CSR has no KeyUsage extension. */
  readonly keyUsages?: string[];
  readonly keyUsageCritical?: boolean;
  /** OIDs of the ExtendedKeyUsage extension; undefined when absent. */
  readonly extKeyUsages?: string[];
  readonly basicConstraints?: { ca: boolean; critical: boolean };
  /** OIDs of every extension, in order. */
  readonly extensions: string[];
  /** OIDs of the attributes. */
  readonly attributes: string[];
  readonly key: KeySpec;
  readonly signatureAlgorithm: GoSignatureAlgorithm;
  readonly signatureValid: boolean;
}

const OID_SAN = '2.5.29.17';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';

/** Parses a CSR back and summarises it (subject, SANs, usages, key, signature). */
export async function inspectCsr(input: string | CertificateRequestObject): Promise<CsrSummary> {
  const csr = parseCsr(input);
  const sanExt = csr.getExtension(OID_SAN) as x509.SubjectAlternativeNameExtension | null;
  const kuExt = csr.getExtension(OID_KEY_USAGE) as x509.KeyUsagesExtension | null;
  const ekuExt = csr.getExtension(OID_EXT_KEY_USAGE) as x509.ExtendedKeyUsageExtension | null;
  const bcExt = csr.getExtension(OID_BASIC_CONSTRAINTS) as x509.BasicConstraintsExtension | null;
  const algorithm = csr.publicKey.algorithm as Algorithm & { modulusLength?: number; namedCurve?: string };
  let key: KeySpec;
  if (algorithm.name === 'RSASSA-PKCS1-v1_5' || algorithm.name === 'RSA-PSS') key = { algorithm: 'RSA', size: algorithm.modulusLength! };
  else if (algorithm.name === 'ECDSA') key = { algorithm: 'ECDSA', size: Number(algorithm.namedCurve!.slice(2)) as 256 | 384 | 521 };
  else key = { algorithm: 'Ed25519' };
  const signed = csr.signatureAlgorithm as { name: string; hash?: { name: string } };
  const bits = signed.hash?.name.slice(4);
  const signatureAlgorithm = (signed.name === 'ECDSA' ? `ECDSAWithSHA${bits}` : signed.name === 'Ed25519' ? 'PureEd25519' : `SHA${bits}WithRSA`) as GoSignatureAlgorithm;
  const cn = csr.subjectName.getField('CN');
  return {
    subjectDer: Buffer.from(csr.subjectName.toArrayBuffer()).toString('hex'),
    subject: csr.subject,
    commonName: cn.length > 0 ? cn[0] : undefined,
    sans: sanExt ? sanExt.names.toJSON().map((n) => ({ type: n.type === 'url' ? 'uri' : n.type as San['type'], value: n.value })) : [],
    sanCritical: sanExt?.critical,
    keyUsages: kuExt ? keyUsageNames(kuExt.usages) : undefined,
    keyUsageCritical: kuExt?.critical,
    extKeyUsages: ekuExt ? ekuExt.usages.map((u) => String(u)) : undefined,
    basicConstraints: bcExt ? { ca: bcExt.ca, critical: bcExt.critical } : undefined,
    extensions: csr.extensions.map((e) => e.type),
    attributes: csr.attributes.map((a) => a.type),
    key,
    signatureAlgorithm,
    signatureValid: await csr.verify(),
  };
}

/** Hex DER of the subject `rdns` encodes to (what `CsrSummary.subjectDer` must equal). */
export function subjectDer(rdns: readonly Rdn[]): string {
  return Buffer.from(subjectName(rdns).toArrayBuffer()).toString('hex');
}

// ---------------------------------------------------------------------------------------------------------------------
// Go durations
// ---------------------------------------------------------------------------------------------------------------------

const UNITS: Record<string, bigint> = {
  ns: 1n, us: 1000n, µs: 1000n, μs: 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n,
};

/** Go's `time.ParseDuration`, in nanoseconds. */
export function parseGoDuration(text: string): bigint {
  const match = /^([-+]?)(.*)$/.exec(text)!;
  let rest = match[2];
  if (rest === '0') return 0n;
  if (rest === '') throw new Error(`time: invalid duration "${text}"`);
  let total = 0n;
  while (rest !== '') {
    const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part || (part[1] === '' && (part[2] ?? '') === '')) throw new Error(`time: invalid duration "${text}"`);
    const unit = UNITS[part[3]];
    total += BigInt(part[1] || '0') * unit;
    if (part[2]) total += (BigInt(part[2]) * unit) / 10n ** BigInt(part[2].length);
    rest = rest.slice(part[0].length);
  }
  return match[1] === '-' ? -total : total;
}

/** Go's `time.Duration.String()` of `nanoseconds` (`24h0m0s`, `1h0m0s`, `30m0s`, `1.5s`, `500ms`, `0s`). */
export function formatGoDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const negative = nanoseconds < 0n;
  let ns = negative ? -nanoseconds : nanoseconds;
  const fraction = (value: bigint, unit: bigint) => {
    const whole = value / unit;
    const rest = value % unit;
    if (rest === 0n) return `${whole}`;
    const digits = unit.toString().length - 1;
    return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`;
  };
  let text: string;
  if (ns < 1000000000n) {
    text = ns < 1000n ? `${ns}ns` : ns < 1000000n ? `${fraction(ns, 1000n)}µs` : `${fraction(ns, 1000000n)}ms`;
  } else {
    const hours = ns / 3600000000000n;
    ns %= 3600000000000n;
    const minutes = ns / 60000000000n;
    ns %= 60000000000n;
    const seconds = `${fraction(ns, 1000000000n)}s`;
    text = hours > 0n ? `${hours}h${minutes}m${seconds}` : minutes > 0n ? `${minutes}m${seconds}` : seconds;
  }
  return negative ? `-${text}` : text;
}

/** A duration string as a Go program writes it back (`24h` -> `24h0m0s`): what `metav1.Duration` marshals to. */
export function goDuration(text: string): string {
  return formatGoDuration(parseGoDuration(text));
}

// ---------------------------------------------------------------------------------------------------------------------
// The CertificateRequest object
// ---------------------------------------------------------------------------------------------------------------------

/** The object fields of a CertificateRequest as a requester creates it (before the API server fills username/groups). */
export interface CrSpec {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly issuerRef: { readonly name: string; readonly kind?: string; readonly group?: string };
  /** Go duration string as the requester marshals it (`1h0m0s`); undefined when the requester sets none. */
  readonly duration?: string;
  readonly isCA: boolean;
  readonly usages?: readonly string[];
  /** Who creates it: the API server writes this identity into `spec.username`/`groups` (cert-manager's webhook). */
  readonly identity: RequesterIdentity;
}

/** Changes to a requester's CertificateRequest fields, to build hostile variants. */
export interface CrOverrides {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  /** Replaces the annotations. */
  readonly annotations?: Record<string, string>;
  /** Merged over the annotations. */
  readonly extraAnnotations?: Record<string, string>;
  readonly issuerRef?: { readonly name: string; readonly kind?: string; readonly group?: string };
  /** Any Go duration (`720h`); written back as Go does (`720h0m0s`); null drops the field. */
  readonly duration?: string | null;
  readonly isCA?: boolean;
  /** null drops the field. */
  readonly usages?: readonly string[] | null;
  readonly identity?: RequesterIdentity;
}

/** Options every builder takes: overrides of the CSR and of the CertificateRequest. */
export interface RequestOverrides {
  readonly csr?: CsrOverrides;
  readonly cr?: CrOverrides;
}

/** `spec` with `overrides` applied. */
export function applyCrOverrides(spec: CrSpec, overrides: CrOverrides | undefined): CrSpec {
  if (!overrides) return spec;
  const o = overrides;
  const annotations = { ...(o.annotations ?? spec.annotations), ...o.extraAnnotations };
  return {
    name: o.name ?? spec.name,
    namespace: o.namespace ?? spec.namespace,
    labels: o.labels ?? spec.labels,
    annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    issuerRef: o.issuerRef ?? spec.issuerRef,
    duration: o.duration === null ? undefined : o.duration !== undefined ? goDuration(o.duration) : spec.duration,
    isCA: o.isCA ?? spec.isCA,
    usages: o.usages === null ? undefined : o.usages ?? spec.usages,
    identity: o.identity ?? spec.identity,
  };
}

/**
 * The CertificateRequest as the API server stores it, in the JSON form of cert-manager's Go types (v1.21.1
 * pkg/apis/certmanager/v1/types_certificaterequest.go): `omitempty` drops a false isCA, empty usages, a nil duration,
 * an empty issuerRef kind/group, and empty labels/annotations.
 */
export function certificateRequestObject(spec: CrSpec, pem: string): CertificateRequestObject {
  const nonEmpty = (map: Record<string, string> | undefined) => (map && Object.keys(map).length > 0 ? { ...map } : undefined);
  const issuerRef: { name: string; kind?: string; group?: string } = { name: spec.issuerRef.name };
  if (spec.issuerRef.kind) issuerRef.kind = spec.issuerRef.kind;
  if (spec.issuerRef.group) issuerRef.group = spec.issuerRef.group;
  const labels = nonEmpty(spec.labels);
  const annotations = nonEmpty(spec.annotations);
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      request: Buffer.from(pem, 'utf8').toString('base64'),
      issuerRef,
      ...(spec.duration !== undefined ? { duration: spec.duration } : {}),
      ...(spec.isCA ? { isCA: true } : {}),
      ...(spec.usages && spec.usages.length > 0 ? { usages: [...spec.usages] } : {}),
      username: spec.identity.username,
      groups: [...spec.identity.groups],
    },
  };
}

/** Signs the CSR and assembles the CertificateRequest, overrides applied to both. */
export async function buildCertificateRequest(csr: CsrSpec, cr: CrSpec, overrides?: RequestOverrides): Promise<CertificateRequestObject> {
  const signed = await createCsr(applyCsrOverrides(csr, overrides?.csr));
  return certificateRequestObject(applyCrOverrides(cr, overrides?.cr), csrPem(signed.rawData));
}

/**
 * The name the API server gives an object created with `generateName` (`<prefix><5 characters>`): the suffix is
 * random upstream (apiserver names.SimpleNameGenerator); here it is derived from `seed` so a model run is reproducible.
 */
export function generatedName(prefix: string, seed: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256').update(seed).digest();
  return prefix + Array.from(digest.subarray(0, 5), (b) => alphabet[b % alphabet.length]).join('');
}
