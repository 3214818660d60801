import { Construct } from 'constructs';
import { VaultServerCa } from './vault-server-ca';
import { PkiValidationError, Problems } from '../core/errors';
import { PkiNames } from '../core/names';
import { Urls } from '../core/urls';
import {
  DataVaultGenericSecret, StateBackend, TerraformDataResource, TerraformLazy, TerraformLocal, TerraformStack, VaultProvider,
} from '../terraform';

/** Props of {@link VaultPkiStack}. */
export interface VaultPkiStackProps {
  /**
   * Vault's address as cert-manager and Terraform reach it, e.g. `https://vault.internal:8200`.
   * Also the base of the CA issuing-certificate and CRL URLs.
   */
  readonly address: string;

  /**
   * Vault Enterprise namespace all resources live in (also set on every cert-manager Issuer).
   * @default - no namespace (Vault OSS, or the root namespace)
   */
  readonly vaultNamespace?: string;

  /**
   * How cert-manager verifies Vault's TLS certificate (every Issuer's `caBundle`/`caBundleSecretRef`). Required,
   * because the choice decides whether any Issuer ever becomes Ready: an internal Vault (`https://vault.internal`)
   * has a certificate from an internal CA, which the cert-manager image's system trust store does not hold, so
   * give that CA with `VaultServerCa.fromPem()`. Choose `VaultServerCa.systemTrust()` only for a Vault whose
   * certificate chains to a public CA. A given CA replaces the system roots (cert-manager v1.21.1
   * `internal/vault/vault.go`), it is not added to them.
   */
  readonly serverCa: VaultServerCa;

  /**
   * Base URL written into every CA and leaf certificate's Authority Information Access (issuing certificate) and
   * CRL distribution point: `<base>/v1/<mount>/ca` and `<base>/v1/<mount>/crl`. RFC 5280 clients fetch these with
   * plain http (fetching a CA over TLS would need that CA first), so point it at an http listener or a proxy in
   * front of Vault's unauthenticated `/v1/<mount>/ca` and `/v1/<mount>/crl` paths, e.g. `http://pki.internal`.
   * @default - the Vault `address` (https: clients that fetch AIA or CRLs over http cannot use it)
   */
  readonly aiaBaseUrl?: string;

  /**
   * Where the stack keeps its state and how it is locked: `StateBackend.s3()`, `.gcs()`, `.terraformCloud()`
   * (each stack gets its own state, named after the stack id), `.local()`, or `.none()` to add your own. The clusters'
   * CA publication stacks use the same backend (their own state each).
   * @default StateBackend.local(): `terraform-state/<stack id>.tfstate` next to `cdktf.out/` (a relative path, so the
   * synthesized JSON embeds no machine path; never inside `cdktf.out/`, which a synthesis may rewrite)
   */
  readonly backend?: StateBackend;

  /**
   * Accept an `http://` Vault address. Tokens and CSRs then cross the network in clear text:
   * only for local development against `vault server -dev`.
   * @default false
   */
  readonly allowInsecureHttp?: boolean;

  /**
   * Vault mounts this stack managed and may now destroy on purpose, e.g. `['pki-int-mtls']` after removing the
   * intermediate `mtls` from the program. Without it, `terraform plan` refuses to go on while Vault holds a mount this
   * stack created (its description names the stack) that the program no longer has: removing an intermediate or a
   * hierarchy from the program would otherwise destroy its mount with every key, issuer and certificate in it.
   * A cluster's Kubernetes auth mount (`kubernetes-<cluster>`) is listed here too when the cluster leaves the fleet:
   * the fleet contract refuses to drop a cluster (or an intermediate) it held unless its mount is listed.
   * @default - none: every mount of the stack stays
   */
  readonly decommissionedMounts?: string[];
}

/**
 * The Terraform stack that holds the Vault side of the PKI: a cdktf `TerraformStack` with the
 * Vault provider configured. Credentials never appear in code: the provider reads `VAULT_TOKEN`
 * (or another auth method) from the environment of `terraform apply`.
 *
 * Constructs living in a cdk8s Chart receive this stack as an explicit prop and put their Vault
 * resources into it; synthesize it with the cdktf `App` it belongs to.
 */
export class VaultPkiStack extends TerraformStack {
  /** Vault's address, as given. */
  public readonly address: string;
  /** Vault Enterprise namespace, if any. */
  public readonly vaultNamespace?: string;
  /** How cert-manager verifies Vault's TLS certificate. */
  public readonly serverCa: VaultServerCa;
  /** Base URL of the AIA and CRL distribution URLs in certificates. */
  public readonly aiaBaseUrl: string;

  /** Vault mounts this stack may destroy on purpose. */
  public readonly decommissionedMounts: string[];
  /** Where the stack keeps its state (and its clusters' publication stacks theirs). */
  public readonly backend: StateBackend;
  /** Where this stack's state lives (see `StateBackend.stateLocation`), undefined with `StateBackend.none()`. */
  public readonly stateLocation?: string;

  /** Mount paths of the PKI mounts the program puts in this stack. */
  private readonly programMounts: string[] = [];
  private vaultMounts?: TerraformLocal;

  constructor(scope: Construct, id: string, props: VaultPkiStackProps) {
    super(scope, id);
    const problems = new Problems();
    const address = props.address ?? '';
    const allowHttp = props.allowInsecureHttp ?? false;
    Urls.problems('address', address, allowHttp ? ['https:', 'http:'] : ['https:'],
      "cert-manager sends service account tokens and CSRs to it; use an https:// address (or set 'allowInsecureHttp' for a local dev server)")
      .forEach((p) => problems.add(p));
    if (props.aiaBaseUrl !== undefined) {
      Urls.problems('aiaBaseUrl', props.aiaBaseUrl, ['http:', 'https:'], 'use e.g. http://pki.internal').forEach((p) => problems.add(p));
    }
    if (props.vaultNamespace !== undefined && !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(props.vaultNamespace)) {
      problems.add(`'vaultNamespace' (${props.vaultNamespace}) is not a Vault namespace path; use e.g. 'admin' or 'admin/pki'`);
    }
    if (props.backend !== undefined) props.backend._problems('backend').forEach((p) => problems.add(p));
    const decommissioned = props.decommissionedMounts ?? [];
    if (!Array.isArray(decommissioned)) {
      problems.add(`'decommissionedMounts' (${String(decommissioned)}) must be a list of Vault mount paths, e.g. ['pki-int-mtls']`);
    } else {
      decommissioned.filter((m) => typeof m !== 'string' || !/^[a-z0-9][-a-z0-9]*$/.test(m))
        .forEach((m) => problems.add(`'decommissionedMounts' (${String(m)}) is not a mount path of this library, e.g. 'pki-int-mtls'`));
    }
    const serverCa = props.serverCa;
    if (!(serverCa instanceof VaultServerCa)) {
      problems.add("'serverCa' is missing; say how cert-manager verifies Vault's TLS certificate: VaultServerCa.fromPem(<the CA that issued Vault's certificate>) " +
        'for an internal CA, VaultServerCa.systemTrust() only when it chains to a public CA');
    } else {
      serverCa._problems('serverCa').forEach((p) => problems.add(p));
    }
    problems.throwIfAny(this, 'VaultPkiStack');

    this.address = address.replace(/\/+$/, '');
    this.aiaBaseUrl = (props.aiaBaseUrl ?? address).replace(/\/+$/, '');
    this.vaultNamespace = props.vaultNamespace;
    this.serverCa = serverCa;
    this.decommissionedMounts = Object.freeze([...(Array.isArray(decommissioned) ? decommissioned : [])]) as string[];
    this.backend = props.backend ?? StateBackend.local();
    this.backend._bind(this, id);
    this.stateLocation = this.backend.stateLocation(id);
    // The plan-time guards use plantimestamp() and strcontains() (Terraform 1.5) and read Vault's state at plan time.
    this.addOverride('terraform.required_version', '>= 1.5.0');
    new VaultProvider(this, 'vault', {
      address: this.address,
      namespace: props.vaultNamespace,
    });
  }

  /**
   * The CRL URL of a PKI mount of this Vault as clients fetch it (the CRL distribution point its certificates carry):
   * `<aiaBaseUrl>/v1/[<vaultNamespace>/]<mountPath>/crl`. For `CrlProbes`.
   */
  public crlUrl(mountPath: string): string {
    return PkiNames.vaultApiUrl(this.aiaBaseUrl, `${mountPath}/crl`, this.vaultNamespace);
  }

  /** The marker in the description of every Vault mount this stack creates: who owns it. @internal */
  public get _ownerMarker(): string {
    return `(cdk8s-vault-pki, stack ${this.node.id})`;
  }

  /**
   * An HCL expression, true when Vault already holds the mount `path` (read from Vault's `sys/mounts` at plan time), and
   * registers the mount as one the program keeps. The first call adds the stack's read of `sys/mounts` (the Terraform
   * token needs `read` on `sys/mounts`) and the guard that refuses a plan while Vault holds a mount of this stack the
   * program no longer has (see `decommissionedMounts`).
   * @internal
   */
  public _vaultMountExists(path: string): string {
    if (this.decommissionedMounts.includes(path)) {
      throw new PkiValidationError('VaultPkiStack', this.node.path, [`'decommissionedMounts' lists '${path}', which the program still has; ` +
        'remove it from the list (it would not be destroyed) or the CA from the program']);
    }
    if (!this.programMounts.includes(path)) this.programMounts.push(path);
    if (!this.vaultMounts) {
      const mounts = new DataVaultGenericSecret(this, 'vault-mounts', { path: 'sys/mounts' });
      mounts.overrideLogicalId('vault_pki_sys_mounts');
      // The mount table is not secret, but the data source marks every value sensitive.
      this.vaultMounts = new TerraformLocal(this, 'vault-mounts-table', '${nonsensitive(jsondecode(data.vault_generic_secret.vault_pki_sys_mounts.data_json))}');
      this.vaultMounts.overrideLogicalId('vault_pki_mounts');
      const kept = TerraformLazy.stringValue({ produce: () => JSON.stringify([...this.programMounts, ...this.decommissionedMounts].sort()) });
      const marker = JSON.stringify(this._ownerMarker);
      const orphans = `[for path, mount in local.vault_pki_mounts : trimsuffix(path, "/") if strcontains(try(mount.description, ""), ${marker}) ` +
        `&& !contains(${kept}, trimsuffix(path, "/"))]`;
      const inventory = new TerraformDataResource(this, 'mount-inventory', {
        input: { stack: this.node.id, mounts: TerraformLazy.listValue({ produce: () => [...this.programMounts].sort() }) },
        lifecycle: {
          precondition: [{
            condition: `\${length(${orphans}) == 0}`,
            errorMessage: `Vault holds mounts that stack '${this.node.id}' created and the program no longer has: \${join(", ", ${orphans})}. ` +
              'Applying would destroy each with every key, issuer and certificate in it. Put the CA back in the program (keep its ' +
              "generations listed, RETIRED once they may go), or list the mount in the VaultPkiStack's 'decommissionedMounts' to destroy it on purpose",
          }],
        },
      });
      inventory.overrideLogicalId('vault_pki_mount_inventory');
    }
    return `contains(keys(local.vault_pki_mounts), ${JSON.stringify(`${path}/`)})`;
  }
}
