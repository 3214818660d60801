import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { grantToCertManager } from './cert-manager-grant';
import { withoutNamespace } from '../core/cluster-scoped';
import { Durations } from '../core/durations';
import { KeyAlgorithm, KeyAlgorithmFamily } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import { PkiNames } from '../core/names';
import { CertificateRequestPolicy, CertificateRequestPolicySpecAllowedUsages, CertificateRequestPolicySpecConstraintsPrivateKeyAlgorithm } from '../imports/approver-policy-policy.cert-manager.io';

/** @internal */
export interface TenantCertificateRequestPolicyProps {
  readonly namespace: string;
  readonly issuerName: string;
  readonly domains: string[];
  readonly allowWildcards: boolean;
  readonly maxDuration: Duration;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly usages: KeyUsage[];
  readonly ipAddressPatterns: string[];
  readonly uriPatterns: string[];
  /** Trust domain of the SPIFFE IDs in `uriPatterns`. */
  readonly spiffeTrustDomain?: string;
  /** The service accounts of the tenant's namespace with an exact SPIFFE ID (each may request only its own). */
  readonly spiffeServiceAccounts: string[];
  /**
   * Allow a common name under the tenant's domains (istiod's certificate, which istio-csr's chart renders with
   * `commonName: istiod.<namespace>.svc`); otherwise a request with a common name is refused.
   */
  readonly allowCommonName: boolean;
  readonly certManagerNamespace: string;
  readonly certManagerServiceAccount: string;
  readonly labels: Record<string, string>;
}

/** The cluster-scoped CertificateRequestPolicy must not inherit the Chart's namespace. */
class ClusterCertificateRequestPolicy extends CertificateRequestPolicy {
  public override toJson(): any {
    return withoutNamespace(super.toJson());
  }
}

/**
 * H7: one approver-policy CertificateRequestPolicy per tenant, selecting exactly that Issuer in
 * exactly that namespace, plus the Role/RoleBinding that lets cert-manager `use` it in that
 * namespace only (approver-policy checks `use` with the request's namespace).
 * @internal
 */
export class TenantCertificateRequestPolicy extends Construct {
  /** CEL rule refusing wildcard names when the tenant did not opt in: no '*' anywhere (`a.*.x` included). */
  public static readonly NO_WILDCARD_RULE = "!self.contains('*')";
  /** CEL rule for tenants that allow wildcards: '*' only as the whole leftmost label (`*.x.<domain>`), as Vault issues them. */
  public static readonly LEFTMOST_WILDCARD_RULE = "self.matches('^([*][.])?[^*]+$')";

  /** CEL rule admitting only SPIFFE IDs of one namespace and one service account, nothing after: `*` in the values may not cross '/'. */
  public static spiffeShapeRule(trustDomain: string): string {
    return `self.matches('${PkiNames.spiffeIdRegex(trustDomain)}')`;
  }

  /**
   * CEL rule binding a request from a service account of the tenant's namespace (csi-driver-spiffe creates each pod's
   * request with the pod's own token) to that account's own SPIFFE ID; requests by other identities (cert-manager for a
   * Certificate, csi-driver) are bound by the allowed values only. Core CEL only (no extension functions).
   */
  public static ownIdentityRule(namespace: string, ids: { serviceAccount: string; id: string }[]): string {
    const prefix = `system:serviceaccount:${namespace}:`;
    return [`!cr.username.startsWith('${prefix}')`, ...ids.map(({ serviceAccount, id }) =>
      `(cr.username == '${prefix}${serviceAccount}' && self == '${id}')`)].join(' || ');
  }

  public readonly name: string;

  constructor(scope: Construct, id: string, props: TenantCertificateRequestPolicyProps) {
    super(scope, id);
    const { namespace, issuerName, keyAlgorithm } = props;
    this.name = PkiNames.certificateRequestPolicyName(namespace, issuerName);
    const hasOtherSans = props.ipAddressPatterns.length > 0 || props.uriPatterns.length > 0;

    new ClusterCertificateRequestPolicy(this, 'policy', {
      metadata: { name: this.name, labels: props.labels },
      spec: {
        allowed: {
          commonName: props.allowCommonName ? {
            value: '*',
            required: false,
            validations: [{
              rule: props.domains.map((d) => `self.endsWith('.${d}')`).join(' || '),
              message: `the common name must lie under the domains of Issuer ${namespace}/${issuerName} (${props.domains.join(', ')})`,
            }, {
              rule: TenantCertificateRequestPolicy.NO_WILDCARD_RULE,
              message: `wildcard common names are not allowed for Issuer ${namespace}/${issuerName}`,
            }],
          } : undefined,
          // approver-policy's `*` matches any string: `*.<domain>` = every name under the domain.
          dnsNames: {
            values: props.domains.map((d) => `*.${d}`),
            required: !hasOtherSans,
            validations: [props.allowWildcards ? {
              rule: TenantCertificateRequestPolicy.LEFTMOST_WILDCARD_RULE,
              message: `a wildcard is allowed only as the whole leftmost label (*.name) for Issuer ${namespace}/${issuerName}`,
            } : {
              rule: TenantCertificateRequestPolicy.NO_WILDCARD_RULE,
              message: `wildcard DNS names are not allowed for Issuer ${namespace}/${issuerName}`,
            }],
          },
          ipAddresses: props.ipAddressPatterns.length > 0 ? { values: props.ipAddressPatterns, required: false } : undefined,
          uris: props.uriPatterns.length > 0 ? {
            values: props.uriPatterns,
            required: false,
            validations: [
              {
                rule: TenantCertificateRequestPolicy.spiffeShapeRule(props.spiffeTrustDomain!),
                message: `URI SANs of Issuer ${namespace}/${issuerName} must be SPIFFE IDs spiffe://${props.spiffeTrustDomain}/ns/<namespace>/sa/<service account>`,
              },
              ...(props.spiffeServiceAccounts.length > 0 ? [{
                rule: TenantCertificateRequestPolicy.ownIdentityRule(namespace, props.spiffeServiceAccounts.map((sa) =>
                  ({ serviceAccount: sa, id: PkiNames.spiffeId(props.spiffeTrustDomain!, namespace, sa) }))),
                message: `a service account of namespace ${namespace} may request only its own SPIFFE ID`,
              }] : []),
            ],
          } : undefined,
          usages: props.usages.map((u) => u as string as CertificateRequestPolicySpecAllowedUsages),
          isCa: false,
        },
        constraints: {
          maxDuration: Durations.go(props.maxDuration),
          privateKey: {
            algorithm: keyAlgorithm.family as string as CertificateRequestPolicySpecConstraintsPrivateKeyAlgorithm,
            // Exactly the size the Vault role signs (Ed25519 has no size).
            minSize: keyAlgorithm.family === KeyAlgorithmFamily.ED25519 ? undefined : keyAlgorithm.size,
            maxSize: keyAlgorithm.family === KeyAlgorithmFamily.ED25519 ? undefined : keyAlgorithm.size,
          },
        },
        selector: {
          issuerRef: { name: issuerName, kind: 'Issuer', group: 'cert-manager.io' },
          namespace: { matchNames: [namespace] },
        },
      },
    });

    grantToCertManager(this, 'use', {
      name: PkiNames.policyUseRoleName(issuerName),
      namespace,
      labels: props.labels,
      rule: { apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], resourceNames: [this.name], verbs: ['use'] },
      certManagerNamespace: props.certManagerNamespace,
      certManagerServiceAccount: props.certManagerServiceAccount,
    });
  }
}
