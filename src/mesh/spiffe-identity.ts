import * as kplus from 'cdk8s-plus-28';
import { KubeRole, KubeRoleBinding } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { SpiffeCsiDriver } from './spiffe-csi-driver';
import { ClusterChart } from '../cluster/cluster-chart';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { PkiValidationError, Problems } from '../core/errors';
import { KeyAlgorithmFamily } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import { KubernetesNames } from '../core/kubernetes-names';
import { PkiNames } from '../core/names';
import { Provenance } from '../core/provenance';
import { mountReadOnly, volumeName } from '../delivery/workload-mount';
import { WorkloadMountOptions } from '../delivery/workload-mount-options';
import { RequesterPolicy } from '../tenants/requester-policy';
import { ITenantIssuer, TenantIssuer } from '../tenants/tenant-issuer';

/** Props of {@link SpiffeIdentity}. */
export interface SpiffeIdentityProps {
  /** The cluster's csi-driver-spiffe installation. */
  readonly driver: SpiffeCsiDriver;

  /**
   * The tenant whose Vault role signs the SVIDs: its `issuerName` is the driver's, its `spiffeTrustDomain` the
   * driver's, and `serviceAccount` one of its `spiffeServiceAccounts`.
   */
  readonly issuer: ITenantIssuer;

  /** The service account of the pods (in the tenant's namespace): the SVID is `spiffe://<trust domain>/ns/<namespace>/sa/<it>`. */
  readonly serviceAccount: string;
}

/**
 * A pod identity (maturity level 3): the SPIFFE SVID of one service account, from csi-driver-spiffe, its key generated
 * in the driver and never stored. The pod's own token creates the CertificateRequest, so:
 * - the service account may create CertificateRequests in its namespace (a Role and RoleBinding for that account only);
 * - a CertificateRequestPolicy of its own, which that account alone may `use`, admits exactly its SPIFFE ID with the
 *   driver's usages, key and lifetime, and nothing else (no DNS name of the tenant); the Vault role allows exactly the
 *   tenant's listed IDs. approver-policy alone decides (the driver's own approver is not run, see `SpiffeCsiDriver`).
 * Mount it with `mount(workload)`; the workload must run as that service account.
 */
export class SpiffeIdentity extends Construct {
  /** The SVID: `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`. */
  public readonly spiffeId: string;
  /** Namespace of the pods. */
  public readonly namespace: string;
  /** Service account of the pods. */
  public readonly serviceAccount: string;
  /** The CertificateRequestPolicy that admits this identity's requests (and only the account's own). */
  public readonly policyName: string;

  private readonly driver: SpiffeCsiDriver;

  constructor(scope: Construct, id: string, props: SpiffeIdentityProps) {
    super(scope, id);
    const chart = ClusterChart.containing(this);
    const { driver, issuer, serviceAccount } = props ?? ({} as SpiffeIdentityProps);
    const problems = new Problems();
    problems.check(!(driver instanceof SpiffeCsiDriver), () => "'driver' is missing; pass the cluster's SpiffeCsiDriver");
    problems.check(!Provenance.is(issuer, 'TenantIssuer'), () => "'issuer' is missing or not made by this library; pass a TenantIssuer");
    problems.throwIfAny(this, 'SpiffeIdentity');
    problems.check(ClusterChart.containing(driver) !== chart, () => "'driver' belongs to another cluster; pass this cluster's SpiffeCsiDriver");
    problems.check(issuer.cluster.name !== chart.cluster.name, () =>
      `'issuer' (${issuer.namespace}/${issuer.issuerName}) lives in cluster '${issuer.cluster.name}', not '${chart.cluster.name}'`);
    problems.check(issuer.issuerName !== driver.issuerName, () =>
      `the driver requests every SVID from Issuer '${driver.issuerName}' of the pod's namespace, but the tenant's Issuer is ` +
      `'${issuer.namespace}/${issuer.issuerName}': give the tenant issuerName '${driver.issuerName}' (or the driver this issuer)`);
    problems.check(issuer.spiffeTrustDomain !== driver.trustDomain, () =>
      `the tenant's 'spiffeTrustDomain' (${issuer.spiffeTrustDomain ?? '<none>'}) is not the driver's trust domain (${driver.trustDomain}); ` +
      'Vault would refuse every SVID: set the same trust domain on both');
    problems.check(typeof serviceAccount !== 'string' || !Dns.isSubdomain(serviceAccount), () =>
      `'serviceAccount' (${serviceAccount}) is not a valid service account name (RFC 1123 subdomain)`);
    problems.check(typeof serviceAccount === 'string' && !issuer.spiffeServiceAccounts.includes(serviceAccount), () =>
      `'serviceAccount' (${serviceAccount}) is not one of the tenant's 'spiffeServiceAccounts' (${issuer.spiffeServiceAccounts.join(', ') || 'none'}); ` +
      'Vault and approver-policy allow exactly those SPIFFE IDs: add it to the Tenant');
    problems.check(issuer.keyAlgorithm.family !== KeyAlgorithmFamily.ECDSA || issuer.keyAlgorithm.size !== 256, () =>
      `the driver always generates ECDSA P-256 keys (csi-driver-spiffe v0.15.0), but the tenant's key is ${issuer.keyAlgorithm}: ` +
      'approver-policy and the Vault role would refuse them; use keyAlgorithm ECDSA_P256 for this tenant');
    const d = Durations.seconds(driver.certificateRequestDuration);
    problems.check(d > Durations.seconds(issuer.maxDuration), () =>
      `the driver's 'certificateRequestDuration' (${Durations.describe(driver.certificateRequestDuration)}) exceeds the tenant's 'maxDuration' ` +
      `(${Durations.describe(issuer.maxDuration)}); lower the driver's duration or raise the tenant's maximum`);
    problems.check(!issuer.allowedUsages.includes(KeyUsage.SERVER_AUTH) || !issuer.allowedUsages.includes(KeyUsage.CLIENT_AUTH), () =>
      "the driver requests server auth and client auth for every SVID; enable both ('serverAuth', 'clientAuth') on the tenant");
    problems.throwIfAny(this, 'SpiffeIdentity');

    this.driver = driver;
    this.namespace = issuer.namespace;
    this.serviceAccount = serviceAccount;
    this.spiffeId = issuer.spiffeId(serviceAccount);

    // The pod's token creates the request (csi-driver-spiffe v0.15.0 driver.go, default mode), in its namespace.
    const name = PkiNames.certificateRequestRoleName(serviceAccount);
    const labels = PkiNames.labels(issuer.intermediate.hierarchyName, issuer.issuerName);
    const problemsAfter = KubernetesNames.claim(this, [{
      kind: 'rbac.authorization.k8s.io/Role',
      namespace: this.namespace,
      name,
      from: `'serviceAccount' (${serviceAccount})`,
      fix: 'create one SpiffeIdentity per service account',
    }]);
    if (problemsAfter.length > 0) throw new PkiValidationError('SpiffeIdentity', this.node.path, problemsAfter);
    new KubeRole(this, 'role', {
      metadata: { name, namespace: this.namespace, labels },
      rules: [{ apiGroups: ['cert-manager.io'], resources: ['certificaterequests'], verbs: ['create'] }],
    });
    new KubeRoleBinding(this, 'binding', {
      metadata: { name, namespace: this.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: this.namespace }],
    });
    // Its own policy, usable by that account alone: exactly its SPIFFE ID, what the driver asks for (v0.15.0
    // internal/csi/driver/driver.go: no subject, the URI only, these usages, one duration, ECDSA P-256), nothing of the
    // tenant's DNS names. The account's Role lets it create CertificateRequests at all; this decides what for.
    const policy = new RequesterPolicy(this, 'policy', {
      issuer: issuer as TenantIssuer,
      requester: `sa-${serviceAccount}`,
      identity: { namespace: this.namespace, name: serviceAccount },
      allowed: { uris: { values: [this.spiffeId], required: true } },
      usages: SpiffeCsiDriver.USAGES,
      maxDuration: driver.certificateRequestDuration,
      ownerType: 'SpiffeIdentity',
    });
    this.policyName = policy.name;
  }

  /**
   * Mounts the SVID volume (`tls.crt`, `tls.key`, and the trust bundle as `ca.crt`) read-only into one container of a
   * workload that runs as the service account, in the tenant's namespace. The key file's group is the pod's fsGroup
   * (set when the pod has none), passed to the driver as `spiffe.csi.cert-manager.io/fs-group`.
   */
  public mount(workload: kplus.AbstractPod, options: WorkloadMountOptions = {}): void {
    const runsAs = workload.serviceAccount?.name;
    if (runsAs !== this.serviceAccount) {
      throw new PkiValidationError('SpiffeIdentity', this.node.path, [
        `workload '${workload.node.path}' runs as service account '${runsAs ?? 'default'}', but this identity is '${this.serviceAccount}': ` +
        'the driver issues the SVID of the pod\'s own service account; create the workload with that serviceAccount',
      ]);
    }
    mountReadOnly({
      owner: this,
      ownerType: 'SpiffeIdentity',
      workload,
      options,
      defaultPath: '/var/run/secrets/spiffe.io',
      namespace: this.namespace,
      namespaceReason: "the SVID names the pod's namespace, and the tenant lives in",
      volumeName: volumeName('spiffe', this.serviceAccount),
      secret: true,
      volume: (scope, id, name, fsGroup) => kplus.Volume.fromCsi(scope, id, this.driver.driverName, {
        name,
        readOnly: true,
        attributes: { 'spiffe.csi.cert-manager.io/fs-group': String(fsGroup) },
      }),
    });
  }
}
