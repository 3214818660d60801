import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { grantToCertManager } from './cert-manager-grant';
import { ClusterScopedObject } from '../core/cluster-scoped';
import { Durations } from '../core/durations';
import { KeyAlgorithm, KeyAlgorithmFamily } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import { PkiNames } from '../core/names';
import type {
  CertificateRequestPolicyProps, CertificateRequestPolicySpecAllowedUsages, CertificateRequestPolicySpecConstraints,
  CertificateRequestPolicySpecConstraintsPrivateKeyAlgorithm, CertificateRequestPolicySpecSelector,
} from '../imports/approver-policy-policy.cert-manager.io';

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
  readonly certManagerNamespace: string;
  readonly certManagerServiceAccount: string;
  readonly labels: Record<string, string>;
}

/**
 * An approver-policy CertificateRequestPolicy (the props of the generated class in src/imports), written in its wire form
 * (see `wireObject`: the only key of the policy whose wire name differs is `spec.allowed.isCA`), without the Chart's
 * namespace (it is cluster-scoped).
 * @internal
 */
export class ClusterCertificateRequestPolicy extends ClusterScopedObject {
  constructor(scope: Construct, id: string, props: CertificateRequestPolicyProps) {
    const allowed = props.spec.allowed;
    let spec: any = props.spec;
    if (allowed !== undefined && 'isCa' in allowed) {
      const { isCa, ...rest } = allowed;
      spec = { ...props.spec, allowed: { ...rest, isCA: isCa } };
    }
    super(scope, id, { apiVersion: 'policy.cert-manager.io/v1alpha1', kind: 'CertificateRequestPolicy', metadata: props.metadata ?? {}, spec });
  }
}

/**
 * A policy's constraints: at most `maxDuration`, exactly the key the tenant's Vault role signs (Ed25519 has no size).
 * @internal
 */
export function policyConstraints(maxDuration: Duration, key: KeyAlgorithm): CertificateRequestPolicySpecConstraints {
  const sized = key.family !== KeyAlgorithmFamily.ED25519;
  return {
    maxDuration: Durations.go(maxDuration),
    privateKey: {
      algorithm: key.family as string as CertificateRequestPolicySpecConstraintsPrivateKeyAlgorithm,
      minSize: sized ? key.size : undefined,
      maxSize: sized ? key.size : undefined,
    },
  };
}

/** A policy's selector: exactly the tenant's Issuer in exactly its namespace. @internal */
export function policySelector(namespace: string, issuerName: string): CertificateRequestPolicySpecSelector {
  return { issuerRef: { name: issuerName, kind: 'Issuer', group: 'cert-manager.io' }, namespace: { matchNames: [namespace] } };
}

/**
 * H7: the tenant's own approver-policy CertificateRequestPolicy, selecting exactly that Issuer in exactly that namespace:
 * DNS names under the tenant's domains (and IPs in its ranges), never a URI SAN or a common name, plus the Role/RoleBinding
 * that lets cert-manager `use` it in that namespace only (approver-policy checks `use` with the request's namespace);
 * csi-driver may be granted its use too. Requests anyone in the namespace can shape (a Certificate, a csi-driver volume)
 * can so never carry a SPIFFE identity: identities come from policies bound to one requester (`RequesterPolicy`).
 * @internal
 */
export class TenantCertificateRequestPolicy extends Construct {
  /** CEL rule refusing wildcard names when the tenant did not opt in: no '*' anywhere (`a.*.x` included). */
  public static readonly NO_WILDCARD_RULE = "!self.contains('*')";
  /** CEL rule for tenants that allow wildcards: '*' only as the whole leftmost label (`*.x.<domain>`), as Vault issues them. */
  public static readonly LEFTMOST_WILDCARD_RULE = "self.matches('^([*][.])?[^*]+$')";

  public readonly name: string;

  constructor(scope: Construct, id: string, props: TenantCertificateRequestPolicyProps) {
    super(scope, id);
    const { namespace, issuerName, keyAlgorithm } = props;
    this.name = PkiNames.certificateRequestPolicyName(namespace, issuerName);
    new ClusterCertificateRequestPolicy(this, 'policy', {
      metadata: { name: this.name, labels: props.labels },
      spec: {
        allowed: {
          // approver-policy's `*` matches any string: `*.<domain>` = every name under the domain.
          dnsNames: {
            values: props.domains.map((d) => `*.${d}`),
            required: props.ipAddressPatterns.length === 0,
            validations: [props.allowWildcards ? {
              rule: TenantCertificateRequestPolicy.LEFTMOST_WILDCARD_RULE,
              message: `a wildcard is allowed only as the whole leftmost label (*.name) for Issuer ${namespace}/${issuerName}`,
            } : {
              rule: TenantCertificateRequestPolicy.NO_WILDCARD_RULE,
              message: `wildcard DNS names are not allowed for Issuer ${namespace}/${issuerName}`,
            }],
          },
          ipAddresses: props.ipAddressPatterns.length > 0 ? { values: props.ipAddressPatterns, required: false } : undefined,
          usages: props.usages.map((u) => u as string as CertificateRequestPolicySpecAllowedUsages),
          isCa: false,
        },
        constraints: policyConstraints(props.maxDuration, keyAlgorithm),
        selector: policySelector(namespace, issuerName),
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
