import { Construct } from 'constructs';
import { GenerationState } from './ca-generation';
import { activeGeneration, issuerUsage, ResolvedGeneration } from './generation-rules';
import { VaultPkiStack } from './vault-pki-stack';
import { Durations } from '../core/durations';
import { PkiNames } from '../core/names';
import {
  Mount, PkiSecretBackendConfigAutoTidy, PkiSecretBackendConfigIssuers, PkiSecretBackendConfigUrls, PkiSecretBackendCrlConfig,
  PkiSecretBackendIssuer,
} from '../terraform';

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

/** Terraform refuses to destroy or replace the resource (plan fails): CA material goes only by leaving the program. @internal */
export const PROTECTED = { preventDestroy: true } as const;

/**
 * One Vault PKI mount with what every mount of the library carries: issuing-certificate and CRL
 * URLs (H1/H2), a CRL that rebuilds itself, and auto-tidy. Logical ids come from names.
 * @internal
 */
export class PkiMount extends Construct {
  public readonly mount: Mount;
  /** The mount's path. */
  public readonly path: string;
  /** The stack holding it. */
  public readonly vault: VaultPkiStack;
  private readonly terraformIdPrefix: string;

  constructor(scope: Construct, id: string, options: PkiMountOptions) {
    super(scope, id);
    const { vault, path } = options;
    this.vault = vault;
    this.path = path;
    this.terraformIdPrefix = options.terraformId;
    this.mount = this.named(new Mount(this, 'mount', {
      path,
      type: 'pki',
      // Who owns it: the stack's mount inventory refuses a plan that would destroy a mount the program dropped.
      description: `${options.description} ${vault._ownerMarker}`,
      defaultLeaseTtlSeconds: options.defaultLeaseTtlSeconds,
      maxLeaseTtlSeconds: options.maxLeaseTtlSeconds,
      // A changed path or type would replace the mount, and with it every key and issuer: Terraform refuses instead.
      // CrlProbes read a CRL's age from Vault's `304 Not Modified` answer to If-Modified-Since, which carries Last-Modified;
      // Vault hands the request header to the backend and the response header back only when the mount is tuned for
      // them (Vault builtin/logical/pki/util.go, sendNotModifiedResponseIfNecessary).
      passthroughRequestHeaders: ['If-Modified-Since'],
      allowedResponseHeaders: ['Last-Modified'],
      lifecycle: PROTECTED,
    }), 'mount');
    this.named(new PkiSecretBackendConfigUrls(this, 'urls', {
      backend: this.mount.path,
      issuingCertificates: [PkiNames.vaultApiUrl(vault.aiaBaseUrl, `${path}/ca`, vault.vaultNamespace)],
      crlDistributionPoints: [vault.crlUrl(path)],
      // Vault's OCSP responder for every issuer of the mount (unauthenticated GET/POST <mount>/ocsp, Vault >= 1.12).
      ocspServers: [PkiNames.vaultApiUrl(vault.aiaBaseUrl, `${path}/ocsp`, vault.vaultNamespace)],
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

  /**
   * The `vault_pki_secret_backend_issuer` of one CA generation: its name, its usage by state, its own AIA and CRL URLs
   * (so a leaf of a draining generation still finds its issuer and CRL after the mount's default moved on), and
   * `leaf_not_after_behavior = err`. Every field is sent: the provider's first write is a POST that resets the rest.
   * `issuerRef` is the issuer's ID, never repointed (provider 5.6 PATCHes the old issuer when it changes).
   */
  public generationIssuer(generation: number, issuerRef: string, issuerName: string, state: GenerationState,
    dependsOn?: PkiSecretBackendConfigIssuers): PkiSecretBackendIssuer {
    const issuerPath = `${this.path}/issuer/${issuerName}`;
    return this.named(new PkiSecretBackendIssuer(this, PkiNames.generationId('issuer', generation), {
      backend: this.mount.path,
      issuerRef,
      issuerName,
      usage: issuerUsage(state),
      // Never issue a leaf that outlives its CA: fail instead, the CA expiry alerts fire long before.
      leafNotAfterBehavior: 'err',
      issuingCertificates: [PkiNames.vaultApiUrl(this.vault.aiaBaseUrl, `${issuerPath}/der`, this.vault.vaultNamespace)],
      crlDistributionPoints: [PkiNames.vaultApiUrl(this.vault.aiaBaseUrl, `${issuerPath}/crl/der`, this.vault.vaultNamespace)],
      // So a leaf can be checked for revocation online too (a compromised generation's leaves above all).
      ocspServers: [PkiNames.vaultApiUrl(this.vault.aiaBaseUrl, `${this.path}/ocsp`, this.vault.vaultNamespace)],
      // A draining issuer loses issuing-certificates only after the default moved to the new generation, so no role
      // signing through `default` ever meets an issuer that may not issue.
      dependsOn: dependsOn ? [dependsOn] : undefined,
      lifecycle: PROTECTED,
    }), PkiNames.generationId('issuer', generation));
  }

  /**
   * The mount's default issuer (`vault_pki_secret_backend_config_issuers`): the ACTIVE generation's issuer, by ID (what
   * Vault reads back), and `default_follows_latest_issuer = false` so that importing a new generation never moves it.
   * Tenant roles sign with `default`: this one resource is the switch.
   */
  public defaultIssuer(active: PkiSecretBackendIssuer): PkiSecretBackendConfigIssuers {
    return this.named(new PkiSecretBackendConfigIssuers(this, 'default-issuer', {
      backend: this.mount.path,
      default: active.issuerId,
      defaultFollowsLatestIssuer: false,
    }), 'default-issuer');
  }

  /** Gives `resource` the logical id `<prefix>_<kind>` and returns it. */
  public named<T extends { overrideLogicalId(id: string): void }>(resource: T, kind: string): T {
    resource.overrideLogicalId(this.logicalId(kind));
    return resource;
  }

  /** The logical id `<prefix>_<kind>` of one of the mount's Terraform elements. */
  public logicalId(kind: string): string {
    return PkiNames.terraformId(this.terraformIdPrefix, kind);
  }
}

/**
 * The Vault issuers of a CA's live generations and the mount's default issuer, in the order a switch needs: the
 * ACTIVE generation's issuer, then the default issuer (it refers to it), then the DRAINING issuers, which lose
 * `issuing-certificates` only after the default moved away from them.
 * @internal
 */
export class PkiGenerationIssuers {
  public readonly defaultIssuer: PkiSecretBackendConfigIssuers;
  private readonly issuers = new Map<number, PkiSecretBackendIssuer>();

  constructor(mount: PkiMount, live: readonly ResolvedGeneration[], issuerOf: (g: ResolvedGeneration) => { issuerRef: string; issuerName: string }) {
    const active = activeGeneration(live);
    const make = (g: ResolvedGeneration, dependsOn?: PkiSecretBackendConfigIssuers) => {
      const { issuerRef, issuerName } = issuerOf(g);
      this.issuers.set(g.generation, mount.generationIssuer(g.generation, issuerRef, issuerName, g.state, dependsOn));
    };
    make(active);
    this.defaultIssuer = mount.defaultIssuer(this.issuers.get(active.generation)!);
    for (const g of live) {
      // A compromised generation stops issuing at once, whether or not the rest of the apply succeeds: if creating its
      // successor fails, roles fail to sign (an outage) rather than sign with a stolen key.
      if (g !== active) make(g, g.state === GenerationState.DRAINING && !g.compromised ? this.defaultIssuer : undefined);
    }
  }

  /** The issuer of a live generation. */
  public of(generation: number): PkiSecretBackendIssuer {
    return this.issuers.get(generation)!;
  }
}
