import { Construct } from 'constructs';
import { VaultServerCa } from './vault-server-ca';
import { Problems } from '../core/errors';
import { Urls } from '../core/urls';
import { KubernetesProvider, StateBackend, TerraformStack, VaultProvider } from '../terraform';

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
   * (each stack gets its own state, named after the stack id), `.local()`, or `.none()` to add your own.
   * @default StateBackend.local() (a relative path, so the synthesized JSON embeds no machine path)
   */
  readonly backend?: StateBackend;

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
  /** Base URL of the AIA and CRL distribution URLs in certificates. */
  public readonly aiaBaseUrl: string;

  private readonly kubernetesProviders = new Map<string, KubernetesProvider>();

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
    (props.backend ?? StateBackend.local())._bind(this, id);
    new VaultProvider(this, 'vault', {
      address: this.address,
      namespace: props.vaultNamespace,
    });
  }

  /**
   * The Terraform Kubernetes provider that writes into the cluster `clusterName` (alias `kubernetes-<cluster>`),
   * created on first use. It reads its credentials from the environment of `terraform apply` (`KUBE_CONFIG_PATH`)
   * and picks the cluster by kubeconfig context, never from code.
   * @internal
   */
  public _kubernetesProvider(clusterName: string, kubeconfigContext: string): KubernetesProvider {
    let provider = this.kubernetesProviders.get(clusterName);
    if (!provider) {
      provider = new KubernetesProvider(this, `kubernetes-${clusterName}`, { alias: `kubernetes-${clusterName}`, configContext: kubeconfigContext });
      this.kubernetesProviders.set(clusterName, provider);
    }
    return provider;
  }
}
