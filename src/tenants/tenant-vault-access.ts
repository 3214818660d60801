import { Duration } from 'cdk8s';
import { Durations } from '../core/durations';
import { IIntermediateCa } from '../vault/intermediate-ca';
import { KeyAlgorithm } from '../core/key-algorithm';
import { PkiNames } from '../core/names';
import { KubernetesAuthBackendRole, PkiSecretBackendRole, VaultPolicy } from '../terraform';

/** @internal */
export interface TenantVaultAccessProps {
  readonly intermediate: IIntermediateCa;
  readonly namespace: string;
  readonly issuerName: string;
  readonly domains: string[];
  readonly maxDuration: Duration;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly serverAuth: boolean;
  readonly clientAuth: boolean;
  readonly allowWildcards: boolean;
  readonly allowIpSans: boolean;
  readonly allowedUriSans: string[];
  readonly tokenTtl: Duration;
}

/**
 * The Vault half of a tenant: a hardened PKI role (H3), a policy that can only sign with it (H4),
 * and a Kubernetes auth role bound to one service account in one namespace (H5). The resources go
 * straight into the Vault stack (no construct of its own in either tree: thousands of tenants stay cheap).
 * @internal
 */
export class TenantVaultAccess {
  /** Vault's `not_before_duration` for leaves: certificates are back-dated this much. */
  public static readonly NOT_BEFORE = Duration.seconds(30);

  /**
   * H4: `create`/`update` on exactly `<mount>/sign/<role>`, nothing else.
   */
  public static policyDocument(signPath: string, tenant: string): string {
    return [
      `# Tenant ${tenant} (cdk8s-vault-pki): may sign CSRs with its own role, nothing else.`,
      `path "${signPath}" {`,
      '  capabilities = ["create", "update"]',
      '}',
      '',
    ].join('\n');
  }

  public readonly roleName: string;
  public readonly signPath: string;
  public readonly policyName: string;

  constructor(props: TenantVaultAccessProps) {
    const { intermediate, namespace, issuerName } = props;
    this.roleName = PkiNames.roleName(namespace, issuerName);
    this.signPath = PkiNames.signPath(intermediate.mountPath, this.roleName);
    this.policyName = PkiNames.policyName(intermediate.hierarchyName, namespace, issuerName);
    const tfId = (kind: string) => PkiNames.terraformId(intermediate.hierarchyName, 'tenant', this.roleName, kind);
    const tf = intermediate.vault;

    const defaultTtl = Math.min(Durations.seconds(props.maxDuration), 24 * Durations.HOUR);
    const role = new PkiSecretBackendRole(tf, tfId('role'), {
      backend: intermediate.mountPathRef,
      name: this.roleName,
      // Pinned to the intermediate's issuer: a new default issuer on the mount changes nothing here.
      issuerRef: intermediate.issuerIdRef,
      ttl: String(defaultTtl),
      maxTtl: Durations.vaultTtl(props.maxDuration),
      // A Go duration (the provider's ValidateDuration needs a unit), in the form it reads back.
      notBeforeDuration: Durations.vaultShortDuration(TenantVaultAccess.NOT_BEFORE),
      // H3: names only under the tenant's domains. Every permissive switch is set explicitly,
      // because the provider defaults several of them to true.
      allowedDomains: props.domains,
      allowSubdomains: true,
      allowBareDomains: false,
      allowGlobDomains: false,
      allowAnyName: false,
      allowLocalhost: false,
      allowWildcardCertificates: props.allowWildcards,
      allowIpSans: props.allowIpSans,
      allowedDomainsTemplate: false,
      allowedUriSans: props.allowedUriSans,
      allowedUriSansTemplate: false,
      enforceHostnames: true,
      requireCn: false,
      useCsrCommonName: true,
      useCsrSans: true,
      keyType: props.keyAlgorithm.vaultKeyType,
      keyBits: props.keyAlgorithm.vaultKeyBits,
      keyUsage: props.keyAlgorithm.vaultKeyUsage,
      extKeyUsage: [],
      serverFlag: props.serverAuth,
      clientFlag: props.clientAuth,
      codeSigningFlag: false,
      emailProtectionFlag: false,
      basicConstraintsValidForNonCa: false,
      // Short-lived leaves are not stored or leased: nothing to revoke, nothing to grow.
      noStore: true,
      generateLease: false,
    });
    role.overrideLogicalId(tfId('role'));

    const policy = new VaultPolicy(tf, tfId('policy'), {
      name: this.policyName,
      policy: TenantVaultAccess.policyDocument(this.signPath, `${namespace}/${issuerName}`),
    });
    policy.overrideLogicalId(tfId('policy'));

    const authRole = new KubernetesAuthBackendRole(tf, tfId('auth-role'), {
      backend: intermediate.kubernetesAuth.pathRef,
      roleName: this.roleName,
      boundServiceAccountNames: [PkiNames.serviceAccountName(issuerName)],
      boundServiceAccountNamespaces: [namespace],
      audience: PkiNames.audience(namespace, issuerName),
      tokenPolicies: [policy.name],
      tokenNoDefaultPolicy: true,
      tokenTtl: Durations.seconds(props.tokenTtl),
      tokenMaxTtl: Durations.seconds(props.tokenTtl),
    });
    authRole.overrideLogicalId(tfId('auth-role'));
  }


}
