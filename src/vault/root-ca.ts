import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CaGenerationOptions, GenerationState } from './ca-generation';
import { activeGeneration, generationOptions, isLive } from './generation-rules';
import { resolveRoot } from './hierarchy-rules';
import { PkiGenerationIssuers, PkiMount, PROTECTED } from './pki-mount';
import { RootCaOptions } from './root-ca-options';
import { CaRotationGuard } from './rotation-guard';
import { VaultPkiStack } from './vault-pki-stack';
import { Durations } from '../core/durations';
import { PkiValidationError } from '../core/errors';
import { KeyAlgorithm } from '../core/key-algorithm';
import { PkiNames } from '../core/names';
import { Provenance } from '../core/provenance';
import { Mount, PkiSecretBackendConfigIssuers, PkiSecretBackendIssuer, PkiSecretBackendRootCert } from '../terraform';

/** One live generation of a CA with its Vault resources. @internal */
export interface CaGenerationResources {
  readonly generation: number;
  readonly state: GenerationState;
  /** The certificate (PEM) of the generation, a Terraform reference. */
  readonly certificate: string;
  /** The generation's Vault issuer. */
  readonly issuer: PkiSecretBackendIssuer;
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
 * Each live generation is a self-signed certificate with its own key and a named issuer; the mount's default issuer
 * is the ACTIVE one. Terraform refuses to destroy or replace them (`prevent_destroy`): a generation goes only when it
 * is RETIRED, which the hierarchy allows once nothing chains to it.
 * Created by {@link PkiHierarchy} (its props are checked there), never on its own.
 */
export class RootCa extends Construct {
  /** Vault mount path of the root CA, e.g. `pki-root`. */
  public readonly mountPath: string;
  /** Lifetime of the root CA certificate. */
  public readonly ttl: Duration;
  /** Key algorithm of the root CA. */
  public readonly keyAlgorithm: KeyAlgorithm;
  /** Common name of the root CA certificate (of generation 1; later generations append ` g<N>`). */
  public readonly commonName: string;
  /** The root's generations, defaults filled in. */
  public readonly generations: CaGenerationOptions[];
  /** The ACTIVE generation: the root mount's default issuer. */
  public readonly activeGeneration: number;

  /** @internal */
  public readonly _mount: Mount;
  /** The live generations with their Vault resources, by number. @internal */
  public readonly _generations: ReadonlyMap<number, CaGenerationResources>;
  /** The mount's default issuer. @internal */
  public readonly _defaultIssuer: PkiSecretBackendConfigIssuers;

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
      description: `Root CA ${root.commonName}, signs intermediates only`,
      // The root certificate's own TTL is capped by the mount's max lease TTL.
      defaultLeaseTtlSeconds: Durations.seconds(this.ttl),
      maxLeaseTtlSeconds: Durations.seconds(this.ttl),
      terraformId: tfId,
    });
    this._mount = pkiMount.mount;
    this.generations = Object.freeze(generationOptions(root.generations)) as CaGenerationOptions[];
    const active = activeGeneration(root.generations);
    this.activeGeneration = active.generation;

    const live = root.generations.filter(isLive);
    const certificates = new Map(live.map((g) => {
      const name = PkiNames.generationName('root', g.generation);
      const certificate = pkiMount.named(new PkiSecretBackendRootCert(pkiMount, PkiNames.generationId('certificate', g.generation), {
        backend: this._mount.path,
        // H1/H12: the key is generated inside Vault and never leaves it (not in the response, not in state).
        type: 'internal',
        commonName: PkiNames.generationCommonName(root.commonName, g.generation),
        organization: root.organization,
        ttl: Durations.vaultTtl(this.ttl),
        keyType: this.keyAlgorithm.vaultKeyType,
        keyBits: this.keyAlgorithm.vaultKeyBits,
        // A name never used before in the mount: Vault refuses a key name in use.
        keyName: name,
        issuerName: name,
        // The root signs intermediates, which sign leaves only (their max_path_length is 0).
        maxPathLength: 1,
        excludeCnFromSans: true,
        format: 'pem',
        lifecycle: PROTECTED,
      }), PkiNames.generationId('certificate', g.generation));
      return [g.generation, certificate];
    }));
    const issuers = new PkiGenerationIssuers(pkiMount, live, (g) => ({
      issuerRef: certificates.get(g.generation)!.issuerId,
      issuerName: PkiNames.generationName('root', g.generation),
    }));
    this._defaultIssuer = issuers.defaultIssuer;
    const generations = new Map(live.map((g) => [g.generation, {
      generation: g.generation,
      state: g.state,
      certificate: certificates.get(g.generation)!.certificate,
      issuer: issuers.of(g.generation),
    }]));
    this._generations = generations;
    new CaRotationGuard(this, 'rotation-guard', {
      mount: pkiMount,
      ca: 'the root',
      generations: root.generations,
      nameOf: (n) => PkiNames.generationName('root', n),
      domains: [],
    });
  }

  /** The live generation `generation` with its Vault resources (the hierarchy's rules make sure it exists). @internal */
  public _generation(generation: number): CaGenerationResources {
    const found = this._generations.get(generation);
    if (!found) throw new Error(`root generation ${generation} is not live`);
    return found;
  }
}
