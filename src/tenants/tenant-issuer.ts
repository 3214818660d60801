import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { grantToCertManager } from './cert-manager-grant';
import { Tenant } from './tenant';
import { TenantCertificateRequestPolicy } from './tenant-certificate-request-policy';
import { ITenantScope } from './tenant-scope';
import { ClusterChart } from '../cluster/cluster-chart';
import { ClusterScopedRoleBinding } from '../core/cluster-scoped';
import { Durations } from '../core/durations';
import { PkiValidationError } from '../core/errors';
import { IpRanges } from '../core/ip-ranges';
import { KeyAlgorithm } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import { KubernetesNames, ObjectClaim } from '../core/kubernetes-names';
import { PkiNames } from '../core/names';
import { Provenance } from '../core/provenance';
import { validate } from '../core/validation';
import { VaultNames } from '../core/vault-names';
import { KubernetesAuthBackendRole } from '../terraform';
import { IIntermediateCa } from '../vault/intermediate-ca-options';
import { IPkiCluster, PkiCluster } from '../vault/pki-cluster';

/** Props of {@link TenantIssuer}. */
export interface TenantIssuerProps {
  /** The tenant to place on this cluster (its Vault role and policy). */
  readonly tenant: Tenant;
}

/** A tenant's Issuer in one cluster, as certificates see it. */
export interface ITenantIssuer extends ITenantScope {
  /** The cluster the Issuer lives in. */
  readonly cluster: IPkiCluster;
}

/**
 * A tenant placed on one cluster (its Kubernetes half, in a {@link ClusterChart}), derived from the tenant's names:
 *
 * - Kubernetes: the Issuer, its service account (`automountServiceAccountToken: false`), a Role letting cert-manager
 *   create tokens for that account only, an approver-policy CertificateRequestPolicy with the RBAC that binds it to
 *   cert-manager in that namespace, and the tenant's recording rule (its maximum lifetime) for the alerts.
 * - Vault: one Kubernetes auth role on this cluster's auth mount (`kubernetes-<cluster>`), bound to that service
 *   account in that namespace with audience `vault://<ns>/<issuer>` and the tenant's policy only (H5), in the
 *   tenant's Terraform stack.
 *
 * What protects a tenant: the auth role admits only the Issuer's service account in the tenant's namespace, the
 * policy allows only the tenant's sign path, the Vault role and the policy allow only the tenant's names, key and
 * lifetime. The audience `vault://<ns>/<issuer>` does not bind a token to one Issuer: since cert-manager 1.15 any
 * Issuer of the namespace may list extra audiences and use the same service account, so the namespace is the
 * boundary (who may create Issuers there), and what such an Issuer can obtain is still only the tenant's own names.
 */
export class TenantIssuer extends Construct implements ITenantIssuer {
  public readonly issuerName: string;
  public readonly namespace: string;
  public readonly domains: string[];
  public readonly maxDuration: Duration;
  public readonly keyAlgorithm: KeyAlgorithm;
  public readonly allowedUsages: KeyUsage[];
  public readonly allowWildcards: boolean;
  public readonly spiffeTrustDomain?: string;
  public readonly spiffeServiceAccounts: string[];
  public readonly spiffeNamespaces: string[];
  public readonly allowedIpRanges: string[];
  public readonly intermediate: IIntermediateCa;
  public readonly cluster: IPkiCluster;
  /** Name of the tenant's CertificateRequestPolicy. */
  public readonly policyName: string;
  /** Requesters already granted `use` of the policy, by binding name. */
  private readonly policyRequesters = new Map<string, string>();
  /** The tenant placed here. */
  public readonly tenant: Tenant;

  constructor(scope: Construct, id: string, props: TenantIssuerProps) {
    super(scope, id);
    const chart = ClusterChart.containing(this);
    const tenant = props?.tenant;
    validate(this, 'TenantIssuer', { tenant, chart }, [
      (p) => !Provenance.is(p.tenant, 'Tenant') && "'tenant' is missing or not made by this library; pass a Tenant (its Vault half)",
      'gate',
      (p) => p.tenant.namespace === p.chart.certManagerNamespace && !p.tenant.allowSystemNamespace
        && `the tenant's namespace (${p.tenant.namespace}) is cert-manager's own in cluster '${p.chart.cluster.name}', whose service accounts and RBAC ` +
        "belong to the platform; give the tenant a namespace of its own, or set 'allowSystemNamespace' on the Tenant",
      'gate',
      (p) => KubernetesNames.claim(this, this.claims(p.tenant, p.chart)),
      (p) => {
        const owner = VaultNames.claim(this, `auth-role:${p.chart.cluster.authMountPath}`, p.tenant.roleName);
        return owner !== undefined && `the tenant '${p.tenant.namespace}/${p.tenant.issuerName}' is already placed on cluster '${p.chart.cluster.name}' ` +
          `by '${owner}' (its auth role '${p.tenant.roleName}' exists on '${p.chart.cluster.authMountPath}'); place each tenant once per cluster`;
      },
    ]);

    this.tenant = tenant;
    this.cluster = chart.cluster;
    this.issuerName = tenant.issuerName;
    this.namespace = tenant.namespace;
    this.domains = tenant.domains;
    this.maxDuration = tenant.maxDuration;
    this.keyAlgorithm = tenant.keyAlgorithm;
    this.allowedUsages = tenant.allowedUsages;
    this.allowWildcards = tenant.allowWildcards;
    this.spiffeTrustDomain = tenant.spiffeTrustDomain;
    this.spiffeServiceAccounts = tenant.spiffeServiceAccounts;
    this.spiffeNamespaces = tenant.spiffeNamespaces;
    this.allowedIpRanges = tenant.allowedIpRanges;
    this.intermediate = tenant.intermediate;
    this.policyName = PkiNames.certificateRequestPolicyName(tenant.namespace, tenant.issuerName);
    Provenance.register(this, 'TenantIssuer');

    this.addAuthRole(chart.cluster);
    this.addKubernetesObjects(chart);
  }

  public spiffeId(serviceAccountName: string): string {
    return this.tenant.spiffeId(serviceAccountName);
  }

  /**
   * Lets another requester than cert-manager `use` the tenant's own CertificateRequestPolicy (DNS names and IPs, never a
   * URI) in the tenant's namespace (a RoleBinding to the policy's Role), once per requester: the identity that creates
   * the CertificateRequests, which approver-policy checks `use` for (approver-policy v0.27.0 `predicate.RBACBound`: a
   * SubjectAccessReview for the request's `spec.username` in its namespace). `requester` names the binding
   * (`<issuer>-approver-policy-<requester>`). Requesters of identities get a policy of their own (`RequesterPolicy`).
   * @internal
   */
  public _grantPolicyUse(requester: string, serviceAccount: { namespace: string; name: string }): void {
    const name = PkiNames.policyUseBindingName(this.issuerName, requester);
    const who = `${serviceAccount.namespace}/${serviceAccount.name}`;
    const existing = this.policyRequesters.get(name);
    if (existing === who) return;
    if (existing !== undefined) {
      throw new PkiValidationError('TenantIssuer', this.node.path, [`requester '${requester}' is already ${existing}, not ${who}`]);
    }
    this.policyRequesters.set(name, who);
    const labels = PkiNames.labels(this.intermediate.hierarchyName, this.issuerName);
    new ApiObject(this, `policy-use-${requester}`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: this.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: PkiNames.policyUseRoleName(this.issuerName) },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.name, namespace: serviceAccount.namespace }],
    });
  }

  /** Every object this placement emits into the cluster, for the uniqueness check. */
  private claims(tenant: Tenant, chart: ClusterChart): ObjectClaim[] {
    const from = `the tenant's 'namespace' and 'issuerName' (${tenant.namespace}/${tenant.issuerName})`;
    const fix = "each (namespace, issuerName) pair may have one TenantIssuer per cluster: remove the duplicate or set another 'issuerName'";
    const ns = (kind: string, name: string): ObjectClaim => ({ kind, namespace: tenant.namespace, name, from, fix });
    return [
      ns('cert-manager.io/Issuer', tenant.issuerName),
      ns('/ServiceAccount', tenant.serviceAccountName),
      ns('rbac.authorization.k8s.io/Role', PkiNames.tokenRequestRoleName(tenant.issuerName)),
      ns('rbac.authorization.k8s.io/Role', PkiNames.policyUseRoleName(tenant.issuerName)),
      ns('monitoring.coreos.com/PrometheusRule', PkiNames.tenantRuleName(tenant.issuerName)),
      { kind: 'policy.cert-manager.io/CertificateRequestPolicy', name: PkiNames.certificateRequestPolicyName(tenant.namespace, tenant.issuerName), from, fix },
      ...(chart.cluster.tokenReviewer.reviewsItself ? [{
        kind: 'rbac.authorization.k8s.io/ClusterRoleBinding', name: PkiNames.tokenReviewBindingName(tenant.namespace, tenant.issuerName), from, fix,
      }] : []),
    ];
  }

  /** H5: the tenant's Kubernetes auth role on this cluster's auth mount, in the tenant's Terraform stack. */
  private addAuthRole(cluster: IPkiCluster): void {
    const tenant = this.tenant;
    const local = cluster instanceof PkiCluster && cluster.vault === tenant.vault;
    if (cluster instanceof PkiCluster && !local && cluster.vault.node.root === tenant.vault.node.root) {
      tenant.vault.addDependency(cluster.vault);
    }
    const authRole = new KubernetesAuthBackendRole(tenant, `auth-role-${cluster.name}`, {
      backend: local ? (cluster as PkiCluster)._pathRef : cluster.authMountPath,
      roleName: tenant.roleName,
      boundServiceAccountNames: [tenant.serviceAccountName],
      boundServiceAccountNamespaces: [tenant.namespace],
      audience: PkiNames.audience(tenant.namespace, tenant.issuerName),
      tokenPolicies: [tenant.policyName],
      tokenNoDefaultPolicy: true,
      tokenTtl: Durations.seconds(tenant.tokenTtl),
      tokenMaxTtl: Durations.seconds(tenant.tokenTtl),
    });
    authRole.overrideLogicalId(tenant._terraformId('auth-role', cluster.name));
  }

  /**
   * The placement's objects, in their wire form (the keys `kubectl` reads, which the generated classes of cdk8s-plus and
   * src/imports would render the same way; see `wireObject`).
   */
  private addKubernetesObjects(chart: ClusterChart): void {
    const tenant = this.tenant;
    const labels = PkiNames.labels(tenant.intermediate.hierarchyName, tenant.issuerName);
    const metadata = (name: string) => ({ name, namespace: tenant.namespace, labels });

    new ApiObject(this, 'service-account', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata(tenant.serviceAccountName),
      // H6: no pod mounts this account's token; only cert-manager requests short-lived tokens for it.
      automountServiceAccountToken: false,
    });
    grantToCertManager(this, 'token', {
      name: PkiNames.tokenRequestRoleName(tenant.issuerName),
      namespace: tenant.namespace,
      labels,
      rule: { apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [tenant.serviceAccountName], verbs: ['create'] },
      certManagerNamespace: chart.certManagerNamespace,
      certManagerServiceAccount: chart.certManagerServiceAccount,
    });

    const reviewer = chart.cluster.tokenReviewer;
    if (reviewer.reviewsItself) {
      // Vault outside the cluster reviews each login token with the token itself: the service account may create
      // TokenReviews (and SubjectAccessReviews), nothing else.
      new ClusterScopedRoleBinding(this, 'token-review', {
        metadata: { name: PkiNames.tokenReviewBindingName(tenant.namespace, tenant.issuerName), labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
        subjects: [{ kind: 'ServiceAccount', name: tenant.serviceAccountName, namespace: tenant.namespace }],
      });
    }

    const vault = tenant.vault;
    new ApiObject(this, 'issuer', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: metadata(tenant.issuerName),
      spec: {
        vault: {
          server: vault.address,
          namespace: vault.vaultNamespace,
          path: tenant.signPath,
          ...vault.serverCa._issuerFields(),
          auth: {
            kubernetes: {
              role: tenant.roleName,
              mountPath: chart.cluster.issuerMountPath,
              serviceAccountRef: {
                name: tenant.serviceAccountName,
                // The API server's audience, so the token can be its own TokenReview bearer (Vault outside the cluster).
                audiences: reviewer.reviewsItself ? [reviewer.apiAudience!] : undefined,
              },
            },
          },
        },
      },
    });

    new TenantCertificateRequestPolicy(this, 'approver-policy', {
      namespace: tenant.namespace,
      issuerName: tenant.issuerName,
      domains: tenant.domains,
      allowWildcards: tenant.allowWildcards,
      maxDuration: tenant.maxDuration,
      keyAlgorithm: tenant.keyAlgorithm,
      usages: tenant.allowedUsages,
      ipAddressPatterns: tenant.allowedIpRanges.flatMap((r) => IpRanges.patterns(r)),
      certManagerNamespace: chart.certManagerNamespace,
      certManagerServiceAccount: chart.certManagerServiceAccount,
      labels,
    });

    // The tenant's recording rule: its identity and maximum lifetime, which the cluster's PkiAlerts join on. Emitted
    // here, with the tenant, so alerts of a cluster cover tenants placed by any program.
    new ApiObject(this, 'recording-rule', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { ...metadata(PkiNames.tenantRuleName(tenant.issuerName)), labels: { ...chart.ruleLabels, ...labels } },
      spec: {
        groups: [{
          name: `vault-pki.tenant.${tenant.namespace}.${tenant.issuerName}`,
          rules: [{
            record: PkiNames.TENANT_RECORD,
            expr: `vector(${Durations.seconds(tenant.maxDuration)})`,
            labels: {
              [chart.certificateNamespaceLabel]: tenant.namespace,
              issuer_name: tenant.issuerName,
              issuer_kind: 'Issuer',
              hierarchy: tenant.intermediate.hierarchyName,
              intermediate: tenant.intermediate.name,
            },
          }],
        }],
      },
    });
  }
}
