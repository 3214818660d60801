import { Construct } from 'constructs';
import { Dns } from '../core/dns';
import { Problems } from '../core/errors';
import { PkiNames } from '../core/names';
import { Pem } from '../core/pem';
import { AuthBackend, KubernetesAuthBackendConfig } from '../terraform';
import { TokenReviewer } from './token-reviewer';
import { Urls } from '../core/urls';
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
   * @default 'https://kubernetes.default.svc' (Vault running inside the cluster; required otherwise)
   */
  readonly kubernetesHost?: string;

  /**
   * PEM CA certificate of the Kubernetes API server (required for a Vault outside the cluster).
   * @default - Vault uses the CA of its own pod's service account (Vault running inside the cluster)
   */
  readonly kubernetesCaCertificate?: string;

  /**
   * Which token Vault presents to the TokenReview API: its own pod's (Vault in the cluster) or each login token
   * itself (Vault outside the cluster, `TokenReviewer.clientToken(apiAudience)`).
   * @default TokenReviewer.vaultServiceAccount()
   */
  readonly tokenReviewer?: TokenReviewer;
}

/** Props of {@link KubernetesAuthBackend}. */
export interface KubernetesAuthBackendProps extends KubernetesAuthOptions {
  /** The Terraform stack the Vault resources go into. */
  readonly vault: VaultPkiStack;
}

/**
 * The Vault Kubernetes auth method (mount + config) that every tenant's auth role hangs off.
 * Vault verifies the service account tokens cert-manager presents with a TokenReview against
 * `kubernetesHost`, with the bearer `tokenReviewer` chooses. No reviewer JWT exists: it would land in Terraform
 * state, and one set out of band is wiped by the next Terraform write of the config (Vault replaces the whole
 * config on every write).
 */
export class KubernetesAuthBackend extends Construct {
  /** @internal */
  public static _problems(props: KubernetesAuthOptions, prefix: string): string[] {
    const problems = new Problems();
    const path = props.path ?? 'kubernetes';
    problems.check(!Dns.isLabel(path), () =>
      `'${prefix}path' (${path}) must be a single lower-case path segment (RFC 1123 label), e.g. 'kubernetes'`);
    const host = props.kubernetesHost ?? 'https://kubernetes.default.svc';
    Urls.problems(`${prefix}kubernetesHost`, host, ['https:'], "Vault sends service account tokens to it: give the API server's https URL, e.g. 'https://kubernetes.default.svc'")
      .forEach((p) => problems.add(p));
    Pem.certificateProblems(`${prefix}kubernetesCaCertificate`, props.kubernetesCaCertificate, { ca: true }).forEach((p) => problems.add(p));
    const reviewer = props.tokenReviewer ?? TokenReviewer.vaultServiceAccount();
    reviewer._problems(`${prefix}tokenReviewer`).forEach((p) => problems.add(p));
    if (reviewer.reviewsItself) {
      problems.check(props.kubernetesHost === undefined, () =>
        `'${prefix}kubernetesHost' is required with TokenReviewer.clientToken(): Vault outside the cluster cannot reach 'https://kubernetes.default.svc'; give the API server's external URL`);
      problems.check(props.kubernetesCaCertificate === undefined, () =>
        `'${prefix}kubernetesCaCertificate' is required with TokenReviewer.clientToken(): Vault outside the cluster has no pod CA to verify the API server with; give the cluster's CA certificate (PEM)`);
    }
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
  /** Which token Vault presents to the TokenReview API. */
  public readonly tokenReviewer: TokenReviewer;

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
    this.tokenReviewer = props.tokenReviewer ?? TokenReviewer.vaultServiceAccount();
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
      // Explicit, because Vault resets every field left out on each write and the provider sends
      // disable_iss_validation=false when it is unset (provider v5.6.0 resource_kubernetes_auth_backend_config.go).
      // `iss` is not checked: the TokenReview proves the token, and bound tokens carry the cluster's issuer URL.
      disableIssValidation: true,
      disableLocalCaJwt: this.tokenReviewer.disableLocalCaJwt,
    });
    config.overrideLogicalId(PkiNames.terraformId('auth', path, 'config'));
  }
}
