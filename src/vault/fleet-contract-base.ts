import { Duration } from 'cdk8s';
import { TokenReviewer } from './token-reviewer';
import { VaultServerCa } from './vault-server-ca';
import { KeyAlgorithm } from '../core/key-algorithm';

/**
 * What a team program's importers (`IntermediateCa.fromAttributes`, `PkiCluster.fromAttributes`, `TenantStacks`)
 * check against the platform's fleet contract. `FleetContract` (read with `FleetContract.fromFile()`) is the one
 * implementation; this base lets the Vault constructs take a contract without depending on the cluster side, which
 * builds on them.
 */
export abstract class FleetContractBase {
  protected constructor() {}

  /** Problems of importing cluster `name` with `reviewer`. @internal */
  public abstract _clusterProblems(name: string, reviewer: TokenReviewer): string[];

  /** Problems of importing an intermediate with these values. @internal */
  public abstract _intermediateProblems(v: {
    hierarchyName: string; name: string; domains: readonly string[]; ttl: Duration; keyAlgorithm: KeyAlgorithm;
  }): string[];

  /** Problems of a Vault stack of a team program with these values. @internal */
  public abstract _vaultProblems(v: { address: string; vaultNamespace?: string; serverCa: VaultServerCa }): string[];

  /** Problems of a TenantStacks id and its shards' state. @internal */
  public abstract _stacksProblems(id: string, stacks: { id: string; state?: string }[]): string[];

  /** Problems of placing a tenant of the program in `namespace`. @internal */
  public abstract _namespaceProblems(namespace: string): string[];
}
