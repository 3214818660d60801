import { Construct } from 'constructs';
import { Dns } from './dns';
import { Problems } from './errors';
import { PkiNames } from './names';
import { Pem } from './pem';
import { AuthBackend, KubernetesAuthBackendConfig } from './terraform';
import { VaultPkiStack } from './vault-pki-stack';

/** Options of the Vault Kubernetes auth method tenants' Issuers log in with. */
export interface KubernetesAuthOptions {
  /**
   * Mount path of the auth method in Vault; Issuers use `/v1/auth/<path>` as their `mountPath`.
   * @default 'kubernetes'
   */
  readonly path?: string;

  /**
   * URL of the Kubernetes API server Vault sends TokenReviews to.
   * @default 'https://kubernetes.default.svc' (Vault running inside the cluster)
   */
  readonly kubernetesHost?: string;

  /**
   * PEM CA certificate of the Kubernetes API server, for a Vault outside the cluster.
   * @default - Vault uses the CA of its own pod's service account (Vault running inside the cluster)
   */
  readonly kubernetesCaCertificate?: string;
}

/** Props of {@link KubernetesAuthBackend}. */
export interface KubernetesAuthBackendProps extends KubernetesAuthOptions {
  /** The Terraform stack the Vault resources go into. */
  readonly vault: VaultPkiStack;
}

/**
 * The Vault Kubernetes auth method (mount + config) that every tenant's auth role hangs off.
 * Vault verifies the service account tokens cert-manager presents with a TokenReview against
 * `kubernetesHost`. No reviewer JWT is set from code (it would land in Terraform state): run Vault
 * in the cluster, or configure `token_reviewer_jwt` out of band.
 */
export class KubernetesAuthBackend extends Construct {
  /** @internal */
  public static _problems(props: KubernetesAuthOptions, prefix: string): string[] {
    const problems = new Problems();
    const path = props.path ?? 'kubernetes';
    problems.check(!Dns.isLabel(path), () =>
      `'${prefix}path' (${path}) must be a single lower-case path segment (RFC 1123 label), e.g. 'kubernetes'`);
    const host = props.kubernetesHost ?? 'https://kubernetes.default.svc';
    let url: URL | undefined;
    try {
      url = new URL(host);
    } catch {
      problems.add(`'${prefix}kubernetesHost' (${host}) is not a URL; use the API server URL, e.g. 'https://kubernetes.default.svc'`);
    }
    problems.check(url !== undefined && url.protocol !== 'https:', () =>
      `'${prefix}kubernetesHost' (${host}) must use https; Vault sends service account tokens to it`);
    Pem.certificateProblems(`${prefix}kubernetesCaCertificate`, props.kubernetesCaCertificate).forEach((p) => problems.add(p));
    return problems.messages;
  }

  /** Mount path of the auth method, e.g. `kubernetes`. */
  public readonly path: string;
  /** What Issuers put in `auth.kubernetes.mountPath`: `/v1/auth/<path>`. */
  public readonly issuerMountPath: string;
  /** Terraform reference to the mount path (orders auth roles after the mount). */
  public readonly pathRef: string;
  /** The Terraform stack holding the auth method. */
  public readonly vault: VaultPkiStack;

  constructor(scope: Construct, id: string, props: KubernetesAuthBackendProps) {
    super(scope, id);
    const problems = new Problems();
    KubernetesAuthBackend._problems(props, '').forEach((p) => problems.add(p));
    const path = props.path ?? 'kubernetes';
    const owner = problems.messages.length === 0 ? props.vault._claim('auth-mount', path, this.node.path) : undefined;
    problems.check(owner !== undefined, () =>
      `'path' (${path}) is already the Kubernetes auth mount of '${owner}'; pass that hierarchy's 'kubernetesAuthBackend' instead of creating a second one`);
    problems.throwIfAny(this, 'KubernetesAuthBackend');

    this.vault = props.vault;
    this.path = path;
    this.issuerMountPath = PkiNames.kubernetesAuthMountPath(path);
    const tf = new Construct(props.vault, PkiNames.terraformId('auth', path));
    const backend = new AuthBackend(tf, 'backend', {
      type: 'kubernetes',
      path,
      description: 'Kubernetes auth for cert-manager Issuers (cdk8s-vault-pki)',
    });
    backend.overrideLogicalId(PkiNames.terraformId('auth', path));
    this.pathRef = backend.path;
    const config = new KubernetesAuthBackendConfig(tf, 'config', {
      backend: backend.path,
      kubernetesHost: props.kubernetesHost ?? 'https://kubernetes.default.svc',
      kubernetesCaCert: props.kubernetesCaCertificate,
    });
    config.overrideLogicalId(PkiNames.terraformId('auth', path, 'config'));
  }
}
