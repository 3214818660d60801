import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { LeafCertificateOptions } from './leaf-certificate-options';
import { ClusterChart } from '../cluster/cluster-chart';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { PkiValidationError, Problems } from '../core/errors';
import { Shape } from '../core/input-shapes';
import { IpRanges } from '../core/ip-ranges';
import { Provenance } from '../core/provenance';
import { validateShapes } from '../core/validation';
import { ITenantIssuer } from '../tenants/tenant-issuer';

/** The shapes of every leaf certificate's options (checked before anything reads them). @internal */
export const LEAF_SHAPES: Record<string, Shape> = {
  dnsNames: Shape.STRINGS, ipAddresses: Shape.STRINGS, spiffeServiceAccount: Shape.STRING, duration: Shape.DURATION, renewBefore: Shape.DURATION,
};

/** cert-manager's shortest `renewBefore`. @internal */
export const MIN_RENEW_BEFORE = Duration.minutes(5);

/** A leaf request with its defaults: every name it carries, its lifetime and renewal. @internal */
export interface LeafRequest {
  readonly issuer: ITenantIssuer;
  readonly dnsNames: string[];
  /** Go's canonical text of each IP. */
  readonly ipAddresses: string[];
  readonly uris: string[];
  readonly duration: Duration;
  readonly renewBefore: Duration;
}

/**
 * The request of a ShortLivedCertificate or InMemoryCertificate, checked against its tenant exactly the same way: the
 * issuer is a TenantIssuer of this cluster, every name lies inside what the tenant's Vault role and approver-policy
 * allow, the lifetime within the tenant's maximum and cert-manager's minimum, renewal within the lifetime. Throws one
 * PkiValidationError with every problem (`more` adds the construct's own checks).
 * @internal
 */
export function leafRequest(owner: Construct, ownerType: string, props: LeafCertificateOptions,
  more: (request: LeafRequest, problems: Problems) => void): LeafRequest {
  validateShapes(owner, ownerType, props, LEAF_SHAPES);
  const issuer = props?.issuer;
  if (!issuer) throw new PkiValidationError(ownerType, owner.node.path, ["'issuer' is missing; pass a TenantIssuer"]);
  if (Provenance.is(issuer, 'Tenant')) {
    throw new PkiValidationError(ownerType, owner.node.path, [
      `'issuer' is the Tenant '${(issuer as any).namespace}/${(issuer as any).issuerName}' (its Vault half), not its Issuer in a cluster: ` +
      'place it on this cluster first, `const issuer = tenant.placeOn(chart)`, and pass that TenantIssuer',
    ]);
  }
  if (!Provenance.is(issuer, 'TenantIssuer')) {
    throw new PkiValidationError(ownerType, owner.node.path, [
      `'issuer' (${String((issuer as any).issuerName ?? issuer)}) was not made by this library; pass a TenantIssuer: a hand-made ITenantIssuer ` +
      "would skip the tenant's checks (its domains, durations and key are what the Vault role and approver-policy enforce)",
    ]);
  }
  const chart = ClusterChart.containing(owner);
  if (chart.cluster.name !== issuer.cluster.name) {
    throw new PkiValidationError(ownerType, owner.node.path, [
      `'issuer' (${issuer.namespace}/${issuer.issuerName}) lives in cluster '${issuer.cluster.name}', but this certificate is in cluster ` +
      `'${chart.cluster.name}': an Issuer serves only its own cluster; place the tenant on '${chart.cluster.name}' and use that TenantIssuer`,
    ]);
  }
  const duration = props.duration ?? Duration.seconds(Math.min(24 * Durations.HOUR, Durations.seconds(issuer.maxDuration)));
  const dnsNames = [...(props.dnsNames ?? [])];
  const ipAddresses = [...(props.ipAddresses ?? [])];
  const request: LeafRequest = {
    issuer,
    dnsNames,
    ipAddresses,
    // A certificate's requester is cert-manager or csi-driver, never the workload: it carries no SPIFFE identity.
    uris: [],
    duration,
    renewBefore: props.renewBefore ?? Duration.seconds(Math.floor(Durations.seconds(duration) / 3)),
  };
  const problems = new Problems();
  lifetimeProblems(request, problems);
  nameProblems(request, props, problems);
  more(request, problems);
  problems.throwIfAny(owner, ownerType);
  return { ...request, ipAddresses: ipAddresses.map((ip) => IpRanges.canonical(ip)) };
}

function lifetimeProblems(r: LeafRequest, problems: Problems): void {
  const { issuer, duration, renewBefore } = r;
  if (!Durations.isWholePositive(duration)) {
    problems.add(`'duration' (${Durations.describe(duration)}) must be a positive whole number of seconds`);
    return;
  }
  const d = Durations.seconds(duration);
  problems.check(d > Durations.seconds(issuer.maxDuration), () =>
    `'duration' (${Durations.describe(duration)}) must not exceed the tenant's 'maxDuration' (${Durations.describe(issuer.maxDuration)}); lower 'duration' or raise 'maxDuration'`);
  problems.check(d < Durations.HOUR, () =>
    `'duration' (${Durations.describe(duration)}) must be at least 1h (cert-manager's minimum); raise 'duration'`);
  if (!Durations.isWholePositive(renewBefore)) {
    problems.add(`'renewBefore' (${Durations.describe(renewBefore)}) must be a positive whole number of seconds`);
    return;
  }
  const rb = Durations.seconds(renewBefore);
  problems.check(rb >= d, () =>
    `'renewBefore' (${Durations.describe(renewBefore)}) must be shorter than 'duration' (${Durations.describe(duration)}); lower 'renewBefore' (default: a third of 'duration')`);
  problems.check(rb < Durations.seconds(MIN_RENEW_BEFORE), () =>
    `'renewBefore' (${Durations.describe(renewBefore)}) must be at least ${Durations.describe(MIN_RENEW_BEFORE)} (cert-manager's minimum); raise 'renewBefore'`);
}

function nameProblems(r: LeafRequest, props: LeafCertificateOptions, problems: Problems): void {
  const { issuer, dnsNames, ipAddresses } = r;
  problems.check(dnsNames.length === 0 && ipAddresses.length === 0 && props.spiffeServiceAccount === undefined, () =>
    "the certificate names nothing; set 'dnsNames' (or 'ipAddresses')");
  const seen = new Set<string>();
  for (const name of dnsNames) {
    problems.check(seen.has(name), () => `'dnsNames' lists '${name}' twice; remove the duplicate`);
    seen.add(name);
    if (Dns.isWildcard(name) && !issuer.allowWildcards) {
      problems.add(`'dnsNames' (${name}) is a wildcard; issuer '${issuer.namespace}/${issuer.issuerName}' does not allow wildcards: name each host, or set 'allowWildcards' on the Tenant`);
      continue;
    }
    const invalid = Dns.nameProblem(name, issuer.allowWildcards);
    if (invalid) {
      problems.add(`'dnsNames' (${name}) ${invalid}`);
      continue;
    }
    const base = Dns.isWildcard(name) ? name.slice(2) : name;
    const owner = issuer.domains.find((d) => Dns.isWithin(base, d));
    if (owner === undefined) {
      problems.add(`'dnsNames' (${name}) is outside the tenant's domains (${issuer.domains.join(', ')}); use a name under them, or add the domain to the Tenant's 'domains'`);
    } else if (!Dns.isWildcard(name) && name === owner) {
      problems.add(`'dnsNames' (${name}) is the tenant's domain itself; Vault roles refuse bare domains (allow_bare_domains=false): use a name under it, e.g. 'svc.${name}'`);
    }
  }
  for (const ip of ipAddresses) {
    if (!IpRanges.isIp(ip)) {
      problems.add(`'ipAddresses' (${ip}) is not an IP address`);
    } else {
      problems.check(!issuer.allowedIpRanges.some((range) => IpRanges.contains(range, ip)), () =>
        issuer.allowedIpRanges.length === 0
          ? `'ipAddresses' (${ip}) is not allowed: the tenant allows no IP SANs; set 'allowedIpRanges' on the Tenant`
          : `'ipAddresses' (${ip}) is outside the tenant's 'allowedIpRanges' (${issuer.allowedIpRanges.join(', ')})`);
    }
  }
  const sa = props.spiffeServiceAccount;
  problems.check(sa !== undefined, () =>
    `'spiffeServiceAccount' (${sa}) is no longer accepted: this certificate is requested by cert-manager (or csi-driver) with its own ` +
    `identity, so anyone who may create a Certificate or a csi-driver volume in '${issuer.namespace}' could obtain that service account's ` +
    "SPIFFE ID; give the workload its identity with a SpiffeIdentity (csi-driver-spiffe requests it with the pod's own token) and drop " +
    "'spiffeServiceAccount'");
}
