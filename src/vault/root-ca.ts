import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { PkiValidationError, Problems } from '../core/errors';
import { KeyAlgorithm } from '../core/key-algorithm';
import { PkiNames } from '../core/names';
import { PkiMount } from './pki-mount';
import { Provenance } from '../core/provenance';
import { Mount, PkiSecretBackendRootCert } from '../terraform';
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
 * Created by {@link PkiHierarchy}.
 */
export class RootCa extends Construct {
  /** Maximum root CA lifetime: 10 years. */
  public static readonly MAX_TTL = Duration.days(3650);

  /** @internal */
  public static _problems(props: RootCaOptions, prefix: string): string[] {
    const problems = new Problems();
    const cn = props.commonName;
    problems.check(typeof cn !== 'string' || cn.trim().length === 0 || cn.length > 64, () =>
      `'${prefix}commonName' (${cn ?? '<missing>'}) must be 1 to 64 characters; name the CA, e.g. 'acme-root-ca'`);
    const ttl = props.ttl ?? RootCa.MAX_TTL;
    if (!Durations.isWholePositive(ttl)) {
      problems.add(`'${prefix}ttl' (${Durations.describe(ttl)}) must be a positive whole number of seconds`);
    } else {
      problems.check(Durations.seconds(ttl) > Durations.seconds(RootCa.MAX_TTL), () =>
        `'${prefix}ttl' (${Durations.describe(ttl)}) must not exceed ${Durations.describe(RootCa.MAX_TTL)} (10 years); lower 'ttl'`);
    }
    for (const p of (props.keyAlgorithm ?? KeyAlgorithm.ECDSA_P384)._problems(`${prefix}keyAlgorithm`, 'a root CA', { ECDSA: 384, RSA: 4096 })) {
      problems.add(p);
    }
    return problems.messages;
  }

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
    if (!Provenance.redeem('RootCa')) {
      throw new PkiValidationError('RootCa', this.node.path, ["is created by its PkiHierarchy ('root'), not on its own: " +
        "a root outside its hierarchy would skip the hierarchy's checks"]);
    }
    const problems = new Problems();
    RootCa._problems(props, '').forEach((p) => problems.add(p));
    problems.check(!Dns.isLabel(props.hierarchyName), () =>
      `'hierarchyName' (${props.hierarchyName}) must be an RFC 1123 label`);
    problems.throwIfAny(this, 'RootCa');

    this.ttl = props.ttl ?? RootCa.MAX_TTL;
    this.keyAlgorithm = props.keyAlgorithm ?? KeyAlgorithm.ECDSA_P384;
    this.commonName = props.commonName;
    this.mountPath = PkiNames.rootMountPath(props.hierarchyName);
    const pkiMount = new PkiMount(props.vault, PkiNames.terraformId(props.hierarchyName, 'root'), {
      vault: props.vault,
      path: this.mountPath,
      description: `Root CA ${props.commonName} (cdk8s-vault-pki): signs intermediates only`,
      // The root certificate's own TTL is capped by the mount's max lease TTL.
      defaultLeaseTtlSeconds: Durations.seconds(this.ttl),
      maxLeaseTtlSeconds: Durations.seconds(this.ttl),
      terraformId: PkiNames.terraformId(props.hierarchyName, 'root'),
    });
    this._mount = pkiMount.mount;
    this._certificate = pkiMount.named(new PkiSecretBackendRootCert(pkiMount, 'certificate', {
      backend: this._mount.path,
      // H1/H12: the key is generated inside Vault and never leaves it (not in the response, not in state).
      type: 'internal',
      commonName: props.commonName,
      organization: props.organization,
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
