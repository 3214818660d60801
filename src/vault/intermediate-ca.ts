import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Durations } from '../core/durations';
import { PkiValidationError } from '../core/errors';
import { KeyAlgorithm } from '../core/key-algorithm';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { Provenance } from '../core/provenance';
import { validate } from '../core/validation';
import {
  PkiSecretBackendIntermediateCertRequest, PkiSecretBackendIntermediateSetSigned, PkiSecretBackendIssuer,
  PkiSecretBackendRootSignIntermediate, TerraformFn, TerraformResource, TerraformToken,
} from '../terraform';
import { intermediateRules, resolveIntermediate } from './hierarchy-rules';
import { PkiMount } from './pki-mount';
import { RootCa } from './root-ca';
import { VaultPkiStack } from './vault-pki-stack';

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
   * Common name of the intermediate CA certificate.
   * @default - `<name> intermediate CA`
   */
  readonly commonName?: string;
}

/**
 * An intermediate CA as plain values: what another program (a tenant team's repository) needs to issue from it.
 * Mount path and issuer name are derived from the names by `PkiNames`, exactly as the hierarchy derives them.
 */
export interface IntermediateCaAttributes extends IntermediateCaOptions {
  /** Name of the hierarchy the intermediate belongs to, e.g. `pki`. */
  readonly hierarchyName: string;
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
  /** The named Vault issuer tenant roles pin (`issuer_ref`), e.g. `services`. */
  readonly issuerName: string;
  /** Lifetime of its certificate. */
  readonly ttl: Duration;
  /** Key algorithm of its certificate. */
  readonly keyAlgorithm: KeyAlgorithm;
  /** Common name of its certificate. */
  readonly commonName: string;
}


/** An intermediate CA imported by its attributes. */
class ImportedIntermediateCa extends Construct implements IIntermediateCa {
  public readonly name: string;
  public readonly hierarchyName: string;
  public readonly domains: string[];
  public readonly mountPath: string;
  public readonly issuerName: string;
  public readonly ttl: Duration;
  public readonly keyAlgorithm: KeyAlgorithm;
  public readonly commonName: string;

  constructor(scope: Construct, id: string, attrs: IntermediateCaAttributes) {
    super(scope, id);
    const resolved = resolveIntermediate(attrs ?? ({} as IntermediateCaAttributes));
    validate(this, 'IntermediateCa', { ...resolved, hierarchyName: attrs?.hierarchyName }, [
      (a) => (typeof a.hierarchyName !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(a.hierarchyName)
        || a.hierarchyName.length > PkiLimits.HIERARCHY_NAME_MAX_LENGTH)
        && `'hierarchyName' (${a.hierarchyName}) must be the hierarchy's name (an RFC 1123 label of at most ${PkiLimits.HIERARCHY_NAME_MAX_LENGTH} characters)`,
      ...intermediateRules(''),
    ]);
    this.name = resolved.name;
    this.hierarchyName = attrs.hierarchyName;
    this.domains = resolved.domains as string[];
    this.ttl = resolved.ttl;
    this.keyAlgorithm = resolved.keyAlgorithm;
    this.commonName = resolved.commonName;
    this.mountPath = PkiNames.intermediateMountPath(this.hierarchyName, this.name);
    this.issuerName = PkiNames.intermediateIssuerName(this.name);
    Provenance.register(this, 'IntermediateCa');
  }
}

/** Props of {@link IntermediateCa}. */
export interface IntermediateCaProps extends IntermediateCaOptions {
  /** The root CA that signs this intermediate. */
  readonly root: RootCa;
  /** The Terraform stack the Vault resources go into. */
  readonly vault: VaultPkiStack;
  /** Name of the hierarchy (RFC 1123 label). */
  readonly hierarchyName: string;
}

/**
 * An intermediate CA (H2): its own Vault PKI mount, the key generated inside Vault (`internal`),
 * signed by the root with `max_path_length = 0` and `permitted_dns_domains` = its domains,
 * issuing/CRL URLs, auto-tidy, and a named Vault issuer that tenant roles pin.
 * Created by {@link PkiHierarchy}; reach it with `hierarchy.intermediate(name)`, or from another program with
 * `IntermediateCa.fromAttributes()`.
 */
export class IntermediateCa extends Construct implements IIntermediateCa {
  /**
   * An intermediate CA of a hierarchy another program manages (e.g. the platform team's repository), from plain
   * values. The names it derives (mount path, issuer) are the ones the hierarchy derives.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: IntermediateCaAttributes): IIntermediateCa {
    return new ImportedIntermediateCa(scope, id, attrs);
  }

  public readonly name: string;
  public readonly hierarchyName: string;
  public readonly domains: string[];
  public readonly mountPath: string;
  public readonly issuerName: string;
  public readonly ttl: Duration;
  public readonly keyAlgorithm: KeyAlgorithm;
  public readonly commonName: string;
  /** The Terraform stack holding its Vault resources. */
  public readonly vault: VaultPkiStack;

  /** @internal */
  public readonly _signed: PkiSecretBackendRootSignIntermediate;
  /** The resource that makes the named issuer exist (roles in the same stack depend on it). @internal */
  public readonly _issuer: TerraformResource;

  constructor(scope: Construct, id: string, props: IntermediateCaProps) {
    super(scope, id);
    if (!Provenance.redeem('IntermediateCa')) {
      throw new PkiValidationError('IntermediateCa', this.node.path, ["is created by its PkiHierarchy ('intermediates'), not on its own: " +
        "an intermediate outside its hierarchy would skip the hierarchy's checks (disjoint domains, unique names, alerts, trust bundle)"]);
    }
    const resolved = resolveIntermediate(props);
    this.name = resolved.name;
    this.hierarchyName = props.hierarchyName;
    this.domains = resolved.domains as string[];
    this.ttl = resolved.ttl;
    this.keyAlgorithm = resolved.keyAlgorithm;
    this.commonName = resolved.commonName;
    this.vault = props.vault;
    this.mountPath = PkiNames.intermediateMountPath(props.hierarchyName, props.name);
    this.issuerName = PkiNames.intermediateIssuerName(props.name);

    const tfId = PkiNames.terraformId(props.hierarchyName, 'int', props.name);
    const pkiMount = new PkiMount(props.vault, tfId, {
      vault: props.vault,
      path: this.mountPath,
      description: `Intermediate CA ${this.commonName} for ${this.domains.join(', ')} (cdk8s-vault-pki)`,
      defaultLeaseTtlSeconds: Durations.seconds(PkiLimits.MOUNT_DEFAULT_LEASE_TTL),
      maxLeaseTtlSeconds: Durations.seconds(PkiLimits.MOUNT_MAX_LEASE_TTL),
      terraformId: tfId,
    });
    const mount = pkiMount.mount;

    // H2/H12: the intermediate's key is generated inside Vault; only the CSR leaves it.
    const csr = pkiMount.named(new PkiSecretBackendIntermediateCertRequest(pkiMount, 'csr', {
      backend: mount.path,
      type: 'internal',
      commonName: this.commonName,
      keyType: this.keyAlgorithm.vaultKeyType,
      keyBits: this.keyAlgorithm.vaultKeyBits,
      keyName: PkiNames.intermediateKeyName(props.name),
      excludeCnFromSans: true,
      format: 'pem',
    }), 'csr');

    this._signed = pkiMount.named(new PkiSecretBackendRootSignIntermediate(pkiMount, 'signed', {
      backend: props.root._mount.path,
      issuerRef: props.root._certificate.issuerId,
      csr: csr.csr,
      commonName: this.commonName,
      ttl: Durations.vaultTtl(this.ttl),
      // H2: the intermediate may sign leaves only, and only inside its domains.
      maxPathLength: 0,
      permittedDnsDomains: this.domains,
      excludeCnFromSans: true,
      useCsrValues: false,
      format: 'pem',
    }), 'signed');

    const setSigned = pkiMount.named(new PkiSecretBackendIntermediateSetSigned(pkiMount, 'set-signed', {
      backend: mount.path,
      // The intermediate alone, so `imported_issuers[0]` is always the intermediate (a bundle would
      // import the key-less root as a second issuer). Clients trust the root via the TrustBundle.
      certificate: this._signed.certificate,
    }), 'set-signed');

    this._issuer = pkiMount.named(new PkiSecretBackendIssuer(pkiMount, 'issuer', {
      backend: mount.path,
      issuerRef: TerraformToken.asString(TerraformFn.element(setSigned.importedIssuers, 0)),
      // Sent on every write: the provider's first write is a full update, so an unsent name would be cleared.
      issuerName: this.issuerName,
      // Never issue a leaf that outlives its CA: fail instead, the CA expiry alerts fire long before.
      leafNotAfterBehavior: 'err',
    }), 'issuer');
    Provenance.register(this, 'IntermediateCa');
  }
}

