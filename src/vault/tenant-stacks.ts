import { Construct } from 'constructs';
import { PkiValidationError } from '../core/errors';
import { VaultPkiStack, VaultPkiStackProps } from './vault-pki-stack';

/** Props of {@link TenantStacks}. */
export interface TenantStacksProps extends VaultPkiStackProps {
  /**
   * How many stacks the tenants are spread over (1 to 64). Choose it once: a tenant's stack is a hash of its
   * namespace modulo the count, so changing the count moves tenants between states.
   */
  readonly shards: number;
}

/**
 * Tenant shards: `shards` Vault stacks (`<id>-00`, `<id>-01`, ...) that hold the tenants' roles, policies and auth
 * roles, apart from the hierarchy's stack, so adding a tenant never plans against the state that holds the CAs, and
 * each shard's plan stays small. A tenant's shard is fixed by its namespace (FNV-1a hash modulo `shards`), so adding
 * or removing tenants never moves the others.
 */
export class TenantStacks {
  /** The stacks, in shard order. */
  public readonly stacks: VaultPkiStack[];

  constructor(scope: Construct, id: string, props: TenantStacksProps) {
    const shards = props?.shards;
    if (!Number.isInteger(shards) || shards < 1 || shards > 64) {
      throw new PkiValidationError('TenantStacks', `${scope.node.path}/${id}`, [`'shards' (${shards}) must be a whole number from 1 to 64`]);
    }
    const { shards: _count, ...stackProps } = props;
    this.stacks = Array.from({ length: shards }, (_, i) => new VaultPkiStack(scope, `${id}-${String(i).padStart(2, '0')}`, stackProps));
  }

  /** The stack of the tenant in `namespace`. */
  public stackFor(namespace: string): VaultPkiStack {
    let hash = 0x811c9dc5;
    for (const c of Buffer.from(namespace, 'utf8')) hash = Math.imul(hash ^ c, 0x01000193) >>> 0;
    return this.stacks[hash % this.stacks.length];
  }
}
