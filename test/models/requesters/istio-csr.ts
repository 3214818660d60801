// cert-manager istio-csr v0.17.0 as a requester, three ways:
// 1. workload certificates: it authenticates an Istio agent's gRPC call (the pod's Kubernetes token), checks the CSR
//    (only URI SANs equal to the caller's identity, only digital signature / key encipherment and server / client
//    auth usages), and creates the CertificateRequest ITSELF, with ITS OWN service account, in the configured
//    certificate namespace (istio-system), passing the agent's CSR through unchanged;
// 2. its own gRPC serving certificate: Istio's GenCSR for `app.tls.certificateDNSNames`, requested the same way;
// 3. istiod's certificate: a cert-manager Certificate the Helm chart renders (`app.tls.istiodCertificateEnable: true`),
//    which cert-manager's controller turns into a CertificateRequest (see cert-manager.ts).
//
// Upstream, istio-csr v0.17.0:
// - pkg/certmanager/certmanager.go  Sign (generateName istio-csr-, identities annotation, additional annotations,
//                                   duration, isCA false, usages, issuerRef; the manager's client = istio-csr's token)
// - pkg/server/server.go            CreateCertificate (duration = min(requested, max), usages client auth + server auth)
// - pkg/server/auth.go              authRequest (identities, CSR checks, URIs == identities)
// - pkg/server/internal/extensions/extensions.go  ValidateCSRExtentions
// - pkg/tls/tls.go                  fetchCertificate (serving CSR via pkiutil.GenCSR, usages server auth, identity
//                                   "istio-csr-serving")
// - cmd/app/options/options.go      flag defaults
// - deploy/charts/istio-csr/values.yaml, templates/deployment.yaml (values -> flags), templates/certificate.yaml
//   (istiod's Certificate), templates/_helpers.tpl (labels), templates/serviceaccount.yaml
import { certificateRequestFromCertificate, CertManagerOptions } from './cert-manager';
import {
  applyCrOverrides, buildCertificateRequest, certificateRequestObject, CrOverrides, CrSpec, formatGoDuration, generatedName,
  goDuration, inspectCsr, parseGoDuration, RequestOverrides, EXT_KEY_USAGE_OIDS,
} from './csr';
import { IstioAgentOptions, istioAgentRequest, IstioAgentRequest, istioGenCsrSpec } from './istio-agent';
import { CertificateRequestObject, serviceAccountIdentity } from '../certificate-request';

/** The istio-csr chart version whose templates and defaults are modelled. */
export const ISTIO_CSR_CHART_VERSION = 'v0.17.0';

/** An istio-csr installation, as its Helm values configure the binary and the chart. */
export interface IstioCsrInstall {
  readonly releaseName: string;
  /** Release namespace (where istio-csr runs). */
  readonly namespace: string;
  /** The chart's name (`nameOverride`): names the Deployment and its service account. */
  readonly name: string;
  /** Namespace of every CertificateRequest istio-csr creates (`app.certmanager.namespace`). */
  readonly certificateNamespace: string;
  readonly issuerRef: { readonly name: string; readonly kind: string; readonly group: string };
  readonly preserveCertificateRequests: boolean;
  readonly additionalAnnotations: Record<string, string>;
  readonly trustDomain: string;
  readonly servingDnsNames: string[];
  /** Go form. */
  readonly servingDuration: string;
  readonly servingSignatureAlgorithm: string;
  readonly servingKeySize: number;
  /** Go form. */
  readonly maxClientCertificateDuration: string;
  readonly istioNamespace: string;
  readonly revisions: string[];
  readonly istiod: {
    /** `true` (the chart renders the Certificate), `dynamic` (istio-csr creates it), `false`. */
    readonly enable: string;
    /** As written in the values (rendered verbatim into the Certificate). */
    readonly duration: string;
    readonly renewBefore: string;
    readonly keyAlgorithm: string;
    readonly keySize: number;
    readonly additionalDnsNames: string[];
  };
  readonly commonLabels: Record<string, string>;
}

/**
 * istio-csr's configuration from Helm values (chart v0.17.0 values.yaml defaults filled in, as templates/deployment.yaml
 * passes them as flags). A disabled static issuer (`app.certmanager.issuer.enabled: false`, runtime configuration) is
 * not modelled.
 */
export function istioCsrFromHelmValues(values: any, release: { name?: string; namespace?: string } = {}): IstioCsrInstall {
  const app = values?.app ?? {};
  const cm = app.certmanager ?? {};
  const tls = app.tls ?? {};
  const server = app.server ?? {};
  if (cm.issuer?.enabled === false) throw new Error('app.certmanager.issuer.enabled=false (runtime issuer configuration) is not modelled');
  const name = String(values?.nameOverride || 'cert-manager-istio-csr').slice(0, 63).replace(/-$/, '');
  return {
    releaseName: release.name ?? 'cert-manager-istio-csr',
    namespace: release.namespace ?? 'cert-manager',
    name,
    certificateNamespace: cm.namespace ?? 'istio-system',
    issuerRef: { name: cm.issuer?.name ?? 'istio-ca', kind: cm.issuer?.kind ?? 'Issuer', group: cm.issuer?.group ?? 'cert-manager.io' },
    preserveCertificateRequests: cm.preserveCertificateRequests === true,
    additionalAnnotations: Object.fromEntries((cm.additionalAnnotations ?? []).map((a: any) => [a.name, String(a.value)])),
    trustDomain: tls.trustDomain ?? 'cluster.local',
    servingDnsNames: tls.certificateDNSNames ?? ['cert-manager-istio-csr.cert-manager.svc'],
    servingDuration: goDuration(tls.certificateDuration ?? '1h'),
    servingSignatureAlgorithm: server.serving?.signatureAlgorithm ?? 'RSA',
    servingKeySize: server.serving?.certificateKeySize ?? 2048,
    maxClientCertificateDuration: goDuration(server.maxCertificateDuration ?? '1h'),
    istioNamespace: app.istio?.namespace ?? 'istio-system',
    revisions: app.istio?.revisions ?? ['default'],
    istiod: {
      enable: String(tls.istiodCertificateEnable ?? true),
      duration: tls.istiodCertificateDuration ?? '1h',
      renewBefore: tls.istiodCertificateRenewBefore ?? '30m',
      // `default .Values.app.server.serving.signatureAlgorithm .Values.app.tls.istiodPrivateKeyAlgorithm`
      keyAlgorithm: tls.istiodPrivateKeyAlgorithm || (server.serving?.signatureAlgorithm ?? 'RSA'),
      keySize: tls.istiodPrivateKeySize ?? 2048,
      additionalDnsNames: tls.istiodAdditionalDNSNames ?? [],
    },
    commonLabels: values?.commonLabels ?? {},
  };
}

/** The SPIFFE ID istio-csr's Kubernetes JWT authenticator gives a caller (its trust domain, the token's account). */
export function callerIdentity(install: IstioCsrInstall, caller: { namespace: string; serviceAccount: string }): string {
  return `spiffe://${install.trustDomain}/ns/${caller.namespace}/sa/${caller.serviceAccount}`;
}

/**
 * istio-csr's checks of an agent's CSR before it creates anything (pkg/server/auth.go `authRequest`,
 * extensions.go): the CSR parses and its signature checks; no DNS, IP or email SAN and no common name; extensions only
 * SAN (URI names only), KeyUsage (digital signature and/or key encipherment, nothing else) and ExtendedKeyUsage (server
 * and/or client auth); the URIs exactly the caller's identities. Returns the reasons it refuses (empty: accepted).
 */
export async function istioCsrAuthorizationErrors(csrPem: string, identities: string[]): Promise<string[]> {
  let csr;
  try {
    csr = await inspectCsr(csrPem);
  } catch (e) {
    return [`failed to decode CSR: ${(e as Error).message}`];
  }
  if (!csr.signatureValid) return ['CSR failed signature check'];
  const errors: string[] = [];
  if (csr.sans.some((s) => s.type !== 'uri') || csr.commonName) errors.push('forbidden extensions: DNS, IP, email SANs or a common name');
  const allowedKu = ['digital signature', 'key encipherment'];
  const allowedEku = [EXT_KEY_USAGE_OIDS['server auth'], EXT_KEY_USAGE_OIDS['client auth']];
  for (const oid of csr.extensions) {
    if (oid === '2.5.29.17') {
      if (csr.sans.some((s) => s.type !== 'uri')) errors.push('non uri san extension given');
    } else if (oid === '2.5.29.15') {
      if ((csr.keyUsages ?? []).some((u) => !allowedKu.includes(u))) errors.push(`forbidden key usage: ${csr.keyUsages!.join(', ')}`);
    } else if (oid === '2.5.29.37') {
      for (const eku of csr.extKeyUsages ?? []) if (!allowedEku.includes(eku)) errors.push(`forbidden extended key usage: ${eku}`);
    } else {
      errors.push(`forbidden extension: ${oid}`);
    }
  }
  const uris = csr.sans.filter((s) => s.type === 'uri').map((s) => s.value).sort();
  const ids = [...identities].sort();
  if (uris.length !== ids.length || uris.some((u, i) => u !== ids[i])) {
    errors.push(`failed to match URIs with identities: [${identities.join(' ')}] != [${uris.join(' ')}]`);
  }
  return errors;
}

/** The CertificateRequest fields of istio-csr's `Sign` (pkg/certmanager/certmanager.go). */
function signedBy(install: IstioCsrInstall, identities: string, seed: string, duration: string, usages: string[]): CrSpec {
  return {
    name: generatedName('istio-csr-', seed),
    namespace: install.certificateNamespace,
    // identities first, then maps.Copy of the additional annotations (which could overwrite it).
    annotations: { 'istio.cert-manager.io/identities': identities, ...install.additionalAnnotations },
    issuerRef: install.issuerRef,
    duration,
    isCA: false,
    usages,
    identity: serviceAccountIdentity(install.namespace, install.name),
  };
}

/** Options of {@link certificateRequestFromAgentCsr}. */
export interface IstioCsrAgentOptions {
  /** Whose token authenticates the gRPC call. @default the agent's own pod service account */
  readonly caller?: { readonly namespace: string; readonly serviceAccount: string };
  /** Apply istio-csr's checks and throw when it would refuse. @default true */
  readonly authorize?: boolean;
  readonly cr?: CrOverrides;
}

/**
 * The CertificateRequest istio-csr creates for an agent's request: the agent's CSR verbatim; in the certificate
 * namespace; `generateName: istio-csr-`; annotation `istio.cert-manager.io/identities` = the caller's SPIFFE ID (plus
 * the additional annotations); duration min(requested validity, maxCertificateDuration) in Go form; usages
 * `client auth`, `server auth` (that order); isCA false; the configured issuer; created by istio-csr's service account.
 * Throws istio-csr's refusal when its checks fail (unless `authorize: false`).
 */
export async function certificateRequestFromAgentCsr(agent: IstioAgentRequest, install: IstioCsrInstall,
  options: IstioCsrAgentOptions = {}): Promise<CertificateRequestObject> {
  const identities = [callerIdentity(install, options.caller ?? agent.caller)];
  if (options.authorize !== false) {
    const errors = await istioCsrAuthorizationErrors(agent.csr, identities);
    if (errors.length > 0) throw new Error(`istio-csr refuses the request (request authenticate failure): ${errors.join('; ')}`);
  }
  const requested = BigInt(agent.validityDuration) * 1000000000n;
  const max = parseGoDuration(install.maxClientCertificateDuration);
  const cr = signedBy(install, identities.join(','), agent.csr, formatGoDuration(requested < max ? requested : max), ['client auth', 'server auth']);
  return certificateRequestObject(applyCrOverrides(cr, options.cr), agent.csr);
}

/** The agent's request for a workload, through istio-csr (see {@link istioAgentRequest} and {@link certificateRequestFromAgentCsr}). */
export async function certificateRequestFromIstioAgent(agent: IstioAgentOptions, install: IstioCsrInstall,
  options: IstioCsrAgentOptions = {}): Promise<CertificateRequestObject> {
  return certificateRequestFromAgentCsr(await istioAgentRequest(agent), install, options);
}

/**
 * istio-csr's request for its own gRPC serving certificate (pkg/tls/tls.go `fetchCertificate`): Istio's GenCSR with
 * the serving DNS names as hosts (subject `O=""`, critical SAN of DNS names, no usage extensions), key RSA of
 * `certificateKeySize` (or ECDSA P-256/P-384), usages `server auth`, identities annotation `istio-csr-serving`,
 * duration `app.tls.certificateDuration`; created by istio-csr's service account.
 */
export async function istioCsrServingCertificateRequest(install: IstioCsrInstall, options: RequestOverrides = {}): Promise<CertificateRequestObject> {
  let ecSigAlg = '';
  let ecCurve = '';
  if (install.servingSignatureAlgorithm === 'ECDSA') {
    ecSigAlg = 'ECDSA';
    if (install.servingKeySize === 256) ecCurve = 'P256';
    else if (install.servingKeySize === 384) ecCurve = 'P384';
    else throw new Error(`unsupported serving certificate key size (supported: 256, 384): ${install.servingKeySize}`);
  } else if (install.servingSignatureAlgorithm !== 'RSA') {
    throw new Error(`unknown signature algorithm (supported: "RSA", "ECDSA"): ${install.servingSignatureAlgorithm}`);
  }
  const csr = istioGenCsrSpec({ host: install.servingDnsNames.join(','), rsaKeySize: install.servingKeySize, ecSigAlg, ecCurve });
  const cr = signedBy(install, 'istio-csr-serving', `serving/${install.servingDnsNames.join(',')}`, install.servingDuration, ['server auth']);
  return buildCertificateRequest(csr, cr, options);
}

/** The chart's common labels (templates/_helpers.tpl `cert-manager-istio-csr.labels`). */
export function istioCsrChartLabels(install: IstioCsrInstall): Record<string, string> {
  return {
    'app.kubernetes.io/name': install.name,
    'helm.sh/chart': `cert-manager-istio-csr-${ISTIO_CSR_CHART_VERSION}`,
    'app.kubernetes.io/instance': install.releaseName,
    'app.kubernetes.io/version': ISTIO_CSR_CHART_VERSION,
    'app.kubernetes.io/managed-by': 'Helm',
    ...install.commonLabels,
  };
}

/**
 * istiod's Certificate as the chart renders it (templates/certificate.yaml, only when `istiodCertificateEnable` is
 * `true`): `istiod` in Istio's namespace, commonName `istiod.<ns>.svc`, one DNS name per revision
 * (`istiod[-<rev>].<ns>.svc`) plus the additional ones, the URI `spiffe://<td>/ns/<ns>/sa/istiod-service-account`,
 * secret `istiod-tls`, duration/renewBefore as given, key rotationPolicy Always with the configured algorithm and
 * size, revisionHistoryLimit 1, the configured issuer, and NO usages.
 */
export function istiodCertificate(install: IstioCsrInstall): any {
  if (install.istiod.enable !== 'true') throw new Error(`app.tls.istiodCertificateEnable is ${install.istiod.enable}: the chart renders no istiod Certificate`);
  const ns = install.istioNamespace;
  const seen = new Set<string>();
  const dnsNames: string[] = [];
  for (const revision of install.revisions.length > 0 ? install.revisions : ['default']) {
    const r = revision === 'default' ? '' : revision;
    if (seen.has(r)) throw new Error(`Duplicate revisions defined ${r}`);
    seen.add(r);
    dnsNames.push(`istiod${r ? `-${r}` : ''}.${ns}.svc`);
  }
  const annotations = Object.keys(install.additionalAnnotations).length > 0 ? { annotations: { ...install.additionalAnnotations } } : {};
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'istiod', namespace: ns, labels: istioCsrChartLabels(install), ...annotations },
    spec: {
      commonName: `istiod.${ns}.svc`,
      dnsNames: [...dnsNames, ...install.istiod.additionalDnsNames],
      uris: [`spiffe://${install.trustDomain}/ns/${ns}/sa/istiod-service-account`],
      secretName: 'istiod-tls',
      duration: install.istiod.duration,
      renewBefore: install.istiod.renewBefore,
      privateKey: { rotationPolicy: 'Always', algorithm: install.istiod.keyAlgorithm, size: install.istiod.keySize },
      revisionHistoryLimit: 1,
      issuerRef: { ...install.issuerRef },
    },
  };
}

/** istiod's Certificate through cert-manager's requestmanager (created by cert-manager's service account). */
export async function istiodCertificateRequest(install: IstioCsrInstall, options: CertManagerOptions = {}): Promise<CertificateRequestObject> {
  return certificateRequestFromCertificate(istiodCertificate(install), options);
}
