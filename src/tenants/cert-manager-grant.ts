import { ApiObject } from 'cdk8s';
import type { PolicyRule } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';

/** @internal */
export interface CertManagerGrantProps {
  /** Name of the Role and of its RoleBinding. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  /** The one rule the Role grants. */
  readonly rule: PolicyRule;
  readonly certManagerNamespace: string;
  readonly certManagerServiceAccount: string;
}

/**
 * A namespaced Role with one rule, bound to cert-manager's service account in that namespace only
 * (token requests for an Issuer's account, `use` of a tenant's CertificateRequestPolicy).
 * @internal
 */
export function grantToCertManager(scope: Construct, id: string, props: CertManagerGrantProps): void {
  // Written in their wire form (the keys of cdk8s-plus's KubeRole/KubeRoleBinding are the wire keys), see `wireObject`.
  const metadata = { name: props.name, namespace: props.namespace, labels: props.labels };
  const { nonResourceUrLs, ...rule } = props.rule;
  const wireRule = nonResourceUrLs === undefined ? rule : { ...rule, nonResourceURLs: nonResourceUrLs };
  new ApiObject(scope, `${id}-role`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules: [wireRule] });
  new ApiObject(scope, `${id}-binding`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: props.name },
    subjects: [{ kind: 'ServiceAccount', name: props.certManagerServiceAccount, namespace: props.certManagerNamespace }],
  });
}
