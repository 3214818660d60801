// The Istio agent (pilot-agent, istio 1.30.3) as a requester: it generates the workload key and CSR and sends them
// over gRPC to the CA (istio-csr here); it never creates a CertificateRequest itself (istio-csr does, see
// istio-csr.ts). Also Istio's `GenCSR`, which istio-csr v0.17.0 reuses for its own serving certificate.
//
// Upstream, istio 1.30.3 (istio-csr v0.17.0 vendors istio.io/istio c51394391cf5, identical for these files):
// - security/pkg/nodeagent/cache/secretcache.go   generateNewSecret: Host = spiffe.Identity{TrustDomain,
//                                                 WorkloadNamespace, ServiceAccount}.String(), RSAKeySize, ECSigAlg,
//                                                 ECCCurve; CSRSign(csr, SecretTTL seconds)
// - security/pkg/pki/util/generate_csr.go         GenCSR (ECDSA P-256/P-384 when ECSigAlg is "ECDSA", else RSA of
//                                                 RSAKeySize, at least 2048), GenCSRTemplate (Subject{Organization:
//                                                 [Org]} with Org "" -> one empty O; the SAN as the only extension)
// - security/pkg/pki/util/san.go                  BuildSubjectAltNameExtension (IP / spiffe:// URI / DNS per host, in
//                                                 order), BuildSANExtension (always critical)
// - security/pkg/pki/util/dual_use.go             DualUseCommonName
// - pkg/spiffe/spiffe.go                          Identity.String
// - pilot/cmd/pilot-agent/options/options.go      SECRET_TTL 24h, WORKLOAD_RSA_KEY_SIZE 2048, ECC_SIGNATURE_ALGORITHM "",
//                                                 ECC_CURVE P256
// - security/pkg/nodeagent/caclient/providers/citadel/client.go  CSRSign (IstioCertificateRequest csr, validity)
import { isIP } from 'net';
import { applyCsrOverrides, createCsr, CsrOverrides, CsrSpec, csrPem, KeySpec, parseGoDuration, San } from './csr';

/** Istio's `pkiutil.CertOptions`, the fields `GenCSR` reads. */
export interface IstioCertOptions {
  /** Comma-separated hosts: IPs, `spiffe://` URIs, DNS names. */
  readonly host: string;
  /** @default '' (one empty Organization attribute) */
  readonly org?: string;
  readonly isDualUse?: boolean;
  /** Used when `ecSigAlg` is empty; at least 2048. */
  readonly rsaKeySize?: number;
  /** '' (RSA) or 'ECDSA'. */
  readonly ecSigAlg?: string;
  /** 'P384', anything else P-256. */
  readonly ecCurve?: string;
}

/** The key Istio's `GenCSR` generates (generate_csr.go): ECDSA P-256/P-384 for ECSigAlg "ECDSA", else RSA of RSAKeySize (>= 2048). */
export function istioGenCsrKey(options: IstioCertOptions): KeySpec {
  if (options.ecSigAlg) {
    if (options.ecSigAlg !== 'ECDSA') throw new Error('csr cert generation fails due to unsupported EC signature algorithm');
    return { algorithm: 'ECDSA', size: options.ecCurve === 'P384' ? 384 : 256 };
  }
  const size = options.rsaKeySize ?? 0;
  if (size < 2048) throw new Error(`requested key size does not meet the minimum required size of 2048 (requested: ${size})`);
  return { algorithm: 'RSA', size };
}

/**
 * Istio's `GenCSRTemplate` (generate_csr.go, san.go, dual_use.go): subject `Organization: [Org]` (kept when Org is
 * "": one empty O, a PrintableString of length 0) plus, for dual use, the first host as CN (at most 64 characters);
 * one SAN extension, always critical, with each host as an IP, a `spiffe://` URI or a DNS name, in the given order.
 */
export function istioGenCsrTemplate(options: IstioCertOptions): Pick<CsrSpec, 'subject' | 'sans' | 'sanCritical'> {
  const sans: San[] = [];
  let commonName: string | undefined;
  if (options.host) {
    for (const host of options.host.split(',')) {
      if (isIP(host)) sans.push({ type: 'ip', value: host });
      else if (host.startsWith('spiffe://')) sans.push({ type: 'uri', value: host });
      else sans.push({ type: 'dns', value: host });
    }
    if (options.isDualUse) {
      const first = options.host.split(',')[0];
      if (first.length <= 64) commonName = first;
    }
  }
  return {
    // Subject{Organization: []string{Org}, CommonName: cn}: O, then CN (pkix.Name.ToRDNSequence).
    subject: [[{ type: 'O', value: options.org ?? '' }], ...(commonName ? [[{ type: 'CN' as const, value: commonName }]] : [])],
    sans,
    sanCritical: true,
  };
}

/** Istio's `GenCSR`: the template and the key (signed with Go's default algorithm for the key). */
export function istioGenCsrSpec(options: IstioCertOptions): CsrSpec {
  const key = istioGenCsrKey(options);
  return { ...istioGenCsrTemplate(options), key };
}

/** The agent's configuration (pilot-agent environment) for one workload. */
export interface IstioAgentOptions {
  /** The mesh trust domain (meshConfig.trustDomain). */
  readonly trustDomain: string;
  /** The pod's namespace. */
  readonly namespace: string;
  /** The pod's service account. */
  readonly serviceAccount: string;
  /** WORKLOAD_RSA_KEY_SIZE. @default 2048 */
  readonly workloadRsaKeySize?: number;
  /** ECC_SIGNATURE_ALGORITHM. @default '' (RSA) */
  readonly eccSignatureAlgorithm?: string;
  /** ECC_CURVE. @default 'P256' */
  readonly eccCurve?: string;
  /** SECRET_TTL (Go duration). @default '24h' */
  readonly secretTtl?: string;
  /** Changes to the CSR (hostile agent). */
  readonly csr?: CsrOverrides;
}

/** What the agent sends to the CA: `IstioCertificateRequest` (istio.io/api security/v1alpha1). */
export interface IstioAgentRequest {
  /** PEM of the CSR. */
  readonly csr: string;
  /** Requested lifetime in seconds (SECRET_TTL). */
  readonly validityDuration: number;
  /** The SPIFFE ID the agent asked for. */
  readonly spiffeId: string;
  /** Who calls: the pod's service account (its Kubernetes token authenticates the gRPC call). */
  readonly caller: { readonly namespace: string; readonly serviceAccount: string };
}

/** The workload CSR the agent builds (secretcache.go `generateNewSecret` -> GenCSR): see {@link istioGenCsrSpec}. */
export function istioAgentCsrSpec(options: IstioAgentOptions): CsrSpec {
  return istioGenCsrSpec({
    host: `spiffe://${options.trustDomain}/ns/${options.namespace}/sa/${options.serviceAccount}`,
    rsaKeySize: options.workloadRsaKeySize ?? 2048,
    ecSigAlg: options.eccSignatureAlgorithm ?? '',
    ecCurve: options.eccCurve ?? 'P256',
  });
}

/**
 * The agent's request for one workload: subject `O=""` (one empty Organization, PrintableString), one critical SAN
 * extension holding only the SPIFFE URI, no other extension, an RSA 2048 key signed SHA256-RSA (ECDSA P-256 with
 * ECC_SIGNATURE_ALGORITHM=ECDSA), and a requested validity of SECRET_TTL (24h).
 */
export async function istioAgentRequest(options: IstioAgentOptions): Promise<IstioAgentRequest> {
  const spec = applyCsrOverrides(istioAgentCsrSpec(options), options.csr);
  const signed = await createCsr(spec);
  const ttl = parseGoDuration(options.secretTtl ?? '24h');
  return {
    csr: csrPem(signed.rawData),
    validityDuration: Number(ttl / 1000000000n),
    spiffeId: `spiffe://${options.trustDomain}/ns/${options.namespace}/sa/${options.serviceAccount}`,
    caller: { namespace: options.namespace, serviceAccount: options.serviceAccount },
  };
}
