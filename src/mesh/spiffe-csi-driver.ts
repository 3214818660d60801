import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterChart } from '../cluster/cluster-chart';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { Problems } from '../core/errors';
import { Shape } from '../core/input-shapes';
import { KeyUsage } from '../core/key-usage';
import { PkiLimits } from '../core/limits';
import { Provenance } from '../core/provenance';
import { validateShapes } from '../core/validation';
import { TrustBundle } from '../delivery/trust-bundle';

/** Props of {@link SpiffeCsiDriver}. */
export interface SpiffeCsiDriverProps {
  /** SPIFFE trust domain of every SVID the driver requests (`app.trustDomain`), e.g. `acme.internal`; the tenants' `spiffeTrustDomain`. */
  readonly trustDomain: string;

  /**
   * Name of the Issuer the driver requests every SVID from, in each pod's namespace (`app.issuer`, kind Issuer): the
   * `issuerName` of every tenant whose pods get SVIDs.
   */
  readonly issuerName: string;

  /**
   * The trust bundle written into every SVID volume as `ca.crt` (`app.driver.sourceCABundle`): the roots Terraform
   * published, never the issuing CA a request returns. trust-manager must write it into the driver's namespace (label
   * that namespace with the bundle's `namespaceLabels`).
   */
  readonly trustBundle: TrustBundle;

  /**
   * Lifetime of every SVID (`app.certificateRequestDuration`, passed to both the driver and its approver, which refuses
   * any other): one value per installation, for every pod. At least 1h (cert-manager's minimum).
   * @default Duration.hours(1)
   */
  readonly certificateRequestDuration?: Duration;

  /**
   * Namespace the chart is installed in.
   * @default 'cert-manager'
   */
  readonly namespace?: string;

  /**
   * Name the driver registers (`app.name`).
   * @default 'spiffe.csi.cert-manager.io'
   */
  readonly driverName?: string;
}

/**
 * The cert-manager csi-driver-spiffe installation of a cluster (chart v0.15.0), as the library configures it: SPIFFE
 * SVIDs `spiffe://<trust domain>/ns/<namespace>/sa/<service account>` for pods, requested with each pod's own service
 * account token from the tenant's Vault Issuer, with the pinned roots as `ca.crt`. Mount SVIDs with
 * {@link SpiffeIdentity}; install the chart with `helmValues`.
 *
 * What the driver fixes (v0.15.0 source): the SVID's URI (from the pod's service account token; the pod cannot choose),
 * an ECDSA P-256 key generated in the driver, the usages (digital signature, key encipherment, server auth, client auth),
 * one duration and one issuer name for every pod. What the library sets: the trust domain, the issuer, the duration, the
 * trust bundle, and no approver of the driver's own: approver-policy decides every SVID request, with a policy per service
 * account (`SpiffeIdentity`).
 */
export class SpiffeCsiDriver extends Construct {
  /**
   * The usages of every SVID request (csi-driver-spiffe v0.15.0 internal/csi/driver/driver.go, and its approver's
   * `requiredUsages`): digital signature, key encipherment, server auth, client auth.
   */
  public static readonly USAGES: KeyUsage[] = Object.freeze([
    KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT, KeyUsage.SERVER_AUTH, KeyUsage.CLIENT_AUTH,
  ]) as KeyUsage[];

  /**
   * A signer name no Issuer can have (namespaces are lower-case RFC 1123 labels): the driver's own approver is given no
   * signer at all, so it can neither approve nor deny (cert-manager v1.21.1
   * internal/webhook/admission/certificaterequest/approval: the approver needs `approve` on `signers`
   * `issuers.cert-manager.io/<namespace>.<name>`).
   */
  public static readonly NO_SIGNER = 'issuers.cert-manager.io/NONE';

  /** Trust domain of every SVID. */
  public readonly trustDomain: string;
  /** Name of the Issuer requested in each pod's namespace. */
  public readonly issuerName: string;
  /** Lifetime of every SVID. */
  public readonly certificateRequestDuration: Duration;
  /** Namespace of the installation. */
  public readonly namespace: string;
  /** Name of the CSI driver. */
  public readonly driverName: string;
  /**
   * Helm values for `helm install cert-manager-csi-driver-spiffe jetstack/cert-manager-csi-driver-spiffe --version v0.15.0
   * -n <namespace> -f <values>` (checked against the chart's values.schema.json in the tests).
   */
  public readonly helmValues: any;

  constructor(scope: Construct, id: string, props: SpiffeCsiDriverProps) {
    super(scope, id);
    validateShapes(this, 'SpiffeCsiDriver', props, {
      trustDomain: Shape.STRING,
      issuerName: Shape.STRING,
      certificateRequestDuration: Shape.DURATION,
      namespace: Shape.STRING,
      driverName: Shape.STRING,
    });
    const chart = ClusterChart.containing(this);
    this.trustDomain = props?.trustDomain;
    this.issuerName = props?.issuerName;
    this.certificateRequestDuration = props?.certificateRequestDuration ?? Duration.hours(1);
    this.namespace = props?.namespace ?? 'cert-manager';
    this.driverName = props?.driverName ?? 'spiffe.csi.cert-manager.io';
    const problems = new Problems();
    problems.check(!Dns.isTrustDomain(this.trustDomain), () =>
      `'trustDomain' (${this.trustDomain}) is not a SPIFFE trust domain (lower-case letters, digits, '.', '-', '_'), e.g. 'acme.internal'`);
    problems.check(typeof this.issuerName !== 'string' || !Dns.isLabel(this.issuerName), () =>
      `'issuerName' (${this.issuerName}) is not a valid Issuer name (RFC 1123 label)`);
    problems.check(!(props?.trustBundle instanceof TrustBundle), () =>
      "'trustBundle' is missing; pass the TrustBundle whose roots the SVID volumes carry as ca.crt (otherwise pods get no ca.crt at all)");
    problems.check(props?.trustBundle instanceof TrustBundle && props.trustBundle._notOnlyRoots().length > 0, () =>
      `'trustBundle' (${props.trustBundle.bundleName}) also carries ${props.trustBundle._notOnlyRoots().join(', ')}: every SVID volume's ca.crt would ` +
      "trust them, so any certificate they sign could pass for a workload; give the driver a TrustBundle of the hierarchy's roots only");
    problems.check(props?.trustBundle instanceof TrustBundle && ClusterChart.containing(props.trustBundle) !== chart, () =>
      `'trustBundle' (${props.trustBundle.bundleName}) belongs to another cluster; pass this cluster's TrustBundle`);
    problems.check(!Dns.isLabel(this.namespace), () => `'namespace' (${this.namespace}) is not a valid namespace name`);
    problems.check(!Dns.isSubdomain(this.driverName), () => `'driverName' (${this.driverName}) is not a valid CSI driver name`);
    const d = this.certificateRequestDuration;
    problems.check(!Durations.isWholePositive(d) || Durations.seconds(d) < Durations.HOUR
      || Durations.seconds(d) > Durations.seconds(PkiLimits.LEAF_MAX_DURATION), () =>
      `'certificateRequestDuration' (${Durations.describe(d)}) must be from 1h (cert-manager's minimum) to ` +
      `${Durations.describe(PkiLimits.LEAF_MAX_DURATION)}`);
    problems.throwIfAny(this, 'SpiffeCsiDriver');

    const bundle = props.trustBundle._helmVolume('trust-bundle', '/var/run/secrets/cdk8s-vault-pki/trust-bundle');
    this.helmValues = {
      app: {
        trustDomain: this.trustDomain,
        name: this.driverName,
        certificateRequestDuration: Durations.go(d),
        issuer: { name: this.issuerName, kind: 'Issuer', group: 'cert-manager.io' },
        approver: {
          // approver-policy alone decides. The driver's approver (v0.15.0 internal/approver) approves any request carrying
          // its identity annotation for ANY Issuer its signer name covers, checking neither the key nor the issuer, and the
          // first condition set is final: it would race approver-policy and admit what a policy refuses (an RSA-1024 SVID,
          // an account outside the tenant's list). It is not run, and holds no signer even if someone scales it up.
          replicaCount: 0,
          signerName: SpiffeCsiDriver.NO_SIGNER,
          autoApproveNonSPIFFE: false,
        },
        driver: {
          // Each pod's own token creates its request, so the approver checks the pod's identity (not the driver's).
          useOwnServiceAccount: false,
          sourceCABundle: bundle.file,
          volumes: [bundle.volume],
          volumeMounts: [bundle.volumeMount],
        },
      },
    };
    Provenance.register(this, 'SpiffeCsiDriver');
  }
}
