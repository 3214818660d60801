import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Durations } from '../core/durations';
import { PkiValidationError } from '../core/errors';
import { KeyAlgorithm } from '../core/key-algorithm';
import { PkiNames } from '../core/names';
import { Provenance } from '../core/provenance';
import { Mount, PkiSecretBackendRootCert } from '../terraform';
import { resolveRoot } from './hierarchy-rules';
import { PkiMount } from './pki-mount';
import { VaultPkiStack } from './vault-pki-stack';

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
}

/** Props of {@link RootCa}. */
export interface RootCaProps extends RootCaOptions {
  /** The Terraform stack the Vault resources go into. */
  readonly vault: VaultPkiStack;
  /** Name of the hierarchy (RFC 1123 label): the prefix of every mount path. */
  readonly hierarchyName: string;
}


/**
 * The root CA of a hierarchy (H1): its own Vault PKI mount, the key generated inside Vault
 * (`type = internal`, EC P-384 by default), TTL at most 10 years, issuing/CRL URLs and auto-tidy.
 * It signs intermediates only: no leaf role is ever created on its mount.
 * Created by {@link PkiHierarchy} (its props are checked there), never on its own.
 */
export class RootCa extends Construct {
  /** Vault mount path of the root CA, e.g. `pki-root`. */
  public readonly mountPath: string;
  /** Lifetime of the root CA certificate. */
  public readonly ttl: Duration;
  /** Key algorithm of the root CA. */
  public readonly keyAlgorithm: KeyAlgorithm;
  /** Common name of the root CA certificate. */
  public readonly commonName: string;

  /** @internal */
  public readonly _mount: Mount;
  /** @internal */
  public readonly _certificate: PkiSecretBackendRootCert;

  constructor(scope: Construct, id: string, props: RootCaProps) {
    super(scope, id);
    const root = resolveRoot(props);
    const { vault, hierarchyName } = props;
    if (!Provenance.redeem('RootCa')) {
      throw new PkiValidationError('RootCa', this.node.path, ["is created by its PkiHierarchy ('root'), not on its own: " +
        "a root outside its hierarchy would skip the hierarchy's checks"]);
    }
    this.ttl = root.ttl;
    this.keyAlgorithm = root.keyAlgorithm;
    this.commonName = root.commonName;
    this.mountPath = PkiNames.rootMountPath(hierarchyName);
    const tfId = PkiNames.terraformId(hierarchyName, 'root');
    const pkiMount = new PkiMount(vault, tfId, {
      vault,
      path: this.mountPath,
      description: `Root CA ${root.commonName} (cdk8s-vault-pki): signs intermediates only`,
      // The root certificate's own TTL is capped by the mount's max lease TTL.
      defaultLeaseTtlSeconds: Durations.seconds(this.ttl),
      maxLeaseTtlSeconds: Durations.seconds(this.ttl),
      terraformId: tfId,
    });
    this._mount = pkiMount.mount;
    this._certificate = pkiMount.named(new PkiSecretBackendRootCert(pkiMount, 'certificate', {
      backend: this._mount.path,
      // H1/H12: the key is generated inside Vault and never leaves it (not in the response, not in state).
      type: 'internal',
      commonName: root.commonName,
      organization: root.organization,
      ttl: Durations.vaultTtl(this.ttl),
      keyType: this.keyAlgorithm.vaultKeyType,
      keyBits: this.keyAlgorithm.vaultKeyBits,
      keyName: 'root',
      issuerName: 'root',
      // The root signs intermediates, which sign leaves only (their max_path_length is 0).
      maxPathLength: 1,
      excludeCnFromSans: true,
      format: 'pem',
    }), 'certificate');
  }
}
