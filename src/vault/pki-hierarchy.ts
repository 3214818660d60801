import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { rotationNow } from '../core/clock';
import { Provenance } from '../core/provenance';
import { validate, validateShapes } from '../core/validation';
import { VaultNames } from '../core/vault-names';
import { stackOf } from '../terraform';
import { CaGenerationOptions } from './ca-generation';
import { generationOptions } from './generation-rules';
import { HIERARCHY_RULES, ResolvedHierarchy, resolveIntermediate, resolveRoot } from './hierarchy-rules';
import { IntermediateCa } from './intermediate-ca';
import { IIntermediateCa, IntermediateCaOptions } from './intermediate-ca-options';
import { RootCa } from './root-ca';
import { RootCaOptions } from './root-ca-options';
import { VaultPkiStack } from './vault-pki-stack';
import { PkiValidationError } from '../core/errors';
import { Shape } from '../core/input-shapes';
import { PkiNames } from '../core/names';

/** A hierarchy's CAs as plain values: what alerts and trust bundles in another program need. */
export interface IPkiHierarchy extends IConstruct {
  /** Name of the hierarchy, e.g. `pki`: the prefix of every mount path and policy name. */
  readonly name: string;
  /** Common name of the root CA certificate. */
  readonly rootCommonName: string;
  /** Lifetime of the root CA certificate. */
  readonly rootTtl: Duration;
  /** The root CA's generations, defaults filled in. */
  readonly rootGenerations: CaGenerationOptions[];
  /** The intermediate CAs, in the order given. */
  readonly intermediates: IIntermediateCa[];
  /** Namespace the CA certificates are published into, in every cluster (trust-manager's trust namespace). */
  readonly caPublicationNamespace: string;
  /** The intermediate CA named `name`. */
  intermediate(name: string): IIntermediateCa;
}

/** Props of {@link PkiHierarchy} (and its attributes, for `PkiHierarchy.fromAttributes`). */
export interface PkiHierarchyAttributes {
  /**
   * Name of the hierarchy (RFC 1123 label, at most 20 characters): the prefix of every Vault
   * mount path and policy name. Give a second hierarchy (e.g. during a root CA rotation) its own name.
   * @default 'pki'
   */
  readonly name?: string;

  /** The root CA. */
  readonly root: RootCaOptions;

  /** The intermediate CAs, each on its own mount with its own, non-overlapping domains. */
  readonly intermediates: IntermediateCaOptions[];

  /**
   * Namespace the CA certificates are published into in each cluster (by Terraform, see
   * `PkiCluster.publishCaCertificates()`): trust-manager's trust namespace (`app.trust.namespace` of its Helm chart).
   * @default 'cert-manager'
   */
  readonly caPublicationNamespace?: string;
}

/** Props of {@link PkiHierarchy}. */
export interface PkiHierarchyProps extends PkiHierarchyAttributes {}

/** What a hierarchy's props, its root's and each intermediate's must be (for JavaScript and the other jsii languages). */
const HIERARCHY_SHAPES: Record<string, Shape> = {
  name: Shape.STRING, root: Shape.OBJECT, intermediates: Shape.LIST, caPublicationNamespace: Shape.STRING,
};
const ROOT_SHAPES: Record<string, Shape> = { commonName: Shape.STRING, ttl: Shape.DURATION, organization: Shape.STRING, generations: Shape.LIST };
const INTERMEDIATE_SHAPES: Record<string, Shape> = {
  name: Shape.STRING, domains: Shape.STRINGS, ttl: Shape.DURATION, commonName: Shape.STRING, generations: Shape.LIST,
};

function resolveHierarchy(props: PkiHierarchyAttributes, now: number): ResolvedHierarchy {
  return {
    now,
    name: props.name ?? 'pki',
    root: resolveRoot(props.root),
    intermediates: (props.intermediates ?? []).map(resolveIntermediate),
    caPublicationNamespace: props.caPublicationNamespace ?? 'cert-manager',
  };
}

function intermediateNamed(owner: IConstruct, intermediates: IIntermediateCa[], name: string): IIntermediateCa {
  const found = intermediates.find((i) => i.name === name);
  if (!found) {
    throw new PkiValidationError('PkiHierarchy', owner.node.path, [
      `has no intermediate named '${name}'; known intermediates: ${intermediates.map((i) => i.name).join(', ')}`,
    ]);
  }
  return found;
}

/** A hierarchy imported by its attributes. */
class ImportedPkiHierarchy extends Construct implements IPkiHierarchy {
  public readonly name: string;
  public readonly rootCommonName: string;
  public readonly rootTtl: Duration;
  public readonly rootGenerations: CaGenerationOptions[];
  public readonly intermediates: IIntermediateCa[];
  public readonly caPublicationNamespace: string;

  constructor(scope: Construct, id: string, attrs: PkiHierarchyAttributes) {
    super(scope, id);
    const resolved = resolveHierarchy(attrs ?? ({} as PkiHierarchyAttributes), rotationNow(this));
    validate(this, 'PkiHierarchy', resolved, HIERARCHY_RULES);
    this.name = resolved.name;
    this.rootCommonName = resolved.root.commonName;
    this.rootTtl = resolved.root.ttl;
    this.rootGenerations = Object.freeze(generationOptions(resolved.root.generations)) as CaGenerationOptions[];
    this.caPublicationNamespace = resolved.caPublicationNamespace;
    this.intermediates = Object.freeze(attrs.intermediates.map((i) =>
      IntermediateCa.fromAttributes(this, `intermediate-${i.name}`, { ...i, hierarchyName: resolved.name }))) as IIntermediateCa[];
    Provenance.register(this, 'PkiHierarchy');
  }

  public intermediate(name: string): IIntermediateCa {
    return intermediateNamed(this, this.intermediates, name);
  }
}

/**
 * A hardened Vault PKI: a root CA and any number of intermediate CAs, each on its own mount, keys generated inside
 * Vault (H1, H2, H12). The Vault half of the library: it lives in a Terraform stack (`scope` is a VaultPkiStack or
 * a construct in one). Hand an intermediate to tenants with `hierarchy.intermediate('services')`; another program
 * refers to it with `PkiHierarchy.fromAttributes()` or `IntermediateCa.fromAttributes()`.
 */
export class PkiHierarchy extends Construct implements IPkiHierarchy {
  /**
   * A hierarchy another program manages (its CAs' names, lifetimes and domains), for the trust bundles and alerts
   * of clusters this program describes. Validated like the hierarchy itself; every derived name is the same.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: PkiHierarchyAttributes): IPkiHierarchy {
    return new ImportedPkiHierarchy(scope, id, attrs);
  }

  public readonly name: string;
  public readonly rootCommonName: string;
  public readonly rootTtl: Duration;
  public readonly rootGenerations: CaGenerationOptions[];
  public readonly caPublicationNamespace: string;
  /** The Terraform stack holding the Vault resources. */
  public readonly vault: VaultPkiStack;
  /** The root CA. */
  public readonly root: RootCa;
  /** The intermediate CAs, in the order given. */
  public readonly intermediates: IIntermediateCa[];
  /** The intermediate CAs with their Vault resources. @internal */
  public readonly _intermediates: IntermediateCa[];

  constructor(scope: Construct, id: string, props: PkiHierarchyProps) {
    super(scope, id);
    const stack = stackOf(this);
    if (!(stack instanceof VaultPkiStack)) {
      throw new PkiValidationError('PkiHierarchy', this.node.path, [
        'must be created in a VaultPkiStack (the Vault half lives in Terraform): pass the stack, or a construct inside it, as the scope',
      ]);
    }
    validateShapes(this, 'PkiHierarchy', props, HIERARCHY_SHAPES);
    validateShapes(this, 'PkiHierarchy', props?.root, ROOT_SHAPES, 'root.');
    (props?.intermediates ?? []).forEach((i, k) => validateShapes(this, 'PkiHierarchy', i, INTERMEDIATE_SHAPES, `intermediates[${k}].`));
    const resolved = resolveHierarchy(props ?? ({} as PkiHierarchyProps), rotationNow(this));
    validate(this, 'PkiHierarchy', resolved, [
      ...HIERARCHY_RULES,
      'gate',
      (h) => {
        const owner = VaultNames.claim(this, 'hierarchy', h.name);
        return owner !== undefined && `'name' (${h.name}) is already used by the hierarchy at '${owner}' in the same Vault; give this hierarchy another 'name'`;
      },
      // Mount paths derived from different names can meet (hierarchy 'pki' with intermediate 'root', and hierarchy
      // 'pki-int': both 'pki-int-root'); two CAs in one mount would share keys and issuers.
      (h) => [PkiNames.rootMountPath(h.name), ...h.intermediates.map((i) => PkiNames.intermediateMountPath(h.name, i.name))].flatMap((path) => {
        const owner = VaultNames.claim(this, 'mount', path);
        return owner !== undefined ? [`its CA mount '${path}' is already the mount of a CA of '${owner}' in the same Vault; rename the hierarchy or ` +
          'the intermediate so that every CA has a mount of its own'] : [];
      }),
    ]);

    this.name = resolved.name;
    this.vault = stack;
    this.caPublicationNamespace = resolved.caPublicationNamespace;
    this.rootCommonName = resolved.root.commonName;
    this.rootTtl = resolved.root.ttl;
    this.root = Provenance.permit('RootCa', () => new RootCa(this, 'root', { ...props.root, vault: stack, hierarchyName: resolved.name }));
    this.rootGenerations = this.root.generations;
    this._intermediates = Object.freeze(props.intermediates.map((options) => Provenance.permit('IntermediateCa', () =>
      new IntermediateCa(this, `intermediate-${options.name}`, { ...options, root: this.root, vault: stack, hierarchyName: resolved.name })))) as IntermediateCa[];
    this.intermediates = this._intermediates;
    Provenance.register(this, 'PkiHierarchy');
  }

  /**
   * The intermediate CA named `name`, to hand to tenants.
   * @throws PkiValidationError when there is no such intermediate
   */
  public intermediate(name: string): IIntermediateCa {
    return intermediateNamed(this, this.intermediates, name);
  }
}
