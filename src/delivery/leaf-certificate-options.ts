import { Duration } from 'cdk8s';
import { ITenantIssuer } from '../tenants/tenant-issuer';

/**
 * What every leaf certificate asks its tenant for (a Secret-backed ShortLivedCertificate, an in-memory
 * InMemoryCertificate): the same names, lifetime and renewal, checked the same way.
 */
export interface LeafCertificateOptions {
  /** The tenant Issuer that issues the certificate (a TenantIssuer of this cluster). */
  readonly issuer: ITenantIssuer;

  /**
   * DNS names of the certificate; each strictly under one of the tenant's domains, no wildcards
   * (unless the tenant allows them).
   * @default - none; then `ipAddresses` must name the certificate
   */
  readonly dnsNames?: string[];

  /**
   * IP SANs; each inside the tenant's `allowedIpRanges`.
   * @default - none
   */
  readonly ipAddresses?: string[];

  /**
   * Refused: a certificate is requested by cert-manager (or csi-driver) with its own identity, so it cannot carry a
   * workload's SPIFFE ID without letting anyone who may create a Certificate or a volume in the namespace obtain it.
   * @default - no URI SAN
   * @deprecated give the workload its identity with `SpiffeIdentity` (the pod's own token requests it)
   */
  readonly spiffeServiceAccount?: string;

  /**
   * Lifetime of each certificate; at most the tenant's `maxDuration`, at least 1h. Always written explicitly (cert-manager's
   * and csi-driver's own default is 2160h).
   * @default - 24h, or the tenant's `maxDuration` when shorter
   */
  readonly duration?: Duration;

  /**
   * How long before expiry the certificate is renewed; shorter than `duration`, at least 5 minutes.
   * @default - one third of `duration` (8h for 24h)
   */
  readonly renewBefore?: Duration;
}
