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
