import { KubeClusterRoleBinding } from 'cdk8s-plus-28/lib/imports/k8s';

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

/** A ClusterRoleBinding that never carries its Chart's namespace. @internal */
export class ClusterScopedRoleBinding extends KubeClusterRoleBinding {
  public override toJson(): any {
    return withoutNamespace(super.toJson());
  }
}
