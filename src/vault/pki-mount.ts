import { Construct } from 'constructs';
import { Durations } from '../core/durations';
import { PkiNames } from '../core/names';
import {
  Mount, PkiSecretBackendConfigAutoTidy, PkiSecretBackendConfigUrls, PkiSecretBackendCrlConfig,
} from '../terraform';
import { VaultPkiStack } from './vault-pki-stack';

/** @internal */
export interface PkiMountOptions {
  readonly vault: VaultPkiStack;
  readonly path: string;
  readonly description: string;
  readonly defaultLeaseTtlSeconds: number;
  readonly maxLeaseTtlSeconds: number;
  /** Terraform logical id prefix, e.g. `pki_root`. */
  readonly terraformId: string;
}

/**
 * One Vault PKI mount with what every mount of the library carries: issuing-certificate and CRL
 * URLs (H1/H2), a CRL that rebuilds itself, and auto-tidy. Logical ids come from names.
 * @internal
 */
export class PkiMount extends Construct {
  public readonly mount: Mount;
  private readonly terraformIdPrefix: string;

  constructor(scope: Construct, id: string, options: PkiMountOptions) {
    super(scope, id);
    const { vault, path } = options;
    this.terraformIdPrefix = options.terraformId;
    this.mount = this.named(new Mount(this, 'mount', {
      path,
      type: 'pki',
      description: options.description,
      defaultLeaseTtlSeconds: options.defaultLeaseTtlSeconds,
      maxLeaseTtlSeconds: options.maxLeaseTtlSeconds,
    }), 'mount');
    this.named(new PkiSecretBackendConfigUrls(this, 'urls', {
      backend: this.mount.path,
      issuingCertificates: [PkiNames.vaultApiUrl(vault.aiaBaseUrl, `${path}/ca`, vault.vaultNamespace)],
      crlDistributionPoints: [PkiNames.vaultApiUrl(vault.aiaBaseUrl, `${path}/crl`, vault.vaultNamespace)],
    }), 'urls');
    this.named(new PkiSecretBackendCrlConfig(this, 'crl', {
      backend: this.mount.path,
      expiry: Durations.goFromSeconds(3 * Durations.DAY),
      autoRebuild: true,
      autoRebuildGracePeriod: Durations.goFromSeconds(12 * Durations.HOUR),
    }), 'crl');
    this.named(new PkiSecretBackendConfigAutoTidy(this, 'auto-tidy', {
      backend: this.mount.path,
      enabled: true,
      intervalDuration: Durations.goFromSeconds(12 * Durations.HOUR),
      safetyBuffer: Durations.goFromSeconds(3 * Durations.DAY),
      tidyCertStore: true,
      tidyRevokedCerts: true,
      tidyRevokedCertIssuerAssociations: true,
    }), 'auto-tidy');
  }

  /** Gives `resource` the logical id `<prefix>_<kind>` and returns it. */
  public named<T extends { overrideLogicalId(id: string): void }>(resource: T, kind: string): T {
    resource.overrideLogicalId(PkiNames.terraformId(this.terraformIdPrefix, kind));
    return resource;
  }
}
