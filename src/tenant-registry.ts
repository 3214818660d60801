import { DomainIndex } from './dns';
import { IIntermediateCa } from './intermediate-ca';

/**
 * Which tenant owns which domain on each intermediate, so that two tenants can never claim
 * overlapping domains (equal, parent or child). Keyed by the intermediate object: no global state.
 * @internal
 */
export class TenantRegistry {
  private static readonly byIntermediate = new WeakMap<IIntermediateCa, DomainIndex>();

  public static domains(intermediate: IIntermediateCa): DomainIndex {
    let index = TenantRegistry.byIntermediate.get(intermediate);
    if (!index) {
      index = new DomainIndex();
      TenantRegistry.byIntermediate.set(intermediate, index);
    }
    return index;
  }

  private constructor() {}
}
