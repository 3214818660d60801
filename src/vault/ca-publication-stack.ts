import { Construct } from 'constructs';
import type { PkiCluster } from './pki-cluster';
import type { VaultPkiStack } from './vault-pki-stack';
import { PkiNames } from '../core/names';
import { DataVaultPkiSecretBackendIssuer, KubernetesProvider, TerraformStack, TerraformVariable, VaultProvider } from '../terraform';

/** Props of {@link CaPublicationStack}. */
export interface CaPublicationStackProps {
  /** The Vault stack whose CA certificates are published (its Vault, its state backend). */
  readonly vault: VaultPkiStack;
  /** The cluster the certificates are written into. */
  readonly cluster: PkiCluster;
}

/**
 * One cluster's CA publication: a small Terraform stack (`<vault stack>-ca-<cluster>`) holding the cluster's only
 * Kubernetes provider (`kubernetes-<cluster>`, configured by the cluster's `kubernetesAccess` so that it can reach that
 * cluster alone), the Vault data sources that read the CA certificates at plan time
 * (`vault_pki_secret_backend_issuer`, provider vault 5.6.0 `data_source_pki_secret_backend_issuer.go`: a read of
 * `<mount>/issuer/<name>`), and the ConfigMaps it writes.
 *
 * Kept out of the Vault stack on purpose: a plan of the CAs never talks to a cluster, so one unreachable cluster blocks
 * only its own publication, and removing a cluster from the program removes this stack (delete its state; the ConfigMap
 * stays in the cluster that goes away) instead of leaving ConfigMaps in the CA state whose provider is gone ("Provider
 * configuration not present"). Apply it after the Vault stack (cdktf records the dependency): it reads issuers by name.
 * The Terraform token needs `read` on `<mount>/issuer/<name>` of each CA mount. Created by
 * `PkiCluster.publishCaCertificates()`.
 */
export class CaPublicationStack extends TerraformStack {
  /** The cluster's name. */
  public readonly clusterName: string;
  /** The Vault stack the certificates come from. */
  public readonly vault: VaultPkiStack;
  /** Where this stack's state lives (see `StateBackend.stateLocation`). */
  public readonly stateLocation?: string;
  /** The cluster's Kubernetes provider. @internal */
  public readonly _kubernetes: KubernetesProvider;

  private readonly issuers = new Map<string, DataVaultPkiSecretBackendIssuer>();

  constructor(scope: Construct, id: string, props: CaPublicationStackProps) {
    super(scope, id);
    const { vault, cluster } = props;
    this.vault = vault;
    this.clusterName = cluster.name;
    vault.backend._bind(this, id);
    this.stateLocation = vault.backend.stateLocation(id);
    new VaultProvider(this, 'vault', { address: vault.address, namespace: vault.vaultNamespace });

    const access = cluster._kubernetesAccess;
    const variables = new Map(access.variables.map((v) => [v.name, new TerraformVariable(this, v.name, {
      type: 'string',
      sensitive: v.sensitive,
      description: v.description,
      nullable: false,
    })]));
    const alias = PkiNames.kubernetesProviderAlias(cluster.name);
    this._kubernetes = new KubernetesProvider(this, alias, {
      alias,
      host: access.host,
      clusterCaCertificate: access.clusterCaCertificate,
      token: access.tokenVariable ? variables.get(access.tokenVariable)!.stringValue : undefined,
      exec: access.exec
        ? [{ apiVersion: access.exec.apiVersion, command: access.exec.command, args: access.exec.args, env: access.exec.env }] : undefined,
      configPath: access.configPath ?? (access.configPathVariable ? variables.get(access.configPathVariable)!.stringValue : undefined),
      configContext: access.configContext,
    });
    // Ordered after the CAs: `cdktf deploy` applies the Vault stack first (the issuers are read by name at plan time).
    this.addDependency(vault);
  }

  /** The PEM certificate of the Vault issuer `issuerName` in `mount`, read at plan time (one data source each). @internal */
  public _issuerCertificate(mount: string, issuerName: string): string {
    const id = PkiNames.terraformId(mount, issuerName);
    let issuer = this.issuers.get(id);
    if (!issuer) {
      issuer = new DataVaultPkiSecretBackendIssuer(this, `issuer-${id}`, { backend: mount, issuerRef: issuerName });
      issuer.overrideLogicalId(id);
      this.issuers.set(id, issuer);
    }
    return issuer.certificate;
  }
}
