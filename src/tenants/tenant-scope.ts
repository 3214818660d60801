import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { KeyAlgorithm } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import type { IIntermediateCa } from '../vault/intermediate-ca-options';

/**
 * What a tenant's certificates may be: the names, lifetime, key, usages and identities its Vault role and
 * CertificateRequestPolicy allow. A Tenant (its Vault half) and each of its TenantIssuers (one per cluster) expose it.
 */
export interface ITenantScope extends IConstruct {
  /** Name of the tenant's cert-manager Issuer (and of its service account), in every cluster. */
  readonly issuerName: string;
  /** The tenant's namespace (its Issuers'). */
  readonly namespace: string;
  /** Domains the tenant may issue under. */
  readonly domains: string[];
  /** Longest lifetime the tenant may request. */
  readonly maxDuration: Duration;
  /** Key algorithm of the tenant's certificates. */
  readonly keyAlgorithm: KeyAlgorithm;
  /** Usages every certificate of the tenant carries (the Vault role's). */
  readonly allowedUsages: KeyUsage[];
  /** Whether wildcard names are allowed. */
  readonly allowWildcards: boolean;
  /** SPIFFE trust domain, when URI SANs are allowed. */
  readonly spiffeTrustDomain?: string;
  /** Service accounts whose SPIFFE IDs certificates may carry. */
  readonly spiffeServiceAccounts: string[];
  /** Namespaces any of whose service accounts' SPIFFE IDs certificates may carry (a mesh CA). */
  readonly spiffeNamespaces: string[];
  /** IP ranges allowed as IP SANs. */
  readonly allowedIpRanges: string[];
  /** The intermediate CA issuing the tenant's certificates. */
  readonly intermediate: IIntermediateCa;
  /** The SPIFFE ID of a service account of the tenant's namespace (needs `spiffeTrustDomain`). */
  spiffeId(serviceAccountName: string): string;
}
