import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LeafCertificateOptions } from './leaf-certificate-options';
import { LeafRequest, leafRequest } from './leaf-request';
import { watchRenewals } from './renewal-visibility';
import { mountReadOnly, volumeName } from './workload-mount';
import { WorkloadMountOptions } from './workload-mount-options';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { Problems } from '../core/errors';
import { KeyAlgorithmFamily } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import { ITenantIssuer, TenantIssuer } from '../tenants/tenant-issuer';

/** How csi-driver writes the private key file. */
export enum PrivateKeyEncoding {
  /** PKCS#8 (`BEGIN PRIVATE KEY`), for every key algorithm. */
  PKCS8 = 'PKCS8',
  /** PKCS#1 (`BEGIN RSA PRIVATE KEY`), RSA keys only. */
  PKCS1 = 'PKCS1',
}

/** The cert-manager csi-driver installation of a cluster: which identity creates its CertificateRequests. */
export interface CsiDriverOptions {
  /**
   * Namespace csi-driver's Helm release is installed in.
   * @default 'cert-manager'
   */
  readonly namespace?: string;

  /**
   * Service account of csi-driver's DaemonSet: the chart names it after itself unless `nameOverride` is set.
   * @default 'cert-manager-csi-driver'
   */
  readonly serviceAccountName?: string;

  /**
   * Name the driver registers (`app.driver.name`).
   * @default 'csi.cert-manager.io'
   */
  readonly driverName?: string;
}

/** Props of {@link InMemoryCertificate}. */
export interface InMemoryCertificateProps extends LeafCertificateOptions {
  /**
   * Encoding of the private key file.
   * @default PrivateKeyEncoding.PKCS8
   */
  readonly keyEncoding?: PrivateKeyEncoding;

  /**
   * The csi-driver installation (which identity creates the CertificateRequests).
   * @default - the upstream chart's: service account `cert-manager-csi-driver` in `cert-manager`, driver `csi.cert-manager.io`
   */
  readonly csiDriver?: CsiDriverOptions;
}

/**
 * A certificate whose private key never leaves the pod's node memory (maturity level 3, "keys that never touch the
 * disk"): cert-manager csi-driver (v0.16.0) generates the key inside the driver for each pod that mounts the volume,
 * requests the certificate from the tenant's Issuer, and writes `tls.crt`/`tls.key`/`ca.crt` to a tmpfs bind-mounted
 * read-only into the pod. No Secret exists; the key lives as long as the pod.
 *
 * Same checks as {@link ShortLivedCertificate} (names, lifetime, renewal, key): the volume carries an explicit duration,
 * renew-before, the tenant's key algorithm and size, the tenant's usages, `is-ca: false` and `fs-group` (the files are
 * 0440 root-owned; the workload's non-root user reads them through that group). csi-driver creates the
 * CertificateRequests with its own service account, in the pod's namespace, so that account is given `use` of the
 * tenant's CertificateRequestPolicy there, and nothing else.
 *
 * `ca.crt` in the volume is whatever the Issuer returned (the intermediate, for Vault): trust the TrustBundle instead.
 */
export class InMemoryCertificate extends Construct {
  /** Namespace the workloads mounting it must be in (the tenant's). */
  public readonly namespace: string;
  /** Lifetime of each certificate. */
  public readonly duration: Duration;
  /** How long before expiry the driver renews. */
  public readonly renewBefore: Duration;
  /** The issuing tenant. */
  public readonly issuer: ITenantIssuer;
  /** DNS names of the certificate. */
  public readonly dnsNames: string[];
  /** IP SANs of the certificate (Go's canonical text). */
  public readonly ipAddresses: string[];
  /** URI SANs of the certificate. */
  public readonly uris: string[];
  /** Usages the certificate requests (the tenant's). */
  public readonly usages: KeyUsage[];
  /** Encoding of the private key file. */
  public readonly keyEncoding: PrivateKeyEncoding;
  /** Name of the CSI driver. */
  public readonly driverName: string;

  private readonly request: LeafRequest;

  constructor(scope: Construct, id: string, props: InMemoryCertificateProps) {
    super(scope, id);
    // A workload of the chart that mounts a csi-driver volume with subPath never sees a renewal: refused at synth.
    watchRenewals(this);
    const driver = {
      namespace: props?.csiDriver?.namespace ?? 'cert-manager',
      serviceAccountName: props?.csiDriver?.serviceAccountName ?? 'cert-manager-csi-driver',
      driverName: props?.csiDriver?.driverName ?? 'csi.cert-manager.io',
    };
    this.keyEncoding = props?.keyEncoding ?? PrivateKeyEncoding.PKCS8;
    this.request = leafRequest(this, 'InMemoryCertificate', props, (r, problems) => this.ownProblems(r, driver, problems));
    const issuer = this.request.issuer;
    this.issuer = issuer;
    this.namespace = issuer.namespace;
    this.duration = this.request.duration;
    this.renewBefore = this.request.renewBefore;
    this.dnsNames = Object.freeze(this.request.dnsNames) as string[];
    this.ipAddresses = Object.freeze(this.request.ipAddresses) as string[];
    this.uris = Object.freeze(this.request.uris) as string[];
    this.usages = issuer.allowedUsages;
    this.driverName = driver.driverName;
    // csi-driver creates the CertificateRequest with its own service account (csi-lib v0.12.0 manager.go: no
    // ClientForMetadata unless --use-token-request), so approver-policy checks `use` for that account.
    (issuer as TenantIssuer)._grantPolicyUse('csi-driver', { namespace: driver.namespace, name: driver.serviceAccountName });
  }

  /**
   * The csi-driver volume attributes for a pod whose key files belong to group `fsGroup`: everything explicit, nothing
   * left to the driver's defaults (RSA-2048, 2160h, key encipherment).
   */
  public volumeAttributes(fsGroup: number): { [key: string]: string } {
    const issuer = this.issuer;
    const key = issuer.keyAlgorithm;
    const attribute = (name: string) => `csi.cert-manager.io/${name}`;
    const attributes: { [key: string]: string } = {
      [attribute('issuer-name')]: issuer.issuerName,
      [attribute('issuer-kind')]: 'Issuer',
      [attribute('issuer-group')]: 'cert-manager.io',
      [attribute('duration')]: Durations.go(this.duration),
      [attribute('renew-before')]: Durations.go(this.renewBefore),
      [attribute('is-ca')]: 'false',
      [attribute('key-algorithm')]: key.family,
      [attribute('key-encoding')]: this.keyEncoding,
      [attribute('key-usages')]: this.usages.join(','),
      [attribute('fs-group')]: String(fsGroup),
    };
    if (key.family !== KeyAlgorithmFamily.ED25519) attributes[attribute('key-size')] = String(key.size);
    if (this.dnsNames.length > 0) attributes[attribute('dns-names')] = this.dnsNames.join(',');
    if (this.ipAddresses.length > 0) attributes[attribute('ip-sans')] = this.ipAddresses.join(',');
    if (this.uris.length > 0) attributes[attribute('uri-sans')] = this.uris.join(',');
    return attributes;
  }

  /**
   * Mounts an ephemeral csi-driver volume into one container of a workload of the tenant's namespace (`tls.crt`,
   * `tls.key`, `ca.crt` under `path`, read-only). Each pod gets its own key and certificate. The key file belongs to
   * root and the pod's fsGroup (set when the pod has none, see `WorkloadMountOptions.fsGroup`), mode 0440.
   */
  public mount(workload: kplus.AbstractPod, options: WorkloadMountOptions = {}): void {
    mountReadOnly({
      owner: this,
      ownerType: 'InMemoryCertificate',
      workload,
      options,
      defaultPath: `/etc/tls/${this.node.id}`,
      namespace: this.namespace,
      namespaceReason: "csi-driver requests the certificate in the pod's namespace, and the tenant's Issuer lives in",
      volumeName: volumeName('tls', this.node.id),
      secret: true,
      // readOnly is required by the driver (csi-lib v0.12.0 nodeserver.go rejects writable volumes).
      volume: (scope, id, name, fsGroup) => kplus.Volume.fromCsi(scope, id, this.driverName, {
        name,
        readOnly: true,
        attributes: this.volumeAttributes(fsGroup!),
      }),
    });
  }

  private ownProblems(request: LeafRequest, driver: Required<CsiDriverOptions>, problems: Problems): void {
    const issuer = request.issuer;
    problems.check(this.keyEncoding === PrivateKeyEncoding.PKCS1 && issuer.keyAlgorithm.family !== KeyAlgorithmFamily.RSA, () =>
      `'keyEncoding' (PKCS1) is for RSA keys only; the tenant's key is ${issuer.keyAlgorithm}: use PrivateKeyEncoding.PKCS8`);
    problems.check(!Object.values(PrivateKeyEncoding).includes(this.keyEncoding), () =>
      `'keyEncoding' (${this.keyEncoding}) is not PKCS1 or PKCS8`);
    problems.check(!Dns.isLabel(driver.namespace), () => `'csiDriver.namespace' (${driver.namespace}) is not a valid namespace name`);
    problems.check(!Dns.isSubdomain(driver.serviceAccountName), () =>
      `'csiDriver.serviceAccountName' (${driver.serviceAccountName}) is not a valid service account name`);
    problems.check(!Dns.isSubdomain(driver.driverName), () => `'csiDriver.driverName' (${driver.driverName}) is not a valid CSI driver name`);
    problems.check(!Dns.isLabel(volumeName('tls', this.node.id)) || this.node.id.length > 200, () =>
      `the construct id (${this.node.id}) names the volume and mount path; use lower-case letters, digits and '-'`);
  }
}
