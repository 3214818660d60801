import { Construct } from 'constructs';
import { PublishedCaCertificates } from './published-ca-certificates';
import { Dns, DomainIndex } from '../core/dns';
import { PkiValidationError, Problems } from '../core/errors';
import { IIntermediateCa, IntermediateCa, IntermediateCaOptions } from './intermediate-ca';
import { KubernetesAuthBackend, KubernetesAuthOptions } from './kubernetes-auth-backend';
import { Provenance } from '../core/provenance';
import { RootCa, RootCaOptions } from './root-ca';
import { VaultPkiStack } from './vault-pki-stack';

/** Props of {@link PkiHierarchy}. */
export interface PkiHierarchyProps {
  /** The Terraform stack the Vault resources go into. */
  readonly vault: VaultPkiStack;

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
   * The Vault Kubernetes auth method to create for this hierarchy's tenants.
   * @default - path 'kubernetes', Vault running in the cluster
   */
  readonly kubernetesAuth?: KubernetesAuthOptions;

  /**
   * An existing Kubernetes auth method to reuse (e.g. the one of another hierarchy in the same
   * Vault) instead of creating one. Mutually exclusive with `kubernetesAuth`.
   * @default - a new auth method is created from `kubernetesAuth`
   */
  readonly kubernetesAuthBackend?: KubernetesAuthBackend;

  /**
   * Namespace the CA certificates are published into (by Terraform, see `publishCaCertificates()`):
   * trust-manager's trust namespace (`app.trust.namespace` of its Helm chart).
   * @default 'cert-manager'
   */
  readonly caPublicationNamespace?: string;
}

/**
 * A hardened Vault PKI: a root CA and any number of intermediate CAs, each on its own mount,
 * keys generated inside Vault (H1, H2, H12), plus the Kubernetes auth method tenant roles hang off.
 *
 * The construct lives in your cdk8s Chart; its Vault resources go into the `vault` stack.
 * Hand an intermediate to tenants with `hierarchy.intermediate('services')`.
 */
export class PkiHierarchy extends Construct {
  /** Name of the hierarchy, e.g. `pki`. */
  public readonly name: string;
  /** The Terraform stack holding the Vault resources. */
  public readonly vault: VaultPkiStack;
  /** The root CA. */
  public readonly root: RootCa;
  /** The intermediate CAs, in the order given. */
  public readonly intermediates: IntermediateCa[];
  /** The Kubernetes auth method tenants log in with. */
  public readonly kubernetesAuth: KubernetesAuthBackend;
  /** Namespace the CA certificates are published into. */
  public readonly caPublicationNamespace: string;

  private published?: PublishedCaCertificates;

  constructor(scope: Construct, id: string, props: PkiHierarchyProps) {
    super(scope, id);
    const name = props.name ?? 'pki';
    this.validate(name, props);

    this.name = name;
    this.vault = props.vault;
    this.caPublicationNamespace = props.caPublicationNamespace ?? 'cert-manager';
    this.kubernetesAuth = props.kubernetesAuthBackend
      ?? new KubernetesAuthBackend(this, 'kubernetes-auth', { ...props.kubernetesAuth, vault: props.vault });
    this.root = Provenance.permit('RootCa', () => new RootCa(this, 'root', { ...props.root, vault: props.vault, hierarchyName: name }));
    this.intermediates = Object.freeze(props.intermediates.map((options) => Provenance.permit('IntermediateCa', () =>
      new IntermediateCa(this, `intermediate-${options.name}`, {
        ...options,
        root: this.root,
        kubernetesAuth: this.kubernetesAuth,
        vault: props.vault,
        hierarchyName: name,
      })))) as IntermediateCa[];
  }

  /**
   * The intermediate CA named `name`, to hand to tenants.
   * @throws PkiValidationError when there is no such intermediate
   */
  public intermediate(name: string): IIntermediateCa {
    const found = this.intermediates.find((i) => i.name === name);
    if (!found) {
      throw new PkiValidationError('PkiHierarchy', this.node.path, [
        `has no intermediate named '${name}'; known intermediates: ${this.intermediates.map((i) => i.name).join(', ')}`,
      ]);
    }
    return found;
  }

  /**
   * Publishes the CA certificates (root and intermediates) into a ConfigMap in
   * `caPublicationNamespace`, written by Terraform from the Vault resources (created on first call;
   * TrustBundle and PkiAlerts call it). `terraform apply` then needs Kubernetes credentials in its
   * environment (`KUBE_CONFIG_PATH`, ...).
   */
  public publishCaCertificates(): PublishedCaCertificates {
    this.published ??= new PublishedCaCertificates(this, 'ca-certificates', {
      vault: this.vault,
      hierarchyName: this.name,
      root: this.root,
      intermediates: this.intermediates,
      namespace: this.caPublicationNamespace,
    });
    return this.published;
  }

  private validate(name: string, props: PkiHierarchyProps): void {
    const problems = new Problems();
    problems.check(!(props.vault instanceof VaultPkiStack), () => "'vault' is missing; pass the VaultPkiStack the Vault resources go into");
    problems.check(props.root === undefined || props.root === null, () => "'root' is missing; give the root CA, e.g. { commonName: 'acme-root-ca' }");
    problems.throwIfAny(this, 'PkiHierarchy');
    problems.check(!Dns.isLabel(name) || name.length > 20, () =>
      `'name' (${name}) must be an RFC 1123 label of at most 20 characters (lower-case letters, digits, '-'), e.g. 'pki'`);
    RootCa._problems(props.root ?? ({} as RootCaOptions), 'root.').forEach((p) => problems.add(p));
    const rootTtl = props.root?.ttl ?? RootCa.MAX_TTL;

    const intermediates = props.intermediates ?? [];
    problems.check(intermediates.length === 0, () =>
      "'intermediates' is empty; leaves are issued from intermediates only (the root signs intermediates), add e.g. { name: 'services', domains: ['services.internal'] }");
    const names = new Map<string, number>();
    const commonNames = new Map<string, string>([[props.root?.commonName, 'root.commonName']]);
    const domains = new DomainIndex();
    intermediates.forEach((options, i) => {
      const prefix = `intermediates[${i}].`;
      IntermediateCa._problems(options, prefix).forEach((p) => problems.add(p));
      const previous = names.get(options.name);
      problems.check(previous !== undefined, () =>
        `'${prefix}name' (${options.name}) duplicates 'intermediates[${previous}].name'; give every intermediate its own name`);
      names.set(options.name, i);
      const cn = options.commonName ?? `${options.name} intermediate CA`;
      const cnOwner = commonNames.get(cn);
      problems.check(cnOwner !== undefined, () =>
        `'${prefix}commonName' (${cn}) is already the common name of '${cnOwner}'; give every CA its own common name (alerts and clients tell CAs apart by it)`);
      commonNames.set(cn, `${prefix}commonName`);
      const tooLong = IntermediateCa._ttlProblem(options.ttl ?? IntermediateCa.DEFAULT_TTL, rootTtl, prefix, "'root.ttl'");
      if (tooLong) problems.add(tooLong);
      for (const domain of options.domains ?? []) {
        if (!Dns.isName(domain)) continue; // reported above
        const conflict = domains.conflict(domain);
        if (conflict && conflict.owner !== options.name) {
          problems.add(`'${prefix}domains' (${domain}) overlaps '${conflict.domain}' of intermediate '${conflict.owner}'; ` +
            'intermediates need disjoint domains so name constraints separate them, pick a domain outside it');
        }
        domains.register(domain, options.name);
      }
    });

    problems.check(props.caPublicationNamespace !== undefined && !Dns.isLabel(props.caPublicationNamespace), () =>
      `'caPublicationNamespace' (${props.caPublicationNamespace}) is not a valid namespace name (RFC 1123 label)`);
    if (props.kubernetesAuthBackend && props.kubernetesAuth) {
      problems.add("'kubernetesAuth' and 'kubernetesAuthBackend' are both set; set 'kubernetesAuth' to create an auth method or 'kubernetesAuthBackend' to reuse one, not both");
    } else if (props.kubernetesAuthBackend && props.kubernetesAuthBackend.vault !== props.vault) {
      problems.add("'kubernetesAuthBackend' belongs to another VaultPkiStack; reuse only an auth method of the same 'vault' stack");
    } else if (!props.kubernetesAuthBackend) {
      KubernetesAuthBackend._problems(props.kubernetesAuth ?? {}, 'kubernetesAuth.').forEach((p) => problems.add(p));
    }

    if (problems.messages.length === 0) {
      const owner = props.vault._claim('hierarchy', name, this.node.path);
      problems.check(owner !== undefined, () =>
        `'name' (${name}) is already used by the hierarchy at '${owner}' in the same Vault stack; give this hierarchy another 'name'`);
    }
    problems.throwIfAny(this, 'PkiHierarchy');
  }
}
