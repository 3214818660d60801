import { Construct } from 'constructs';
import { Problems } from './errors';
import { KubernetesProvider, LocalBackend, TerraformStack, VaultProvider } from './terraform';
import { VaultServerCa } from './vault-server-ca';

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
   * How cert-manager verifies Vault's TLS certificate (every Issuer's `caBundle`/`caBundleSecretRef`).
   * @default VaultServerCa.systemTrust()
   */
  readonly serverCa?: VaultServerCa;

  /**
   * Give the stack a local backend whose state file path is relative
   * (`terraform.<stack id>.tfstate` next to `cdk.tf.json`), so the synthesized JSON does not embed
   * the machine's working directory. Set to false and add your own backend (e.g. cdktf's
   * `S3Backend`) for shared state.
   * @default true
   */
  readonly localBackend?: boolean;

  /**
   * Accept an `http://` Vault address. Tokens and CSRs then cross the network in clear text:
   * only for local development against `vault server -dev`.
   * @default false
   */
  readonly allowInsecureHttp?: boolean;
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

  private readonly claims = new Map<string, string>();
  private kubernetesProviderInstance?: KubernetesProvider;

  constructor(scope: Construct, id: string, props: VaultPkiStackProps) {
    super(scope, id);
    const problems = new Problems();
    const address = props.address ?? '';
    const allowHttp = props.allowInsecureHttp ?? false;
    let url: URL | undefined;
    try {
      url = new URL(address);
    } catch {
      problems.add(`'address' (${address || '<empty>'}) is not a URL; give Vault's address, e.g. 'https://vault.internal:8200'`);
    }
    if (url && url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
      problems.add(`'address' (${address}) must use https: cert-manager sends service account tokens and CSRs to it; ` +
        "use an https:// address (or set 'allowInsecureHttp' for a local dev server)");
    }
    if (url && (url.pathname !== '/' || url.search || url.hash)) {
      problems.add(`'address' (${address}) must be Vault's base address without a path; drop '${url.pathname}${url.search}${url.hash}'`);
    }
    if (props.vaultNamespace !== undefined && !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(props.vaultNamespace)) {
      problems.add(`'vaultNamespace' (${props.vaultNamespace}) is not a Vault namespace path; use e.g. 'admin' or 'admin/pki'`);
    }
    const serverCa = props.serverCa ?? VaultServerCa.systemTrust();
    serverCa._problems('serverCa').forEach((p) => problems.add(p));
    problems.throwIfAny(this, 'VaultPkiStack');

    this.address = address.replace(/\/+$/, '');
    this.vaultNamespace = props.vaultNamespace;
    this.serverCa = serverCa;
    if (props.localBackend ?? true) {
      new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    }
    new VaultProvider(this, 'vault', {
      address: this.address,
      namespace: props.vaultNamespace,
    });
  }

  /**
   * The Terraform Kubernetes provider of this stack, created on first use (the CA certificates are
   * published into the cluster with it). It reads its credentials from the environment of
   * `terraform apply` (`KUBE_CONFIG_PATH`, `KUBE_HOST`, ...), never from code.
   */
  public kubernetesProvider(): KubernetesProvider {
    this.kubernetesProviderInstance ??= new KubernetesProvider(this, 'kubernetes', {});
    return this.kubernetesProviderInstance;
  }

  /**
   * Claims a name that must be unique in this stack (a mount path, a policy, a tenant) for `owner`.
   * Returns the previous owner when the name is already taken, else undefined.
   * @internal
   */
  public _claim(kind: string, name: string, owner: string): string | undefined {
    const key = `${kind}\u0000${name}`;
    const previous = this.claims.get(key);
    if (previous !== undefined) return previous;
    this.claims.set(key, owner);
    return undefined;
  }
}
