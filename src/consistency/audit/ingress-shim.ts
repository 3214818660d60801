/**
 * The Certificates cert-manager's ingress-shim creates from an annotated Ingress, as cert-manager v1.21.1 builds them
 * (`pkg/controller/certificate-shim/sync.go` SyncFnFor, issuerForIngressLike, buildCertificates;
 * `pkg/controller/certificate-shim/helper.go` translateAnnotations; annotation keys from
 * `pkg/apis/certmanager/v1/types.go`): one Certificate per `spec.tls` entry, named after its secretName, with the
 * entry's hosts as DNS names (IP addresses as IP SANs), cert-manager's default usages, the issuer of the
 * `cert-manager.io/issuer` or `cert-manager.io/cluster-issuer` annotation, and the `cert-manager.io/*` annotations
 * translated. Used by the audit to see the certificates of an estate whose dump holds the Ingresses but not (yet) the
 * Certificates, and by tests to build the requests cert-manager really sends for them.
 */

/** The annotation keys ingress-shim reads (cert-manager v1.21.1 `pkg/apis/certmanager/v1/types.go`). @internal */
export const SHIM_ANNOTATIONS = {
  issuer: 'cert-manager.io/issuer',
  clusterIssuer: 'cert-manager.io/cluster-issuer',
  issuerKind: 'cert-manager.io/issuer-kind',
  issuerGroup: 'cert-manager.io/issuer-group',
  tlsAcme: 'kubernetes.io/tls-acme',
  commonName: 'cert-manager.io/common-name',
  altNames: 'cert-manager.io/alt-names',
  ipSans: 'cert-manager.io/ip-sans',
  emailSans: 'cert-manager.io/email-sans',
  organizations: 'cert-manager.io/subject-organizations',
  duration: 'cert-manager.io/duration',
  renewBefore: 'cert-manager.io/renew-before',
  renewBeforePercentage: 'cert-manager.io/renew-before-percentage',
  usages: 'cert-manager.io/usages',
  revisionHistoryLimit: 'cert-manager.io/revision-history-limit',
  privateKeyAlgorithm: 'cert-manager.io/private-key-algorithm',
  privateKeyEncoding: 'cert-manager.io/private-key-encoding',
  privateKeySize: 'cert-manager.io/private-key-size',
  privateKeyRotationPolicy: 'cert-manager.io/private-key-rotation-policy',
} as const;

/** cert-manager's `DefaultKeyUsages()` (v1.21.1 `pkg/apis/certmanager/v1/types.go`). @internal */
export const DEFAULT_KEY_USAGES = ['digital signature', 'key encipherment'];

/** ingress-shim removes this label from the Certificates it creates (cert-manager#7306). */
const APPLYSET_LABEL = 'applyset.kubernetes.io/part-of';

/**
 * The Certificates ingress-shim creates for `ingress` (empty when it has no shim annotation, its issuer annotations
 * conflict, or an annotation does not parse: ingress-shim then records a BadConfig event and creates nothing). With
 * only `kubernetes.io/tls-acme: "true"`, the issuer is the controller's `--default-issuer-*` flags, unknown here: the
 * issuerRef name is left empty.
 * @internal
 */
export function certificateFromIngress(ingress: any): any[] {
  const annotations: Record<string, string> = ingress?.metadata?.annotations ?? {};
  const shim = annotations[SHIM_ANNOTATIONS.issuer] !== undefined || annotations[SHIM_ANNOTATIONS.clusterIssuer] !== undefined
    || ['true', '1', 't', 'TRUE', 'True', 'T'].includes(annotations[SHIM_ANNOTATIONS.tlsAcme]);
  if (!shim) return [];
  const issuerRef = issuerFor(annotations);
  if (!issuerRef) return [];
  const tls: any[] = ingress.spec?.tls ?? [];
  const secretNames = tls.map((t) => t.secretName);
  if (secretNames.some((s, i) => secretNames.indexOf(s) !== i)) return []; // checkForDuplicateSecretNames
  const out: any[] = [];
  for (const entry of tls) {
    if (!entry.secretName || !(entry.hosts ?? []).length) continue; // validateIngressTLSBlock: skipped
    const hosts: string[] = entry.hosts;
    const labels = { ...(ingress.metadata?.labels ?? {}) };
    delete labels[APPLYSET_LABEL];
    const certificate: any = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: {
        name: entry.secretName,
        namespace: ingress.metadata?.namespace ?? 'default',
        ...(Object.keys(labels).length ? { labels } : {}),
        ownerReferences: [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: ingress.metadata?.name, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        dnsNames: hosts.filter((h) => !isIp(h)),
        ipAddresses: hosts.filter(isIp),
        secretName: entry.secretName,
        issuerRef,
        usages: [...DEFAULT_KEY_USAGES],
      },
    };
    if (!certificate.spec.ipAddresses.length) delete certificate.spec.ipAddresses;
    if (!translate(certificate.spec, annotations)) return [];
    out.push(certificate);
  }
  return out;
}

/** issuerForIngressLike: the annotations' issuer, or undefined when they conflict. */
function issuerFor(a: Record<string, string>): { name: string; kind: string; group: string } | undefined {
  const issuer = a[SHIM_ANNOTATIONS.issuer];
  const cluster = a[SHIM_ANNOTATIONS.clusterIssuer];
  const kind = a[SHIM_ANNOTATIONS.issuerKind];
  const group = a[SHIM_ANNOTATIONS.issuerGroup];
  if (issuer !== undefined && cluster !== undefined) return undefined;
  if (cluster !== undefined && (group !== undefined || kind !== undefined)) return undefined;
  const name = cluster ?? issuer ?? '';
  return { name, kind: kind ?? (cluster !== undefined ? 'ClusterIssuer' : 'Issuer'), group: group ?? 'cert-manager.io' };
}

/** translateAnnotations, for the keys an audit reads; false where ingress-shim would refuse the Ingress. */
function translate(spec: any, a: Record<string, string>): boolean {
  const k = SHIM_ANNOTATIONS;
  if (a[k.commonName] !== undefined) spec.commonName = a[k.commonName];
  if (a[k.altNames]) spec.dnsNames = [...spec.dnsNames, ...a[k.altNames].split(',')];
  if (a[k.ipSans]) spec.ipAddresses = [...(spec.ipAddresses ?? []), ...a[k.ipSans].split(',')];
  if (a[k.emailSans] !== undefined) spec.emailAddresses = a[k.emailSans].split(',');
  if (a[k.organizations] !== undefined) spec.subject = { organizations: a[k.organizations].split(',') };
  for (const [key, field] of [[k.duration, 'duration'], [k.renewBefore, 'renewBefore']] as const) {
    if (a[key] === undefined) continue;
    if (!/^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(a[key])) return false;
    spec[field] = a[key];
  }
  if (a[k.renewBeforePercentage] !== undefined) {
    if (!/^-?\d+$/.test(a[k.renewBeforePercentage])) return false;
    spec.renewBeforePercentage = Number(a[k.renewBeforePercentage]);
  }
  if (a[k.usages] !== undefined) spec.usages = a[k.usages].split(',').map((u) => u.trim());
  if (a[k.revisionHistoryLimit] !== undefined) {
    const limit = Number(a[k.revisionHistoryLimit]);
    if (!Number.isInteger(limit) || limit < 1) return false;
    spec.revisionHistoryLimit = limit;
  }
  const key: any = {};
  if (a[k.privateKeyAlgorithm] !== undefined) {
    if (!['RSA', 'ECDSA', 'Ed25519'].includes(a[k.privateKeyAlgorithm])) return false;
    key.algorithm = a[k.privateKeyAlgorithm];
  }
  if (a[k.privateKeyEncoding] !== undefined) {
    if (!['PKCS1', 'PKCS8'].includes(a[k.privateKeyEncoding])) return false;
    key.encoding = a[k.privateKeyEncoding];
  }
  if (a[k.privateKeySize] !== undefined) {
    const size = Number(a[k.privateKeySize]);
    const algorithm = key.algorithm ?? 'RSA';
    if (!Number.isInteger(size)) return false;
    if (algorithm === 'RSA' && (size < 2048 || size > 8192)) return false;
    if (algorithm === 'ECDSA' && ![256, 384, 521].includes(size)) return false;
    key.size = size;
  }
  if (a[k.privateKeyRotationPolicy] !== undefined) {
    if (!['Never', 'Always'].includes(a[k.privateKeyRotationPolicy])) return false;
    key.rotationPolicy = a[k.privateKeyRotationPolicy];
  }
  if (Object.keys(key).length) spec.privateKey = key;
  return true;
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.includes(':') && /^[0-9a-fA-F:.]+$/.test(host));
}
