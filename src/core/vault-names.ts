import { IConstruct } from 'constructs';

/**
 * Names that must be unique in one Vault (mount paths, hierarchies, policies, tenant roles, auth roles), whichever
 * Terraform stack of the program emits them: a second claim is the construct's error, naming the first owner.
 * The registry is per Vault program: the root of the Terraform construct tree.
 * @internal
 */
export class VaultNames {
  /** Claims `name` of `kind` for `scope`; returns the previous owner's path when it is taken, else undefined. */
  public static claim(scope: IConstruct, kind: string, name: string): string | undefined {
    const root = scope.node.root;
    let registry = VaultNames.registries.get(root);
    if (!registry) {
      registry = new Map();
      VaultNames.registries.set(root, registry);
    }
    const key = `${kind}\u0000${name}`;
    const previous = registry.get(key);
    // Constructs, not path strings, are kept (a fleet claims tens of thousands of names); a path only for a message.
    if (previous !== undefined && previous !== scope && previous.node.path !== scope.node.path) return previous.node.path;
    registry.set(key, scope);
    return undefined;
  }

  private static readonly registries = new WeakMap<IConstruct, Map<string, IConstruct>>();

  private constructor() {}
}
