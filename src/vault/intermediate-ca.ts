import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CaGenerationOptions } from './ca-generation';
import { isLive } from './generation-rules';
import { intermediateRules, intermediateValues, resolveIntermediate } from './hierarchy-rules';
import { PkiGenerationIssuers, PkiMount, PROTECTED } from './pki-mount';
import { CaGenerationResources, RootCa } from './root-ca';
import { CaRotationGuard } from './rotation-guard';
import { VaultPkiStack } from './vault-pki-stack';
import { rotationNow } from '../core/clock';
import { Durations } from '../core/durations';
import { PkiValidationError } from '../core/errors';
import { KeyAlgorithm } from '../core/key-algorithm';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { Provenance } from '../core/provenance';
import { validate } from '../core/validation';
import {
  PkiSecretBackendConfigIssuers, PkiSecretBackendIntermediateCertRequest, PkiSecretBackendIntermediateSetSigned,
  GenericEndpoint, PkiSecretBackendRootSignIntermediate, TerraformFn, TerraformToken,
} from '../terraform';
import { FleetContractBase } from './fleet-contract-base';
import { IIntermediateCa, IntermediateCaOptions } from './intermediate-ca-options';

/**
 * An intermediate CA as plain values: what another program (a tenant team's repository) needs to issue from it.
 * Mount path and issuer name are derived from the names by `PkiNames`, exactly as the hierarchy derives them.
 */
export interface IntermediateCaAttributes extends IntermediateCaOptions {
  /** Name of the hierarchy the intermediate belongs to, e.g. `pki`. */
  readonly hierarchyName: string;

  /**
   * The platform's fleet contract: the intermediate must be one it holds, with the same domains, lifetime and key
   * algorithm, or synthesis fails (`FleetContract.intermediate()` builds the import from the contract alone).
   * @default - not checked against a contract (ConsistencyCheck.checkFleet still compares the outputs)
   */
  readonly contract?: FleetContractBase;
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
  public readonly generations: CaGenerationOptions[];
  public readonly activeGeneration: number;

  constructor(scope: Construct, id: string, attrs: IntermediateCaAttributes) {
    super(scope, id);
    const resolved = resolveIntermediate(attrs ?? ({} as IntermediateCaAttributes));
    validate(this, 'IntermediateCa', { ...resolved, hierarchyName: attrs?.hierarchyName }, [
      (a) => (typeof a.hierarchyName !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(a.hierarchyName)
        || a.hierarchyName.length > PkiLimits.HIERARCHY_NAME_MAX_LENGTH)
        && `'hierarchyName' (${a.hierarchyName}) must be the hierarchy's name (an RFC 1123 label of at most ${PkiLimits.HIERARCHY_NAME_MAX_LENGTH} characters)`,
      ...intermediateRules('', rotationNow(this)),
      'gate',
      (a) => attrs.contract?._intermediateProblems({ ...a, hierarchyName: a.hierarchyName as string }),
    ]);
    const values = intermediateValues(resolved, attrs.hierarchyName);
    this.name = values.name;
    this.hierarchyName = values.hierarchyName;
    this.domains = values.domains;
    this.ttl = values.ttl;
    this.keyAlgorithm = values.keyAlgorithm;
    this.commonName = values.commonName;
    this.mountPath = values.mountPath;
    this.generations = values.generations;
    this.activeGeneration = values.activeGeneration;
    this.issuerName = values.issuerName;
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
 * An intermediate CA (H2): its own Vault PKI mount; per live generation a key generated inside Vault (`internal`),
 * signed by a root generation with `max_path_length = 0` and `permitted_dns_domains` = its domains, imported as a
 * named issuer with its own AIA and CRL URLs; the mount's default issuer (what tenant roles sign with) set to the
 * ACTIVE generation; issuing/CRL URLs and auto-tidy. Terraform refuses to destroy or replace a live generation
 * (`prevent_destroy`): one goes only when it is RETIRED.
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
  public readonly generations: CaGenerationOptions[];
  public readonly activeGeneration: number;
  /** The Terraform stack holding its Vault resources. */
  public readonly vault: VaultPkiStack;

  /** The live generations with their Vault resources, by number. @internal */
  public readonly _generations: ReadonlyMap<number, CaGenerationResources>;
  /** The mount's default issuer: roles in the same stack depend on it. @internal */
  public readonly _defaultIssuer: PkiSecretBackendConfigIssuers;

  constructor(scope: Construct, id: string, props: IntermediateCaProps) {
    super(scope, id);
    if (!Provenance.redeem('IntermediateCa')) {
      throw new PkiValidationError('IntermediateCa', this.node.path, ["is created by its PkiHierarchy ('intermediates'), not on its own: " +
        "an intermediate outside its hierarchy would skip the hierarchy's checks (disjoint domains, unique names, alerts, trust bundle)"]);
    }
    const resolved = resolveIntermediate(props);
    const values = intermediateValues(resolved, props.hierarchyName);
    this.name = values.name;
    this.hierarchyName = values.hierarchyName;
    this.domains = values.domains;
    this.ttl = values.ttl;
    this.keyAlgorithm = values.keyAlgorithm;
    this.commonName = values.commonName;
    this.vault = props.vault;
    this.mountPath = values.mountPath;
    this.generations = values.generations;
    this.activeGeneration = values.activeGeneration;
    this.issuerName = values.issuerName;

    const tfId = PkiNames.terraformId(props.hierarchyName, 'int', props.name);
    const pkiMount = new PkiMount(props.vault, tfId, {
      vault: props.vault,
      path: this.mountPath,
      description: `Intermediate CA ${this.commonName} for ${this.domains.join(', ')}`,
      defaultLeaseTtlSeconds: Durations.seconds(PkiLimits.MOUNT_DEFAULT_LEASE_TTL),
      maxLeaseTtlSeconds: Durations.seconds(PkiLimits.MOUNT_MAX_LEASE_TTL),
      terraformId: tfId,
    });
    const mount = pkiMount.mount;
    const live = resolved.generations.filter(isLive);

    // Per generation: a CSR for a fresh key, the root generation's signature, and the import. Every one of these is
    // create-once in provider 5.6 (ForceNew attributes, no-op Update and Delete), so a generation is never edited:
    // a new one is added. prevent_destroy turns an accidental replacement into a failed plan.
    const imported = new Map(live.map((g) => {
      const idOf = (kind: string) => PkiNames.generationId(kind, g.generation);
      const commonName = PkiNames.generationCommonName(this.commonName, g.generation);
      // H2/H12: the intermediate's key is generated inside Vault; only the CSR leaves it.
      const csr = pkiMount.named(new PkiSecretBackendIntermediateCertRequest(pkiMount, idOf('csr'), {
        backend: mount.path,
        type: 'internal',
        commonName,
        keyType: this.keyAlgorithm.vaultKeyType,
        keyBits: this.keyAlgorithm.vaultKeyBits,
        // A name never used before in the mount: Vault refuses a key name in use (and a reused one would fail the apply).
        keyName: PkiNames.generationName(props.name, g.generation),
        excludeCnFromSans: true,
        format: 'pem',
        lifecycle: PROTECTED,
      }), idOf('csr'));

      const signed = pkiMount.named(new PkiSecretBackendRootSignIntermediate(pkiMount, idOf('signed'), {
        backend: props.root._mount.path,
        // The root generation's issuer by ID: signing with it needs its issuing-certificates usage (PREPARED or ACTIVE).
        issuerRef: props.root._generation(g.rootGeneration).issuer.issuerId,
        csr: csr.csr,
        commonName,
        ttl: Durations.vaultTtl(this.ttl),
        // H2: the intermediate may sign leaves only, and only inside its domains.
        maxPathLength: 0,
        permittedDnsDomains: this.domains,
        excludeCnFromSans: true,
        useCsrValues: false,
        format: 'pem',
        // A compromised generation is revoked at the root when its resource goes (RETIRED): the provider revokes the
        // serial on delete only when this was already true in state, so the flag is applied one phase before.
        revoke: g.compromised ? true : undefined,
        lifecycle: PROTECTED,
      }), idOf('signed'));

      const setSigned = pkiMount.named(new PkiSecretBackendIntermediateSetSigned(pkiMount, idOf('set-signed'), {
        backend: mount.path,
        // The intermediate alone, so `imported_issuers[0]` is always this generation's issuer (a bundle would
        // import the key-less root as a second issuer). Clients trust the root via the TrustBundle.
        certificate: signed.certificate,
        lifecycle: PROTECTED,
      }), idOf('set-signed'));
      if (g.compromised) {
        // Revocation in the apply that replaces the compromised generation: an explicit write to the root mount's
        // revoke endpoint (what the provider's `revoke = true` does on delete, vault 5.6.0
        // resource_pki_secret_backend_root_sign_intermediate.go), independent of every other resource, so no ordering,
        // failure or skipped phase can drop it. Vault puts the serial on the root's CRL; the write is idempotent.
        pkiMount.named(new GenericEndpoint(pkiMount, idOf('revoke'), {
          path: `${props.root.mountPath}/revoke`,
          dataJson: TerraformFn.jsonencode({ serial_number: signed.serialNumber }),
          disableRead: true,
          // Nothing to undo: a revocation stays.
          disableDelete: true,
        }), idOf('revoke'));
      }
      return [g.generation, { signed, issuerRef: TerraformToken.asString(TerraformFn.element(setSigned.importedIssuers, 0)) }];
    }));

    const issuers = new PkiGenerationIssuers(pkiMount, live, (g) => ({
      issuerRef: imported.get(g.generation)!.issuerRef,
      issuerName: PkiNames.intermediateIssuerName(props.name, g.generation),
    }));
    this._defaultIssuer = issuers.defaultIssuer;
    new CaRotationGuard(this, 'rotation-guard', {
      mount: pkiMount,
      ca: `intermediate '${props.name}'`,
      generations: resolved.generations,
      nameOf: (n) => PkiNames.intermediateIssuerName(props.name, n),
      domains: this.domains,
      signatures: live.map((g) => ({
        generation: g.generation,
        serial: imported.get(g.generation)!.signed.serialNumber,
        rootMount: props.root.mountPath,
      })),
    });
    this._generations = new Map(live.map((g) => [g.generation, {
      generation: g.generation,
      state: g.state,
      certificate: imported.get(g.generation)!.signed.certificate,
      issuer: issuers.of(g.generation),
    }]));
    Provenance.register(this, 'IntermediateCa');
  }
}

