import { DomainIndex } from './dns';
import { IIntermediateCa } from './intermediate-ca';

/**
 * Which tenant owns which domain on each intermediate, so that two tenants can never claim
 * overlapping domains (equal, parent or child). Keyed by the intermediate object: no global state.
 * @internal
 */
const byIntermediate = new WeakMap<IIntermediateCa, DomainIndex>();

export class TenantRegistry {
  public static domains(intermediate: IIntermediateCa): DomainIndex {
    let index = byIntermediate.get(intermediate);
    if (!index) {
      index = new DomainIndex();
      byIntermediate.set(intermediate, index);
    }
    return index;
  }

  private constructor() {}
}
