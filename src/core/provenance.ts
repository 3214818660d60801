/**
 * Which objects this library made and validated. Constructs accept their inputs by interface (`IIntermediateCa`,
 * `ITenantIssuer`), and TypeScript cannot stop a hand-made object that merely has the right shape; such an object
 * would skip every check (a tenant role on the root mount, a 10-year certificate for a foreign name). So every
 * object the library validates is registered here, and consumers refuse anything else.
 * @internal
 */
export class Provenance {
  /** Registers `object` as a validated `kind` made by the library. */
  public static register(object: object, kind: string): void {
    Provenance.genuine.set(object, kind);
  }

  /** Whether `object` was registered as `kind`. */
  public static is(object: unknown, kind: string): boolean {
    return typeof object === 'object' && object !== null && Provenance.genuine.get(object) === kind;
  }

  /**
   * Runs `create` with a permit for one `kind`: the constructor of a part that only its parent may create (an
   * IntermediateCa by its PkiHierarchy) redeems it, so the part cannot be built outside its parent's checks.
   */
  public static permit<T>(kind: string, create: () => T): T {
    const previous = Provenance.permits.get(kind) ?? 0;
    Provenance.permits.set(kind, previous + 1);
    try {
      return create();
    } finally {
      Provenance.permits.set(kind, previous);
    }
  }

  /** Takes the permit for `kind`; false when there is none (the part is being built outside its parent). */
  public static redeem(kind: string): boolean {
    const count = Provenance.permits.get(kind) ?? 0;
    if (count === 0) return false;
    Provenance.permits.set(kind, count - 1);
    return true;
  }

  private static readonly genuine = new WeakMap<object, string>();
  private static readonly permits = new Map<string, number>();

  private constructor() {}
}
