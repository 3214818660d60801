import { Duration } from 'cdk8s';
import { KubeRole, KubeRoleBinding } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { ClusterCertificateRequestPolicy, policyConstraints, policySelector } from './tenant-certificate-request-policy';
import type { TenantIssuer } from './tenant-issuer';
import { PkiValidationError } from '../core/errors';
import { KeyAlgorithm } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import { KubernetesNames } from '../core/kubernetes-names';
import { PkiNames } from '../core/names';
import { CertificateRequestPolicySpecAllowed, CertificateRequestPolicySpecAllowedUsages } from '../imports/approver-policy-policy.cert-manager.io';

/** @internal */
export interface RequesterPolicyProps {
  /** The tenant Issuer the requests name. */
  readonly issuer: TenantIssuer;
  /** Names the policy and its RBAC (`sa-<account>`, `istio-csr`, `istiod`): unique per Issuer. */
  readonly requester: string;
  /** The one service account that creates the requests (the API server writes it into `spec.username`). */
  readonly identity: { readonly namespace: string; readonly name: string };
  /** What the requests may carry, besides usages and isCA (set here); every attribute with values is bound to the identity. */
  readonly allowed: Omit<CertificateRequestPolicySpecAllowed, 'usages' | 'isCa'>;
  /** The usages the requester asks for. */
  readonly usages: KeyUsage[];
  /** @default - the tenant's maxDuration */
  readonly maxDuration?: Duration;
  /** @default - the tenant's key algorithm */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** The construct type that made the policy, for messages (`SpiffeIdentity`). */
  readonly ownerType: string;
}

/**
 * An approver-policy CertificateRequestPolicy of a tenant Issuer for ONE requester, and the RBAC that lets that requester
 * alone `use` it (approver-policy v0.27.0 `manager/predicate.RBACBound`: a SubjectAccessReview for the request's
 * `spec.username` in the request's namespace). approver-policy approves a request when any policy it may use allows
 * it, so one policy per requester is what binds what each identity may obtain: a pod's own account gets exactly its
 * SPIFFE ID, istio-csr exactly the mesh's workload identities, cert-manager exactly istiod's names, and none of them the
 * tenant's DNS names (the tenant's own policy, which cert-manager and csi-driver use, allows names and never a URI).
 * Every allowed attribute with values also carries a `cr.username` rule naming the identity, so a binding widened by
 * hand still admits nobody else.
 * @internal
 */
export class RequesterPolicy extends Construct {
  /** CEL rule admitting only SPIFFE IDs of one namespace and one service account, nothing after: `*` in the values may not cross '/'. */
  public static spiffeShapeRule(trustDomain: string): string {
    return `self.matches('${PkiNames.spiffeIdRegex(trustDomain)}')`;
  }

  /** CEL rule: the request was created by `identity` (approver-policy's `cr.username`). */
  public static identityRule(identity: { namespace: string; name: string }): string {
    return `cr.username == '${PkiNames.serviceAccountUsername(identity.namespace, identity.name)}'`;
  }

  public readonly name: string;

  constructor(scope: Construct, id: string, props: RequesterPolicyProps) {
    super(scope, id);
    const { issuer, requester, identity } = props;
    this.name = PkiNames.requesterPolicyName(issuer.namespace, issuer.issuerName, requester);
    const roleName = PkiNames.requesterPolicyRoleName(issuer.issuerName, requester);
    const from = `the policy of ${identity.namespace}/${identity.name}'s requests to Issuer ${issuer.namespace}/${issuer.issuerName}`;
    const fix = 'create one per requester and Issuer';
    const problems = KubernetesNames.claim(this, [
      { kind: 'policy.cert-manager.io/CertificateRequestPolicy', name: this.name, from, fix },
      { kind: 'rbac.authorization.k8s.io/Role', namespace: issuer.namespace, name: roleName, from, fix },
    ]);
    if (problems.length > 0) throw new PkiValidationError(props.ownerType, scope.node.path, problems);

    const labels = PkiNames.labels(issuer.intermediate.hierarchyName, issuer.issuerName);
    const bound = {
      rule: RequesterPolicy.identityRule(identity),
      message: `only ${identity.namespace}/${identity.name} may request this from Issuer ${issuer.namespace}/${issuer.issuerName}`,
    };
    const bind = <T extends { validations?: any[] }>(attribute: T | undefined): T | undefined =>
      attribute === undefined ? undefined : { ...attribute, validations: [...(attribute.validations ?? []), bound] };
    new ClusterCertificateRequestPolicy(this, 'policy', {
      metadata: { name: this.name, labels },
      spec: {
        allowed: {
          ...props.allowed,
          commonName: bind(props.allowed.commonName),
          dnsNames: bind(props.allowed.dnsNames),
          uris: bind(props.allowed.uris),
          usages: props.usages.map((u) => u as string as CertificateRequestPolicySpecAllowedUsages),
          isCa: false,
        },
        constraints: policyConstraints(props.maxDuration ?? issuer.maxDuration, props.keyAlgorithm ?? issuer.keyAlgorithm),
        selector: policySelector(issuer.namespace, issuer.issuerName),
      },
    });
    const metadata = { name: roleName, namespace: issuer.namespace, labels };
    new KubeRole(this, 'role', {
      metadata,
      rules: [{ apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], resourceNames: [this.name], verbs: ['use'] }],
    });
    new KubeRoleBinding(this, 'binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: identity.name, namespace: identity.namespace }],
    });
  }
}
