import { Duration } from 'cdk8s';
import { CaGenerationOptions } from './ca-generation';
import { KeyAlgorithm } from '../core/key-algorithm';

/** Options of the root CA of a {@link PkiHierarchy}. */
export interface RootCaOptions {
  /** Common name of the root CA certificate, e.g. `acme-root-ca`. */
  readonly commonName: string;

  /**
   * Lifetime of the root CA certificate; at most 10 years (3650 days).
   * @default Duration.days(3650)
   */
  readonly ttl?: Duration;

  /**
   * Key algorithm of the root CA; ECDSA P-384 or stronger, or RSA 4096 or stronger.
   * @default KeyAlgorithm.ECDSA_P384
   */
  readonly keyAlgorithm?: KeyAlgorithm;

  /**
   * Organization (O) of the root CA certificate's subject.
   * @default - none
   */
  readonly organization?: string;

  /**
   * The root's generations, for a rollover: each its own key, self-signed certificate (common name `<commonName> g<N>`
   * after the first) and named Vault issuer in the root mount. Keep every generation listed; a rollover moves a new
   * one through PREPARED, ACTIVE, and the old one through DRAINING to RETIRED (see the README, "CA lifecycle").
   * @default - one ACTIVE generation 1
   */
  readonly generations?: CaGenerationOptions[];
}
