import { Duration } from 'cdk8s';
import { KubeServiceAccount } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct, IConstruct } from 'constructs';
import { grantToCertManager } from './cert-manager-grant';
import { ClusterScopedRoleBinding } from '../core/cluster-scoped';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { Problems } from '../core/errors';
import { Issuer } from '../imports/issuer-cert-manager.io';
import { IIntermediateCa } from '../vault/intermediate-ca';
import { IpRanges } from '../core/ip-ranges';
import { KeyAlgorithm } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import { KubernetesNames } from '../core/kubernetes-names';
import { PkiNames } from '../core/names';
import { Provenance } from '../core/provenance';
import { TenantCertificateRequestPolicy } from './tenant-certificate-request-policy';
import { TenantRegistry } from './tenant-registry';
import { TenantVaultAccess } from './tenant-vault-access';

/** Props of {@link TenantIssuer}. */
export interface TenantIssuerProps {
  /** The intermediate CA the tenant's certificates are issued from: `hierarchy.intermediate('services')`. */
  readonly intermediate: IIntermediateCa;

  /** The tenant's namespace (RFC 1123 label). The Issuer and its service account live there. */
  readonly namespace: string;

  /**
   * DNS domains the tenant may issue for; certificates may name anything strictly under them
   * (Vault roles never allow the bare domain). Each must lie inside the intermediate's domains and
   * must not overlap another tenant's.
   */
  readonly domains: string[];

  /**
   * Name of the cert-manager Issuer (RFC 1123 label); also names its service account.
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
   * Namespace of cert-manager's controller.
   * @default 'cert-manager'
   */
  readonly certManagerNamespace?: string;

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

  /**
   * Service account of cert-manager's controller.
   * @default 'cert-manager'
   */
  readonly certManagerServiceAccount?: string;
}

/** A tenant's Issuer, as certificates see it. */
export interface ITenantIssuer extends IConstruct {
  /** Name of the cert-manager Issuer. */
  readonly issuerName: string;
  /** Namespace of the Issuer. */
  readonly namespace: string;
  /** Domains the tenant may issue under. */
  readonly domains: string[];
  /** Longest lifetime the tenant may request. */
  readonly maxDuration: Duration;
  /** Key algorithm of the tenant's certificates. */
  readonly keyAlgorithm: KeyAlgorithm;
  /** Usages the tenant's certificates may have. */
  readonly allowedUsages: KeyUsage[];
  /** Whether wildcard names are allowed. */
  readonly allowWildcards: boolean;
  /** SPIFFE trust domain, when URI SANs are allowed. */
  readonly spiffeTrustDomain?: string;
  /** Service accounts whose SPIFFE IDs certificates may carry. */
  readonly spiffeServiceAccounts: string[];
  /** IP ranges allowed as IP SANs. */
  readonly allowedIpRanges: string[];
  /** The intermediate CA issuing the tenant's certificates. */
  readonly intermediate: IIntermediateCa;
  /** The SPIFFE ID of a service account of the tenant's namespace (needs `spiffeTrustDomain`). */
  spiffeId(serviceAccountName: string): string;
}

/**
 * One team's issuer: a namespaced cert-manager Issuer backed by a hardened Vault role, and
 * everything around it, all derived from the same names (H3..H7):
 *
 * - Vault (Terraform): PKI role, a policy allowing only `<mount>/sign/<role>`, a Kubernetes auth
 *   role bound to one service account in one namespace with audience `vault://<ns>/<issuer>`.
 * - Kubernetes: the Issuer, its service account (`automountServiceAccountToken: false`), a Role
 *   letting cert-manager create tokens for that account only, and an approver-policy
 *   CertificateRequestPolicy with the RBAC that binds it to cert-manager in that namespace.
 */
export class TenantIssuer extends Construct implements ITenantIssuer {
  /** Cap on any tenant's certificate lifetime: 48h (H3). */
  public static readonly MAX_DURATION = Duration.hours(48);
  /** Shortest `maxDuration` a tenant may set: 1h (cert-manager's minimum duration). */
  public static readonly MIN_DURATION = Duration.hours(1);
  /** Cap on the Vault token lifetime: 10 minutes (H5). */
  public static readonly MAX_TOKEN_TTL = Duration.minutes(10);
  /** Namespaces a tenant may use only with `allowSystemNamespace` (cert-manager's own namespace too). */
  public static readonly SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

  public readonly issuerName: string;
  public readonly namespace: string;
  public readonly domains: string[];
  public readonly maxDuration: Duration;
  public readonly keyAlgorithm: KeyAlgorithm;
  public readonly allowedUsages: KeyUsage[];
  public readonly allowWildcards: boolean;
  public readonly spiffeTrustDomain?: string;
  public readonly spiffeServiceAccounts: string[];
  public readonly allowedIpRanges: string[];
  public readonly intermediate: IIntermediateCa;
  /** Whether certificates may be used for TLS server authentication. */
  public readonly serverAuth: boolean;
  /** Whether certificates may be used for TLS client authentication. */
  public readonly clientAuth: boolean;
  /** Lifetime of the Vault token cert-manager gets. */
  public readonly tokenTtl: Duration;
  /** The Vault PKI role name (also the Kubernetes auth role name). */
  public readonly roleName: string;
  /** The Vault path the Issuer signs with: `<mount>/sign/<role>`. */
  public readonly signPath: string;
  /** The Vault policy name. */
  public readonly policyName: string;
  /** The service account cert-manager authenticates to Vault as. */
  public readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: TenantIssuerProps) {
    super(scope, id);
    const intermediate = props.intermediate;
    this.intermediate = intermediate;
    this.namespace = props.namespace;
    this.issuerName = props.issuerName ?? `vault-${intermediate?.name}`;
    this.domains = Object.freeze([...(props.domains ?? [])]) as string[];
    this.maxDuration = props.maxDuration ?? Duration.hours(24);
    this.keyAlgorithm = props.keyAlgorithm ?? KeyAlgorithm.ECDSA_P256;
    this.serverAuth = props.serverAuth ?? true;
    this.clientAuth = props.clientAuth ?? true;
    this.allowWildcards = props.allowWildcards ?? false;
    this.spiffeTrustDomain = props.spiffeTrustDomain;
    this.spiffeServiceAccounts = Object.freeze([...(props.spiffeServiceAccounts ?? [])]) as string[];
    this.allowedIpRanges = Object.freeze([...(props.allowedIpRanges ?? [])]) as string[];
    this.tokenTtl = props.tokenTtl ?? Duration.minutes(5);
    const certManagerNamespace = props.certManagerNamespace ?? 'cert-manager';
    const certManagerServiceAccount = props.certManagerServiceAccount ?? 'cert-manager';
    this.allowedUsages = Object.freeze([
      ...(this.keyAlgorithm?.keyUsages ?? []),
      ...(this.serverAuth ? [KeyUsage.SERVER_AUTH] : []),
      ...(this.clientAuth ? [KeyUsage.CLIENT_AUTH] : []),
    ]) as KeyUsage[];
    this.roleName = PkiNames.roleName(this.namespace, this.issuerName);
    this.serviceAccountName = PkiNames.serviceAccountName(this.issuerName);
    this.validate(props, certManagerNamespace, certManagerServiceAccount);
    Provenance.register(this, 'TenantIssuer');

    const vault = new TenantVaultAccess({
      intermediate,
      namespace: this.namespace,
      issuerName: this.issuerName,
      domains: this.domains,
      maxDuration: this.maxDuration,
      keyAlgorithm: this.keyAlgorithm,
      serverAuth: this.serverAuth,
      clientAuth: this.clientAuth,
      allowWildcards: this.allowWildcards,
      allowIpSans: this.allowedIpRanges.length > 0,
      allowedUriSans: this.spiffeIds(),
      tokenTtl: this.tokenTtl,
    });
    this.signPath = vault.signPath;
    this.policyName = vault.policyName;

    const labels = PkiNames.labels(intermediate.hierarchyName, this.issuerName);
    const metadata = (name: string) => ({ name, namespace: this.namespace, labels });

    new KubeServiceAccount(this, 'service-account', {
      metadata: metadata(this.serviceAccountName),
      // H6: no pod mounts this account's token; only cert-manager requests short-lived tokens for it.
      automountServiceAccountToken: false,
    });
    grantToCertManager(this, 'token', {
      name: PkiNames.tokenRequestRoleName(this.issuerName),
      namespace: this.namespace,
      labels,
      rule: { apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [this.serviceAccountName], verbs: ['create'] },
      certManagerNamespace,
      certManagerServiceAccount,
    });

    const reviewer = intermediate.kubernetesAuth.tokenReviewer;
    if (reviewer.reviewsItself) {
      // Vault outside the cluster reviews each login token with the token itself: the service account may create
      // TokenReviews (and SubjectAccessReviews), nothing else.
      new ClusterScopedRoleBinding(this, 'token-review', {
        metadata: { name: PkiNames.tokenReviewBindingName(this.namespace, this.issuerName), labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
        subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace }],
      });
    }

    const vaultStack = intermediate.vault;
    new Issuer(this, 'issuer', {
      metadata: metadata(this.issuerName),
      spec: {
        vault: {
          server: vaultStack.address,
          namespace: vaultStack.vaultNamespace,
          path: this.signPath,
          ...vaultStack.serverCa._issuerFields(),
          auth: {
            kubernetes: {
              role: this.roleName,
              mountPath: intermediate.kubernetesAuth.issuerMountPath,
              serviceAccountRef: {
                name: this.serviceAccountName,
                // The API server's audience, so the token can be its own TokenReview bearer (Vault outside the cluster).
                audiences: reviewer.reviewsItself ? [reviewer.apiAudience!] : undefined,
              },
            },
          },
        },
      },
    });

    new TenantCertificateRequestPolicy(this, 'approver-policy', {
      namespace: this.namespace,
      issuerName: this.issuerName,
      domains: this.domains,
      allowWildcards: this.allowWildcards,
      maxDuration: this.maxDuration,
      keyAlgorithm: this.keyAlgorithm,
      usages: this.allowedUsages,
      ipAddressPatterns: this.allowedIpRanges.flatMap((r) => IpRanges.patterns(r)),
      uriPatterns: this.spiffeIds(),
      certManagerNamespace,
      certManagerServiceAccount,
      labels,
    });
  }

  public spiffeId(serviceAccountName: string): string {
    return PkiNames.spiffeId(this.spiffeTrustDomain ?? '', this.namespace, serviceAccountName);
  }

  /** The exact SPIFFE IDs the tenant's certificates may carry. */
  private spiffeIds(): string[] {
    return this.spiffeTrustDomain ? this.spiffeServiceAccounts.map((sa) => this.spiffeId(sa)) : [];
  }

  private validate(props: TenantIssuerProps, certManagerNamespace: string, certManagerServiceAccount: string): void {
    const problems = new Problems();
    const intermediate = this.intermediate;
    if (!intermediate) {
      problems.add("'intermediate' is missing; pass hierarchy.intermediate('<name>')");
      problems.throwIfAny(this, 'TenantIssuer');
    }
    if (!Provenance.is(intermediate, 'IntermediateCa')) {
      problems.add(`'intermediate' (${String((intermediate as any)?.name ?? intermediate)}) was not made by this library; pass hierarchy.intermediate('<name>'): ` +
        "a hand-made IIntermediateCa skips the hierarchy's checks (it could put a tenant role on the root mount)");
      problems.throwIfAny(this, 'TenantIssuer');
    }
    const system = TenantIssuer.SYSTEM_NAMESPACES.includes(this.namespace) || this.namespace === certManagerNamespace;
    problems.check(system && !(props.allowSystemNamespace ?? false), () =>
      `'namespace' (${this.namespace}) is a system namespace${this.namespace === certManagerNamespace ? " (cert-manager's own)" : ''}, whose service accounts ` +
      "and RBAC belong to the platform; give the tenant a namespace of its own, or set 'allowSystemNamespace'");
    problems.check(!Dns.isLabel(this.namespace), () =>
      `'namespace' (${this.namespace}) is not a valid namespace name (RFC 1123 label: lower-case letters, digits, '-', at most 63)`);
    problems.check(!Dns.isLabel(this.issuerName), () =>
      `'issuerName' (${this.issuerName}) is not a valid Issuer name here (RFC 1123 label: lower-case letters, digits, '-', at most 63)`);
    problems.check(!Dns.isLabel(certManagerNamespace), () =>
      `'certManagerNamespace' (${certManagerNamespace}) is not a valid namespace name (RFC 1123 label)`);
    problems.check(!Dns.isSubdomain(certManagerServiceAccount), () =>
      `'certManagerServiceAccount' (${certManagerServiceAccount}) is not a valid service account name (RFC 1123 subdomain)`);

    this.validateDomains(props, problems);

    if (!Durations.isWholePositive(this.maxDuration)) {
      problems.add(`'maxDuration' (${Durations.describe(this.maxDuration)}) must be a positive whole number of seconds`);
    } else {
      const s = Durations.seconds(this.maxDuration);
      problems.check(s > Durations.seconds(TenantIssuer.MAX_DURATION), () =>
        `'maxDuration' (${Durations.describe(this.maxDuration)}) must not exceed ${Durations.describe(TenantIssuer.MAX_DURATION)}; lower 'maxDuration' (short-lived certificates are the point)`);
      problems.check(s < Durations.seconds(TenantIssuer.MIN_DURATION), () =>
        `'maxDuration' (${Durations.describe(this.maxDuration)}) must be at least ${Durations.describe(TenantIssuer.MIN_DURATION)} (cert-manager's shortest duration); raise 'maxDuration'`);
    }
    if (!Durations.isWholePositive(this.tokenTtl)) {
      problems.add(`'tokenTtl' (${Durations.describe(this.tokenTtl)}) must be a positive whole number of seconds`);
    } else {
      problems.check(Durations.seconds(this.tokenTtl) > Durations.seconds(TenantIssuer.MAX_TOKEN_TTL), () =>
        `'tokenTtl' (${Durations.describe(this.tokenTtl)}) must not exceed ${Durations.describe(TenantIssuer.MAX_TOKEN_TTL)}; lower 'tokenTtl'`);
    }
    this.keyAlgorithm._problems('keyAlgorithm', 'leaf certificates', { ECDSA: 256, RSA: 2048, Ed25519: 0 }).forEach((p) => problems.add(p));
    problems.check(!this.serverAuth && !this.clientAuth, () =>
      "'serverAuth' and 'clientAuth' are both false; certificates would be good for nothing, enable at least one");
    problems.check(this.spiffeTrustDomain !== undefined && !/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/.test(this.spiffeTrustDomain), () =>
      `'spiffeTrustDomain' (${this.spiffeTrustDomain}) is not a SPIFFE trust domain (lower-case letters, digits, '.', '-', '_'), e.g. 'cluster.local'`);
    problems.check(this.spiffeTrustDomain !== undefined && this.spiffeServiceAccounts.length === 0, () =>
      `'spiffeTrustDomain' (${this.spiffeTrustDomain}) is set but 'spiffeServiceAccounts' is empty; list the service accounts whose SPIFFE IDs ` +
      "certificates may carry (exact IDs: a '.../sa/*' pattern would match '/' too)");
    problems.check(this.spiffeTrustDomain === undefined && this.spiffeServiceAccounts.length > 0, () =>
      "'spiffeServiceAccounts' is set without 'spiffeTrustDomain'; set the trust domain, e.g. 'cluster.local'");
    for (const sa of this.spiffeServiceAccounts) {
      problems.check(!Dns.isSubdomain(sa), () => `'spiffeServiceAccounts' (${sa}) is not a valid service account name (RFC 1123 subdomain)`);
    }
    for (const range of this.allowedIpRanges) {
      const problem = IpRanges.problem(range);
      problems.check(problem !== undefined, () => `'allowedIpRanges' (${range}) ${problem}`);
    }

    if (problems.messages.length === 0) {
      const labels = (name: string, ns = this.namespace) => ({ namespace: ns, name });
      const issuer = `'namespace' and 'issuerName' (${this.namespace}/${this.issuerName})`;
      const fix = "each (namespace, issuerName) pair may have one TenantIssuer per cluster: remove the duplicate or set another 'issuerName'";
      KubernetesNames.claim(this, [
        { kind: 'cert-manager.io/Issuer', ...labels(this.issuerName), from: issuer, fix },
        { kind: '/ServiceAccount', ...labels(this.serviceAccountName), from: issuer, fix },
        { kind: 'rbac.authorization.k8s.io/Role', ...labels(PkiNames.tokenRequestRoleName(this.issuerName)), from: issuer, fix },
        { kind: 'rbac.authorization.k8s.io/Role', ...labels(PkiNames.policyUseRoleName(this.issuerName)), from: issuer, fix },
        { kind: 'policy.cert-manager.io/CertificateRequestPolicy', namespace: undefined, name: PkiNames.certificateRequestPolicyName(this.namespace, this.issuerName), from: issuer, fix },
        ...(intermediate.kubernetesAuth.tokenReviewer.reviewsItself ? [{
          kind: 'rbac.authorization.k8s.io/ClusterRoleBinding', namespace: undefined, name: PkiNames.tokenReviewBindingName(this.namespace, this.issuerName), from: issuer, fix,
        }] : []),
      ]).forEach((p) => problems.add(p));
    }
    if (problems.messages.length === 0) {
      const owner = intermediate.vault._claim('tenant', this.roleName, this.node.path);
      problems.check(owner !== undefined, () =>
        `namespace '${this.namespace}' with issuer '${this.issuerName}' derives the Vault role '${this.roleName}', already used by the tenant at '${owner}'; ` +
        "each (namespace, issuerName) pair may have one TenantIssuer: remove the duplicate or set another 'issuerName'");
    }
    if (problems.messages.length === 0) {
      for (const domain of this.domains) TenantRegistry.domains(intermediate).register(domain, this.node.path);
      TenantRegistry.addTenant(intermediate, this);
    }
    problems.throwIfAny(this, 'TenantIssuer');
  }

  private validateDomains(props: TenantIssuerProps, problems: Problems): void {
    const intermediate = this.intermediate;
    problems.check(this.domains.length === 0, () =>
      `'domains' is empty; give the DNS domains the tenant owns, inside ${intermediate.domains.join(', ')}, e.g. '${this.namespace}.${intermediate.domains[0]}'`);
    const index = TenantRegistry.domains(intermediate);
    this.domains.forEach((domain, i) => {
      if (Dns.isWildcard(domain)) {
        problems.add(`'domains' (${domain}) must not be a wildcard; name the domain itself (certificates may name anything under it), or set 'allowWildcards'`);
        return;
      }
      const invalid = Dns.nameProblem(domain);
      if (invalid) {
        problems.add(`'domains' (${domain}) ${invalid}`);
        return;
      }
      if (intermediate.domains.includes(domain) && !(props.allowIntermediateDomain ?? false)) {
        problems.add(`'domains' (${domain}) is the whole domain of intermediate '${intermediate.name}': the tenant could issue every name the ` +
          `intermediate covers, including future tenants'; choose a subdomain, e.g. '${this.namespace}.${domain}', or set 'allowIntermediateDomain'`);
        return;
      }
      if (!intermediate.domains.some((d) => Dns.isWithin(domain, d))) {
        problems.add(`'domains' (${domain}) is outside intermediate '${intermediate.name}' (${intermediate.domains.join(', ')}); ` +
          'its name constraints would reject it: choose a domain inside, or another intermediate');
        return;
      }
      const inOwnList = this.domains.findIndex((other, j) => j !== i && Dns.overlaps(domain, other) && (j < i || Dns.isUnder(domain, other)));
      if (inOwnList !== -1) {
        problems.add(`'domains' (${domain}) overlaps '${this.domains[inOwnList]}' of the same tenant; list each domain once, the parent covers its subdomains`);
        return;
      }
      const conflict = index.conflict(domain);
      problems.check(conflict !== undefined, () =>
        `'domains' (${domain}) overlaps '${conflict!.domain}' of the tenant at '${conflict!.owner}'; ` +
        'tenants must not share names on one intermediate: pick a domain of your own');
    });
  }
}
