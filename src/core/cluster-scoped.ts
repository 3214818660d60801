import { ApiObject } from 'cdk8s';
import type { KubeClusterRoleBindingProps } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';

/**
 * cdk8s gives every ApiObject its Chart's namespace; a cluster-scoped object must not carry one.
 * @internal
 */
export function withoutNamespace(manifest: any): any {
  if (manifest?.metadata && 'namespace' in manifest.metadata) {
    const { namespace: _dropped, ...metadata } = manifest.metadata;
    return { ...manifest, metadata };
  }
  return manifest;
}

/**
 * A cluster-scoped object in its wire form (see `wireObject`), which never carries its Chart's namespace.
 * @internal
 */
export class ClusterScopedObject extends ApiObject {
  public override toJson(): any {
    return withoutNamespace(super.toJson());
  }
}

/**
 * A ClusterRoleBinding that never carries its Chart's namespace. Its props are those of cdk8s-plus's KubeClusterRoleBinding
 * (whose wire form uses the same keys); it is written without loading cdk8s-plus's generated Kubernetes classes.
 * @internal
 */
export class ClusterScopedRoleBinding extends ClusterScopedObject {
  constructor(scope: Construct, id: string, props: KubeClusterRoleBindingProps) {
    super(scope, id, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', ...props, metadata: props.metadata ?? {} });
  }
}
