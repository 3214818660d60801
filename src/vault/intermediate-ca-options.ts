import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CaGenerationOptions } from './ca-generation';
import { KeyAlgorithm } from '../core/key-algorithm';

/** Options of one intermediate CA of a {@link PkiHierarchy}. */
export interface IntermediateCaOptions {
  /** Name of the intermediate (RFC 1123 label), e.g. `services`. Part of its mount path. */
  readonly name: string;

  /**
   * DNS domains this intermediate may issue for, e.g. `['services.internal']`. They become the
   * certificate's name constraints (`permitted_dns_domains`); tenants' domains must lie inside them.
   */
  readonly domains: string[];

  /**
   * Lifetime of the intermediate CA certificate; shorter than the root's, at least 30 days.
   * @default Duration.days(365)
   */
  readonly ttl?: Duration;

  /**
   * Key algorithm of the intermediate CA: ECDSA P-256 or stronger, or RSA 2048 or stronger.
   * @default KeyAlgorithm.ECDSA_P256
   */
  readonly keyAlgorithm?: KeyAlgorithm;

  /**
   * Common name of the intermediate CA certificate (of generation 1; later generations append ` g<N>`).
   * @default - `<name> intermediate CA`
   */
  readonly commonName?: string;

  /**
   * The intermediate's generations, for a rotation in its one mount: each its own key, root signature, named Vault
   * issuer and certificate (common name `<commonName> g<N>` after the first), all with this intermediate's domains,
   * lifetime and key algorithm. Keep every generation listed; a rotation moves a new one through PREPARED and ACTIVE,
   * and the old one through DRAINING to RETIRED (see the README, "CA lifecycle").
   * @default - one ACTIVE generation 1, signed by root generation 1
   */
  readonly generations?: CaGenerationOptions[];
}

/** An intermediate CA that tenants issue leaf certificates from: plain values only, importable by other programs. */
export interface IIntermediateCa extends IConstruct {
  /** Name of the intermediate, e.g. `services`. */
  readonly name: string;
  /** Name of the hierarchy it belongs to. */
  readonly hierarchyName: string;
  /** DNS domains it may issue for (its name constraints). */
  readonly domains: string[];
  /** Its Vault PKI mount path, e.g. `pki-int-services`. */
  readonly mountPath: string;
  /**
   * The named Vault issuer that signs today: the ACTIVE generation's (`services`, then `services-g2`, ...). Tenant
   * roles sign with the mount's default issuer, which the hierarchy sets to it.
   */
  readonly issuerName: string;
  /** Lifetime of its certificate. */
  readonly ttl: Duration;
  /** Key algorithm of its certificate. */
  readonly keyAlgorithm: KeyAlgorithm;
  /** Common name of its certificate (generation 1's; later generations append ` g<N>`). */
  readonly commonName: string;
  /** Its generations, defaults filled in. */
  readonly generations: CaGenerationOptions[];
  /** Its ACTIVE generation. */
  readonly activeGeneration: number;
}
