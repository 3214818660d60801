// cert-manager v1.21.1 as a requester: the certificates controller turns a Certificate into a CertificateRequest
// (keymanager generates the key, requestmanager builds and signs the CSR and creates the request with the
// controller's own service account). Also the CertificateRequest validating webhook's CSR/usages consistency check,
// which every requester's request must pass before approver-policy sees it.
//
// Upstream, at tag v1.21.1:
// - pkg/util/pki/generate.go            GeneratePrivateKeyForCertificate (RSA 2048 / ECDSA P-256 defaults, RSA 2048..8192)
// - pkg/util/pki/csr.go                 GenerateCSR, SignatureAlgorithm, KeyUsagesForCertificateOrCertificateRequest
// - pkg/util/pki/sans.go                MarshalSANs (critical when the subject is empty)
// - pkg/util/pki/keyusage.go            MarshalKeyUsage (critical), MarshalExtKeyUsage
// - pkg/controller/certificates/requestmanager/requestmanager_controller.go  createNewCertificateRequest
// - pkg/controller/util.go              BuildAnnotationsToCopy
// - internal/apis/config/controller/v1alpha1/defaults.go  defaultCopiedAnnotationPrefixes
// - internal/controller/feature/features.go  feature gate defaults
// - pkg/api/util/names.go               ComputeSecureUniqueDeterministicNameFromData, DNSSafeShortenTo52Characters
// - internal/apis/certmanager/validation/certificaterequest.go, pkg/util/pki/certificatetemplate.go  (webhook)
import { createHash } from 'crypto';
import {
  buildCertificateRequest, certManagerKeyUsages, CrSpec, CsrSpec, EXT_KEY_USAGE_OIDS, goDuration, goRdnSequence, goSans,
  GoSignatureAlgorithm, generatedName, inspectCsr, keyUsageFlags, KeySpec, RequestOverrides,
} from './csr';
import { CertificateRequestObject, serviceAccountIdentity } from '../certificate-request';

/** cert-manager's controller installation: whose service account creates the CertificateRequests. */
export interface CertManagerInstall {
  /** @default 'cert-manager' */
  readonly namespace?: string;
  /** The controller's service account (the Helm chart names it after the release). @default 'cert-manager' */
  readonly serviceAccountName?: string;
}

/** Controller feature gates that change the request (v1.21.1 defaults in brackets). */
export interface CertManagerFeatureGates {
  /** Use `spec.literalSubject` [true]; a literal subject is not modelled. */
  readonly LiteralCertificateSubject?: boolean;
  /** Put a BasicConstraints extension into the CSR [false]. */
  readonly UseCertificateRequestBasicConstraints?: boolean;
  /** Encode `spec.nameConstraints` [true]; name constraints are not modelled. */
  readonly NameConstraints?: boolean;
  /** Encode `spec.otherNames` [true]; other names are not modelled. */
  readonly OtherNames?: boolean;
  /** Name the request `<certificate>-<revision>` instead of generateName [true]. */
  readonly StableCertificateRequestName?: boolean;
}

const DEFAULT_GATES: Required<CertManagerFeatureGates> = {
  LiteralCertificateSubject: true,
  UseCertificateRequestBasicConstraints: false,
  NameConstraints: true,
  OtherNames: true,
  StableCertificateRequestName: true,
};

/** The controller's default `--copied-annotation-prefixes`: everything but kubectl's, Flux's and Argo CD's. */
export const DEFAULT_COPIED_ANNOTATION_PREFIXES = ['*', '-kubectl.kubernetes.io/', '-fluxcd.io/', '-argocd.argoproj.io/'];

/** Options of {@link certificateRequestFromCertificate}. */
export interface CertManagerOptions extends RequestOverrides {
  readonly controller?: CertManagerInstall;
  /** The revision being issued. @default `status.revision + 1` (1 for a new Certificate) */
  readonly revision?: number;
  /** Name of the keymanager's temporary key Secret. @default `<certificate>-<5 characters>` (generateName) */
  readonly privateKeySecretName?: string;
  readonly copiedAnnotationPrefixes?: string[];
  readonly featureGates?: CertManagerFeatureGates;
}

/**
 * The key keymanager generates for a Certificate (pkg/util/pki/generate.go `GeneratePrivateKeyForCertificate`):
 * RSA unless an algorithm is set, 2048 bits or P-256 unless a size is set; RSA below 2048 or above 8192 bits and
 * unknown curves are refused.
 */
export function certManagerKey(certificate: any): KeySpec {
  const algorithm = certificate.spec?.privateKey?.algorithm ?? '';
  const size = certificate.spec?.privateKey?.size ?? 0;
  const name = `${certificate.metadata?.namespace}/${certificate.metadata?.name}`;
  if (algorithm === '' || algorithm === 'RSA') {
    const bits = size > 0 ? size : 2048;
    if (bits < 2048) throw new Error(`Certificate ${name}: weak rsa key size specified: ${bits}. minimum key size: 2048`);
    if (bits > 8192) throw new Error(`Certificate ${name}: rsa key size specified too big: ${bits}. maximum key size: 8192`);
    return { algorithm: 'RSA', size: bits };
  }
  if (algorithm === 'ECDSA') {
    const bits = size > 0 ? size : 256;
    if (![256, 384, 521].includes(bits)) throw new Error(`Certificate ${name}: unsupported ecdsa key size specified: ${bits}`);
    return { algorithm: 'ECDSA', size: bits };
  }
  if (algorithm === 'Ed25519') return { algorithm: 'Ed25519' };
  throw new Error(`Certificate ${name}: unsupported private key algorithm specified: ${algorithm}`);
}

/**
 * The CSR's signature algorithm (pkg/util/pki/csr.go `SignatureAlgorithm`): `spec.signatureAlgorithm` when set, else
 * by key: RSA >= 4096 SHA-512, >= 3072 SHA-384, else SHA-256; ECDSA by curve; Ed25519 pure.
 */
export function certManagerSignatureAlgorithm(certificate: any): GoSignatureAlgorithm {
  const explicit: string | undefined = certificate.spec?.signatureAlgorithm;
  if (explicit) {
    const known: GoSignatureAlgorithm[] = ['SHA256WithRSA', 'SHA384WithRSA', 'SHA512WithRSA', 'ECDSAWithSHA256', 'ECDSAWithSHA384', 'ECDSAWithSHA512', 'PureEd25519'];
    if (!known.includes(explicit as GoSignatureAlgorithm)) throw new Error(`unsupported signature algorithm: ${explicit}`);
    return explicit as GoSignatureAlgorithm;
  }
  const algorithm = certificate.spec?.privateKey?.algorithm ?? '';
  const size = certificate.spec?.privateKey?.size ?? 0;
  if (algorithm === '' || algorithm === 'RSA') {
    const bits = size === 0 ? 2048 : size;
    if (bits >= 4096) return 'SHA512WithRSA';
    if (bits >= 3072) return 'SHA384WithRSA';
    if (bits >= 2048) return 'SHA256WithRSA';
    throw new Error(`invalid size ${bits} for RSA key on signing certificate`);
  }
  if (algorithm === 'ECDSA') {
    if (size === 521) return 'ECDSAWithSHA512';
    if (size === 384) return 'ECDSAWithSHA384';
    if (size === 256 || size === 0) return 'ECDSAWithSHA256';
    throw new Error(`unsupported ecdsa keysize specified: ${size}`);
  }
  if (algorithm === 'Ed25519') return 'PureEd25519';
  throw new Error(`unsupported algorithm specified: ${algorithm}. should be either 'ecdsa', 'ed25519' or 'rsa`);
}

/**
 * The CSR cert-manager builds for a Certificate (pkg/util/pki/csr.go `GenerateCSR`, with the v1.21.1 gate defaults):
 * - subject: Go's `pkix.Name` of `spec.subject` and `spec.commonName` (empty when neither is set: DER `30 00`);
 * - SAN: dnsNames, emailAddresses, ipAddresses, uris in that order, critical exactly when the subject is empty;
 * - KeyUsage (critical) and ExtendedKeyUsage from `spec.usages` (default digital signature + key encipherment), cert
 *   sign added for isCA, unless `encodeUsagesInRequest: false`; BasicConstraints only with its (off) gate;
 * - key and signature algorithm from `spec.privateKey` and `spec.signatureAlgorithm`.
 */
export function certManagerCsrSpec(certificate: any, gates: CertManagerFeatureGates = {}): CsrSpec {
  const g = { ...DEFAULT_GATES, ...gates };
  const spec = certificate.spec ?? {};
  const name = `${certificate.metadata?.namespace}/${certificate.metadata?.name}`;
  if (g.LiteralCertificateSubject && spec.literalSubject) throw new Error(`Certificate ${name}: literalSubject is not modelled`);
  if (g.OtherNames && (spec.otherNames ?? []).length > 0) throw new Error(`Certificate ${name}: otherNames are not modelled`);
  if (g.NameConstraints && spec.nameConstraints) throw new Error(`Certificate ${name}: nameConstraints are not modelled`);
  const subject = spec.subject ?? {};
  const rdns = goRdnSequence({
    country: subject.countries,
    organization: subject.organizations,
    organizationalUnit: subject.organizationalUnits,
    locality: subject.localities,
    province: subject.provinces,
    streetAddress: subject.streetAddresses,
    postalCode: subject.postalCodes,
    serialNumber: subject.serialNumber,
    commonName: spec.commonName,
  });
  const sans = goSans({ dnsNames: spec.dnsNames, emailAddresses: spec.emailAddresses, ipAddresses: spec.ipAddresses, uris: spec.uris });
  if (!spec.commonName && sans.length === 0) {
    throw new Error('at least one of commonName (from the commonName field or from a literalSubject), dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs must be set');
  }
  const isCA = spec.isCA === true;
  let keyUsage: number | undefined;
  let extKeyUsages: string[] | undefined;
  if (spec.encodeUsagesInRequest !== false) {
    const usages = certManagerKeyUsages(spec.usages, isCA);
    if (usages.unknown.length > 0) throw new Error(`failed to build key usages: unknown key usages: [${usages.unknown.join(' ')}]`);
    keyUsage = usages.keyUsage;
    extKeyUsages = usages.extKeyUsages;
  }
  return {
    subject: rdns,
    sans,
    sanCritical: rdns.length === 0,
    keyUsage,
    extKeyUsages,
    basicConstraints: g.UseCertificateRequestBasicConstraints ? { ca: isCA } : undefined,
    key: certManagerKey(certificate),
    signatureAlgorithm: certManagerSignatureAlgorithm(certificate),
  };
}

/** apimachinery-safe shortening to `max` characters ending on a letter or digit (pkg/api/util/names.go). */
function dnsSafeShorten(name: string, max: number): string {
  if (name.length < max) return name;
  if (max <= 0) return '';
  const head = name.slice(0, max);
  const last = Math.max(...Array.from(head.matchAll(/[a-zA-Z\d]/g), (m) => m.index!));
  return last < 0 ? '' : head.slice(0, last + 1);
}

/** `ComputeSecureUniqueDeterministicNameFromData(name, 233)`. */
function stableName(name: string): string {
  if (name.length <= 233) return name;
  const prefix = dnsSafeShorten(name, 233 - 64 - 1);
  const hash = createHash('sha256').update(name).digest('hex');
  return prefix ? `${prefix}-${hash}` : hash;
}

/** `BuildAnnotationsToCopy`: every annotation matching a prefix (`*` for all), minus those of a `-` prefix. */
export function annotationsToCopy(annotations: Record<string, string> | undefined, prefixes: string[]): Record<string, string> {
  const copied: Record<string, string> = {};
  const all = prefixes.includes('*');
  for (const prefix of prefixes) {
    for (const [key, value] of Object.entries(annotations ?? {})) {
      if (prefix.startsWith('-')) {
        if (key.startsWith(prefix.slice(1))) delete copied[key];
      } else if (all || key.startsWith(prefix)) {
        copied[key] = value;
      }
    }
  }
  return copied;
}

/**
 * The CertificateRequest cert-manager's requestmanager creates for `certificate` (a cert-manager.io/v1 Certificate as
 * the library emits it): in the Certificate's namespace, named `<certificate>-<revision>`, with the Certificate's
 * labels, its annotations (default prefixes) plus `cert-manager.io/certificate-name`, `certificate-revision` and
 * `private-key-secret-name`; `duration`, `issuerRef`, `isCA` and `usages` copied verbatim (a Certificate without
 * usages gives a request without usages); created by the controller's service account.
 */
export async function certificateRequestFromCertificate(certificate: any, options: CertManagerOptions = {}): Promise<CertificateRequestObject> {
  const gates = { ...DEFAULT_GATES, ...options.featureGates };
  const csr = certManagerCsrSpec(certificate, gates);
  const name: string = certificate.metadata.name;
  const revision = options.revision ?? (certificate.status?.revision ?? 0) + 1;
  const annotations = {
    ...annotationsToCopy(certificate.metadata.annotations, options.copiedAnnotationPrefixes ?? DEFAULT_COPIED_ANNOTATION_PREFIXES),
    'cert-manager.io/certificate-revision': String(revision),
    'cert-manager.io/private-key-secret-name': options.privateKeySecretName ?? generatedName(`${name}-`, `${certificate.metadata.namespace}/${name}/key`),
    'cert-manager.io/certificate-name': name,
  };
  const spec = certificate.spec;
  const cr: CrSpec = {
    name: gates.StableCertificateRequestName
      ? `${stableName(name)}-${revision}`
      : generatedName(`${dnsSafeShorten(name, 52)}-`, `${certificate.metadata.namespace}/${name}/${revision}`),
    namespace: certificate.metadata.namespace,
    labels: certificate.metadata.labels,
    annotations,
    issuerRef: spec.issuerRef,
    duration: spec.duration !== undefined ? goDuration(spec.duration) : undefined,
    isCA: spec.isCA === true,
    usages: spec.usages,
    identity: serviceAccountIdentity(options.controller?.namespace ?? 'cert-manager', options.controller?.serviceAccountName ?? 'cert-manager'),
  };
  return buildCertificateRequest(csr, cr, options);
}

/**
 * cert-manager's validating webhook on CertificateRequest creation (internal/apis/certmanager/validation/
 * certificaterequest.go `ValidateCertificateRequestSpec`, certificate.go `validateIssuerRef`, pkg/util/pki/
 * certificatetemplate.go): issuerRef name required and a known kind for cert-manager.io, a request, known usages, a
 * CSR whose signature checks, a BasicConstraints extension (if any) agreeing with isCA, and KeyUsage/ExtendedKeyUsage
 * extensions (if any) exactly those of `spec.usages` (default digital signature + key encipherment) and isCA.
 * Returns the errors; a request with errors never reaches approver-policy.
 */
export async function webhookValidationErrors(cr: CertificateRequestObject): Promise<string[]> {
  const errors: string[] = [];
  const ref = cr.spec.issuerRef;
  if (!ref?.name) errors.push('spec.issuerRef.name: Required value: must be specified');
  if ((!ref?.group || ref.group === 'cert-manager.io') && ref?.kind && !['Issuer', 'ClusterIssuer'].includes(ref.kind)) {
    errors.push(`spec.issuerRef.kind: Invalid value: "${ref.kind}": must be one of Issuer or ClusterIssuer`);
  }
  if (!cr.spec.request) {
    errors.push('spec.request: Required value: must be specified');
    return errors;
  }
  const expected = certManagerKeyUsages(cr.spec.usages, cr.spec.isCA === true);
  if (expected.unknown.length > 0) {
    errors.push(`spec.usages: Invalid value: unknown key usages: [${expected.unknown.join(' ')}]`);
    return errors;
  }
  let summary;
  try {
    summary = await inspectCsr(cr);
  } catch (e) {
    errors.push(`spec.request: Invalid value: ${(e as Error).message}`);
    return errors;
  }
  if (!summary.signatureValid) {
    errors.push('spec.request: Invalid value: x509: ECDSA/RSA verification failure');
    return errors;
  }
  if (summary.basicConstraints && summary.basicConstraints.ca !== (cr.spec.isCA === true)) {
    errors.push(`spec.request: Invalid value: encoded CSR error: IsCA ${summary.basicConstraints.ca} does not match expected value ${cr.spec.isCA === true}`);
  }
  if (summary.keyUsages !== undefined || summary.extKeyUsages !== undefined) {
    const csrBits = keyUsageFlags(summary.keyUsages ?? []);
    if (csrBits !== expected.keyUsage) {
      errors.push(`spec.request: Invalid value: encoded CSR error: the KeyUsages [${(summary.keyUsages ?? []).join(', ')}] do not match the expected KeyUsages`);
    }
    const known = new Set(Object.values(EXT_KEY_USAGE_OIDS));
    const csrEkus = (summary.extKeyUsages ?? []).filter((oid) => known.has(oid));
    if (csrEkus.join(',') !== expected.extKeyUsages.join(',')) {
      errors.push(`spec.request: Invalid value: encoded CSR error: the ExtKeyUsages [${csrEkus.join(', ')}] do not match the expected ExtKeyUsages [${expected.extKeyUsages.join(', ')}]`);
    }
  }
  return errors;
}
