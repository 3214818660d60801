import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterChart } from '../cluster/cluster-chart';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { Problems } from '../core/errors';
import { Shape } from '../core/input-shapes';
import { KeyAlgorithmFamily } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { Provenance } from '../core/provenance';
import { validateShapes } from '../core/validation';
import { TrustBundle } from '../delivery/trust-bundle';
import { RequesterPolicy } from '../tenants/requester-policy';
import { ITenantIssuer, TenantIssuer } from '../tenants/tenant-issuer';

/** Props of {@link IstioCsr}. */
export interface IstioCsrProps {
  /**
   * The mesh tenant placed in Istio's namespace (e.g. `istio-system`): its Issuer signs every workload certificate,
   * istio-csr's serving certificate and istiod's. It needs `spiffeTrustDomain` (the mesh trust domain),
   * `spiffeNamespaces` (the mesh namespaces, Istio's included), domains covering `istiod.<istio namespace>.svc` and
   * `<serviceName>.<namespace>.svc`, key RSA 2048 (Istio's and istio-csr's default keys), server and client auth.
   */
  readonly issuer: ITenantIssuer;

  /**
   * The trust bundle istio-csr pins as the mesh's root (`app.tls.rootCAFile`) and distributes as `istio-ca-root-cert`:
   * the roots Terraform published, not the CA a request returns. trust-manager must write it into istio-csr's namespace.
   */
  readonly trustBundle: TrustBundle;

  /**
   * Namespace istio-csr is installed in.
   * @default 'cert-manager'
   */
  readonly namespace?: string;

  /**
   * Longest workload certificate istio-csr requests (`app.server.maxCertificateDuration`); istio-csr asks for the
   * shorter of this and what the Istio agent asks for. At least 1h (cert-manager's minimum), at most the tenant's maximum.
   * @default Duration.hours(1)
   */
  readonly maxCertificateDuration?: Duration;

  /**
   * Istio revisions istiod's certificate covers (`app.istio.revisions`).
   * @default ['default']
   */
  readonly revisions?: string[];
}

/**
 * cert-manager istio-csr (chart v0.17.0) backed by the tenant's Vault Issuer (maturity level 3: mesh mTLS with SPIFFE
 * identities). istio-csr creates every CertificateRequest itself, with its own service account, in Istio's namespace,
 * after checking the caller's Kubernetes token and that the request's URI is exactly the caller's SPIFFE ID (v0.17.0
 * `pkg/server/auth.go`). So:
 * - a CertificateRequestPolicy only istio-csr's service account may `use` admits SPIFFE IDs of the mesh namespaces with
 *   one path segment per name, istio-csr's serving name, and the empty Organization every Istio CSR carries; another,
 *   used by cert-manager, admits exactly istiod's certificate;
 * - the Vault role allows the mesh namespaces' IDs and `use_csr_sans`; no `permitted_uri_domains` is set on the CA
 *   (Vault compares URI name constraints with the host only, hashicorp/vault#31627);
 * - the mesh root is pinned to the published roots (`rootCAFile`), never discovered from a response;
 * - workload certificates live 1h (`maxCertificateDuration`), istiod's 1h.
 * `helmValues` installs istio-csr; `istioOperator` installs Istio pointed at it.
 */
export class IstioCsr extends Construct {
  /** istio-csr's service account (the chart names it after itself). */
  public static readonly SERVICE_ACCOUNT = 'cert-manager-istio-csr';
  /** The service account whose SPIFFE ID istiod's certificate carries (istio-csr v0.17.0 chart, templates/certificate.yaml). */
  public static readonly ISTIOD_SERVICE_ACCOUNT = 'istiod-service-account';

  /** Namespace istio-csr is installed in. */
  public readonly namespace: string;
  /** Istio's namespace (where istio-csr's requests and istiod's certificate live). */
  public readonly istioNamespace: string;
  /** The mesh trust domain. */
  public readonly trustDomain: string;
  /** The gRPC address Istio's agents send their CSRs to: `<service>.<namespace>.svc:443`. */
  public readonly caAddress: string;
  /** Helm values for `helm install cert-manager-istio-csr jetstack/cert-manager-istio-csr --version v0.17.0 -n <namespace> -f <values>`. */
  public readonly helmValues: any;
  /** An IstioOperator for `istioctl install -f <file>`: the mesh trust domain, istio-csr as the CA, istiod's own CA off. */
  public readonly istioOperator: any;
  /** The CertificateRequestPolicies of istio-csr's requests (workloads and its serving certificate) and of istiod's certificate. */
  public readonly policyNames: string[];

  constructor(scope: Construct, id: string, props: IstioCsrProps) {
    super(scope, id);
    validateShapes(this, 'IstioCsr', props, { namespace: Shape.STRING, maxCertificateDuration: Shape.DURATION, revisions: Shape.STRINGS });
    const chart = ClusterChart.containing(this);
    const issuer = props?.issuer;
    const problems = new Problems();
    problems.check(!Provenance.is(issuer, 'TenantIssuer'), () => "'issuer' is missing or not made by this library; pass the mesh TenantIssuer");
    problems.check(!(props?.trustBundle instanceof TrustBundle), () =>
      "'trustBundle' is missing; pass the TrustBundle istio-csr pins as the mesh root (without it, istio-csr trusts whatever a response returns)");
    problems.throwIfAny(this, 'IstioCsr');

    this.namespace = props.namespace ?? 'cert-manager';
    this.istioNamespace = issuer.namespace;
    this.trustDomain = issuer.spiffeTrustDomain ?? '';
    const serving = `${IstioCsr.SERVICE_ACCOUNT}.${this.namespace}.svc`;
    this.caAddress = `${serving}:443`;
    const revisions = props.revisions ?? ['default'];
    const istiodNames = revisions.map((r) => `istiod${r === 'default' ? '' : `-${r}`}.${this.istioNamespace}.svc`);
    const duration = props.maxCertificateDuration ?? Duration.hours(1);

    problems.check(issuer.cluster.name !== chart.cluster.name, () =>
      `'issuer' (${issuer.namespace}/${issuer.issuerName}) lives in cluster '${issuer.cluster.name}', not '${chart.cluster.name}'`);
    problems.check(ClusterChart.containing(props.trustBundle) !== chart, () => "'trustBundle' belongs to another cluster; pass this cluster's TrustBundle");
    problems.check(props.trustBundle._notOnlyRoots().length > 0, () =>
      `'trustBundle' (${props.trustBundle.bundleName}) also carries ${props.trustBundle._notOnlyRoots().join(', ')}: the mesh root istio-csr pins ` +
      "would trust them, so any certificate they sign could pass for a workload; give istio-csr a TrustBundle of the hierarchy's roots only");
    problems.check(!Dns.isLabel(this.namespace), () => `'namespace' (${this.namespace}) is not a valid namespace name`);
    problems.check(!issuer.spiffeTrustDomain, () => "the mesh tenant has no 'spiffeTrustDomain'; set the mesh trust domain on the Tenant");
    problems.check(!!issuer.spiffeTrustDomain && !issuer.spiffeNamespaces.includes(this.istioNamespace), () =>
      `the mesh tenant's 'spiffeNamespaces' (${issuer.spiffeNamespaces.join(', ') || 'none'}) leave out Istio's namespace '${this.istioNamespace}', ` +
      'whose istiod identity spiffe://<td>/ns/<istio namespace>/sa/istiod-service-account istiod\'s certificate carries; add it');
    for (const name of [...istiodNames, serving]) {
      problems.check(!issuer.domains.some((d) => Dns.isWithin(name, d) && name !== d), () =>
        `the mesh tenant's domains (${issuer.domains.join(', ')}) do not cover '${name}' (${name === serving ? "istio-csr's serving certificate" : "istiod's certificate"}); ` +
        `add '${name.split('.').slice(1).join('.')}' to the Tenant's domains`);
    }
    problems.check(issuer.keyAlgorithm.family !== KeyAlgorithmFamily.RSA || issuer.keyAlgorithm.size !== 2048, () =>
      `the mesh tenant's key is ${issuer.keyAlgorithm}, but Istio's agents, istiod's certificate and istio-csr's serving certificate use ` +
      'RSA 2048 keys (their defaults; approver-policy would refuse them): use KeyAlgorithm.rsa(2048) for the mesh tenant');
    problems.check(!issuer.allowedUsages.includes(KeyUsage.SERVER_AUTH) || !issuer.allowedUsages.includes(KeyUsage.CLIENT_AUTH), () =>
      "istio-csr requests client auth and server auth for workloads; enable both ('serverAuth', 'clientAuth') on the mesh tenant");
    problems.check(!Durations.isWholePositive(duration) || Durations.seconds(duration) < Durations.HOUR
      || Durations.seconds(duration) > Durations.seconds(issuer.maxDuration), () =>
      `'maxCertificateDuration' (${Durations.describe(duration)}) must be from 1h (cert-manager's minimum) to the mesh tenant's 'maxDuration' ` +
      `(${Durations.describe(issuer.maxDuration)})`);
    const tenantMax = Durations.seconds(issuer.maxDuration);
    problems.check(tenantMax < Durations.HOUR || tenantMax > Durations.seconds(PkiLimits.LEAF_MAX_DURATION),
      () => "the mesh tenant's 'maxDuration' must allow istiod's 1h certificate");
    problems.check(revisions.length === 0 || revisions.some((r) => !Dns.isLabel(r)) || new Set(revisions).size !== revisions.length, () =>
      `'revisions' (${revisions.join(', ')}) must be distinct Istio revision names`);
    problems.throwIfAny(this, 'IstioCsr');

    // istio-csr creates every request with its own service account (v0.17.0 pkg/certmanager/certmanager.go), in Istio's
    // namespace, after checking the caller's token and that the CSR's only SAN is the caller's SPIFFE ID (pkg/server/
    // auth.go). Istio builds every CSR with one empty Organization (istio 1.30.3 security/pkg/pki/util/generate_csr.go:
    // `Subject{Organization: []string{options.Org}}`, Org unset), which approver-policy checks like any attribute
    // (v0.27.0 allowed/evaluator.go `evaluateSlice`): the policy allows exactly that empty value, nothing else.
    // The workloads' identities and istio-csr's own serving certificate (pkg/tls/tls.go, the same GenCSR), usable by
    // istio-csr's account alone.
    const emptyOrganization = { values: [''], validations: [{ rule: "self == ''", message: 'Istio requests carry an empty Organization, nothing else' }] };
    const workloads = new RequesterPolicy(this, 'workload-policy', {
      issuer: issuer as TenantIssuer,
      requester: 'istio-csr',
      identity: { namespace: this.namespace, name: IstioCsr.SERVICE_ACCOUNT },
      allowed: {
        uris: {
          values: issuer.spiffeNamespaces.map((ns) => PkiNames.spiffeNamespacePattern(this.trustDomain, ns)),
          // `*` in the values crosses '/': one path segment after /sa/ only.
          validations: [{ rule: RequesterPolicy.spiffeShapeRule(this.trustDomain), message: `mesh identities are spiffe://${this.trustDomain}/ns/<namespace>/sa/<service account>` }],
        },
        dnsNames: { values: [serving] },
        subject: { organizations: emptyOrganization },
      },
      // What istio-csr puts in spec.usages: client and server auth for workloads (pkg/server/server.go), server auth for
      // its serving certificate (pkg/tls/tls.go).
      usages: [KeyUsage.CLIENT_AUTH, KeyUsage.SERVER_AUTH],
      maxDuration: duration,
      ownerType: 'IstioCsr',
    });
    // istiod's Certificate, rendered by istio-csr's chart (v0.17.0 deploy/charts/istio-csr/templates/certificate.yaml) and
    // requested by cert-manager: exactly its common name, DNS names and SPIFFE ID.
    const istiodId = PkiNames.spiffeId(this.trustDomain, this.istioNamespace, IstioCsr.ISTIOD_SERVICE_ACCOUNT);
    const istiod = new RequesterPolicy(this, 'istiod-policy', {
      issuer: issuer as TenantIssuer,
      requester: 'istiod',
      identity: { namespace: chart.certManagerNamespace, name: chart.certManagerServiceAccount },
      allowed: {
        commonName: { value: istiodNames[0], required: true },
        dnsNames: { values: istiodNames, required: true },
        uris: { values: [istiodId], required: true },
      },
      usages: issuer.allowedUsages,
      ownerType: 'IstioCsr',
    });
    this.policyNames = [workloads.name, istiod.name];

    const bundle = props.trustBundle._helmVolume('root-ca', '/var/run/secrets/cdk8s-vault-pki/root-ca');
    const go = (d: Duration) => Durations.go(d);
    this.helmValues = {
      app: {
        certmanager: {
          namespace: this.istioNamespace,
          preserveCertificateRequests: false,
          issuer: { enabled: true, name: issuer.issuerName, kind: 'Issuer', group: 'cert-manager.io' },
        },
        tls: {
          trustDomain: this.trustDomain,
          rootCAFile: bundle.file,
          certificateDNSNames: [serving],
          certificateDuration: go(Duration.hours(1)),
          istiodCertificateEnable: true,
          istiodCertificateDuration: go(Duration.hours(1)),
          istiodCertificateRenewBefore: go(Duration.minutes(30)),
          istiodPrivateKeyAlgorithm: 'RSA',
          istiodPrivateKeySize: 2048,
        },
        server: {
          maxCertificateDuration: go(duration),
          serving: { signatureAlgorithm: 'RSA', certificateKeySize: 2048 },
        },
        istio: { namespace: this.istioNamespace, revisions: [...revisions] },
      },
      volumes: [bundle.volume],
      volumeMounts: [bundle.volumeMount],
    };
    // What istio-csr's own end-to-end tests install Istio with (v0.17.0 make/config/istio/istio-config-default.yaml).
    this.istioOperator = {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { namespace: this.istioNamespace, labels: PkiNames.labels(issuer.intermediate.hierarchyName, issuer.issuerName) },
      spec: {
        meshConfig: { trustDomain: this.trustDomain },
        values: { global: { caAddress: this.caAddress } },
        components: { pilot: { k8s: { env: [{ name: 'ENABLE_CA_SERVER', value: 'false' }] } } },
      },
    };
  }
}
