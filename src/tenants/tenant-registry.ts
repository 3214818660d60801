import { DomainIndex } from '../core/dns';
import { IIntermediateCa } from '../vault/intermediate-ca';
import type { ITenantIssuer } from './tenant-issuer';

/**
 * The tenants of each intermediate, and which tenant owns which domain, so that two tenants can
 * never claim overlapping domains (equal, parent or child) and alerts know every tenant's policy.
 * Keyed by the intermediate object: no global state.
 * @internal
 */
const byIntermediate = new WeakMap<IIntermediateCa, DomainIndex>();
const tenantsOf = new WeakMap<IIntermediateCa, ITenantIssuer[]>();

export class TenantRegistry {
  public static domains(intermediate: IIntermediateCa): DomainIndex {
    let index = byIntermediate.get(intermediate);
    if (!index) {
      index = new DomainIndex();
      byIntermediate.set(intermediate, index);
    }
    return index;
  }

  /** Records a tenant of `intermediate` (after its validation passed). */
  public static addTenant(intermediate: IIntermediateCa, tenant: ITenantIssuer): void {
    const list = tenantsOf.get(intermediate) ?? [];
    list.push(tenant);
    tenantsOf.set(intermediate, list);
  }

  /** The tenants of `intermediate`, in creation order. */
  public static tenants(intermediate: IIntermediateCa): ITenantIssuer[] {
    return [...(tenantsOf.get(intermediate) ?? [])];
  }

  private constructor() {}
}
