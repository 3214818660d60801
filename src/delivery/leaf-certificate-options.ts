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
   * @default - none; then `ipAddresses` or `spiffeServiceAccount` must name the certificate
   */
  readonly dnsNames?: string[];

  /**
   * IP SANs; each inside the tenant's `allowedIpRanges`.
   * @default - none
   */
  readonly ipAddresses?: string[];

  /**
   * Service account whose SPIFFE ID (`spiffe://<trust domain>/ns/<ns>/sa/<account>`) becomes a URI
   * SAN; one of the tenant's `spiffeServiceAccounts`.
   * @default - no URI SAN
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
