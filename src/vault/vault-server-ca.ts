import { Pem } from '../core/pem';

/**
 * How cert-manager verifies Vault's TLS certificate when it calls Vault (the Issuer's
 * `spec.vault.caBundle` / `caBundleSecretRef`). Verification is never switched off.
 */
export class VaultServerCa {
  /**
   * Verify Vault with the system trust store of the cert-manager controller image: only for a Vault whose TLS
   * certificate chains to a public CA. An internal CA is not in that store, and every Issuer stays not Ready.
   */
  public static systemTrust(): VaultServerCa {
    return new VaultServerCa(undefined, undefined, undefined);
  }

  /**
   * Verify Vault with this PEM CA certificate (bundle), inlined base64-encoded into every Issuer
   * (`spec.vault.caBundle`). A CA certificate is public data. It must parse as X.509 and be a CA. cert-manager then
   * trusts only these CAs for Vault (not the system roots).
   */
  public static fromPem(pem: string): VaultServerCa {
    return new VaultServerCa(pem, undefined, undefined);
  }

  /**
   * Verify Vault with the CA certificate in a Secret key. A namespaced Issuer reads the Secret from
   * its own namespace, so the Secret must exist in every tenant namespace (trust-manager can
   * distribute it).
   * @param secretName the Secret's name
   * @param key the key holding the PEM CA certificate
   * @default key 'ca.crt'
   */
  public static fromSecret(secretName: string, key?: string): VaultServerCa {
    return new VaultServerCa(undefined, secretName, key ?? 'ca.crt');
  }

  private constructor(
    /** The PEM CA bundle, when inlined. */
    public readonly pem: string | undefined,
    /** The Secret holding the CA bundle, when read from a Secret. */
    public readonly secretName: string | undefined,
    /** The Secret key holding the CA bundle. */
    public readonly secretKey: string | undefined,
  ) {}

  /**
   * The Issuer `spec.vault` fields this renders to.
   * @internal
   */
  public _issuerFields(): { caBundle?: string; caBundleSecretRef?: { name: string; key: string } } {
    if (this.pem !== undefined) return { caBundle: Buffer.from(this.pem, 'utf8').toString('base64') };
    if (this.secretName !== undefined) return { caBundleSecretRef: { name: this.secretName, key: this.secretKey! } };
    return {};
  }

  /** @internal */
  public _problems(prop: string): string[] {
    const problems = Pem.certificateProblems(prop, this.pem, { ca: true });
    if (this.secretName !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(this.secretName)) {
      problems.push(`'${prop}' Secret name (${this.secretName}) is not a valid Kubernetes name (RFC 1123 subdomain)`);
    }
    return problems;
  }
}
