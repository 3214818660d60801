/**
 * A model of cert-manager approver-policy v0.27.0: which CertificateRequests it approves, denies or leaves alone,
 * given every object of the cluster (CertificateRequestPolicies, RBAC, Namespaces), with upstream's reason text.
 *
 * Written in TypeScript from a reading of the upstream Go source at tag v0.27.0 (no code copied); every function
 * names the file it follows. Checked against upstream's own unit-test tables in `upstream-cases.json` (see
 * model.test.ts and README.md):
 *
 *   pkg/internal/approver/allowed/evaluator.go          evaluateAllowed (and the helpers it calls)
 *   pkg/internal/approver/constraints/evaluator.go      evaluateConstraints
 *   pkg/internal/util/wildcard.go                       wildcardMatches / wildcardContains / wildcardSubset
 *   pkg/internal/approver/validation/*.go               cel.ts (the CEL environment of `validations`)
 *   pkg/internal/approver/manager/predicate/predicate.go predicateReady, selectorIssuerRef, selectorNamespace, rbacBound
 *   pkg/internal/approver/manager/review.go             review
 *   pkg/internal/controllers/certificaterequests.go     evaluate (what the controller does with the review)
 *   pkg/internal/controllers/certificaterequestpolicies.go  the Ready condition (assumed reconciled, see evaluate)
 *   pkg/internal/webhook/validator.go, allowed/validation.go, constraints/validation.go   validatePolicy (admission)
 *   pkg/apis/policy/v1alpha1/types_certificaterequestpolicy.go   the policy's shape (PolicySpec below)
 *
 * and, where upstream delegates: cert-manager v1.21.1 `pkg/util/pki` (DecodeX509CertificateRequestBytes,
 * UnmarshalSANs, UnmarshalRawDerBytesToRDNSequence), Go's crypto/x509 (ParseCertificateRequest, parseSANExtension,
 * parseCSRExtensions), crypto/x509/pkix (Name.FillFromRDNSequence), encoding/asn1, k8s.io/apimachinery
 * (field.Error and its aggregate's text, label selectors, label validation) and the Kubernetes RBAC authorizer
 * (plugin/pkg/auth/authorizer/rbac, pkg/apis/rbac/v1/evaluation_helpers.go) behind a SubjectAccessReview.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import * as asn1 from './asn1';
import { CelCompileError, CelEvalError, ValidatorCache } from './cel';

// =================================================================================================================
// The policy (pkg/apis/policy/v1alpha1/types_certificaterequestpolicy.go), as JSON
// =================================================================================================================

export interface ValidationRule { readonly rule: string; readonly message?: string }
export interface AllowedString { readonly value?: string | null; readonly required?: boolean | null; readonly validations?: ValidationRule[] }
export interface AllowedStringSlice { readonly values?: string[] | null; readonly required?: boolean | null; readonly validations?: ValidationRule[] }
export interface AllowedOid extends AllowedStringSlice { readonly oid: string }
export interface PolicyAllowed {
  readonly commonName?: AllowedString | null;
  readonly dnsNames?: AllowedStringSlice | null;
  readonly ipAddresses?: AllowedStringSlice | null;
  readonly uris?: AllowedStringSlice | null;
  readonly emailAddresses?: AllowedStringSlice | null;
  readonly isCA?: boolean | null;
  readonly usages?: string[] | null;
  readonly otherNames?: AllowedOid[];
  readonly subject?: {
    readonly organizations?: AllowedStringSlice | null;
    readonly countries?: AllowedStringSlice | null;
    readonly organizationalUnits?: AllowedStringSlice | null;
    readonly localities?: AllowedStringSlice | null;
    readonly provinces?: AllowedStringSlice | null;
    readonly streetAddresses?: AllowedStringSlice | null;
    readonly postalCodes?: AllowedStringSlice | null;
    readonly serialNumber?: AllowedString | null;
    readonly otherAttributes?: AllowedOid[];
  } | null;
}
export interface PolicyConstraints {
  /** metav1.Duration, e.g. `1h`, `24h0m0s`. */
  readonly minDuration?: string | null;
  readonly maxDuration?: string | null;
  readonly privateKey?: { readonly algorithm?: string | null; readonly minSize?: number | null; readonly maxSize?: number | null } | null;
}
export interface PolicySpec {
  readonly allowed?: PolicyAllowed | null;
  readonly constraints?: PolicyConstraints | null;
  readonly plugins?: Record<string, { values?: Record<string, string> }> | null;
  readonly selector?: {
    readonly issuerRef?: { readonly name?: string | null; readonly kind?: string | null; readonly group?: string | null } | null;
    readonly namespace?: { readonly matchNames?: string[] | null; readonly matchLabels?: Record<string, string> | null } | null;
  };
}
export interface PolicyObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly generation?: number };
  readonly spec: PolicySpec;
  readonly status?: { readonly conditions?: { readonly type: string; readonly status: string }[] };
}

/**
 * The CertificateRequest as the evaluators read it: the contract of ../certificate-request.ts, with every field
 * optional the way Go's zero values are (upstream's unit tests build requests with most fields unset).
 */
export interface RequestLike {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    /** base64 of the PEM CSR (the JSON form of Go's `[]byte`). */
    readonly request?: string;
    readonly issuerRef?: { readonly name?: string; readonly kind?: string; readonly group?: string };
    readonly duration?: string | null;
    readonly isCA?: boolean;
    readonly usages?: string[];
    readonly username?: string;
    readonly groups?: string[];
    readonly uid?: string;
    readonly extra?: Record<string, string[]>;
  };
}

// =================================================================================================================
// k8s.io/apimachinery field.Error, and the text of its aggregate
// =================================================================================================================

export type FieldErrorType = 'Invalid' | 'Required' | 'Internal' | 'NotSupported';

/**
 * A field.Error. `value` holds the Go BadValue: a JS string is a Go `string` (printed with %q), a boolean or number a
 * Go bool/int, anything else (string arrays, maps, named string types as `{ json: ... }`) is printed as Go's
 * json.Marshal prints it.
 */
export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly value?: unknown;
  readonly detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  Invalid: 'Invalid value', Required: 'Required value', Internal: 'Internal error', NotSupported: 'Unsupported value',
};

export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'Invalid', field, value, detail });
export const required = (field: string, detail: string): FieldError => ({ type: 'Required', field, value: '', detail });
export const internalError = (field: string, detail: string): FieldError => ({ type: 'Internal', field, detail });
export const notSupported = (field: string, value: unknown, valid: string[]): FieldError => ({
  type: 'NotSupported', field, value, detail: valid.length > 0 ? `supported values: ${valid.map(goQuote).join(', ')}` : '',
});

/** Go's strconv.Quote (%q). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Go's encoding/json rendering of a value (HTML-safe string escaping, sorted map keys, no spaces). */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') {
    return `"${Array.from(v).map((ch) => {
      const cp = ch.codePointAt(0)!;
      if (ch === '"' || ch === '\\') return `\\${ch}`;
      if (ch === '\n') return '\\n';
      if (ch === '\r') return '\\r';
      if (ch === '\t') return '\\t';
      if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029) return `\\u${cp.toString(16).padStart(4, '0')}`;
      return ch;
    }).join('')}"`;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'object' && 'json' in (v as any)) return goJson((v as any).json);
  const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${goJson(k)}:${goJson(x)}`).join(',')}}`;
}

/** field.Error.Error(): `<field>: <type>[: <value>][: <detail>]`. */
export function fieldErrorText(e: FieldError): string {
  let body = TYPE_TEXT[e.type];
  if (e.type === 'Invalid' || e.type === 'NotSupported') {
    const v = e.value;
    body += `: ${typeof v === 'string' ? goQuote(v) : typeof v === 'boolean' || typeof v === 'number' ? String(v) : goJson(v)}`;
  }
  if (e.detail.length > 0) body += `: ${e.detail}`;
  return `${e.field}: ${body}`;
}

/** `ErrorList.ToAggregate().Error()`: duplicates dropped, one error bare, several as `[a, b]`. */
export function aggregateText(messages: string[]): string {
  const unique = [...new Set(messages)];
  if (unique.length === 0) return '';
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

export const errorListText = (errors: FieldError[]) => aggregateText(errors.map(fieldErrorText));

// =================================================================================================================
// pkg/internal/util/wildcard.go
// =================================================================================================================

/**
 * `*` matches any run of characters (including none, '.', '/', '@' and ':'); there is no other metacharacter; an
 * empty pattern matches only the empty string. (WildcardMatches: greedy matching with one backtrack checkpoint.)
 */
export function wildcardMatches(pattern: string, str: string): boolean {
  if (pattern.length === 0) return str.length === 0;
  if (pattern === '*') return true;
  const pat = Array.from(pattern);
  const s = Array.from(str);
  let px = 0;
  let sx = 0;
  let starPx = -1;
  let starSx = -1;
  while (sx < s.length) {
    if (px < pat.length && pat[px] === '*') {
      starPx = px;
      starSx = sx;
      px++;
    } else if (px < pat.length && pat[px] === s[sx]) {
      px++;
      sx++;
    } else if (starPx >= 0) {
      starSx++;
      sx = starSx;
      px = starPx + 1;
    } else {
      return false;
    }
  }
  while (px < pat.length && pat[px] === '*') px++;
  return px === pat.length;
}

export const wildcardContains = (patterns: string[], member: string) => patterns.some((p) => wildcardMatches(p, member));
export const wildcardSubset = (patterns: string[], members: string[]) => members.every((m) => wildcardContains(patterns, m));

// =================================================================================================================
// Go durations (time.ParseDuration / Duration.String), for metav1.Duration
// =================================================================================================================

const UNIT_NS: Record<string, bigint> = {
  ns: 1n, us: 1000n, µs: 1000n, μs: 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

/** time.ParseDuration, in nanoseconds. */
export function parseGoDuration(s: string): bigint {
  const m = /^([-+]?)(.*)$/.exec(s)!;
  let rest = m[2];
  if (rest === '0') return 0n;
  if (rest === '') throw new Error(`time: invalid duration ${goQuote(s)}`);
  let total = 0n;
  while (rest.length > 0) {
    const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part || (part[1] === '' && (part[2] ?? '') === '')) throw new Error(`time: invalid duration ${goQuote(s)}`);
    const unit = UNIT_NS[part[3]];
    total += BigInt(part[1] || '0') * unit;
    if (part[2]) total += (BigInt(part[2]) * unit) / 10n ** BigInt(part[2].length);
    rest = rest.slice(part[0].length);
  }
  return m[1] === '-' ? -total : total;
}

/** time.Duration.String(). */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, div] = u < 1000n ? ['ns', 1n] : u < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n];
    out = `${fraction(u, div)}${unit}`;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = `${fraction(u, 1_000_000_000n)}s`;
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return neg ? `-${out}` : out;
}

function fraction(v: bigint, div: bigint): string {
  const whole = v / div;
  const frac = v % div;
  if (frac === 0n) return `${whole}`;
  const digits = (div.toString().length - 1);
  return `${whole}.${frac.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}

// =================================================================================================================
// The CSR as Go sees it
// =================================================================================================================

/** An evaluator error: upstream returns it (no decision); the controller retries and the request stays pending. */
export class EvaluatorError extends Error {}

export interface SubjectAttribute { readonly oid: string; readonly value: asn1.GoAttributeValue }

export interface GoGeneralNames {
  readonly otherNames: { readonly oid: string; readonly value: string }[];
  readonly rfc822Names: string[];
  readonly dnsNames: string[];
  readonly x400Addresses: number;
  readonly directoryNames: number;
  readonly ediPartyNames: number;
  readonly uris: string[];
  readonly ipAddresses: string[];
  readonly registeredIds: string[];
}

/** What the evaluators read from `spec.request`. */
export interface GoCsr {
  /** The full RDNSequence of the raw subject (cert-manager `UnmarshalRawDerBytesToRDNSequence`). */
  readonly subjectRdns: SubjectAttribute[][];
  /** The lossy pkix.Name projection (`Name.FillFromRDNSequence`): string values of the named attributes. */
  readonly subject: {
    readonly commonName: string;
    readonly serialNumber: string;
    readonly organization: string[];
    readonly country: string[];
    readonly organizationalUnit: string[];
    readonly locality: string[];
    readonly province: string[];
    readonly streetAddress: string[];
    readonly postalCode: string[];
  };
  /** crypto/x509's parsed SAN slices (parseSANExtension: tags 1, 2, 6, 7 only). */
  readonly dnsNames: string[];
  readonly emailAddresses: string[];
  readonly ipAddresses: string[];
  readonly uris: string[];
  /** The requested extensions (parseCSRExtensions). */
  readonly extensions: { readonly oid: string; readonly critical: boolean; readonly value: Uint8Array }[];
  /** crypto/x509's parsed public key, as constraints' `decodePublicKey` classifies it. */
  readonly publicKey: { readonly algorithm: 'RSA' | 'ECDSA' | 'Ed25519'; readonly size: number } | { readonly algorithm: undefined; readonly goType: string };
}

const OID_SAN = '2.5.29.17';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const SUBJECT_OIDS = {
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  province: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  postalCode: '2.5.4.17',
};
const NAMED_SUBJECT_OIDS = new Set(Object.values(SUBJECT_OIDS));
/** cert-manager's `maxLeafCertificatePEMSize` + `maxCACertificatePEMSize` limit of SafeDecodeCSR (internal/pem/decode.go). */
const MAX_CSR_PEM_SIZE = 36500;

/** Go's pem.Decode: the first PEM block of the input (any type). */
function pemDecode(text: string): Uint8Array | undefined {
  const m = /-----BEGIN ([^\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  const body = m[2].split(/\r?\n/).filter((l) => !/^[\w-]+:/.test(l)).join('');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

function parseSubject(subject: asn1.Tlv): SubjectAttribute[][] {
  if (!asn1.isUniversal(subject, asn1.TAG_SEQUENCE, true)) throw new asn1.Asn1Error('asn1: structure error: tags don\'t match (Subject)');
  return asn1.children(subject).map((set) => {
    if (!asn1.isUniversal(set, asn1.TAG_SET, true)) throw new asn1.Asn1Error('asn1: structure error: sequence tag mismatch');
    return asn1.children(set).map((atv) => {
      const [type, value, ...extra] = asn1.isUniversal(atv, asn1.TAG_SEQUENCE, true) ? asn1.children(atv) : [];
      if (!type || !value || extra.length > 0 || !asn1.isUniversal(type, asn1.TAG_OID)) {
        throw new asn1.Asn1Error('asn1: structure error: AttributeTypeAndValue');
      }
      return { oid: asn1.decodeOid(type.content), value: asn1.goDecodeAny(value) };
    });
  });
}

/** Go's net.IP.String(). */
export function goIpString(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (mapped) return Array.from(b.slice(12)).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b[i] * 256 + b[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hexes = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hexes.join(':');
  return `${hexes.slice(0, bestStart).join(':')}::${hexes.slice(bestStart + bestLen).join(':')}`;
}

function isIA5(s: Uint8Array): boolean {
  return s.every((b) => b < 128);
}

/** crypto/x509 parseSANExtension (the slices ParseCertificateRequest fills). */
function goParseSanExtension(value: Uint8Array): Pick<GoCsr, 'dnsNames' | 'emailAddresses' | 'ipAddresses' | 'uris'> {
  const out = { dnsNames: [] as string[], emailAddresses: [] as string[], ipAddresses: [] as string[], uris: [] as string[] };
  let seqTlv: asn1.Tlv;
  try {
    seqTlv = asn1.readTlv(value, 0).tlv;
  } catch {
    throw new EvaluatorError('x509: invalid subject alternative names');
  }
  if (!asn1.isUniversal(seqTlv, asn1.TAG_SEQUENCE, true)) throw new EvaluatorError('x509: invalid subject alternative names');
  let names: asn1.Tlv[];
  try {
    names = asn1.children(seqTlv);
  } catch {
    throw new EvaluatorError('x509: invalid subject alternative name');
  }
  for (const gn of names) {
    if (gn.cls !== asn1.CLASS_CONTEXT || gn.constructed) continue; // tag ^ 0x80 is one of 1, 2, 6, 7 only for these
    const text = asn1.latin1(gn.content);
    switch (gn.tag) {
      case 1:
        if (!isIA5(gn.content)) throw new EvaluatorError('x509: SAN rfc822Name is malformed');
        out.emailAddresses.push(text);
        break;
      case 2:
        if (!isIA5(gn.content)) throw new EvaluatorError('x509: SAN dNSName is malformed');
        out.dnsNames.push(text);
        break;
      case 6:
        if (!isIA5(gn.content)) throw new EvaluatorError('x509: SAN uniformResourceIdentifier is malformed');
        out.uris.push(goUriString(text));
        break;
      case 7:
        if (gn.content.length !== 4 && gn.content.length !== 16) {
          throw new EvaluatorError(`x509: cannot parse IP address of length ${gn.content.length}`);
        }
        out.ipAddresses.push(goIpString(gn.content));
        break;
      default: break;
    }
  }
  return out;
}

/**
 * url.Parse + URL.String() of a SAN URI, approximately: the text is kept as written (Go re-serialises it, which
 * only differs for unusual escaping), and the checks that make Go fail the parse are applied (control characters,
 * malformed %-escapes, a host that is not a domain).
 */
function goUriString(uri: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(uri)) throw new EvaluatorError(`x509: cannot parse URI ${goQuote(uri)}: net/url: invalid control character in URL`);
  if (/%(?![0-9A-Fa-f]{2})/.test(uri)) throw new EvaluatorError(`x509: cannot parse URI ${goQuote(uri)}: invalid URL escape`);
  const host = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri)?.[1]?.replace(/^[^@]*@/, '');
  if (host && !host.startsWith('[')) {
    const name = host.replace(/:\d*$/, '');
    if (name.length > 0 && name.split('.').some((label, i, all) => (label.length === 0 && i !== all.length - 1) || /[^\x21-\x7e]/.test(label))) {
      throw new EvaluatorError(`x509: cannot parse URI ${goQuote(uri)}: invalid domain`);
    }
  }
  return uri;
}

/** pkix.Name.FillFromRDNSequence: only string values; CN and SERIALNUMBER keep the last value. */
function fillFromRdnSequence(rdns: SubjectAttribute[][]): GoCsr['subject'] {
  const s = {
    commonName: '',
    serialNumber: '',
    organization: [] as string[],
    country: [] as string[],
    organizationalUnit: [] as string[],
    locality: [] as string[],
    province: [] as string[],
    streetAddress: [] as string[],
    postalCode: [] as string[],
  };
  for (const rdn of rdns) {
    for (const atv of rdn) {
      if (atv.value.kind !== 'string') continue;
      const v = atv.value.value;
      switch (atv.oid) {
        case SUBJECT_OIDS.commonName: s.commonName = v; break;
        case SUBJECT_OIDS.serialNumber: s.serialNumber = v; break;
        case SUBJECT_OIDS.country: s.country.push(v); break;
        case SUBJECT_OIDS.locality: s.locality.push(v); break;
        case SUBJECT_OIDS.province: s.province.push(v); break;
        case SUBJECT_OIDS.streetAddress: s.streetAddress.push(v); break;
        case SUBJECT_OIDS.organization: s.organization.push(v); break;
        case SUBJECT_OIDS.organizationalUnit: s.organizationalUnit.push(v); break;
        case SUBJECT_OIDS.postalCode: s.postalCode.push(v); break;
        default: break;
      }
    }
  }
  return s;
}

/** crypto/x509 parseCSRExtensions: the extensionRequest attributes; a duplicated extension fails the parse. */
function parseCsrExtensions(attributes: asn1.Tlv | undefined): GoCsr['extensions'] {
  const out: { oid: string; critical: boolean; value: Uint8Array }[] = [];
  if (!attributes) return out;
  const seen = new Set<string>();
  for (const attr of asn1.children(attributes)) {
    let id: string;
    let values: asn1.Tlv[];
    try {
      const [idTlv, valuesTlv, ...extra] = asn1.children(attr);
      if (!asn1.isUniversal(idTlv, asn1.TAG_OID) || !valuesTlv || !asn1.isUniversal(valuesTlv, asn1.TAG_SET, true) || extra.length > 0) continue;
      id = asn1.decodeOid(idTlv.content);
      values = asn1.children(valuesTlv);
    } catch {
      continue; // "Ignore attributes that don't parse."
    }
    if (values.length === 0 || id !== OID_EXTENSION_REQUEST) continue;
    if (!asn1.isUniversal(values[0], asn1.TAG_SEQUENCE, true)) throw new EvaluatorError('asn1: structure error: tags don\'t match (extensions)');
    for (const ext of asn1.children(values[0])) {
      const parts = asn1.children(ext);
      const oid = asn1.decodeOid(parts[0].content);
      const critical = parts.length === 3 && parts[1].content[0] !== 0;
      const value = parts[parts.length - 1];
      if (!asn1.isUniversal(value, asn1.TAG_OCTET_STRING)) throw new EvaluatorError('asn1: structure error: tags don\'t match (extension value)');
      if (seen.has(oid)) throw new EvaluatorError('x509: certificate request contains duplicate requested extensions');
      seen.add(oid);
      out.push({ oid, critical, value: value.content });
    }
  }
  return out;
}

const EC_CURVES: Record<string, number> = { '1.3.132.0.33': 224, '1.2.840.10045.3.1.7': 256, '1.3.132.0.34': 384, '1.3.132.0.35': 521 };

/** crypto/x509's public key parse + constraints' `decodePublicKey` (algorithm and size). */
function parsePublicKey(spki: asn1.Tlv): GoCsr['publicKey'] {
  const [algId, key] = asn1.children(spki);
  const [algOid, params] = asn1.children(algId);
  const oid = asn1.decodeOid(algOid.content);
  const keyBytes = key.content.subarray(1);
  switch (oid) {
    case '1.2.840.113549.1.1.1': {
      const [n] = asn1.children(asn1.readOne(keyBytes, 'RSA public key'));
      return { algorithm: 'RSA', size: asn1.bitLength(n.content) };
    }
    case '1.2.840.10045.2.1': {
      const curve = params && asn1.isUniversal(params, asn1.TAG_OID) ? EC_CURVES[asn1.decodeOid(params.content)] : undefined;
      if (!curve) throw new EvaluatorError('x509: unsupported elliptic curve');
      return { algorithm: 'ECDSA', size: curve };
    }
    case '1.3.101.112': return { algorithm: 'Ed25519', size: -1 };
    case '1.3.101.110': return { algorithm: undefined, goType: '*ecdh.PublicKey' };
    case '1.2.840.10040.4.1': return { algorithm: undefined, goType: '*dsa.PublicKey' };
    default: return { algorithm: undefined, goType: '<nil>' };
  }
}

/**
 * cert-manager `pki.DecodeX509CertificateRequestBytes(request.Spec.Request)`: the first PEM block, then
 * crypto/x509.ParseCertificateRequest. The CSR is parsed with @peculiar/x509 (structure, PEM); the views Go
 * derives from it (encoding/asn1's typing of subject values, the SAN slices, the requested extensions, the public
 * key) are read from its DER with ./asn1.ts. Throws EvaluatorError where Go returns an error.
 */
export function decodeCsr(requestField: string | undefined): GoCsr {
  const pemText = Buffer.from(requestField ?? '', 'base64').toString('latin1');
  if (pemText.length > MAX_CSR_PEM_SIZE) {
    throw new EvaluatorError('error decoding certificate request PEM block: provided PEM data was larger than the maximum');
  }
  const der = pemDecode(pemText);
  if (!der) throw new EvaluatorError('error decoding certificate request PEM block: no PEM data was found in given input');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
  } catch (err) {
    throw new EvaluatorError(`x509: malformed certificate request: ${(err as Error).message}`);
  }
  try {
    const outer = asn1.readOne(new Uint8Array(csr.rawData), 'certificate request');
    const [info] = asn1.children(outer);
    const [, subjectTlv, spkiTlv, ...rest] = asn1.children(info);
    const attributes = rest.find((t) => t.cls === asn1.CLASS_CONTEXT && t.tag === 0);
    const publicKey = parsePublicKey(spkiTlv);
    const subjectRdns = parseSubject(subjectTlv);
    const extensions = parseCsrExtensions(attributes);
    let sans: Pick<GoCsr, 'dnsNames' | 'emailAddresses' | 'ipAddresses' | 'uris'> = { dnsNames: [], emailAddresses: [], ipAddresses: [], uris: [] };
    for (const ext of extensions) {
      if (ext.oid === OID_SAN) sans = goParseSanExtension(ext.value);
    }
    return { subjectRdns, subject: fillFromRdnSequence(subjectRdns), ...sans, extensions, publicKey };
  } catch (err) {
    if (err instanceof EvaluatorError) throw err;
    throw new EvaluatorError((err as Error).message);
  }
}

/** cert-manager `pki.UnmarshalSANs` (every GeneralName, incl. those crypto/x509 drops); throws its error text. */
export function unmarshalSans(value: Uint8Array): GoGeneralNames {
  const gns = {
    otherNames: [] as { oid: string; value: string }[],
    rfc822Names: [] as string[],
    dnsNames: [] as string[],
    x400Addresses: 0,
    directoryNames: 0,
    ediPartyNames: 0,
    uris: [] as string[],
    ipAddresses: [] as string[],
    registeredIds: [] as string[],
  };
  const { tlv: seqTlv, next } = asn1.readTlv(value, 0);
  if (next !== value.length) throw new Error('x509: trailing data after X.509 extension');
  if (!asn1.isUniversal(seqTlv, asn1.TAG_SEQUENCE, true)) throw new Error('asn1: structure error: bad SAN sequence');
  for (const v of asn1.children(seqTlv)) {
    switch (v.tag) {
      case 0: {
        if (v.cls !== asn1.CLASS_CONTEXT || !v.constructed) throw new Error('asn1: structure error: tags don\'t match (OtherName)');
        const [typeId, wrapper] = asn1.children(v);
        const wrapped = wrapper && wrapper.cls === asn1.CLASS_CONTEXT && wrapper.tag === 0 && wrapper.constructed;
        if (!typeId || !asn1.isUniversal(typeId, asn1.TAG_OID) || !wrapped) {
          throw new Error('asn1: structure error: tags don\'t match (OtherName)');
        }
        gns.otherNames.push({ oid: asn1.decodeOid(typeId.content), value: otherNameValueString(wrapper) });
        break;
      }
      case 1:
        if (!isIA5(v.content)) throw new Error('x509: SAN rfc822Name is malformed');
        gns.rfc822Names.push(asn1.latin1(v.content));
        break;
      case 2:
        if (!isIA5(v.content)) throw new Error('x509: SAN dNSName is malformed');
        gns.dnsNames.push(asn1.latin1(v.content));
        break;
      case 3:
        gns.x400Addresses++;
        break;
      case 4:
        // UnmarshalWithParams(..., &pkix.RDNSequence, "tag:4"): the content must be a SEQUENCE OF SET OF AttributeTypeAndValue
        for (const set of asn1.children(v)) {
          if (!asn1.isUniversal(set, asn1.TAG_SET, true)) throw new Error('asn1: structure error: sequence tag mismatch');
        }
        gns.directoryNames++;
        break;
      case 5: {
        // EDIPartyName ::= SEQUENCE { nameAssigner [0] DirectoryString OPTIONAL, partyName [1] DirectoryString }
        const parts = asn1.children(v);
        const i = parts[0]?.cls === asn1.CLASS_CONTEXT && parts[0].tag === 0 ? 1 : 0;
        if (!(parts[i]?.cls === asn1.CLASS_CONTEXT && parts[i].tag === 1)) throw new Error('asn1: structure error: tags don\'t match (EDIPartyName)');
        gns.ediPartyNames++;
        break;
      }
      case 6:
        if (!isIA5(v.content)) throw new Error('x509: SAN uniformResourceIdentifier is malformed');
        gns.uris.push(asn1.latin1(v.content));
        break;
      case 7:
        if (v.content.length !== 4 && v.content.length !== 16) throw new Error(`x509: cannot parse IP address of length ${v.content.length}`);
        gns.ipAddresses.push(goIpString(v.content));
        break;
      case 8:
        gns.registeredIds.push(asn1.decodeOid(v.content));
        break;
      default:
        throw new Error('asn1: structure error: bad SAN choice');
    }
  }
  return gns;
}

/** allowed/evaluator.go `otherNameValueString`: text for the common string types, else hex of the DER. */
function otherNameValueString(wrapper: asn1.Tlv): string {
  let v = wrapper;
  if (v.cls === asn1.CLASS_CONTEXT && v.tag === 0) {
    try {
      v = asn1.readTlv(v.content, 0).tlv;
    } catch {
      // keep the wrapper
    }
  }
  if (v.cls === asn1.CLASS_UNIVERSAL && [asn1.TAG_UTF8_STRING, asn1.TAG_PRINTABLE_STRING, asn1.TAG_IA5_STRING, asn1.TAG_T61_STRING].includes(v.tag)) {
    return new TextDecoder('utf-8').decode(v.content);
  }
  return asn1.hex(v.full);
}

// =================================================================================================================
// Evaluators (pkg/approver/evaluator.go: Denied or NotDenied, with a message)
// =================================================================================================================

export interface EvaluationResponse {
  readonly result: 'denied' | 'notDenied';
  readonly message: string;
  /** The field errors behind `message` (when the evaluator builds it from a field.ErrorList). */
  readonly errors?: FieldError[];
}

const notDenied: EvaluationResponse = { result: 'notDenied', message: '' };
const deniedBy = (errors: FieldError[]): EvaluationResponse => ({ result: 'denied', message: errorListText(errors), errors });

/** The compiled-rule cache of the running controller (validation.NewCache). */
export const DEFAULT_VALIDATORS = new ValidatorCache();

function celRequest(request: RequestLike) {
  return {
    name: request.metadata?.name ?? '',
    namespace: request.metadata?.namespace ?? '',
    username: request.spec?.username ?? '',
    groups: request.spec?.groups ?? [],
  };
}

/** allowed/evaluator.go `runValidations`. */
function runValidations(request: RequestLike, validations: ValidationRule[], s: string, path: string, cache: ValidatorCache): FieldError[] {
  const el: FieldError[] = [];
  validations.forEach((v, i) => {
    let valid: boolean;
    try {
      valid = cache.get(v.rule).validate(s, celRequest(request));
    } catch (err) {
      if (err instanceof CelCompileError || err instanceof CelEvalError) {
        el.push(internalError(`${path}[${i}]`, err.message));
        return;
      }
      throw err;
    }
    if (!valid) el.push(invalid(`${path}[${i}]`, s, v.message ?? `failed rule: ${v.rule}`));
  });
  return el;
}

const isNil = (v: unknown) => v === undefined || v === null;

/** allowed/evaluator.go `evaluateString`. */
function evaluateString(request: RequestLike, s: string, crp: AllowedString | null | undefined, path: string, cache: ValidatorCache): FieldError[] {
  if (s.length === 0) {
    // Not set in the request: only `required` is checked, no validations run.
    if (crp?.required === true) return [required(`${path}.required`, 'true')];
    return [];
  }
  if (isNil(crp) || (isNil(crp!.value) && (crp!.validations ?? []).length === 0)) return [invalid(path, s, 'no allowed value')];
  const el: FieldError[] = [];
  if (!isNil(crp!.value) && !wildcardMatches(crp!.value!, s)) el.push(invalid(`${path}.value`, s, crp!.value!));
  if ((crp!.validations ?? []).length > 0) el.push(...runValidations(request, crp!.validations!, s, `${path}.validations`, cache));
  return el;
}

/** allowed/evaluator.go `evaluateSlice`. */
function evaluateSlice(request: RequestLike, s: string[], crp: AllowedStringSlice | null | undefined, path: string,
  cache: ValidatorCache): FieldError[] {
  if (s.length === 0) {
    if (crp?.required === true) return [required(`${path}.required`, 'true')];
    return [];
  }
  if (isNil(crp) || (isNil(crp!.values) && (crp!.validations ?? []).length === 0)) return [invalid(path, s, 'no allowed values')];
  const el: FieldError[] = [];
  if (!isNil(crp!.values) && !wildcardSubset(crp!.values!, s)) el.push(invalid(`${path}.values`, s, crp!.values!.join(', ')));
  if ((crp!.validations ?? []).length > 0) {
    for (const v of s) el.push(...runValidations(request, crp!.validations!, v, `${path}.validations`, cache));
  }
  return el;
}

/** allowed/evaluator.go `evaluateBool`. */
function evaluateBool(b: boolean, crp: boolean | null | undefined, path: string): FieldError[] {
  if (!b) return [];
  if (isNil(crp)) return [invalid(path, b, 'nil')];
  if (!crp) return [invalid(path, b, 'false')];
  return [];
}

const NON_STRING_DETAIL = 'subject attribute uses an unsupported ASN.1 type or string encoding; re-issue the certificate with a UTF8String or PrintableString subject';

/** allowed/evaluator.go `subjectValuesForOID` + the CommonName/SerialNumber evaluators (every RDN value). */
function evaluateSubjectString(request: RequestLike, rdns: SubjectAttribute[][], oid: string, crp: AllowedString | null | undefined,
  path: string, cache: ValidatorCache): FieldError[] {
  const values: string[] = [];
  for (const atv of rdns.flat()) {
    if (atv.oid !== oid) continue;
    if (atv.value.kind !== 'string') {
      return [invalid(path, '<non-string value>', `subject attribute ${oid} uses an unsupported ASN.1 type or string encoding; re-issue the certificate with a UTF8String or PrintableString subject`)];
    }
    values.push(atv.value.value);
  }
  if (values.length <= 1) return evaluateString(request, values[0] ?? '', crp, path, cache);
  return values.flatMap((v, i) => evaluateString(request, v, crp, `${path}[${i}]`, cache));
}

function namedSubjectFieldPath(oid: string): string {
  const names: Record<string, string> = {
    [SUBJECT_OIDS.commonName]: 'spec.allowed.commonName',
    [SUBJECT_OIDS.serialNumber]: 'spec.allowed.subject.serialNumber',
    [SUBJECT_OIDS.country]: 'spec.allowed.subject.countries',
    [SUBJECT_OIDS.locality]: 'spec.allowed.subject.localities',
    [SUBJECT_OIDS.province]: 'spec.allowed.subject.provinces',
    [SUBJECT_OIDS.streetAddress]: 'spec.allowed.subject.streetAddresses',
    [SUBJECT_OIDS.organization]: 'spec.allowed.subject.organizations',
    [SUBJECT_OIDS.organizationalUnit]: 'spec.allowed.subject.organizationalUnits',
    [SUBJECT_OIDS.postalCode]: 'spec.allowed.subject.postalCodes',
  };
  return names[oid] ?? `spec.allowed.subject.otherAttributes[${oid}]`;
}

/** allowed/evaluator.go `OtherNames` and `OtherAttributes`: values grouped by OID, each OID opted in by an entry. */
function evaluateByOid(request: RequestLike, byOid: Map<string, string[]>, entries: AllowedOid[], present: Set<string>, path: string,
  cache: ValidatorCache): FieldError[] {
  const el: FieldError[] = [];
  const allowedByOid = new Map(entries.map((e) => [e.oid, e]));
  for (const [oid, values] of byOid) {
    const entry = allowedByOid.get(oid);
    if (!entry) {
      el.push(invalid(`${path}[${oid}]`, values, 'no allowed values'));
      continue;
    }
    el.push(...evaluateSlice(request, values, { values: entry.values, required: entry.required, validations: entry.validations }, `${path}[${oid}]`, cache));
  }
  for (const entry of entries) {
    if (entry.required === true && !present.has(entry.oid)) el.push(required(`${path}[${entry.oid}].required`, 'true'));
  }
  return el;
}

/**
 * allowed/evaluator.go `Evaluate`: the request may carry only what the policy's `allowed` block allows. Every
 * attribute is checked whether or not the policy mentions it: an attribute present in the request with no allowed
 * value denies it; `required` attributes must be present.
 */
export function evaluateAllowed(spec: PolicySpec, request: RequestLike, cache: ValidatorCache = DEFAULT_VALIDATORS): EvaluationResponse {
  const allowed: PolicyAllowed = spec.allowed ?? {};
  const csr = decodeCsr(request.spec?.request);

  const sanExts = csr.extensions.filter((e) => e.oid === OID_SAN);
  if (sanExts.length > 1) return { result: 'denied', message: 'CSR contains multiple SAN extensions; at most one is permitted' };
  let sans: GoGeneralNames = {
    otherNames: [],
    rfc822Names: [],
    dnsNames: [],
    x400Addresses: 0,
    directoryNames: 0,
    ediPartyNames: 0,
    uris: [],
    ipAddresses: [],
    registeredIds: [],
  };
  if (sanExts.length === 1) {
    try {
      sans = unmarshalSans(sanExts[0].value);
    } catch (err) {
      return { result: 'denied', message: `subjectAltName (SAN) extension could not be decoded: ${(err as Error).message}` };
    }
  }

  const sub = allowed.subject ?? {};
  const rdns = csr.subjectRdns;
  const el: FieldError[] = [];
  const p = 'spec.allowed';
  // CommonName, DNSNames, IPAddresses, URIs, EmailAddresses, IsCA, Usages, OtherNames, then the subject.
  el.push(...evaluateSubjectString(request, rdns, SUBJECT_OIDS.commonName, allowed.commonName, `${p}.commonName`, cache));
  el.push(...evaluateSlice(request, csr.dnsNames, allowed.dnsNames, `${p}.dnsNames`, cache));
  el.push(...evaluateSlice(request, csr.ipAddresses, allowed.ipAddresses, `${p}.ipAddresses`, cache));
  el.push(...evaluateSlice(request, csr.uris, allowed.uris, `${p}.uris`, cache));
  el.push(...evaluateSlice(request, csr.emailAddresses, allowed.emailAddresses, `${p}.emailAddresses`, cache));
  el.push(...evaluateBool(request.spec?.isCA === true, allowed.isCA, `${p}.isCA`));
  const usages = request.spec?.usages ?? [];
  if (usages.length > 0) {
    if (isNil(allowed.usages)) el.push(invalid(`${p}.usages`, usages, 'nil'));
    else if (!wildcardSubset(allowed.usages!, usages)) el.push(invalid(`${p}.usages`, usages, allowed.usages!.join(', ')));
  }
  // OtherNames: directoryName / x400Address / ediPartyName / registeredID are always denied.
  const san = `${p}.subjectAltName`;
  for (let i = 0; i < sans.directoryNames; i++) el.push(invalid(`${san}.directoryName`, 'directoryName', 'directoryName SAN entries are not permitted'));
  for (let i = 0; i < sans.x400Addresses; i++) el.push(invalid(`${san}.x400Address`, 'x400Address', 'x400Address SAN entries are not permitted'));
  for (let i = 0; i < sans.ediPartyNames; i++) el.push(invalid(`${san}.ediPartyName`, 'ediPartyName', 'ediPartyName SAN entries are not permitted'));
  sans.registeredIds.forEach(() => el.push(invalid(`${san}.registeredID`, 'registeredID', 'registeredID SAN entries are not permitted')));
  const otherNames = new Map<string, string[]>();
  for (const on of sans.otherNames) otherNames.set(on.oid, [...(otherNames.get(on.oid) ?? []), on.value]);
  el.push(...evaluateByOid(request, otherNames, allowed.otherNames ?? [], new Set(otherNames.keys()), `${p}.otherNames`, cache));
  // Subject: the named slices read the lossy pkix.Name projection.
  const s = `${p}.subject`;
  el.push(...evaluateSlice(request, csr.subject.organization, sub.organizations, `${s}.organizations`, cache));
  el.push(...evaluateSlice(request, csr.subject.country, sub.countries, `${s}.countries`, cache));
  el.push(...evaluateSlice(request, csr.subject.organizationalUnit, sub.organizationalUnits, `${s}.organizationalUnits`, cache));
  el.push(...evaluateSlice(request, csr.subject.locality, sub.localities, `${s}.localities`, cache));
  el.push(...evaluateSlice(request, csr.subject.province, sub.provinces, `${s}.provinces`, cache));
  el.push(...evaluateSlice(request, csr.subject.streetAddress, sub.streetAddresses, `${s}.streetAddresses`, cache));
  el.push(...evaluateSlice(request, csr.subject.postalCode, sub.postalCodes, `${s}.postalCodes`, cache));
  el.push(...evaluateSubjectString(request, rdns, SUBJECT_OIDS.serialNumber, sub.serialNumber, `${s}.serialNumber`, cache));
  // OtherAttributes: every unmapped OID needs an entry; a non-string value under a named OID is denied (backstop).
  const byOid = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const atv of rdns.flat()) {
    if (NAMED_SUBJECT_OIDS.has(atv.oid)) {
      if (atv.oid === SUBJECT_OIDS.commonName || atv.oid === SUBJECT_OIDS.serialNumber) continue;
      if (atv.value.kind !== 'string') el.push(invalid(namedSubjectFieldPath(atv.oid), '<non-string value>', NON_STRING_DETAIL));
      continue;
    }
    seen.add(atv.oid);
    if (atv.value.kind !== 'string') {
      el.push(invalid(`${s}.otherAttributes[${atv.oid}]`, '<non-string value>', NON_STRING_DETAIL));
      continue;
    }
    byOid.set(atv.oid, [...(byOid.get(atv.oid) ?? []), atv.value.value]);
  }
  el.push(...evaluateByOid(request, byOid, sub.otherAttributes ?? [], seen, `${s}.otherAttributes`, cache));

  return el.length > 0 ? deniedBy(el) : notDenied;
}

/** constraints/evaluator.go `Evaluate`: duration bounds (from the request spec) and the CSR's key. */
export function evaluateConstraints(spec: PolicySpec, request: RequestLike): EvaluationResponse {
  const c = spec.constraints;
  if (isNil(c)) return notDenied;
  const el: FieldError[] = [];
  const p = 'spec.constraints';
  const raw = request.spec?.duration;
  const requested = isNil(raw) ? undefined : parseGoDuration(raw!);
  if (!isNil(c!.maxDuration)) {
    const max = parseGoDuration(c!.maxDuration!);
    if (requested === undefined) el.push(invalid(`${p}.maxDuration`, 'nil', formatGoDuration(max)));
    else if (max < requested) el.push(invalid(`${p}.maxDuration`, formatGoDuration(requested), formatGoDuration(max)));
  }
  if (!isNil(c!.minDuration)) {
    const min = parseGoDuration(c!.minDuration!);
    if (requested === undefined) el.push(invalid(`${p}.minDuration`, 'nil', formatGoDuration(min)));
    else if (min > requested) el.push(invalid(`${p}.minDuration`, formatGoDuration(requested), formatGoDuration(min)));
  }
  const pk = c!.privateKey;
  if (!isNil(pk)) {
    const key = decodeCsr(request.spec?.request).publicKey;
    if (key.algorithm === undefined) throw new EvaluatorError(`unrecognised public key type ${key.goType}`);
    if (!isNil(pk!.algorithm) && pk!.algorithm !== key.algorithm) el.push(invalid(`${p}.privateKey.algorithm`, key.algorithm, pk!.algorithm!));
    if (!isNil(pk!.maxSize) && pk!.maxSize! < key.size) el.push(invalid(`${p}.privateKey.maxSize`, String(key.size), String(pk!.maxSize)));
    if (!isNil(pk!.minSize) && pk!.minSize! > key.size) el.push(invalid(`${p}.privateKey.minSize`, String(key.size), String(pk!.minSize)));
  }
  return el.length > 0 ? deniedBy(el) : notDenied;
}

// =================================================================================================================
// Admission of a policy (pkg/internal/webhook/validator.go, allowed/validation.go, constraints/validation.go)
// =================================================================================================================

export interface WebhookValidationResponse {
  readonly allowed: boolean;
  readonly errors: FieldError[];
  readonly warnings?: string[];
}

const REQUIRED_VALUES = 'at least one of \'values\' or \'validations\' must be defined if field is \'required\'';
const REQUIRED_VALUE = 'at least one of \'value\' or \'validations\' must be defined if field is \'required\'';
const OID_DETAIL = 'must be a valid, canonical dotted ASN.1 object identifier (e.g. "1.3.6.1.4.1.311.20.2.3")';

/**
 * allowed/validation.go `validateOID`: cert-manager's `pki.ParseObjectIdentifier` (every dot-separated part an
 * `strconv.Atoi` integer), canonical (the parsed OID prints back as the same string), no negative arc.
 */
function validateOid(path: string, oid: string): FieldError | undefined {
  const parts = oid.split('.');
  const parsed = parts.every((part) => /^[+-]?\d+$/.test(part) && Math.abs(Number(part)) <= Number.MAX_SAFE_INTEGER) ? parts.map(Number) : undefined;
  if (oid.length === 0 || parsed === undefined || parsed.map(String).join('.') !== oid) return invalid(path, oid, OID_DETAIL);
  if (parsed.some((a) => a < 0)) return invalid(path, oid, 'OID arcs must be non-negative');
  return undefined;
}

/** allowed/validation.go `Validate`. */
export function validateAllowed(spec: PolicySpec, cache: ValidatorCache = DEFAULT_VALIDATORS): WebhookValidationResponse {
  const allowed = spec.allowed;
  if (isNil(allowed)) return { allowed: true, errors: [] };
  const el: FieldError[] = [];
  const p = 'spec.allowed';
  const compile = (rules: ValidationRule[] | undefined, path: string) => (rules ?? []).forEach((v, i) => {
    try {
      cache.get(v.rule);
    } catch (err) {
      if (!(err instanceof CelCompileError)) throw err;
      el.push(invalid(`${path}.validations[${i}]`, v.rule, err.message));
    }
  });
  const slices: [string, AllowedStringSlice | null | undefined][] = [
    [`${p}.dnsNames`, allowed!.dnsNames], [`${p}.ipAddresses`, allowed!.ipAddresses], [`${p}.uris`, allowed!.uris], [`${p}.emailAddresses`, allowed!.emailAddresses],
  ];
  const strs: [string, AllowedString | null | undefined][] = [[`${p}.commonName`, allowed!.commonName]];
  const sub = allowed!.subject;
  if (!isNil(sub)) {
    const s = `${p}.subject`;
    slices.push([`${s}.organizations`, sub!.organizations], [`${s}.countries`, sub!.countries], [`${s}.organizationalUnits`, sub!.organizationalUnits],
      [`${s}.localities`, sub!.localities], [`${s}.provinces`, sub!.provinces], [`${s}.streetAddresses`, sub!.streetAddresses], [`${s}.postalCodes`, sub!.postalCodes]);
    strs.push([`${s}.serialNumber`, sub!.serialNumber]);
  }
  for (const [path, slice] of slices) {
    if (isNil(slice)) continue;
    if (slice!.required === true && isNil(slice!.values) && (slice!.validations ?? []).length === 0) el.push(required(`${path}.values`, REQUIRED_VALUES));
    compile(slice!.validations, path);
  }
  for (const [path, str] of strs) {
    if (isNil(str)) continue;
    if (str!.required === true && isNil(str!.value) && (str!.validations ?? []).length === 0) el.push(required(`${path}.value`, REQUIRED_VALUE));
    compile(str!.validations, path);
  }
  (allowed!.otherNames ?? []).forEach((entry, i) => {
    const path = `${p}.otherNames[${i}]`;
    const e = validateOid(`${path}.oid`, entry.oid);
    if (e) el.push(e);
    if (entry.required === true && isNil(entry.values) && (entry.validations ?? []).length === 0) el.push(required(`${path}.values`, REQUIRED_VALUES));
    compile(entry.validations, path);
  });
  if (!isNil(sub)) {
    (sub!.otherAttributes ?? []).forEach((entry, i) => {
      const path = `${p}.subject.otherAttributes[${i}]`;
      const e = validateOid(`${path}.oid`, entry.oid);
      if (e) {el.push(e);} else if (NAMED_SUBJECT_OIDS.has(entry.oid)) {
        el.push(invalid(`${path}.oid`, entry.oid, 'this OID is covered by a dedicated allowed.commonName / allowed.subject.* field; configure it there instead of otherAttributes'));
      }
      if (entry.required === true && isNil(entry.values) && (entry.validations ?? []).length === 0) el.push(required(`${path}.values`, REQUIRED_VALUES));
      compile(entry.validations, path);
    });
  }
  return { allowed: el.length === 0, errors: el };
}

/** constraints/validation.go `Validate`. */
export function validateConstraints(spec: PolicySpec): WebhookValidationResponse {
  const c = spec.constraints;
  if (isNil(c)) return { allowed: true, errors: [] };
  const el: FieldError[] = [];
  const p = 'spec.constraints';
  const pk = c!.privateKey;
  if (!isNil(pk)) {
    const k = `${p}.privateKey`;
    if (!isNil(pk!.algorithm)) {
      if (!['RSA', 'ECDSA', 'Ed25519'].includes(pk!.algorithm!)) el.push(notSupported(`${k}.algorithm`, { json: pk!.algorithm }, ['RSA', 'ECDSA', 'Ed25519']));
      if (pk!.algorithm === 'Ed25519') {
        if (!isNil(pk!.maxSize)) el.push(invalid(`${k}.maxSize`, pk!.maxSize, 'maxSize cannot be defined with algorithm constraint Ed25519'));
        if (!isNil(pk!.minSize)) el.push(invalid(`${k}.minSize`, pk!.minSize, 'minSize cannot be defined with algorithm constraint Ed25519'));
      }
    }
    const max = pk!.maxSize;
    const min = pk!.minSize;
    if (!isNil(max) && (max! < 0 || max! > 8192)) el.push(invalid(`${k}.maxSize`, max, 'must be between 0 and 8192 inclusive'));
    if (!isNil(min) && (min! < 0 || min! > 8192)) el.push(invalid(`${k}.minSize`, min, 'must be between 0 and 8192 inclusive'));
    if (!isNil(max) && !isNil(min) && max! < min!) el.push(invalid(`${k}.maxSize`, max, 'maxSize must be the same value as minSize or larger'));
  }
  const max = isNil(c!.maxDuration) ? undefined : parseGoDuration(c!.maxDuration!);
  const min = isNil(c!.minDuration) ? undefined : parseGoDuration(c!.minDuration!);
  if (max !== undefined && min !== undefined && max < min) {
    el.push(invalid(`${p}.maxDuration`, formatGoDuration(max), 'maxDuration must be the same value as minDuration or larger'));
  }
  if (max !== undefined && max < 0n) el.push(invalid(`${p}.maxDuration`, formatGoDuration(max), 'maxDuration must be a value greater or equal to 0'));
  if (min !== undefined && min < 0n) el.push(invalid(`${p}.minDuration`, formatGoDuration(min), 'minDuration must be a value greater or equal to 0'));
  return { allowed: el.length === 0, errors: el };
}

/** A registered approver's webhook: a response, or a thrown Error (upstream's `err`). */
export type PolicyWebhook = (policy: PolicyObject) => WebhookValidationResponse;

/** The webhooks of approver-policy as built: `allowed` then `constraints` (registry order, pkg/cmd/cmd.go imports). */
export const BUILT_IN_WEBHOOKS: PolicyWebhook[] = [(p) => validateAllowed(p.spec), (p) => validateConstraints(p.spec)];

export interface AdmissionResult {
  readonly allowed: boolean;
  /** The webhook's denial text (`utilerrors.NewAggregate(errs).Error()`), '' when allowed. */
  readonly message: string;
  readonly warnings: string[];
}

/**
 * webhook/validator.go `validate`: what the admission webhook says of a CertificateRequestPolicy create/update.
 * `registeredPlugins` are the names of the non-built-in approvers (none in approver-policy as shipped).
 */
export function validatePolicy(policy: PolicyObject, registeredPlugins: string[] = [],
  webhooks: PolicyWebhook[] = BUILT_IN_WEBHOOKS): AdmissionResult {
  const el: FieldError[] = [];
  const warnings: string[] = [];
  const unrecognised = Object.keys(policy.spec.plugins ?? {}).filter((n) => !registeredPlugins.includes(n)).sort();
  for (const name of unrecognised) el.push(notSupported('spec.plugins', name, registeredPlugins));
  const sel = policy.spec.selector ?? {};
  if (isNil(sel.issuerRef) && isNil(sel.namespace)) {
    el.push(required('spec.selector', 'one of issuerRef or namespace must be defined, hint: `{}` on either matches everything'));
  }
  const labels = sel.namespace?.matchLabels;
  if (!isNil(labels) && Object.keys(labels!).length > 0) {
    const err = labelSelectorError(labels!);
    if (err) el.push(invalid('spec.selector.namespace.matchLabels', labels, err));
  }
  let allAllowed = true;
  for (const webhook of webhooks) {
    const response = webhook(policy); // a thrown error is upstream's `return nil, err`
    if (!response.allowed) {
      el.push(...response.errors);
      allAllowed = false;
    }
    warnings.push(...(response.warnings ?? []));
  }
  const errs = [...new Set(el.map(fieldErrorText))];
  if (!allAllowed && errs.length === 0) errs.push('a plugin did not allow the CertificateRequest for unknown reasons');
  return { allowed: errs.length === 0, message: aggregateText(errs), warnings };
}

// ---- label selectors (k8s.io/apimachinery labels.NewRequirement, validation.IsQualifiedName / IsValidLabelValue) ----

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_MSG = 'must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character '
  + '(e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')';

function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) {errs.push('prefix part must be non-empty');} else if (prefix.length > 253) {errs.push('prefix part must be no more than 253 characters');} else if (!DNS1123_SUBDOMAIN.test(prefix)) {
      errs.push('prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an '
        + 'alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')');
    }
  } else {
    return [`a qualified name ${QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME.test(name)) errs.push(`name part ${QUALIFIED_NAME_MSG}`);
  return errs;
}

function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) {
    errs.push('a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric '
      + 'character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')');
  }
  return errs;
}

/** metav1.LabelSelectorAsSelector of `matchLabels`: the first invalid requirement's error text, if any. */
function labelSelectorError(matchLabels: Record<string, string>): string | undefined {
  for (const [k, v] of Object.entries(matchLabels)) {
    const el: FieldError[] = [];
    const keyErrs = isQualifiedName(k);
    if (keyErrs.length > 0) el.push(invalid('key', k, keyErrs.join('; ')));
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) el.push(invalid(`values[0][${k}]`, v, valueErrs.join('; ')));
    if (el.length > 0) return errorListText(el);
  }
  return undefined;
}

// =================================================================================================================
// Kubernetes RBAC (the authorizer behind approver-policy's SubjectAccessReview)
// =================================================================================================================

export interface ResourceAttributes {
  readonly user: string;
  readonly groups: readonly string[];
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name?: string;
  /** '' for a cluster-scoped request. */
  readonly namespace?: string;
}

const RBAC = 'rbac.authorization.k8s.io/v1';
const kindOf = (o: any, kind: string) => o?.kind === kind && (o.apiVersion === RBAC || o.apiVersion === undefined);

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** metav1.LabelSelector matching (matchLabels and matchExpressions In/NotIn/Exists/DoesNotExist). */
export function labelSelectorMatches(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': if (!has || !(e.values ?? []).includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && (e.values ?? []).includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** A ClusterRole's rules; an aggregated ClusterRole's are those of every ClusterRole its selectors match (the aggregation controller). */
function clusterRoleRules(objects: any[], role: any, seen = new Set<string>()): any[] {
  const selectors: LabelSelector[] | undefined = role.aggregationRule?.clusterRoleSelectors;
  if (!selectors) return role.rules ?? [];
  seen.add(role.metadata?.name);
  const rules: any[] = [];
  for (const other of objects.filter((o) => kindOf(o, 'ClusterRole'))) {
    if (seen.has(other.metadata?.name)) continue;
    if (selectors.some((s) => labelSelectorMatches(s, other.metadata?.labels ?? {}))) rules.push(...clusterRoleRules(objects, other, seen));
  }
  return rules;
}

/** rbac/v1 evaluation_helpers.go `RuleAllows` for a resource request. */
function ruleAllows(rule: any, a: ResourceAttributes): boolean {
  const verbs: string[] = rule.verbs ?? [];
  const groups: string[] = rule.apiGroups ?? [];
  const resources: string[] = rule.resources ?? [];
  const names: string[] = rule.resourceNames ?? [];
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = resources.some((r) => r === '*' || r === combined || (a.subresource !== undefined && r === `*/${a.subresource}`));
  return (verbs.includes('*') || verbs.includes(a.verb))
    && (groups.includes('*') || groups.includes(a.apiGroup))
    && resourceOk
    && (names.length === 0 || (a.name !== undefined && names.includes(a.name)));
}

/** plugin/pkg/auth/authorizer/rbac `appliesToUser`. */
function subjectApplies(subject: any, a: ResourceAttributes, bindingNamespace: string): boolean {
  switch (subject?.kind) {
    case 'User': return subject.name === a.user;
    case 'Group': return a.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return ns.length > 0 && `system:serviceaccount:${ns}:${subject.name}` === a.user;
    }
    default: return false;
  }
}

/**
 * What a SubjectAccessReview for `a` answers in a cluster holding `objects`: members of `system:masters` are allowed
 * everything (kube-apiserver's privileged-group authorizer); otherwise the RBAC authorizer: a ClusterRoleBinding to a
 * ClusterRole, or (for a namespaced request) a RoleBinding in the request's namespace to a Role there or to a
 * ClusterRole, whose subjects include the user and one of whose rules allows the verb on the group/resource/name.
 */
export function rbacAllows(objects: any[], a: ResourceAttributes): boolean {
  if (a.groups.includes('system:masters')) return true;
  const rulesOf = (ref: any, namespace: string): any[] => {
    if (ref?.kind === 'ClusterRole') {
      const role = objects.find((o) => kindOf(o, 'ClusterRole') && o.metadata?.name === ref.name);
      return role ? clusterRoleRules(objects, role) : [];
    }
    if (ref?.kind === 'Role' && namespace) {
      const role = objects.find((o) => kindOf(o, 'Role') && o.metadata?.name === ref.name && o.metadata?.namespace === namespace);
      return role?.rules ?? [];
    }
    return [];
  };
  for (const crb of objects.filter((o) => kindOf(o, 'ClusterRoleBinding'))) {
    if ((crb.subjects ?? []).some((s: any) => subjectApplies(s, a, ''))) {
      if (rulesOf(crb.roleRef, '').some((r) => ruleAllows(r, a))) return true;
    }
  }
  const ns = a.namespace ?? '';
  if (ns) {
    for (const rb of objects.filter((o) => kindOf(o, 'RoleBinding') && o.metadata?.namespace === ns)) {
      if ((rb.subjects ?? []).some((s: any) => subjectApplies(s, a, ns))) {
        if (rulesOf(rb.roleRef, ns).some((r) => ruleAllows(r, a))) return true;
      }
    }
  }
  return false;
}

// =================================================================================================================
// Predicates (pkg/internal/approver/manager/predicate/predicate.go)
// =================================================================================================================

/** A predicate: the subset of policies that pass it; throws where upstream returns an error. */
export type Predicate = (request: RequestLike, policies: PolicyObject[]) => PolicyObject[];

/** `Ready`: policies with a Ready=True condition (once per such condition, as upstream appends per condition). */
export const predicateReady: Predicate = (_request, policies) => policies.flatMap((policy) =>
  (policy.status?.conditions ?? []).filter((c) => c.type === 'Ready' && c.status === 'True').map(() => policy));

/**
 * `SelectorIssuerRef`: the request's issuerRef (kind defaulted to `Issuer`, group to `cert-manager.io`) against
 * `selector.issuerRef` with wildcards; a nil issuerRef selector, and each nil field, matches everything.
 */
export const selectorIssuerRef: Predicate = (request, policies) => {
  const ref = request.spec?.issuerRef ?? {};
  const kind = ref.kind || 'Issuer';
  const group = ref.group || 'cert-manager.io';
  const name = ref.name ?? '';
  return policies.filter((policy) => {
    const sel = policy.spec.selector?.issuerRef;
    if (isNil(sel)) return true;
    if (!isNil(sel!.name) && !wildcardMatches(sel!.name!, name)) return false;
    if (!isNil(sel!.kind) && !wildcardMatches(sel!.kind!, kind)) return false;
    if (!isNil(sel!.group) && !wildcardMatches(sel!.group!, group)) return false;
    return true;
  });
};

/** The labels of a Namespace as the API server stores them (with `kubernetes.io/metadata.name`, set on every namespace). */
function namespaceLabels(objects: any[], name: string): Record<string, string> | undefined {
  const ns = objects.find((o) => o?.kind === 'Namespace' && o.metadata?.name === name);
  if (!ns) return undefined;
  return { ...(ns.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': name };
}

/**
 * `SelectorNamespace`: a nil namespace selector matches everything; otherwise the request's namespace must match one
 * of `matchNames` (wildcards; none given matches all) and, if `matchLabels` is set, the Namespace's labels (the
 * Namespace is then read: its absence is an error).
 */
export function selectorNamespace(objects: any[]): Predicate {
  return (request, policies) => {
    const ns = request.metadata?.namespace ?? '';
    let labels: Record<string, string> | undefined;
    return policies.filter((policy) => {
      const sel = policy.spec.selector?.namespace;
      if (isNil(sel)) return true;
      const names = sel!.matchNames ?? [];
      if (names.length > 0 && !names.some((m) => wildcardMatches(m, ns))) return false;
      if (!isNil(sel!.matchLabels)) {
        if (labels === undefined) {
          labels = namespaceLabels(objects, ns);
          if (labels === undefined) {
            throw new EvaluatorError(`failed to get request's namespace to determine namespace selector: namespaces ${goQuote(ns)} not found`);
          }
        }
        const err = labelSelectorError(sel!.matchLabels!);
        if (err) throw new EvaluatorError(`failed to parse namespace label selector: ${err}`);
        if (!labelSelectorMatches({ matchLabels: sel!.matchLabels! }, labels)) return false;
      }
      return true;
    });
  };
}

/** `RBACBound`: a SubjectAccessReview per policy — may the request's user and groups `use` it in the request's namespace. */
export function rbacBound(objects: any[]): Predicate {
  return (request, policies) => policies.filter((policy) => rbacAllows(objects, {
    user: request.spec?.username ?? '',
    groups: request.spec?.groups ?? [],
    verb: 'use',
    apiGroup: 'policy.cert-manager.io',
    resource: 'certificaterequestpolicies',
    name: policy.metadata?.name ?? '',
    namespace: request.metadata?.namespace ?? '',
  }));
}

// =================================================================================================================
// The manager's review (pkg/internal/approver/manager/review.go)
// =================================================================================================================

export type Evaluator = (policy: PolicyObject, request: RequestLike) => EvaluationResponse;

/** The evaluators of approver-policy as built: `allowed` then `constraints`. */
export const BUILT_IN_EVALUATORS: Evaluator[] = [(p, r) => evaluateAllowed(p.spec, r), (p, r) => evaluateConstraints(p.spec, r)];

export interface ReviewResponse {
  readonly result: 'approved' | 'denied' | 'unprocessed';
  readonly message: string;
}

/**
 * `mngr.Review`: no policies at all -> unprocessed; the predicates (issuerRef, namespace, RBAC), then only Ready
 * policies; none left -> unprocessed; the first policy (in list order) that no evaluator denies approves; if all
 * deny -> denied with every policy's messages sorted by policy name — unless some selected policy has no Ready
 * condition yet, which defers the denial (unprocessed). A thrown error is upstream's error return.
 */
export function review(request: RequestLike, policies: PolicyObject[], predicates: Predicate[], evaluators: Evaluator[],
  ready: Predicate = predicateReady): ReviewResponse {
  if (policies.length === 0) return { result: 'unprocessed', message: 'No CertificateRequestPolicies exist' };
  let selected = policies;
  for (const pred of predicates) {
    try {
      selected = pred(request, selected);
    } catch (err) {
      throw new EvaluatorError(`failed to perform predicate on policies: ${(err as Error).message}`);
    }
  }
  const hasUnreconciled = selected.some((p) => !(p.status?.conditions ?? []).some((c) => c.type === 'Ready'));
  selected = ready(request, selected);
  if (selected.length === 0) return { result: 'unprocessed', message: 'No CertificateRequestPolicies bound or applicable' };
  const messages: { name: string; message: string }[] = [];
  for (const policy of selected) {
    let denied = false;
    const evaluatorMessages: string[] = [];
    for (const evaluator of evaluators) {
      const response = evaluator(policy, request);
      if (response.message.length > 0) evaluatorMessages.push(response.message);
      if (response.result === 'denied') denied = true;
    }
    const name = policy.metadata?.name ?? '';
    if (!denied) return { result: 'approved', message: `Approved by CertificateRequestPolicy: ${goQuote(name)}` };
    messages.push({ name, message: evaluatorMessages.join(', ') });
  }
  const text = [...messages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((m) => `[${m.name}: ${m.message}]`).join(' ');
  if (hasUnreconciled) {
    return { result: 'unprocessed', message: `Not all policies are ready for evaluation; refusing to deny pending policy readiness: ${text}` };
  }
  return { result: 'denied', message: `No policy approved this request: ${text}` };
}

// =================================================================================================================
// The controller (pkg/internal/controllers/certificaterequests.go)
// =================================================================================================================

export interface EvaluateOptions {
  /**
   * How policies' Ready conditions are read. `reconciled` (default): as approver-policy's policy controller leaves
   * them — with only the built-in approvers, whose reconcilers are always ready (allowed.go / constraints.go
   * `Ready`), every admitted policy is Ready=True; a policy's own stored `status` is ignored. `stored`: exactly as in
   * the objects (no status = not yet reconciled).
   */
  readonly readiness?: 'reconciled' | 'stored';
  /** Fail on a policy approver-policy's admission webhook would reject (it cannot exist in the cluster). Default true. */
  readonly admission?: boolean;
}

export interface Decision {
  /**
   * `approved`/`denied`: the Approved/Denied condition the controller sets (final). `unprocessed`: no condition; the
   * request is re-reviewed when a policy, RBAC object or Namespace changes. `error`: the review failed (the
   * controller records an EvaluationError event and retries); no condition either.
   */
  readonly decision: 'approved' | 'denied' | 'unprocessed' | 'error';
  /** The condition/event message, upstream's text. */
  readonly message: string;
  /** The approving policy (upstream names the first in its cache's list order; here, name order). */
  readonly policy?: string;
  /** Every selected policy that would approve, in name order. */
  readonly approvedBy: string[];
  /** Per-policy reasons: for a denial `<policy>: <evaluator messages>` each; otherwise the message. */
  readonly reasons: string[];
  /** The policies that passed the selectors, RBAC and readiness (in name order). */
  readonly selectedPolicies: string[];
}

const POLICY_API = 'policy.cert-manager.io/v1alpha1';

/**
 * What approver-policy v0.27.0 (allowed + constraints, no plugins) does with `request` in a cluster holding `objects`
 * (every object: CertificateRequestPolicies, Roles, RoleBindings, ClusterRoles, ClusterRoleBindings, Namespaces;
 * other kinds are ignored). Policies are evaluated in name order.
 */
/** The CertificateRequestPolicies of `objects` as approver-policy would hold them (admitted, readiness per `options`), in name order. */
export function clusterPolicies(objects: any[], options: EvaluateOptions = {}): PolicyObject[] {
  let policies: PolicyObject[] = objects.filter((o) => o?.kind === 'CertificateRequestPolicy' && (o.apiVersion ?? POLICY_API) === POLICY_API);
  if (options.admission ?? true) {
    for (const policy of policies) {
      const admission = validatePolicy(policy);
      if (!admission.allowed) {
        throw new Error(`CertificateRequestPolicy ${goQuote(policy.metadata?.name ?? '')} would be rejected by approver-policy's webhook: ${admission.message}`);
      }
    }
  }
  if ((options.readiness ?? 'reconciled') === 'reconciled') {
    policies = policies.map((p) => ({ ...p, status: { conditions: [{ type: 'Ready', status: 'True' }] } }));
  }
  return [...policies].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
}

/** The predicates of the running manager (review.go `New`): issuerRef selector, namespace selector, RBAC `use`. */
export function clusterPredicates(objects: any[]): Predicate[] {
  return [selectorIssuerRef, selectorNamespace(objects), rbacBound(objects)];
}

/**
 * The policies approver-policy evaluates for `request`: those whose issuerRef and namespace selectors match it, that
 * the requester may `use` (RBAC), and that are Ready — in name order. Throws EvaluatorError where upstream errors.
 */
export function selectPolicies(request: RequestLike, objects: any[], options: EvaluateOptions = {}): PolicyObject[] {
  let selected = clusterPolicies(objects, options);
  for (const pred of clusterPredicates(objects)) selected = pred(request, selected);
  return predicateReady(request, selected);
}

/**
 * What approver-policy v0.27.0 (allowed + constraints, no plugins) does with `request` in a cluster holding `objects`
 * (every object: CertificateRequestPolicies, Roles, RoleBindings, ClusterRoles, ClusterRoleBindings, Namespaces;
 * other kinds are ignored). Policies are evaluated in name order.
 */
export function evaluate(request: RequestLike, objects: any[], options: EvaluateOptions = {}): Decision {
  const policies = clusterPolicies(objects, options);
  let response: ReviewResponse;
  try {
    response = review(request, policies, clusterPredicates(objects), BUILT_IN_EVALUATORS);
  } catch (err) {
    if (!(err instanceof EvaluatorError || err instanceof asn1.Asn1Error)) throw err;
    return { decision: 'error', message: err.message, approvedBy: [], reasons: [err.message], selectedPolicies: [] };
  }
  let selected: PolicyObject[];
  try {
    selected = selectPolicies(request, objects, options);
  } catch {
    selected = [];
  }
  const approvedBy = selected.filter((p) => {
    try {
      return BUILT_IN_EVALUATORS.every((ev) => ev(p, request).result === 'notDenied');
    } catch {
      return false;
    }
  }).map((p) => p.metadata?.name ?? '');
  const reasons = response.result === 'denied'
    ? selected.map((p) => `${p.metadata?.name ?? ''}: ${BUILT_IN_EVALUATORS.map((ev) => ev(p, request).message).filter((m) => m).join(', ')}`)
    : [response.message];
  return {
    decision: response.result,
    message: response.message,
    policy: response.result === 'approved' ? approvedBy[0] : undefined,
    approvedBy,
    reasons,
    selectedPolicies: selected.map((p) => p.metadata?.name ?? ''),
  };
}
