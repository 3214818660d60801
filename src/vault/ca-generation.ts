/** Where a CA generation is in its life. A rotation moves generations through these states, one program edit and one `terraform apply` at a time. */
export enum GenerationState {
  /**
   * Created in Vault (key, CSR, signature, import, named issuer) and published in the trust bundles, but not signing:
   * the mount's default issuer (what every tenant role signs with) is still the ACTIVE generation.
   */
  PREPARED = 'prepared',
  /** The generation that signs: the mount's default issuer. Exactly one per CA. */
  ACTIVE = 'active',
  /**
   * Stopped signing (its issuer keeps CRL and OCSP signing, `issuing-certificates` is removed), still trusted and
   * published while leaves it signed are alive. Needs `drainingSince`.
   */
  DRAINING = 'draining',
  /**
   * Gone: its issuer is deleted in Vault (provider 5.6 deletes the issuer when its resource goes) and it leaves the
   * trust bundles. Allowed only once every leaf it signed has expired. The entry stays in the program as a record.
   */
  RETIRED = 'retired',
}

/** One generation of a root or intermediate CA: its own key, certificate and named Vault issuer. */
export interface CaGenerationOptions {
  /** The generation's number, from 1. Names its key and issuer: `<ca>` for 1, `<ca>-g<N>` after. */
  readonly generation: number;

  /**
   * Where the generation is in its life.
   * @default GenerationState.ACTIVE
   */
  readonly state?: GenerationState;

  /**
   * When this generation was applied as PREPARED (ISO 8601, e.g. `2026-11-20T09:00:00Z`). Required to make a
   * generation after the first ACTIVE: the switch is refused until trust bundles had `PkiLimits.TRUST_PROPAGATION`
   * to carry it to every workload.
   * @default - none
   */
  readonly preparedSince?: string;

  /**
   * When the switch away from this generation was applied (ISO 8601). Required for DRAINING and RETIRED: retiring
   * is refused until `PkiLimits.DRAIN_PERIOD` (the longest leaf lifetime plus a margin) has passed since.
   * @default - none
   */
  readonly drainingSince?: string;

  /**
   * The generation of the root CA that signs this intermediate generation (fixed for its life: a new signature is a
   * new generation). Required once the root has more than one generation.
   * @default 1
   */
  readonly rootGeneration?: number;

  /**
   * The generation's key is compromised: it may be switched away from and retired at once (no propagation or drain
   * wait), and retiring it revokes its certificate at the root (the root's CRL lists it). Leaves it signed stay
   * valid for clients that do not check CRLs until they expire (48h at most): renew them now (see the runbook).
   * @default false
   */
  readonly compromised?: boolean;
}
