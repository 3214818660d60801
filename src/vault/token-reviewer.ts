/**
 * Which bearer token Vault's Kubernetes auth method presents to the Kubernetes TokenReview API when cert-manager
 * logs in. Vault reviews every login token, always (vault-plugin-auth-kubernetes v0.24.1 `path_login.go`: the
 * lookup runs unconditionally), so a working reviewer is not optional.
 *
 * Vault writes `auth/<path>/config` as a whole on every write: a field left out goes back to its default
 * (`path_config.go` `pathConfigWrite`). So no token may be set out of band and Terraform must send the complete
 * configuration, which is why neither variant here needs a reviewer JWT.
 */
export class TokenReviewer {
  /**
   * Vault runs in a pod of this cluster: it reviews tokens with its own pod's service account token and CA
   * (re-read every minute), so its service account needs the ClusterRole `system:auth-delegator` (the Vault Helm
   * chart's `server.authDelegator.enabled`, on by default).
   */
  public static vaultServiceAccount(): TokenReviewer {
    return new TokenReviewer(false, undefined);
  }

  /**
   * Vault runs outside this cluster: each login token reviews itself. Vault, holding no reviewer JWT, presents the
   * token it is reviewing as the bearer (`token_review.go`), so:
   * - every Issuer adds the API server's audience to the token cert-manager requests
   *   (`serviceAccountRef.audiences`), or the API server would reject the bearer: cert-manager's default audiences
   *   `vault://<namespace>/<issuer>` and the Vault address are not API audiences;
   * - every Issuer's service account is bound to `system:auth-delegator` (create TokenReviews and
   *   SubjectAccessReviews, nothing else);
   * - Vault does not fall back to a local pod token or CA (`disable_local_ca_jwt`), and needs the API server's URL
   *   and CA certificate (`kubernetesHost`, `kubernetesCaCertificate`).
   * No long-lived credential exists anywhere: the tokens are cert-manager's 10-minute tokens.
   * @param apiAudience an audience the API server accepts (`--api-audiences`, by default the service account
   * issuer): `kubectl get --raw /.well-known/openid-configuration` shows it as `issuer`, e.g.
   * `https://kubernetes.default.svc.cluster.local`
   */
  public static clientToken(apiAudience: string): TokenReviewer {
    return new TokenReviewer(true, apiAudience);
  }

  private constructor(
    /** Whether Vault must not use a local pod token and CA (`disable_local_ca_jwt`). */
    public readonly disableLocalCaJwt: boolean,
    /** The API server audience each Issuer adds to its token, when login tokens review themselves. */
    public readonly apiAudience: string | undefined,
  ) {}

  /** Whether login tokens review themselves (Vault outside the cluster). */
  public get reviewsItself(): boolean {
    return this.apiAudience !== undefined;
  }

  /** @internal */
  public _problems(prop: string): string[] {
    if (this.apiAudience === undefined) return [];
    const audience = this.apiAudience;
    return typeof audience !== 'string' || audience.trim() === '' || /[\s,]/.test(audience)
      ? [`'${prop}' API audience (${audience}) must be one audience of the API server, e.g. 'https://kubernetes.default.svc.cluster.local'`]
      : [];
  }
}
