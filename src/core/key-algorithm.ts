import { KeyUsage } from './key-usage';

/** Private key algorithm families Vault, cert-manager and approver-policy all support. */
export enum KeyAlgorithmFamily {
  /** ECDSA on a NIST curve (P-256, P-384, P-521). */
  ECDSA = 'ECDSA',
  /** RSA. */
  RSA = 'RSA',
  /** Ed25519. */
  ED25519 = 'Ed25519',
}

/**
 * One key algorithm setting that drives the Vault role (`key_type`/`key_bits`/`key_usage`), the
 * cert-manager Certificate's `privateKey` and the approver-policy `constraints.privateKey`, so the
 * three cannot disagree.
 *
 * Any size can be expressed here; the constructs reject weak or unsupported sizes with an error
 * naming the construct (RSA < 2048 and EC < 256 are weak).
 */
export class KeyAlgorithm {
  /** ECDSA on P-256: the default for leaf certificates and intermediates. */
  public static readonly ECDSA_P256 = new KeyAlgorithm(KeyAlgorithmFamily.ECDSA, 256);
  /** ECDSA on P-384: the default for the root CA. */
  public static readonly ECDSA_P384 = new KeyAlgorithm(KeyAlgorithmFamily.ECDSA, 384);
  /** ECDSA on P-521. */
  public static readonly ECDSA_P521 = new KeyAlgorithm(KeyAlgorithmFamily.ECDSA, 521);
  /** Ed25519. */
  public static readonly ED25519 = new KeyAlgorithm(KeyAlgorithmFamily.ED25519, 0);

  /** ECDSA on the NIST curve of `curveBits` bits (256, 384 or 521). */
  public static ecdsa(curveBits: number): KeyAlgorithm {
    return new KeyAlgorithm(KeyAlgorithmFamily.ECDSA, curveBits);
  }

  /** RSA with a modulus of `bits` bits (2048, 3072, 4096 or 8192). */
  public static rsa(bits: number): KeyAlgorithm {
    return new KeyAlgorithm(KeyAlgorithmFamily.RSA, bits);
  }

  private static readonly SUPPORTED: Record<KeyAlgorithmFamily, number[]> = {
    [KeyAlgorithmFamily.ECDSA]: [256, 384, 521],
    [KeyAlgorithmFamily.RSA]: [2048, 3072, 4096, 8192],
    [KeyAlgorithmFamily.ED25519]: [0],
  };

  private constructor(
    /** The algorithm family. */
    public readonly family: KeyAlgorithmFamily,
    /** Key size in bits (curve size for ECDSA); 0 for Ed25519. */
    public readonly size: number,
  ) {}

  /** Vault `key_type`: `ec`, `rsa` or `ed25519`. */
  public get vaultKeyType(): string {
    return { ECDSA: 'ec', RSA: 'rsa', Ed25519: 'ed25519' }[this.family];
  }

  /** Vault `key_bits` (0 for Ed25519). */
  public get vaultKeyBits(): number {
    return this.size;
  }

  /**
   * Vault role `key_usage`: `DigitalSignature` for EC and Ed25519; RSA also needs
   * `KeyEncipherment` for RSA key exchange.
   */
  public get vaultKeyUsage(): string[] {
    return this.family === KeyAlgorithmFamily.RSA ? ['DigitalSignature', 'KeyEncipherment'] : ['DigitalSignature'];
  }

  /**
   * The key usages certificates with this key always carry, in cert-manager's spelling (the same
   * as `vaultKeyUsage`): `digital signature`, plus `key encipherment` for RSA.
   */
  public get keyUsages(): KeyUsage[] {
    return this.family === KeyAlgorithmFamily.RSA ? [KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT] : [KeyUsage.DIGITAL_SIGNATURE];
  }

  /** Whether the size is one Vault, cert-manager and approver-policy all accept for the family. */
  public get supported(): boolean {
    return KeyAlgorithm.SUPPORTED[this.family].includes(this.size);
  }

  /** Whether the key is weak (RSA < 2048, EC < 256). */
  public get weak(): boolean {
    return (this.family === KeyAlgorithmFamily.RSA && this.size < 2048)
      || (this.family === KeyAlgorithmFamily.ECDSA && this.size < 256);
  }

  /** Whether this algorithm is the same as `other`. */
  public isSameAs(other: KeyAlgorithm): boolean {
    return this.family === other.family && this.size === other.size;
  }

  /** `ECDSA P-256`, `RSA 2048`, `Ed25519`. */
  public toString(): string {
    switch (this.family) {
      case KeyAlgorithmFamily.ECDSA: return `ECDSA P-${this.size}`;
      case KeyAlgorithmFamily.RSA: return `RSA ${this.size}`;
      default: return 'Ed25519';
    }
  }

  /**
   * The problems of using this key for `purpose`, where `minimum` is the weakest acceptable key
   * per family (a family absent from `minimum` is not allowed for the purpose).
   * @internal
   */
  public _problems(prop: string, purpose: string, minimum: { ECDSA?: number; RSA?: number; Ed25519?: number }): string[] {
    const problems: string[] = [];
    const allowed = Object.entries(minimum).map(([f, n]) => (f === 'Ed25519' ? 'Ed25519' : `${f} >= ${n}`)).join(', ');
    const min = minimum[this.family];
    if (this.weak || (min !== undefined && this.size < min)) {
      const suggestion = minimum.ECDSA !== undefined ? `KeyAlgorithm.ECDSA_P${minimum.ECDSA}` : `KeyAlgorithm.rsa(${minimum.RSA})`;
      problems.push(`'${prop}' (${this}) is too weak for ${purpose}; the minimum is ${allowed}; use ${suggestion} or stronger`);
    } else if (min === undefined) {
      problems.push(`'${prop}' (${this}) is not allowed for ${purpose}; allowed: ${allowed}`);
    } else if (!this.supported) {
      problems.push(`'${prop}' (${this}) is not a size Vault and cert-manager support; use one of ${KeyAlgorithm.SUPPORTED[this.family].join(', ')} bits`);
    }
    return problems;
  }
}
