import { IConstruct } from 'constructs';

/** One Kubernetes object a construct is about to emit. @internal */
export interface ObjectClaim {
  /** `<group>/<Kind>`, e.g. `cert-manager.io/Issuer`, `/Secret` for core kinds. */
  readonly kind: string;
  /** Undefined for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly name: string;
  /** Where the name comes from, for the message, e.g. `'issuerName' (vault-services)`. */
  readonly from: string;
  /** How to fix a clash, e.g. `set another 'issuerName'`. */
  readonly fix: string;
}

/**
 * Kubernetes names are unique per cluster (per namespace for namespaced kinds), whichever program part or Terraform
 * stack emits them: two objects of one name overwrite each other when applied. Every construct claims the objects it
 * emits before emitting them; a second claim is the construct's error, naming the first owner.
 * The registry is per cluster: the cluster a ClusterChart marks (every ClusterChart of one cluster name in one
 * program shares it), else the root of the construct tree.
 * @internal
 */
export class KubernetesNames {
  /** The problems of `claims` for the construct `scope` (a claim is only recorded when all of them are free). */
  public static claim(scope: IConstruct, claims: ObjectClaim[]): string[] {
    const registry = KubernetesNames.registryOf(scope);
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const c of claims) {
      const key = KubernetesNames.key(c);
      const claimed = registry.get(key) ?? (seen.has(key) ? scope : undefined);
      // The owner's path is computed only for a message: the registry holds constructs, not path strings.
      const owner = claimed?.node.path;
      if (owner !== undefined) {
        problems.push(`${c.from} would emit ${c.kind.split('/')[1]} '${c.namespace !== undefined ? `${c.namespace}/` : ''}${c.name}', ` +
          `which '${owner}' already emits in this cluster (objects of one name overwrite each other); ${c.fix}`);
      }
      seen.add(key);
    }
    if (problems.length === 0) for (const c of claims) registry.set(KubernetesNames.key(c), scope);
    return problems;
  }

  /** Marks `scope` (a ClusterChart) as the manifests of cluster `cluster`. */
  public static markCluster(scope: IConstruct, cluster: string): void {
    KubernetesNames.clusters.set(scope, cluster);
  }

  private static readonly registries = new WeakMap<IConstruct, Map<string, Map<string, IConstruct>>>();
  private static readonly clusters = new WeakMap<IConstruct, string>();

  private static registryOf(scope: IConstruct): Map<string, IConstruct> {
    const root = scope.node.root;
    const marked = scope.node.scopes.slice().reverse().find((s) => KubernetesNames.clusters.has(s));
    const cluster = marked ? KubernetesNames.clusters.get(marked)! : '';
    let byCluster = KubernetesNames.registries.get(root);
    if (!byCluster) {
      byCluster = new Map();
      KubernetesNames.registries.set(root, byCluster);
    }
    let registry = byCluster.get(cluster);
    if (!registry) {
      registry = new Map();
      byCluster.set(cluster, registry);
    }
    return registry;
  }

  private static key(c: ObjectClaim): string {
    return `${c.kind}\u0000${c.namespace ?? ''}\u0000${c.name}`;
  }

  private constructor() {}
}
