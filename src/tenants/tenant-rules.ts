import { Duration } from 'cdk8s';
import { Dns, DomainIndex } from '../core/dns';
import { Durations } from '../core/durations';
import { IpRanges } from '../core/ip-ranges';
import { KeyAlgorithm } from '../core/key-algorithm';
import { MIN_KEY_BITS } from '../core/key-minimums';
import { PkiLimits } from '../core/limits';
import { Rule } from '../core/validation';
import { IIntermediateCa } from '../vault/intermediate-ca-options';

/** Namespaces a tenant may use only with `allowSystemNamespace` (cert-manager's own namespace is checked per cluster). @internal */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

/** A tenant's settings, defaults resolved. @internal */
export interface ResolvedTenant {
  readonly intermediate: IIntermediateCa;
  readonly namespace: string;
  readonly issuerName: string;
  readonly domains: readonly string[];
  readonly maxDuration: Duration;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly serverAuth: boolean;
  readonly clientAuth: boolean;
  readonly allowWildcards: boolean;
  readonly spiffeTrustDomain?: string;
  readonly spiffeServiceAccounts: readonly string[];
  readonly spiffeNamespaces: readonly string[];
  readonly allowedIpRanges: readonly string[];
  readonly tokenTtl: Duration;
  readonly allowIntermediateDomain: boolean;
  readonly allowSystemNamespace: boolean;
  readonly allowOtherNamespaceIdentities: boolean;
  /** Who already owns which domain on this intermediate (other tenants of the program). */
  readonly domainIndex: DomainIndex;
}

function durationRange(prop: string, d: Duration, min: Duration, max: Duration, why: string): string[] {
  if (!Durations.isWholePositive(d)) return [`'${prop}' (${Durations.describe(d)}) must be a positive whole number of seconds`];
  const s = Durations.seconds(d);
  if (s > Durations.seconds(max)) return [`'${prop}' (${Durations.describe(d)}) must not exceed ${Durations.describe(max)}; lower '${prop}'${why}`];
  if (s < Durations.seconds(min)) return [`'${prop}' (${Durations.describe(d)}) must be at least ${Durations.describe(min)}; raise '${prop}'`];
  return [];
}

function domainProblems(t: ResolvedTenant): string[] {
  const { intermediate } = t;
  if (t.domains.length === 0) {
    return [`'domains' is empty; give the DNS domains the tenant owns, inside ${intermediate.domains.join(', ')}, e.g. '${t.namespace}.${intermediate.domains[0]}'`];
  }
  return t.domains.flatMap((domain, i) => {
    if (Dns.isWildcard(domain)) {
      return [`'domains' (${domain}) must not be a wildcard; name the domain itself (certificates may name anything under it), or set 'allowWildcards'`];
    }
    const invalid = Dns.nameProblem(domain);
    if (invalid) return [`'domains' (${domain}) ${invalid}`];
    if (intermediate.domains.includes(domain) && !t.allowIntermediateDomain) {
      return [`'domains' (${domain}) is the whole domain of intermediate '${intermediate.name}': the tenant could issue every name the ` +
        `intermediate covers, including future tenants'; choose a subdomain, e.g. '${t.namespace}.${domain}', or set 'allowIntermediateDomain'`];
    }
    if (!intermediate.domains.some((d) => Dns.isWithin(domain, d))) {
      return [`'domains' (${domain}) is outside intermediate '${intermediate.name}' (${intermediate.domains.join(', ')}); ` +
        'its name constraints would reject it: choose a domain inside, or another intermediate'];
    }
    const inOwnList = t.domains.findIndex((other, j) => j !== i && Dns.overlaps(domain, other) && (j < i || Dns.isUnder(domain, other)));
    if (inOwnList !== -1) {
      return [`'domains' (${domain}) overlaps '${t.domains[inOwnList]}' of the same tenant; list each domain once, the parent covers its subdomains`];
    }
    const conflict = t.domainIndex.conflict(domain);
    return conflict ? [`'domains' (${domain}) overlaps '${conflict.domain}' of the tenant at '${conflict.owner}'; ` +
      'tenants must not share names on one intermediate: pick a domain of your own'] : [];
  });
}

/** The rules of a tenant (its Vault half: role, policy, and what every placement shares). @internal */
export const TENANT_RULES: Rule<ResolvedTenant>[] = [
  (t) => !Dns.isLabel(t.namespace)
    && `'namespace' (${t.namespace}) is not a valid namespace name (RFC 1123 label: lower-case letters, digits, '-', at most 63)`,
  (t) => SYSTEM_NAMESPACES.includes(t.namespace) && !t.allowSystemNamespace
    && `'namespace' (${t.namespace}) is a system namespace, whose service accounts and RBAC belong to the platform; ` +
    "give the tenant a namespace of its own, or set 'allowSystemNamespace'",
  (t) => !Dns.isLabel(t.issuerName)
    && `'issuerName' (${t.issuerName}) is not a valid Issuer name here (RFC 1123 label: lower-case letters, digits, '-', at most 63)`,
  domainProblems,
  (t) => durationRange('maxDuration', t.maxDuration, PkiLimits.LEAF_MIN_DURATION, PkiLimits.LEAF_MAX_DURATION, ' (short-lived certificates are the point)'),
  (t) => durationRange('tokenTtl', t.tokenTtl, Duration.seconds(1), PkiLimits.TOKEN_MAX_TTL, ''),
  (t) => t.keyAlgorithm._problems('keyAlgorithm', 'leaf certificates', MIN_KEY_BITS.leaf),
  (t) => !t.serverAuth && !t.clientAuth && "'serverAuth' and 'clientAuth' are both false; certificates would be good for nothing, enable at least one",
  (t) => t.spiffeTrustDomain !== undefined && !Dns.isTrustDomain(t.spiffeTrustDomain)
    && `'spiffeTrustDomain' (${t.spiffeTrustDomain}) is not a SPIFFE trust domain (lower-case letters, digits, '.', '-', '_'), e.g. 'cluster.local'`,
  (t) => t.spiffeTrustDomain !== undefined && t.spiffeServiceAccounts.length === 0 && t.spiffeNamespaces.length === 0
    && `'spiffeTrustDomain' (${t.spiffeTrustDomain}) is set but 'spiffeServiceAccounts' is empty; list the service accounts whose SPIFFE IDs ` +
    "certificates may carry (exact IDs: a '.../sa/*' pattern would match '/' too)",
  (t) => t.spiffeTrustDomain === undefined && (t.spiffeServiceAccounts.length > 0 || t.spiffeNamespaces.length > 0)
    && `'${t.spiffeServiceAccounts.length > 0 ? 'spiffeServiceAccounts' : 'spiffeNamespaces'}' is set without 'spiffeTrustDomain'; ` +
    "set the trust domain, e.g. 'cluster.local'",
  (t) => t.spiffeServiceAccounts.filter((sa) => !Dns.isSubdomain(sa)).map((sa) => `'spiffeServiceAccounts' (${sa}) is not a valid service account name ` +
    `(RFC 1123 subdomain)${/[*/]/.test(sa) ? ": a pattern would let one service account's certificate name another's ('*' matches '/' in Vault and " +
      'approver-policy); list each service account' : ''}`),
  (t) => t.spiffeNamespaces.filter((ns) => !Dns.isLabel(ns)).map((ns) => `'spiffeNamespaces' (${ns}) is not a valid namespace name (RFC 1123 label)` +
    `${/[*/]/.test(ns) ? ": a pattern such as 'ns/*' crosses '/' and would allow any path; list each namespace" : ''}`),
  (t) => t.spiffeServiceAccounts.filter((sa, i) => t.spiffeServiceAccounts.indexOf(sa) !== i)
    .map((sa) => `'spiffeServiceAccounts' lists '${sa}' twice; remove the duplicate`),
  (t) => t.spiffeNamespaces.filter((ns, i) => t.spiffeNamespaces.indexOf(ns) !== i).map((ns) => `'spiffeNamespaces' lists '${ns}' twice; remove the duplicate`),
  // A tenant claims identities of its own namespace; a mesh CA, of others, only when it says so.
  (t) => t.allowOtherNamespaceIdentities ? [] : t.spiffeNamespaces.filter((ns) => Dns.isLabel(ns) && ns !== t.namespace).map((ns) =>
    `'spiffeNamespaces' (${ns}) is not the tenant's own namespace (${t.namespace}): its Vault role would sign the identity of every service ` +
    `account of '${ns}', another team's; only a mesh CA (istio-csr, which binds each identity to the caller's token) should: set ` +
    "'allowOtherNamespaceIdentities' on the Tenant, or remove it"),
  (t) => t.allowSystemNamespace ? [] : t.spiffeNamespaces.filter((ns) => SYSTEM_NAMESPACES.includes(ns)).map((ns) =>
    `'spiffeNamespaces' (${ns}) is a system namespace, whose service accounts belong to the platform (their identities open every door ` +
    "a mesh policy keeps for them); remove it, or set 'allowSystemNamespace' on the Tenant"),
  (t) => t.allowedIpRanges.flatMap((range) => {
    const problem = IpRanges.problem(range);
    return problem ? [`'allowedIpRanges' (${range}) ${problem}`] : [];
  }),
];
