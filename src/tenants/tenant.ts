import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { tenantPolicyDocument } from './policy-document';
import { TenantIssuer } from './tenant-issuer';
import { ResolvedTenant, TENANT_RULES } from './tenant-rules';
import { ITenantScope } from './tenant-scope';
import type { ClusterChart } from '../cluster/cluster-chart';
import { DomainIndex } from '../core/dns';
import { Durations } from '../core/durations';
import { Shape } from '../core/input-shapes';
import { KeyAlgorithm } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { Provenance } from '../core/provenance';
import { validate, validateShapes } from '../core/validation';
import { VaultNames } from '../core/vault-names';
import { PkiSecretBackendRole, VaultPolicy, stackOf } from '../terraform';
import { IntermediateCa } from '../vault/intermediate-ca';
import { IIntermediateCa } from '../vault/intermediate-ca-options';
import { VaultPkiStack } from '../vault/vault-pki-stack';

/** Props of {@link Tenant}. */
export interface TenantProps {
  /** The intermediate CA the tenant's certificates are issued from: `hierarchy.intermediate('services')`. */
  readonly intermediate: IIntermediateCa;

  /** The tenant's namespace (RFC 1123 label), the same in every cluster it is placed on. */
  readonly namespace: string;

  /**
   * DNS domains the tenant may issue for; certificates may name anything strictly under them
   * (Vault roles never allow the bare domain). Each must lie inside the intermediate's domains and
   * must not overlap another tenant's.
   */
  readonly domains: string[];

  /**
   * Name of the tenant's cert-manager Issuer (RFC 1123 label); also names its service account.
   * @default - `vault-<intermediate name>`, e.g. `vault-services`
   */
  readonly issuerName?: string;

  /**
   * Longest certificate lifetime the tenant may request; at most 48h (H3/H7).
   * @default Duration.hours(24)
   */
  readonly maxDuration?: Duration;

  /**
   * Key algorithm of the tenant's certificates: drives the Vault role, the approver-policy
   * constraint and every ShortLivedCertificate of the tenant.
   * @default KeyAlgorithm.ECDSA_P256
   */
  readonly keyAlgorithm?: KeyAlgorithm;

  /**
   * Whether certificates may be used for TLS server authentication.
   * @default true
   */
  readonly serverAuth?: boolean;

  /**
   * Whether certificates may be used for TLS client authentication (mTLS).
   * @default true
   */
  readonly clientAuth?: boolean;

  /**
   * Opt-in: allow wildcard names (`*.x.<domain>`) under the tenant's domains.
   * @default false
   */
  readonly allowWildcards?: boolean;

  /**
   * Opt-in: SPIFFE trust domain; certificates may then carry the URI SAN
   * `spiffe://<trust domain>/ns/<namespace>/sa/<service account>` of the service accounts in
   * `spiffeServiceAccounts`.
   * @default - no URI SANs allowed
   */
  readonly spiffeTrustDomain?: string;

  /**
   * The service accounts whose SPIFFE IDs certificates may carry (with `spiffeTrustDomain`). Vault and
   * approver-policy allow exactly these IDs: a pattern such as `.../sa/*` would also match `.../sa/a/b`, because
   * both Vault's `allowed_uri_sans` (go-glob) and approver-policy's `*` match '/' too.
   * @default - none (required with `spiffeTrustDomain`)
   */
  readonly spiffeServiceAccounts?: string[];

  /**
   * Opt-in, for a mesh CA (istio-csr): namespaces any of whose service accounts' SPIFFE IDs certificates may carry
   * (with `spiffeTrustDomain`): `spiffe://<trust domain>/ns/<namespace>/sa/<any service account>`. The requester
   * (istio-csr) binds each ID to the caller's own token; approver-policy admits exactly one path segment after
   * `/sa/`, Vault's role `spiffe://<td>/ns/<namespace>/sa/*` (go-glob cannot say "one segment").
   * @default - none
   */
  readonly spiffeNamespaces?: string[];

  /**
   * Opt-in, for a mesh CA (istio-csr): let `spiffeNamespaces` name namespaces other than the tenant's own (other teams'
   * namespaces, whose workloads' mesh identities this tenant's Vault role then signs). System namespaces need
   * `allowSystemNamespace` too.
   * @default false
   */
  readonly allowOtherNamespaceIdentities?: boolean;

  /**
   * Opt-in: IP ranges (CIDR) certificates may carry as IP SANs. approver-policy restricts the
   * addresses to these ranges; Vault roles can only allow or refuse IP SANs as a whole.
   * @default - no IP SANs allowed
   */
  readonly allowedIpRanges?: string[];

  /**
   * Lifetime of the Vault token cert-manager gets when it logs in; at most 10 minutes (H5).
   * @default Duration.minutes(5)
   */
  readonly tokenTtl?: Duration;

  /**
   * Opt-in: let the tenant own a whole domain of its intermediate (e.g. `services.internal` itself), and so every
   * name the intermediate may issue, now and for tenants added later.
   * @default false
   */
  readonly allowIntermediateDomain?: boolean;

  /**
   * Opt-in: place the tenant in a system namespace (`kube-system`, `kube-public`, `kube-node-lease`) or in
   * cert-manager's own namespace, whose service accounts and RBAC belong to the platform.
   * @default false
   */
  readonly allowSystemNamespace?: boolean;
}

/** A tenant as certificates and clusters see it: plain values. */
export interface ITenant extends ITenantScope {
  /** Whether certificates may be used for TLS server authentication. */
  readonly serverAuth: boolean;
  /** Whether certificates may be used for TLS client authentication. */
  readonly clientAuth: boolean;
  /** The Vault PKI role name (also the name of its Kubernetes auth role on every cluster). */
  readonly roleName: string;
  /** The Vault path the Issuers sign with: `<mount>/sign/<role>`. */
  readonly signPath: string;
  /** The Vault policy name. */
  readonly policyName: string;
  /** The service account cert-manager authenticates to Vault as, in every cluster. */
  readonly serviceAccountName: string;
  /** Lifetime of the Vault token cert-manager gets. */
  readonly tokenTtl: Duration;
}

/** Who owns which domain on each intermediate, per Vault program (TF root) and intermediate key. */
const domainIndexes = new WeakMap<IConstruct, Map<string, DomainIndex>>();

function domainIndexOf(scope: IConstruct, intermediate: IIntermediateCa): DomainIndex {
  const root = scope.node.root;
  let byIntermediate = domainIndexes.get(root);
  if (!byIntermediate) {
    byIntermediate = new Map();
    domainIndexes.set(root, byIntermediate);
  }
  const key = `${intermediate.hierarchyName}/${intermediate.name}`;
  let index = byIntermediate.get(key);
  if (!index) {
    index = new DomainIndex();
    byIntermediate.set(key, index);
  }
  return index;
}

/**
 * One team's Vault half: a hardened PKI role on its intermediate (H3) and a policy that can only sign with it (H4),
 * in the Terraform stack it is created in (a tenant shard, or the hierarchy's stack). Place it on clusters with
 * `tenant.placeOn(clusterChart)`: each placement adds the cluster half (a TenantIssuer) and one Kubernetes auth role
 * on that cluster's auth mount (H5), while the PKI role and policy stay one.
 *
 * The intermediate may be imported (`IntermediateCa.fromAttributes()`): the role then names its mount and issuer by
 * plain values, and the hierarchy's stack must be applied first.
 */
export class Tenant extends Construct implements ITenant {
  public readonly issuerName: string;
  public readonly namespace: string;
  public readonly domains: string[];
  public readonly maxDuration: Duration;
  public readonly keyAlgorithm: KeyAlgorithm;
  public readonly allowedUsages: KeyUsage[];
  public readonly serverAuth: boolean;
  public readonly clientAuth: boolean;
  public readonly allowWildcards: boolean;
  public readonly spiffeTrustDomain?: string;
  public readonly spiffeServiceAccounts: string[];
  public readonly spiffeNamespaces: string[];
  public readonly allowedIpRanges: string[];
  public readonly intermediate: IIntermediateCa;
  public readonly roleName: string;
  public readonly signPath: string;
  public readonly policyName: string;
  public readonly serviceAccountName: string;
  public readonly tokenTtl: Duration;
  /** Whether the tenant may live in a system namespace (checked again per cluster for cert-manager's namespace). */
  public readonly allowSystemNamespace: boolean;
  /** Whether `spiffeNamespaces` may name namespaces other than the tenant's own. */
  public readonly allowOtherNamespaceIdentities: boolean;
  /** The Terraform stack holding the tenant's role, policy and auth roles. */
  public readonly vault: VaultPkiStack;

  constructor(scope: Construct, id: string, props: TenantProps) {
    super(scope, id);
    validateShapes(this, 'Tenant', props, {
      namespace: Shape.STRING,
      domains: Shape.STRINGS,
      issuerName: Shape.STRING,
      maxDuration: Shape.DURATION,
      serverAuth: Shape.BOOLEAN,
      clientAuth: Shape.BOOLEAN,
      allowWildcards: Shape.BOOLEAN,
      spiffeTrustDomain: Shape.STRING,
      spiffeServiceAccounts: Shape.STRINGS,
      spiffeNamespaces: Shape.STRINGS,
      allowOtherNamespaceIdentities: Shape.BOOLEAN,
      allowedIpRanges: Shape.STRINGS,
      tokenTtl: Shape.DURATION,
      allowIntermediateDomain: Shape.BOOLEAN,
      allowSystemNamespace: Shape.BOOLEAN,
    });
    const stack = stackOf(this);
    const intermediate = props?.intermediate;
    // 1. Defaults, resolved once.
    const resolved: ResolvedTenant = {
      intermediate,
      namespace: props?.namespace,
      issuerName: props?.issuerName ?? `vault-${intermediate?.name}`,
      domains: Object.freeze([...(props?.domains ?? [])]),
      maxDuration: props?.maxDuration ?? PkiLimits.LEAF_DEFAULT_DURATION,
      keyAlgorithm: props?.keyAlgorithm ?? KeyAlgorithm.ECDSA_P256,
      serverAuth: props?.serverAuth ?? true,
      clientAuth: props?.clientAuth ?? true,
      allowWildcards: props?.allowWildcards ?? false,
      spiffeTrustDomain: props?.spiffeTrustDomain,
      spiffeServiceAccounts: Object.freeze([...(props?.spiffeServiceAccounts ?? [])]),
      spiffeNamespaces: Object.freeze([...(props?.spiffeNamespaces ?? [])]),
      allowedIpRanges: Object.freeze([...(props?.allowedIpRanges ?? [])]),
      tokenTtl: props?.tokenTtl ?? PkiLimits.TOKEN_DEFAULT_TTL,
      allowIntermediateDomain: props?.allowIntermediateDomain ?? false,
      allowSystemNamespace: props?.allowSystemNamespace ?? false,
      allowOtherNamespaceIdentities: props?.allowOtherNamespaceIdentities ?? false,
      domainIndex: intermediate ? domainIndexOf(this, intermediate) : new DomainIndex(),
    };
    const roleName = PkiNames.roleName(resolved.namespace, resolved.issuerName);
    // 2. Pure rules; 3. registration (names that must be unique in the Vault).
    validate(this, 'Tenant', resolved, [
      () => !(stack instanceof VaultPkiStack) && 'must be created in a VaultPkiStack (a tenant shard or the hierarchy\'s stack): its role and policy are Vault\'s',
      (t) => !t.intermediate && "'intermediate' is missing; pass hierarchy.intermediate('<name>'), or IntermediateCa.fromAttributes() in another program",
      'gate',
      (t) => !Provenance.is(t.intermediate, 'IntermediateCa')
        && `'intermediate' (${String((t.intermediate as any)?.name ?? t.intermediate)}) was not made by this library; pass hierarchy.intermediate('<name>') ` +
        "or IntermediateCa.fromAttributes(): a hand-made IIntermediateCa skips the hierarchy's checks (it could put a tenant role on the root mount)",
      'gate',
      ...TENANT_RULES,
      'gate',
      (t) => {
        const owner = VaultNames.claim(this, `role:${t.intermediate.mountPath}`, roleName)
          ?? VaultNames.claim(this, 'policy', PkiNames.policyName(t.intermediate.hierarchyName, t.namespace, t.issuerName));
        return owner !== undefined && `namespace '${t.namespace}' with issuer '${t.issuerName}' derives the Vault role '${roleName}', already used by ` +
          `the tenant at '${owner}'; each (namespace, issuerName) pair may have one Tenant per intermediate: remove the duplicate or set another 'issuerName'`;
      },
    ]);
    for (const domain of resolved.domains) resolved.domainIndex.register(domain, this.node.path);

    this.vault = stack as VaultPkiStack;
    this.intermediate = intermediate;
    this.namespace = resolved.namespace;
    this.issuerName = resolved.issuerName;
    this.domains = resolved.domains as string[];
    this.maxDuration = resolved.maxDuration;
    this.keyAlgorithm = resolved.keyAlgorithm;
    this.serverAuth = resolved.serverAuth;
    this.clientAuth = resolved.clientAuth;
    this.allowWildcards = resolved.allowWildcards;
    this.spiffeTrustDomain = resolved.spiffeTrustDomain;
    this.spiffeServiceAccounts = resolved.spiffeServiceAccounts as string[];
    this.spiffeNamespaces = resolved.spiffeNamespaces as string[];
    this.allowedIpRanges = resolved.allowedIpRanges as string[];
    this.tokenTtl = resolved.tokenTtl;
    this.allowSystemNamespace = resolved.allowSystemNamespace;
    this.allowOtherNamespaceIdentities = resolved.allowOtherNamespaceIdentities;
    this.allowedUsages = Object.freeze([
      ...this.keyAlgorithm.keyUsages,
      ...(this.serverAuth ? [KeyUsage.SERVER_AUTH] : []),
      ...(this.clientAuth ? [KeyUsage.CLIENT_AUTH] : []),
    ]) as KeyUsage[];
    this.roleName = roleName;
    this.serviceAccountName = PkiNames.serviceAccountName(this.issuerName);
    this.signPath = PkiNames.signPath(intermediate.mountPath, roleName);
    this.policyName = PkiNames.policyName(intermediate.hierarchyName, this.namespace, this.issuerName);
    Provenance.register(this, 'Tenant');

    // 4. Children: the PKI role and the policy.
    this.addRoleAndPolicy();
  }

  public spiffeId(serviceAccountName: string): string {
    return PkiNames.spiffeId(this.spiffeTrustDomain ?? '', this.namespace, serviceAccountName);
  }

  /**
   * Places the tenant on a cluster: its Issuer, service account, RBAC and approver-policy in the cluster's chart,
   * and its Kubernetes auth role on the cluster's auth mount. Once per cluster.
   */
  public placeOn(cluster: ClusterChart): TenantIssuer {
    // A free construct id, so a second placement of the same names fails with the library's own error.
    let id = this.roleName;
    for (let n = 2; cluster.node.tryFindChild(id) !== undefined; n++) id = `${this.roleName}-${n}`;
    return new TenantIssuer(cluster, id, { tenant: this });
  }

  /** The exact SPIFFE IDs the tenant's certificates may carry. @internal */
  public _spiffeIds(): string[] {
    return this.spiffeTrustDomain ? this.spiffeServiceAccounts.map((sa) => this.spiffeId(sa)) : [];
  }

  /** Every URI SAN pattern the tenant allows: its exact SPIFFE IDs, then its mesh namespaces' `.../sa/*`. @internal */
  public _uriPatterns(): string[] {
    const td = this.spiffeTrustDomain;
    return td ? [...this._spiffeIds(), ...this.spiffeNamespaces.map((ns) => PkiNames.spiffeNamespacePattern(td, ns))] : [];
  }

  /** Terraform id of one of the tenant's Vault resources, derived from names. @internal */
  public _terraformId(...kind: string[]): string {
    return PkiNames.terraformId(this.intermediate.hierarchyName, 'tenant', this.roleName, ...kind);
  }

  private addRoleAndPolicy(): void {
    const intermediate = this.intermediate;
    // The intermediate's own resources order the role when they are in this stack; otherwise the hierarchy's
    // stack is applied first (a stack dependency when both are in this program).
    const local = intermediate instanceof IntermediateCa && intermediate.vault === this.vault;
    if (intermediate instanceof IntermediateCa && !local && intermediate.vault.node.root === this.vault.node.root) {
      this.vault.addDependency(intermediate.vault);
    }
    const defaultTtl = Math.min(Durations.seconds(this.maxDuration), Durations.seconds(PkiLimits.LEAF_DEFAULT_DURATION));
    const role = new PkiSecretBackendRole(this, 'role', {
      backend: intermediate.mountPath,
      name: this.roleName,
      // The mount's default issuer, which the hierarchy sets to the ACTIVE generation (Vault resolves `default` at every
      // signature): a rotation switches every role at once, whichever program or stack holds it.
      issuerRef: PkiNames.DEFAULT_ISSUER_REF,
      ttl: String(defaultTtl),
      maxTtl: Durations.vaultTtl(this.maxDuration),
      // A Go duration (the provider's ValidateDuration needs a unit), in the form it reads back.
      notBeforeDuration: Durations.vaultShortDuration(PkiLimits.LEAF_BACKDATE),
      // H3: names only under the tenant's domains. Every permissive switch is set explicitly,
      // because the provider defaults several of them to true.
      allowedDomains: this.domains,
      allowSubdomains: true,
      allowBareDomains: false,
      allowGlobDomains: false,
      allowAnyName: false,
      allowLocalhost: false,
      allowWildcardCertificates: this.allowWildcards,
      allowIpSans: this.allowedIpRanges.length > 0,
      allowedDomainsTemplate: false,
      allowedUriSans: this._uriPatterns(),
      allowedUriSansTemplate: false,
      enforceHostnames: true,
      requireCn: false,
      useCsrCommonName: true,
      useCsrSans: true,
      keyType: this.keyAlgorithm.vaultKeyType,
      keyBits: this.keyAlgorithm.vaultKeyBits,
      keyUsage: this.keyAlgorithm.vaultKeyUsage,
      extKeyUsage: [],
      serverFlag: this.serverAuth,
      clientFlag: this.clientAuth,
      codeSigningFlag: false,
      emailProtectionFlag: false,
      basicConstraintsValidForNonCa: false,
      // Short-lived leaves are not stored or leased: nothing to revoke, nothing to grow.
      noStore: true,
      generateLease: false,
      dependsOn: local ? [(intermediate as IntermediateCa)._defaultIssuer] : undefined,
    });
    role.overrideLogicalId(this._terraformId('role'));

    const policy = new VaultPolicy(this, 'policy', {
      name: this.policyName,
      policy: tenantPolicyDocument(this.signPath, `${this.namespace}/${this.issuerName}`),
    });
    policy.overrideLogicalId(this._terraformId('policy'));
  }
}
