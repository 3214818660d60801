import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { PkiValidationError, Problems } from '../core/errors';
import { KeyAlgorithm } from '../core/key-algorithm';
import { KubernetesAuthBackend } from './kubernetes-auth-backend';
import { PkiNames } from '../core/names';
import { PkiMount } from './pki-mount';
import { Provenance } from '../core/provenance';
import { RootCa } from './root-ca';
import {
  PkiSecretBackendIntermediateCertRequest, PkiSecretBackendIntermediateSetSigned, PkiSecretBackendIssuer,
  PkiSecretBackendRootSignIntermediate, TerraformFn, TerraformToken,
} from '../terraform';
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

/** An intermediate CA that tenants issue leaf certificates from. */
export interface IIntermediateCa extends IConstruct {
  /** Name of the intermediate, e.g. `services`. */
  readonly name: string;
  /** Name of the hierarchy it belongs to. */
  readonly hierarchyName: string;
  /** DNS domains it may issue for (its name constraints). */
  readonly domains: string[];
  /** Its Vault PKI mount path, e.g. `pki-int-services`. */
  readonly mountPath: string;
  /** Lifetime of its certificate. */
  readonly ttl: Duration;
  /** Key algorithm of its certificate. */
  readonly keyAlgorithm: KeyAlgorithm;
  /** The Terraform stack holding its Vault resources. */
  readonly vault: VaultPkiStack;
  /** The Kubernetes auth backend tenants of this intermediate log in with. */
  readonly kubernetesAuth: KubernetesAuthBackend;
  /** Terraform reference to the mount path (orders dependents after the mount). */
  readonly mountPathRef: string;
  /** Terraform reference to the Vault issuer id that roles pin with `issuer_ref`. */
  readonly issuerIdRef: string;
}

/** Props of {@link IntermediateCa}. */
export interface IntermediateCaProps extends IntermediateCaOptions {
  /** The root CA that signs this intermediate. */
  readonly root: RootCa;
  /** The Kubernetes auth backend tenants of this intermediate log in with. */
  readonly kubernetesAuth: KubernetesAuthBackend;
  /** The Terraform stack the Vault resources go into. */
  readonly vault: VaultPkiStack;
  /** Name of the hierarchy (RFC 1123 label). */
  readonly hierarchyName: string;
}

/**
 * An intermediate CA (H2): its own Vault PKI mount, the key generated inside Vault (`internal`),
 * signed by the root with `max_path_length = 0` and `permitted_dns_domains` = its domains,
 * issuing/CRL URLs, auto-tidy, and a named Vault issuer that tenant roles pin.
 * Created by {@link PkiHierarchy}; reach it with `hierarchy.intermediate(name)`.
 */
export class IntermediateCa extends Construct implements IIntermediateCa {
  /** Default lifetime of an intermediate: 1 year. */
  public static readonly DEFAULT_TTL = Duration.days(365);
  /** Shortest intermediate lifetime: 30 days, so rotation has room beside 48h leaves. */
  public static readonly MIN_TTL = Duration.days(30);
  /** Default lease TTL of an intermediate mount: the default leaf lifetime, 24h. */
  public static readonly LEAF_DEFAULT_TTL = Duration.hours(24);
  /** Max lease TTL of an intermediate mount: the library's cap on leaf lifetimes, 48h (H3). */
  public static readonly LEAF_MAX_TTL = Duration.hours(48);

  /** @internal */
  public static _problems(props: IntermediateCaOptions, prefix: string): string[] {
    const problems = new Problems();
    problems.check(!Dns.isLabel(props.name) || props.name.length > 40, () =>
      `'${prefix}name' (${props.name}) must be an RFC 1123 label of at most 40 characters (lower-case letters, digits, '-'), e.g. 'services'`);
    const domains = props.domains ?? [];
    problems.check(domains.length === 0, () =>
      `'${prefix}domains' is empty; give the DNS domains this intermediate issues for, e.g. ['services.internal']`);
    const seen = new Set<string>();
    for (const d of domains) {
      if (Dns.isWildcard(d)) {
        problems.add(`'${prefix}domains' (${d}) must not be a wildcard; name the domain itself (name constraints cover its subdomains)`);
      } else if (Dns.nameProblem(d)) {
        problems.add(`'${prefix}domains' (${d}) ${Dns.nameProblem(d)}`);
      }
      problems.check(seen.has(d), () => `'${prefix}domains' lists '${d}' twice; remove the duplicate`);
      seen.add(d);
    }
    const ttl = props.ttl ?? IntermediateCa.DEFAULT_TTL;
    if (!Durations.isWholePositive(ttl)) {
      problems.add(`'${prefix}ttl' (${Durations.describe(ttl)}) must be a positive whole number of seconds`);
    } else {
      problems.check(Durations.seconds(ttl) < Durations.seconds(IntermediateCa.MIN_TTL), () =>
        `'${prefix}ttl' (${Durations.describe(ttl)}) must be at least ${Durations.describe(IntermediateCa.MIN_TTL)}; raise 'ttl'`);
    }
    const key = props.keyAlgorithm ?? KeyAlgorithm.ECDSA_P256;
    key._problems(`${prefix}keyAlgorithm`, 'an intermediate CA', { ECDSA: 256, RSA: 2048 }).forEach((p) => problems.add(p));
    problems.check(props.commonName !== undefined && (props.commonName.trim() === '' || props.commonName.length > 64), () =>
      `'${prefix}commonName' (${props.commonName}) must be 1 to 64 characters`);
    return problems.messages;
  }

  /**
   * The problem of an intermediate `ttl` that is not shorter than the root's (the root could not
   * sign it), or undefined. Durations that are not whole seconds are reported elsewhere.
   * @internal
   */
  public static _ttlProblem(ttl: Duration, rootTtl: Duration, prefix: string, rootProp: string): string | undefined {
    if (!Durations.isWholePositive(ttl) || !Durations.isWholePositive(rootTtl) || Durations.seconds(ttl) < Durations.seconds(rootTtl)) {
      return undefined;
    }
    return `'${prefix}ttl' (${Durations.describe(ttl)}) must be shorter than ${rootProp} (${Durations.describe(rootTtl)}); ` +
      "lower the intermediate's 'ttl' or raise the root's";
  }

  public readonly name: string;
  public readonly hierarchyName: string;
  public readonly domains: string[];
  public readonly mountPath: string;
  public readonly ttl: Duration;
  public readonly keyAlgorithm: KeyAlgorithm;
  public readonly vault: VaultPkiStack;
  public readonly kubernetesAuth: KubernetesAuthBackend;
  public readonly mountPathRef: string;
  public readonly issuerIdRef: string;
  /** Common name of the intermediate CA certificate. */
  public readonly commonName: string;

  /** @internal */
  public readonly _signed: PkiSecretBackendRootSignIntermediate;

  constructor(scope: Construct, id: string, props: IntermediateCaProps) {
    super(scope, id);
    if (!Provenance.redeem('IntermediateCa')) {
      throw new PkiValidationError('IntermediateCa', this.node.path, ["is created by its PkiHierarchy ('intermediates'), not on its own: " +
        "an intermediate outside its hierarchy would skip the hierarchy's checks (disjoint domains, unique names, alerts, trust bundle)"]);
    }
    const problems = new Problems();
    IntermediateCa._problems(props, '').forEach((p) => problems.add(p));
    const ttl = props.ttl ?? IntermediateCa.DEFAULT_TTL;
    const tooLong = IntermediateCa._ttlProblem(ttl, props.root.ttl, '', "the root CA's 'ttl'");
    if (tooLong) problems.add(tooLong);
    problems.throwIfAny(this, 'IntermediateCa');

    this.name = props.name;
    this.hierarchyName = props.hierarchyName;
    this.domains = Object.freeze([...props.domains]) as string[];
    this.ttl = ttl;
    this.keyAlgorithm = props.keyAlgorithm ?? KeyAlgorithm.ECDSA_P256;
    this.commonName = props.commonName ?? `${props.name} intermediate CA`;
    this.vault = props.vault;
    this.kubernetesAuth = props.kubernetesAuth;
    this.mountPath = PkiNames.intermediateMountPath(props.hierarchyName, props.name);

    const pkiMount = new PkiMount(props.vault, PkiNames.terraformId(props.hierarchyName, 'int', props.name), {
      vault: props.vault,
      path: this.mountPath,
      description: `Intermediate CA ${this.commonName} for ${this.domains.join(', ')} (cdk8s-vault-pki)`,
      defaultLeaseTtlSeconds: Durations.seconds(IntermediateCa.LEAF_DEFAULT_TTL),
      maxLeaseTtlSeconds: Durations.seconds(IntermediateCa.LEAF_MAX_TTL),
      terraformId: PkiNames.terraformId(props.hierarchyName, 'int', props.name),
    });
    const mount = pkiMount.mount;
    this.mountPathRef = mount.path;

    // H2/H12: the intermediate's key is generated inside Vault; only the CSR leaves it.
    const csr = pkiMount.named(new PkiSecretBackendIntermediateCertRequest(pkiMount, 'csr', {
      backend: mount.path,
      type: 'internal',
      commonName: this.commonName,
      keyType: this.keyAlgorithm.vaultKeyType,
      keyBits: this.keyAlgorithm.vaultKeyBits,
      keyName: props.name,
      excludeCnFromSans: true,
      format: 'pem',
    }), 'csr');

    this._signed = pkiMount.named(new PkiSecretBackendRootSignIntermediate(pkiMount, 'signed', {
      backend: props.root._mount.path,
      issuerRef: props.root._certificate.issuerId,
      csr: csr.csr,
      commonName: this.commonName,
      ttl: Durations.vaultTtl(ttl),
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

    const issuer = pkiMount.named(new PkiSecretBackendIssuer(pkiMount, 'issuer', {
      backend: mount.path,
      issuerRef: TerraformToken.asString(TerraformFn.element(setSigned.importedIssuers, 0)),
      issuerName: props.name,
      // Never issue a leaf that outlives its CA: fail instead, the CA expiry alerts fire long before.
      leafNotAfterBehavior: 'err',
    }), 'issuer');
    this.issuerIdRef = issuer.issuerId;
    Provenance.register(this, 'IntermediateCa');
  }
}
