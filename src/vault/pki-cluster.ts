import { Construct, IConstruct } from 'constructs';
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
   * The kubeconfig context Terraform writes this cluster's CA ConfigMaps with (`publishCaCertificates`), read from
   * `KUBE_CONFIG_PATH` when `terraform apply` runs.
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
    validate(this, 'PkiCluster', { name: attrs?.name, tokenReviewer }, [NAME_RULE, (c) => c.tokenReviewer._problems('tokenReviewer')]);
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
  /** The kubeconfig context Terraform writes this cluster's ConfigMaps with. */
  public readonly kubeconfigContext: string;
  /** Terraform reference to the auth mount path (orders auth roles of the same stack after the mount). @internal */
  public readonly _pathRef: string;

  private readonly published = new Map<string, PublishedCaCertificates>();

  constructor(scope: Construct, id: string, props: PkiClusterProps = {}) {
    super(scope, id);
    const stack = stackOf(this);
    if (!(stack instanceof VaultPkiStack)) {
      throw new PkiValidationError('PkiCluster', this.node.path, [
        "must be created in a VaultPkiStack (its auth method is Vault's): pass the stack, or a construct inside it, as the scope",
      ]);
    }
    const name = props.name ?? id;
    const resolved: ResolvedCluster = {
      name,
      kubernetesHost: props.kubernetesHost ?? 'https://kubernetes.default.svc',
      kubernetesCaCertificate: props.kubernetesCaCertificate,
      tokenReviewer: props.tokenReviewer ?? TokenReviewer.vaultServiceAccount(),
      kubeconfigContext: props.kubeconfigContext ?? name,
      hostGiven: props.kubernetesHost !== undefined,
    };
    validate(this, 'PkiCluster', resolved, [
      ...CLUSTER_RULES,
      'gate',
      (c) => {
        const owner = VaultNames.claim(this, 'auth-mount', PkiNames.kubernetesAuthPath(c.name));
        return owner !== undefined && `'name' (${c.name}) makes the auth mount '${PkiNames.kubernetesAuthPath(c.name)}', which the cluster at '${owner}' ` +
          "already uses in this Vault; give every cluster its own 'name'";
      },
    ]);

    this.name = name;
    this.vault = stack;
    this.tokenReviewer = resolved.tokenReviewer;
    this.kubeconfigContext = resolved.kubeconfigContext;
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
   * Makes Terraform publish `hierarchy`'s CA certificates (root and intermediates) into a ConfigMap in the
   * hierarchy's `caPublicationNamespace` of this cluster, straight from the Vault resources (public data only). The
   * cluster's TrustBundles read from it and x509-certificate-exporter watches it. Created on first call (a
   * TrustBundle or PkiAlerts in a ClusterChart of this cluster calls it). `terraform apply` then needs credentials for
   * the cluster in its environment (`KUBE_CONFIG_PATH`, context `kubeconfigContext`).
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
      published = new PublishedCaCertificates(this, `ca-certificates-${hierarchy.name}`, { cluster: this, hierarchy });
      this.published.set(hierarchy.name, published);
    }
    return published;
  }

  /** Whether `hierarchy` can be published from here (a concrete hierarchy of this cluster's stack). @internal */
  public _canPublish(hierarchy: IPkiHierarchy): hierarchy is PkiHierarchy {
    return hierarchy instanceof PkiHierarchy && TerraformStack.of(hierarchy) === this.vault;
  }
}
