import { Construct, IConstruct } from 'constructs';
import { FleetContractBase } from './fleet-contract-base';
import { Dns } from '../core/dns';
import { PkiValidationError } from '../core/errors';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { Pem } from '../core/pem';
import { Provenance } from '../core/provenance';
import { Urls } from '../core/urls';
import { Rule, validate } from '../core/validation';
import { VaultNames } from '../core/vault-names';
import { AuthBackend, KubernetesAuthBackendConfig, TerraformStack, stackOf } from '../terraform';
import { CaPublicationStack } from './ca-publication-stack';
import { KubernetesAccess, ResolvedKubernetesAccess } from './kubernetes-access';
import { IPkiHierarchy, PkiHierarchy } from './pki-hierarchy';
import { PublishedCaCertificates } from './published-ca-certificates';
import { TokenReviewer } from './token-reviewer';
import { VaultPkiStack } from './vault-pki-stack';

/** A Kubernetes cluster of the fleet, as plain values: what another program needs to place tenants on it. */
export interface IPkiCluster extends IConstruct {
  /** Name of the cluster (RFC 1123 label), e.g. `prod-eu`. */
  readonly name: string;
  /** Mount path of the cluster's Vault Kubernetes auth method: `kubernetes-<cluster>`. */
  readonly authMountPath: string;
  /** What Issuers put in `auth.kubernetes.mountPath`: `/v1/auth/kubernetes-<cluster>`. */
  readonly issuerMountPath: string;
  /** Which token Vault presents to the cluster's TokenReview API. */
  readonly tokenReviewer: TokenReviewer;
}

/** A cluster as plain values, for `PkiCluster.fromAttributes`. */
export interface PkiClusterAttributes {
  /** Name of the cluster (RFC 1123 label, at most 40 characters), e.g. `prod-eu`. */
  readonly name: string;
  /**
   * Which token Vault presents to the cluster's TokenReview API (decides the Issuers' token audiences and RBAC).
   * @default TokenReviewer.vaultServiceAccount()
   */
  readonly tokenReviewer?: TokenReviewer;

  /**
   * The platform's fleet contract: the cluster must be one it holds, with the same token reviewer, or synthesis fails
   * (`FleetContract.cluster()` builds the import from the contract alone).
   * @default - not checked against a contract (ConsistencyCheck.checkFleet still compares the outputs)
   */
  readonly contract?: FleetContractBase;
}

/** Props of {@link PkiCluster}. */
export interface PkiClusterProps {
  /**
   * Name of the cluster (RFC 1123 label, at most 40 characters): part of its Vault auth mount
   * (`kubernetes-<name>`) and of its GitOps folder (`clusters/<name>`).
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * URL of the cluster's Kubernetes API server, which Vault sends TokenReviews to.
   * @default 'https://kubernetes.default.svc' (Vault running inside this cluster; required otherwise)
   */
  readonly kubernetesHost?: string;

  /**
   * PEM CA certificate of the cluster's API server (required for a Vault outside the cluster).
   * @default - Vault uses the CA of its own pod's service account (Vault running inside the cluster)
   */
  readonly kubernetesCaCertificate?: string;

  /**
   * Which token Vault presents to the TokenReview API: its own pod's (Vault in this cluster) or each login token
   * itself (Vault outside the cluster, `TokenReviewer.clientToken(apiAudience)`).
   * @default TokenReviewer.vaultServiceAccount()
   */
  readonly tokenReviewer?: TokenReviewer;

  /**
   * How Terraform reaches this cluster to publish the CA certificates (`publishCaCertificates`, in the cluster's own
   * publication stack): `KubernetesAccess.apiServer()` (URL and CA pinned) or `KubernetesAccess.kubeconfig()` (an
   * explicit kubeconfig path and context). Each names this cluster alone.
   * @default - `KubernetesAccess.apiServer()` with `kubernetesHost` and `kubernetesCaCertificate` when both are given
   * (and the host is not the in-cluster name), else `KubernetesAccess.kubeconfig()` (the path from the Terraform
   * variable `kubeconfig_<cluster>`, context `kubeconfigContext`)
   */
  readonly kubernetesAccess?: KubernetesAccess;

  /**
   * The kubeconfig context that names this cluster, for `KubernetesAccess.kubeconfig()` without a `context`.
   * @default - the cluster name
   */
  readonly kubeconfigContext?: string;
}

interface ResolvedCluster {
  readonly name: string;
  readonly kubernetesHost: string;
  readonly kubernetesCaCertificate?: string;
  readonly tokenReviewer: TokenReviewer;
  readonly kubeconfigContext: string;
  readonly hostGiven: boolean;
  readonly kubernetesAccess: KubernetesAccess;
}

const NAME_RULE: Rule<{ name: string }> = (c) => (!Dns.isLabel(c.name) || c.name.length > PkiLimits.CLUSTER_NAME_MAX_LENGTH)
  && `'name' (${c.name}) must be an RFC 1123 label of at most ${PkiLimits.CLUSTER_NAME_MAX_LENGTH} characters (lower-case letters, digits, '-'), e.g. 'prod-eu'`;

const CLUSTER_RULES: Rule<ResolvedCluster>[] = [
  NAME_RULE,
  (c) => Urls.problems('kubernetesHost', c.kubernetesHost, ['https:'],
    "Vault sends service account tokens to it: give the API server's https URL, e.g. 'https://kubernetes.default.svc'"),
  (c) => Pem.certificateProblems('kubernetesCaCertificate', c.kubernetesCaCertificate, { ca: true }),
  (c) => c.tokenReviewer._problems('tokenReviewer'),
  (c) => c.tokenReviewer.reviewsItself && !c.hostGiven
    && "'kubernetesHost' is required with TokenReviewer.clientToken(): Vault outside the cluster cannot reach 'https://kubernetes.default.svc'; " +
    "give the API server's external URL",
  (c) => c.tokenReviewer.reviewsItself && c.kubernetesCaCertificate === undefined
    && "'kubernetesCaCertificate' is required with TokenReviewer.clientToken(): Vault outside the cluster has no pod CA to verify the API server with; " +
    "give the cluster's CA certificate (PEM)",
  (c) => (typeof c.kubeconfigContext !== 'string' || c.kubeconfigContext.trim() === '') && `'kubeconfigContext' (${c.kubeconfigContext}) is empty`,
  (c) => (c.kubernetesAccess instanceof KubernetesAccess ? c.kubernetesAccess._problems('kubernetesAccess', c)
    : "'kubernetesAccess' is not a KubernetesAccess; use KubernetesAccess.apiServer() or KubernetesAccess.kubeconfig()"),
];

/** A cluster imported by its attributes. */
class ImportedPkiCluster extends Construct implements IPkiCluster {
  public readonly name: string;
  public readonly authMountPath: string;
  public readonly issuerMountPath: string;
  public readonly tokenReviewer: TokenReviewer;

  constructor(scope: Construct, id: string, attrs: PkiClusterAttributes) {
    super(scope, id);
    const tokenReviewer = attrs?.tokenReviewer ?? TokenReviewer.vaultServiceAccount();
    validate(this, 'PkiCluster', { name: attrs?.name, tokenReviewer }, [
      NAME_RULE,
      (c) => c.tokenReviewer._problems('tokenReviewer'),
      'gate',
      (c) => attrs.contract?._clusterProblems(c.name, c.tokenReviewer),
    ]);
    this.name = attrs.name;
    this.tokenReviewer = tokenReviewer;
    this.authMountPath = PkiNames.kubernetesAuthPath(this.name);
    this.issuerMountPath = PkiNames.kubernetesAuthMountPath(this.authMountPath);
    Provenance.register(this, 'PkiCluster');
  }
}

/**
 * One Kubernetes cluster of the fleet, its Vault half: the cluster's own Kubernetes auth method
 * (`kubernetes-<cluster>`: API server, CA and token review of that cluster), which every tenant placed on the
 * cluster logs in through, and the ConfigMaps Terraform publishes this cluster's CA certificates into. The cluster's
 * Kubernetes half is a {@link ClusterChart}; another program refers to the cluster with `PkiCluster.fromAttributes()`.
 *
 * Vault replaces the whole auth config on every write (vault-plugin-auth-kubernetes `pathConfigWrite`), so
 * Terraform sends all of it, and no reviewer JWT exists that a write could wipe (see `TokenReviewer`).
 */
export class PkiCluster extends Construct implements IPkiCluster {
  /** A cluster another program manages (its auth mount), from plain values. */
  public static fromAttributes(scope: Construct, id: string, attrs: PkiClusterAttributes): IPkiCluster {
    return new ImportedPkiCluster(scope, id, attrs);
  }

  public readonly name: string;
  public readonly authMountPath: string;
  public readonly issuerMountPath: string;
  public readonly tokenReviewer: TokenReviewer;
  /** The Terraform stack holding the auth method. */
  public readonly vault: VaultPkiStack;
  /** The kubeconfig context that names this cluster (for `KubernetesAccess.kubeconfig()`). */
  public readonly kubeconfigContext: string;
  /** URL of the cluster's API server as Vault reaches it (`https://kubernetes.default.svc` for Vault in this cluster). */
  public readonly kubernetesHost: string;
  /** PEM CA certificate of the API server, when given. */
  public readonly kubernetesCaCertificate?: string;
  /** How Terraform reaches the cluster to publish the CA certificates. */
  public readonly kubernetesAccess: KubernetesAccess;
  /** The provider configuration `kubernetesAccess` resolves to. @internal */
  public readonly _kubernetesAccess: ResolvedKubernetesAccess;
  /** Terraform reference to the auth mount path (orders auth roles of the same stack after the mount). @internal */
  public readonly _pathRef: string;

  private readonly published = new Map<string, PublishedCaCertificates>();
  private publication?: CaPublicationStack;

  constructor(scope: Construct, id: string, props: PkiClusterProps = {}) {
    super(scope, id);
    const stack = stackOf(this);
    if (!(stack instanceof VaultPkiStack)) {
      throw new PkiValidationError('PkiCluster', this.node.path, [
        "must be created in a VaultPkiStack (its auth method is Vault's): pass the stack, or a construct inside it, as the scope",
      ]);
    }
    const name = props.name ?? id;
    const target = {
      name,
      kubernetesHost: props.kubernetesHost ?? 'https://kubernetes.default.svc',
      kubernetesCaCertificate: props.kubernetesCaCertificate,
      kubeconfigContext: props.kubeconfigContext ?? name,
    };
    const resolved: ResolvedCluster = {
      ...target,
      tokenReviewer: props.tokenReviewer ?? TokenReviewer.vaultServiceAccount(),
      hostGiven: props.kubernetesHost !== undefined,
      kubernetesAccess: props.kubernetesAccess ?? KubernetesAccess._defaultFor(target),
    };
    validate(this, 'PkiCluster', resolved, [
      ...CLUSTER_RULES,
      (c) => stack.decommissionedMounts.includes(PkiNames.kubernetesAuthPath(c.name))
        && `the VaultPkiStack's 'decommissionedMounts' lists '${PkiNames.kubernetesAuthPath(c.name)}', the auth mount of this cluster, which the ` +
        'program still has; remove it from the list (it would not be destroyed) or the cluster from the program',
      'gate',
      (c) => {
        const owner = VaultNames.claim(this, 'auth-mount', PkiNames.kubernetesAuthPath(c.name));
        return owner !== undefined && `'name' (${c.name}) makes the auth mount '${PkiNames.kubernetesAuthPath(c.name)}', which the cluster at '${owner}' ` +
          "already uses in this Vault; give every cluster its own 'name'";
      },
      (c) => {
        // Two auth mounts reviewing tokens against one API server: at most one cluster is the one Vault runs in.
        const owner = VaultNames.claim(this, 'kubernetes-host', c.kubernetesHost);
        return owner !== undefined && `'kubernetesHost' (${c.kubernetesHost}${c.hostGiven ? '' : ', the default: Vault running in this cluster'}) is ` +
          `already the API server of the cluster at '${owner}' in this Vault, so both auth mounts would review every token against one cluster; ` +
          "Vault runs in at most one cluster: give every other cluster its API server's URL ('kubernetesHost') and CA ('kubernetesCaCertificate')";
      },
    ]);

    this.name = name;
    this.vault = stack;
    this.tokenReviewer = resolved.tokenReviewer;
    this.kubeconfigContext = resolved.kubeconfigContext;
    this.kubernetesHost = resolved.kubernetesHost;
    this.kubernetesCaCertificate = resolved.kubernetesCaCertificate;
    this.kubernetesAccess = resolved.kubernetesAccess;
    this._kubernetesAccess = resolved.kubernetesAccess._resolve(resolved);
    this.authMountPath = PkiNames.kubernetesAuthPath(name);
    this.issuerMountPath = PkiNames.kubernetesAuthMountPath(this.authMountPath);

    const tfId = PkiNames.terraformId('auth', this.authMountPath);
    const backend = new AuthBackend(this, 'backend', {
      type: 'kubernetes',
      path: this.authMountPath,
      description: `Kubernetes auth of cluster ${name} for cert-manager Issuers (cdk8s-vault-pki)`,
    });
    backend.overrideLogicalId(tfId);
    this._pathRef = backend.path;
    const config = new KubernetesAuthBackendConfig(this, 'config', {
      backend: backend.path,
      kubernetesHost: resolved.kubernetesHost,
      kubernetesCaCert: resolved.kubernetesCaCertificate,
      // Explicit, because Vault resets every field left out on each write and the provider sends
      // disable_iss_validation=false when it is unset (provider v5.6.0 resource_kubernetes_auth_backend_config.go).
      // `iss` is not checked: the TokenReview proves the token, and bound tokens carry the cluster's issuer URL.
      disableIssValidation: true,
      disableLocalCaJwt: resolved.tokenReviewer.disableLocalCaJwt,
    });
    config.overrideLogicalId(PkiNames.terraformId('auth', this.authMountPath, 'config'));
    Provenance.register(this, 'PkiCluster');
  }

  /**
   * The cluster's CA publication stack (`<vault stack>-ca-<cluster>`), once `publishCaCertificates` has created it.
   */
  public get caPublicationStack(): CaPublicationStack | undefined {
    return this.publication;
  }

  /**
   * Makes Terraform publish `hierarchy`'s CA certificates (root and intermediates, every live generation) into a
   * ConfigMap in the hierarchy's `caPublicationNamespace` of this cluster, read from Vault's issuers (public data only).
   * The cluster's TrustBundles read from it and x509-certificate-exporter watches it. Created on first call (a
   * TrustBundle or PkiAlerts in a ClusterChart of this cluster calls it), in the cluster's own
   * {@link CaPublicationStack}: `terraform apply` of that stack needs what `kubernetesAccess` names (a token variable,
   * an exec plugin, or a kubeconfig path) for this cluster only.
   */
  public publishCaCertificates(hierarchy: PkiHierarchy): PublishedCaCertificates {
    let published = this.published.get(hierarchy.name);
    if (!published) {
      if (TerraformStack.of(hierarchy) !== this.vault) {
        throw new PkiValidationError('PkiCluster', this.node.path, [
          `cannot publish hierarchy '${hierarchy.name}' from another Terraform stack; create the cluster in the hierarchy's stack, ` +
          'whose Vault resources hold the CA certificates',
        ]);
      }
      this.publication ??= new CaPublicationStack(this.vault.node.scope!, PkiNames.caPublicationStackName(this.vault.node.id, this.name), {
        vault: this.vault,
        cluster: this,
      });
      published = new PublishedCaCertificates(this.publication, `ca-certificates-${hierarchy.name}`, { cluster: this, hierarchy });
      this.published.set(hierarchy.name, published);
    }
    return published;
  }

  /** Whether `hierarchy` can be published from here (a concrete hierarchy of this cluster's stack). @internal */
  public _canPublish(hierarchy: IPkiHierarchy): hierarchy is PkiHierarchy {
    return hierarchy instanceof PkiHierarchy && TerraformStack.of(hierarchy) === this.vault;
  }
}
