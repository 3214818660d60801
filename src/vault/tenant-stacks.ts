import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { FleetContractBase } from './fleet-contract-base';
import { VaultPkiStack, VaultPkiStackProps } from './vault-pki-stack';
import { PkiValidationError } from '../core/errors';

/** Props of {@link TenantStacks}. */
export interface TenantStacksProps extends VaultPkiStackProps {
  /**
   * How many stacks the tenants are spread over (1 to 64). Choose it once: a tenant's stack is a hash of its
   * namespace modulo the count, so changing the count moves tenants between states.
   */
  readonly shards: number;

  /**
   * The platform's fleet contract, read by this (team) program: the Vault address, namespace and server CA must be the
   * contract's, the id must be the program's stack prefix, and `stackFor` refuses a namespace the program does not own,
   * or synthesis fails (`FleetContract.tenantStacks()` builds the shards from the contract).
   * @default - not checked against a contract (ConsistencyCheck.checkFleet still compares the outputs)
   */
  readonly contract?: FleetContractBase;
}

/**
 * Tenant shards: `shards` Vault stacks (`<id>-00`, `<id>-01`, ...) that hold the tenants' roles, policies and auth
 * roles, apart from the hierarchy's stack, so adding a tenant never plans against the state that holds the CAs, and
 * each shard's plan stays small. A tenant's shard is fixed by its namespace (a SHA-256 of it, modulo `shards`), so adding
 * or removing tenants never moves the others.
 */
export class TenantStacks {
  /** The stacks, in shard order. */
  public readonly stacks: VaultPkiStack[];
  /** The fleet contract the shards were checked against, if any. */
  public readonly contract?: FleetContractBase;
  private readonly path: string;

  constructor(scope: Construct, id: string, props: TenantStacksProps) {
    const shards = props?.shards;
    if (!Number.isInteger(shards) || shards < 1 || shards > 64) {
      throw new PkiValidationError('TenantStacks', `${scope.node.path}/${id}`, [`'shards' (${shards}) must be a whole number from 1 to 64`]);
    }
    const { shards: _count, contract, ...stackProps } = props;
    this.path = scope.node.path ? `${scope.node.path}/${id}` : id;
    if (contract) {
      const ids = Array.from({ length: shards }, (_, i) => `${id}-${String(i).padStart(2, '0')}`);
      const backend = stackProps.backend;
      const problems = [
        ...contract._vaultProblems(stackProps),
        ...contract._stacksProblems(id, ids.map((s) => ({ id: s, state: backend?.stateLocation(s) }))),
      ];
      if (problems.length > 0) throw new PkiValidationError('TenantStacks', this.path, problems);
    }
    this.contract = contract;
    this.stacks = Array.from({ length: shards }, (_, i) => new VaultPkiStack(scope, `${id}-${String(i).padStart(2, '0')}`, stackProps));
  }

  /** The stack of the tenant in `namespace`. */
  public stackFor(namespace: string): VaultPkiStack {
    const problems = this.contract?._namespaceProblems(namespace) ?? [];
    if (problems.length > 0) throw new PkiValidationError('TenantStacks', this.path, problems);
    // A stable hash of the namespace (the first 8 hex digits of its SHA-256): the same shard on every machine and run.
    const hash = parseInt(createHash('sha256').update(namespace, 'utf8').digest('hex').slice(0, 8), 16);
    return this.stacks[hash % this.stacks.length];
  }
}
