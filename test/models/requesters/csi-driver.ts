// cert-manager csi-driver v0.16.0 (on csi-lib v0.12.0) as a requester: for each pod that mounts a
// `csi.cert-manager.io` inline volume, the driver on the pod's node turns the volume attributes into a key, a CSR and
// a CertificateRequest in the pod's namespace, created with the DRIVER's service account unless the driver runs with
// `--use-token-request` (then with the pod's, through the empty-audience token the kubelet passes).
//
// Upstream:
// - csi-driver v0.16.0 pkg/apis/defaults/defaults.go   SetDefaultAttributes (Issuer/cert-manager.io, is-ca false,
//                                                       duration 2160h, RSA 2048 PKCS1 / ECDSA 256, digital signature +
//                                                       key encipherment)
// - csi-driver v0.16.0 pkg/apis/validation/validation.go ValidateAttributes
// - csi-driver v0.16.0 pkg/apis/v1alpha1/types.go       attribute keys
// - csi-driver v0.16.0 pkg/requestgen/generator.go      RequestForMetadata (subject, SANs, annotations, usages, isCA)
// - csi-driver v0.16.0 pkg/keygen/keygen.go             newKey
// - csi-driver v0.16.0 cmd/app/app.go                   signRequest (plain x509.CreateCertificateRequest: no usages in
//                                                       the CSR, a non-critical SAN), ClientForMetadata only with
//                                                       --use-token-request
// - csi-driver v0.16.0 deploy/charts/csi-driver         CSIDriver (podInfoOnMount; tokenRequests only with
//                                                       app.driver.useTokenRequest), service account name
// - csi-lib v0.12.0 manager/manager.go                  submitRequest (name, labels, duration, isCA, usages, issuerRef),
//                                                       NewManager (ClientForMetadata defaults to the driver's client)
import { webcrypto } from 'crypto';
import { isIP } from 'net';
import { buildCertificateRequest, CrSpec, CsrSpec, goDuration, goRdnSequence, goSans, KEY_USAGE_BITS, EXT_KEY_USAGE_OIDS, KeySpec, RequestOverrides } from './csr';
import { csiLibLabels, csiVolumeContext, podFromWorkload, podIdentity, PodOptions, podVolume, uuidFrom, volumeHandle } from './pod';
import { CertificateRequestObject, serviceAccountIdentity } from '../certificate-request';

const A = (name: string) => `csi.cert-manager.io/${name}`;

/** The csi-driver installation (Helm chart `cert-manager-csi-driver` v0.16.0 defaults). */
export interface CsiDriverInstall {
  /** @default 'cert-manager' */
  readonly namespace?: string;
  /** The DaemonSet's service account (the chart's name). @default 'cert-manager-csi-driver' */
  readonly serviceAccountName?: string;
  /** @default 'csi.cert-manager.io' */
  readonly driverName?: string;
  /** `app.driver.useTokenRequest`: create requests with the pod's token. @default false */
  readonly useTokenRequest?: boolean;
}

/** Options of {@link certificateRequestFromCsiVolume}. */
export interface CsiDriverOptions extends RequestOverrides {
  readonly install?: CsiDriverInstall;
  /** How to make a pod when given a workload. */
  readonly pod?: PodOptions;
}

/** csi-driver's `SetDefaultAttributes`: fills every attribute the driver defaults, normalizes key algorithm and encoding case. */
export function csiDriverDefaultAttributes(original: Record<string, string>): Record<string, string> {
  const attrs = { ...original };
  const setDefault = (key: string, value: string) => {
    if (!attrs[key]) attrs[key] = value;
  };
  setDefault(A('issuer-kind'), 'Issuer');
  setDefault(A('issuer-group'), 'cert-manager.io');
  setDefault(A('is-ca'), 'false');
  setDefault(A('duration'), '2160h0m0s');
  setDefault(A('ca-file'), 'ca.crt');
  setDefault(A('certificate-file'), 'tls.crt');
  setDefault(A('privatekey-file'), 'tls.key');
  const algorithm = attrs[A('key-algorithm')];
  if (algorithm) {
    const normal = ({ rsa: 'RSA', ecdsa: 'ECDSA', ed25519: 'Ed25519' } as Record<string, string>)[algorithm.toLowerCase()];
    if (normal) attrs[A('key-algorithm')] = normal;
  } else {
    attrs[A('key-algorithm')] = 'RSA';
  }
  const encoding = attrs[A('key-encoding')];
  if (encoding) {
    const normal = ({ pkcs1: 'PKCS1', pkcs8: 'PKCS8' } as Record<string, string>)[encoding.toLowerCase()];
    if (normal) attrs[A('key-encoding')] = normal;
  }
  switch (attrs[A('key-algorithm')]) {
    case 'RSA':
      setDefault(A('key-encoding'), 'PKCS1');
      setDefault(A('key-size'), '2048');
      break;
    case 'ECDSA':
      setDefault(A('key-encoding'), 'PKCS8');
      setDefault(A('key-size'), '256');
      break;
    case 'Ed25519':
      setDefault(A('key-encoding'), 'PKCS8');
      break;
  }
  setDefault(A('key-usages'), 'digital signature,key encipherment');
  if (A('pkcs12-enable') in attrs) setDefault(A('pkcs12-filename'), 'keystore.p12');
  return attrs;
}

/** csi-driver's `ValidateAttributes` (the parts that decide the request): errors, empty when valid. */
export function csiDriverValidationErrors(attrs: Record<string, string>): string[] {
  const errors: string[] = [];
  const path = (key: string) => `volumeAttributes.${key}`;
  if (!attrs[A('issuer-name')]) errors.push(`${path(A('issuer-name'))}: Required value: issuer-name is a required field`);
  for (const key of [A('is-ca'), A('reuse-private-key')]) {
    const v = attrs[key];
    if (v && v !== 'true' && v !== 'false') errors.push(`${path(key)}: Invalid value: "${v}": may only accept values of "true" or "false"`);
  }
  for (const key of [A('duration'), A('renew-before')]) {
    const v = attrs[key];
    if (v) {
      try {
        goDuration(v);
      } catch (e) {
        errors.push(`${path(key)}: Invalid value: "${v}": must be a valid duration string: ${(e as Error).message}`);
      }
    }
  }
  for (const usage of (attrs[A('key-usages')] ?? '').split(',').map((u) => u.trim())) {
    if (attrs[A('key-usages')] && KEY_USAGE_BITS[usage] === undefined && EXT_KEY_USAGE_OIDS[usage] === undefined) {
      errors.push(`${path(A('key-usages'))}: Invalid value: "${usage}": not a valid key usage`);
    }
  }
  const algorithm = attrs[A('key-algorithm')];
  const encoding = attrs[A('key-encoding')];
  const size = attrs[A('key-size')];
  if (algorithm === 'RSA') {
    const bits = Number(size);
    if (!/^[-+]?\d+$/.test(size ?? '')) errors.push(`${path(A('key-size'))}: Invalid value: "${size}": invalid syntax`);
    else if (bits < 2048) errors.push(`${path(A('key-size'))}: Invalid value: "${size}": key size must be at least 2048 when using the RSA key algorithm`);
    else if (bits > 8192) errors.push(`${path(A('key-size'))}: Invalid value: "${size}": key size must not exceed 8192 when using the RSA key algorithm`);
  } else if (algorithm === 'ECDSA') {
    if (encoding === 'PKCS1') errors.push(`${path(A('key-encoding'))}: Invalid value: "${encoding}": pkcs1 cannot be used with ecdsa. use pkcs8 or pkcs12 instead`);
    else if (!['256', '384', '521'].includes(String(Number(size)))) errors.push(`${path(A('key-size'))}: Unsupported value: "${size}": supported values: "256", "384", "521"`);
  } else if (algorithm === 'Ed25519') {
    if (encoding === 'PKCS1') errors.push(`${path(A('key-encoding'))}: Invalid value: "${encoding}": pkcs1 cannot be used with ed25519. use pkcs8 or pkcs12 instead`);
    else if (size) errors.push(`${path(A('key-size'))}: Invalid value: "${size}": size must be empty when using Ed25519 as the key algorithm`);
  } else {
    errors.push(`${path(A('key-algorithm'))}: Unsupported value: "${algorithm}": supported values: "RSA", "ECDSA", "Ed25519"`);
  }
  if (errors.length === 0 && encoding !== 'PKCS1' && encoding !== 'PKCS8') {
    errors.push(`${path(A('key-encoding'))}: Unsupported value: "${encoding}": supported values: "PKCS1", "PKCS8"`);
  }
  return errors;
}

/** The key keygen's `newKey` makes from the (defaulted) attributes. */
export function csiDriverKey(attrs: Record<string, string>): KeySpec {
  const algorithm = attrs[A('key-algorithm')];
  if (algorithm === 'RSA') return { algorithm: 'RSA', size: Number(attrs[A('key-size')]) };
  if (algorithm === 'ECDSA') return { algorithm: 'ECDSA', size: Number(attrs[A('key-size')]) as 256 | 384 | 521 };
  return { algorithm: 'Ed25519' };
}

/** requestgen's `expand` (Go `os.Expand`) with POD_NAME, POD_NAMESPACE, POD_UID, SERVICE_ACCOUNT_NAME. */
export function csiDriverExpand(context: Record<string, string>, text: string): string {
  const vars: Record<string, string> = {
    POD_NAME: context['csi.storage.k8s.io/pod.name'],
    POD_NAMESPACE: context['csi.storage.k8s.io/pod.namespace'],
    POD_UID: context['csi.storage.k8s.io/pod.uid'],
    SERVICE_ACCOUNT_NAME: context['csi.storage.k8s.io/serviceAccount.name'],
  };
  const undefinedVars: string[] = [];
  const result = text.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_m, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    if (!(name in vars)) undefinedVars.push(`undefined variable "${name}"`);
    return vars[name] ?? '';
  });
  if (undefinedVars.length > 0) throw new Error(`${undefinedVars.join(', ')}, known variables: [POD_NAME POD_NAMESPACE POD_UID SERVICE_ACCOUNT_NAME]`);
  return result;
}

/** requestgen's `splitList`: split on commas, trim each. */
function splitList(csv: string): string[] {
  return csv.split(',').map((s) => s.trim());
}

/** cert-manager's `SplitWithEscapeCSV`: one line of CSV (quoted fields may hold commas). */
function splitCsv(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n') {
      throw new Error(`refusing to use "${text}" as input as it parses as multiple lines of CSV`);
    } else {
      field += c;
    }
  }
  fields.push(field);
  return fields;
}

/** csi-lib's `CertificateRequestBundle` as requestgen fills it, with the key keygen makes. */
export interface CsiDriverBundle {
  /** The CSR template and key. */
  readonly csr: CsrSpec;
  readonly isCA: boolean;
  readonly usages?: string[];
  readonly namespace: string;
  readonly issuerRef: { readonly name: string; readonly kind: string; readonly group: string };
  /** Go form. */
  readonly duration: string;
  readonly annotations: Record<string, string>;
}

/**
 * The request csi-driver builds for one volume context (requestgen `RequestForMetadata` + keygen + signRequest):
 * - subject: Go's `pkix.Name` of common-name (with ${POD_*} expanded), organizations, organizationalunits, countries,
 *   provinces, localities, streetaddresses, postalcodes (CSV) and serialnumber; empty when none is set;
 * - SANs: dns-names (expanded), ip-sans, uri-sans (expanded), in Go's order, NON-critical even with an empty subject
 *   (the standard library's CreateCertificateRequest never marks it);
 * - no KeyUsage, ExtendedKeyUsage or BasicConstraints extension: usages and isCA travel only in the request's spec;
 * - key from key-algorithm/key-size (RSA 2048 by default), signed with Go's default algorithm (RSA: SHA-256 always);
 * - usages from key-usages, isCA from is-ca, duration (2160h by default), issuerRef (Issuer, cert-manager.io by
 *   default), the pod's namespace, and every attribute outside `csi.cert-manager.io/` and `csi.storage.k8s.io/` as
 *   an annotation.
 */
export function csiDriverBundle(context: Record<string, string>): CsiDriverBundle {
  const attrs = csiDriverDefaultAttributes(context);
  const errors = csiDriverValidationErrors(attrs);
  if (errors.length > 0) throw new Error(errors.join('; '));
  if (attrs[A('literal-subject')]) throw new Error(`${A('literal-subject')} is not modelled`);
  const list = (key: string) => (attrs[A(key)] ? splitCsv(csiDriverExpand(context, attrs[A(key)])) : undefined);
  const subject = goRdnSequence({
    commonName: csiDriverExpand(context, attrs[A('common-name')] ?? ''),
    serialNumber: attrs[A('serialnumber')] || undefined,
    organization: list('organizations'),
    organizationalUnit: list('organizationalunits'),
    country: list('countries'),
    province: list('provinces'),
    locality: list('localities'),
    streetAddress: list('streetaddresses'),
    postalCode: list('postalcodes'),
  });
  const dnsNames = attrs[A('dns-names')] ? splitList(csiDriverExpand(context, attrs[A('dns-names')])) : [];
  const ipAddresses = attrs[A('ip-sans')] ? splitList(attrs[A('ip-sans')]) : [];
  const bad = ipAddresses.filter((ip) => isIP(ip) === 0);
  if (bad.length > 0) throw new Error(`"${A('ip-sans')}": failed to parse IP address: ["${bad.join('","')}"]`);
  const uris = attrs[A('uri-sans')] ? splitList(csiDriverExpand(context, attrs[A('uri-sans')])) : [];
  const badUris = uris.filter((uri) => !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri) && !uri.startsWith('/'));
  if (badUris.length > 0) throw new Error(`"${A('uri-sans')}": ${badUris.map((u) => `parse "${u}": invalid URI for request`).join(', ')}`);
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    const slash = key.indexOf('/');
    if (slash < 0) continue;
    const group = key.slice(0, slash);
    if (group !== 'csi.cert-manager.io' && group !== 'csi.storage.k8s.io') annotations[key] = value;
  }
  return {
    csr: { subject, sans: goSans({ dnsNames, ipAddresses, uris }), sanCritical: false, key: csiDriverKey(attrs) },
    isCA: attrs[A('is-ca')].toLowerCase() === 'true',
    usages: attrs[A('key-usages')] ? splitList(attrs[A('key-usages')]) : undefined,
    namespace: attrs['csi.storage.k8s.io/pod.namespace'],
    issuerRef: { name: attrs[A('issuer-name')], kind: attrs[A('issuer-kind')], group: attrs[A('issuer-group')] },
    duration: goDuration(attrs[A('duration')]),
    annotations,
  };
}

/**
 * The CertificateRequest csi-driver creates for `volume` (a volume object or its name) of `pod` (a Pod, or a workload
 * as the library emits it: a Deployment's pod is derived from its template): in the pod's namespace, named by a UUID,
 * labelled with csi-lib's node and volume hashes, annotated with every attribute outside `csi.cert-manager.io/` and
 * `csi.storage.k8s.io/`, with `issuerRef`, `duration` (Go form), `isCA` and `usages` from the attributes, created by
 * the driver's service account (the pod's with `useTokenRequest`).
 */
export async function certificateRequestFromCsiVolume(pod: any, volume: any, options: CsiDriverOptions = {}): Promise<CertificateRequestObject> {
  const install = {
    namespace: options.install?.namespace ?? 'cert-manager',
    serviceAccountName: options.install?.serviceAccountName ?? 'cert-manager-csi-driver',
    driverName: options.install?.driverName ?? 'csi.cert-manager.io',
    useTokenRequest: options.install?.useTokenRequest ?? false,
  };
  const thePod = pod.kind === 'Pod' ? pod : podFromWorkload(pod, options.pod);
  const theVolume = podVolume(thePod, volume);
  if (theVolume.csi?.driver !== install.driverName) {
    throw new Error(`volume '${theVolume.name}' is not a ${install.driverName} volume (driver: ${theVolume.csi?.driver ?? 'none'})`);
  }
  const who = podIdentity(thePod);
  const context = csiVolumeContext(who, theVolume, { podInfoOnMount: true, emptyAudienceToken: install.useTokenRequest });
  const bundle = csiDriverBundle(context);
  const volumeId = volumeHandle(who.uid, theVolume.name);
  const cr: CrSpec = {
    name: uuidFrom(`${volumeId}/${webcrypto.randomUUID()}`),
    namespace: bundle.namespace,
    labels: csiLibLabels(who.nodeName, volumeId),
    annotations: bundle.annotations,
    issuerRef: bundle.issuerRef,
    duration: bundle.duration,
    isCA: bundle.isCA,
    usages: bundle.usages,
    identity: install.useTokenRequest
      ? serviceAccountIdentity(who.namespace, who.serviceAccountName)
      : serviceAccountIdentity(install.namespace, install.serviceAccountName),
  };
  return buildCertificateRequest(bundle.csr, cr, options);
}
