import { OutputIndex } from './output-index';

/** What a consistency finding is about: the id of the rule that found it. */
export enum ConsistencyFindingKind {
  /** The Issuer's `spec.vault.path` is not `<mount>/sign/<role>` of an existing PKI mount and role. */
  ISSUER_PATH = 'issuer-path',
  /** The Issuer's `auth.kubernetes.mountPath` is not `/v1/auth/<path>` of an existing Kubernetes auth method. */
  ISSUER_MOUNT_PATH = 'issuer-mount-path',
  /** The Issuer's `auth.kubernetes.role` is not a role of that auth method. */
  ISSUER_AUTH_ROLE = 'issuer-auth-role',
  /** The Issuer's service account is not the one the auth role binds, or does not exist. */
  ISSUER_SERVICE_ACCOUNT = 'issuer-service-account',
  /** The auth role does not bind the Issuer's namespace (exactly). */
  ISSUER_NAMESPACE = 'issuer-namespace',
  /** The auth role's audience is not the one cert-manager requests for the Issuer. */
  ISSUER_AUDIENCE = 'issuer-audience',
  /** The auth role's policies do not allow exactly signing at the Issuer's path. */
  ISSUER_POLICY = 'issuer-policy',
  /** The Issuer's server or Vault namespace is not the Vault the Terraform configures. */
  ISSUER_SERVER = 'issuer-server',
  /** No approver-policy CertificateRequestPolicy selects the Issuer in its namespace. */
  ISSUER_APPROVER_POLICY = 'issuer-approver-policy',
  /** A Certificate's issuer does not exist. */
  CERTIFICATE_ISSUER = 'certificate-issuer',
  /** A Certificate's key algorithm or size is not the one its policy and Vault role accept. */
  CERTIFICATE_KEY_ALGORITHM = 'certificate-key-algorithm',
  /** A Certificate's duration exceeds its policy's maxDuration or its Vault role's max_ttl. */
  CERTIFICATE_DURATION = 'certificate-duration',
  /** Two Certificates write the same Secret. */
  CERTIFICATE_SECRET = 'certificate-secret',
  /** Two objects of the same kind share a namespace and name: one would overwrite the other. */
  DUPLICATE_OBJECT = 'duplicate-object',
  /** An Issuer logs in through another cluster's auth mount (its tokens would be reviewed by the wrong cluster). */
  ISSUER_CLUSTER = 'issuer-cluster',
  /** A trust bundle's source ConfigMap is not published into this cluster by the Terraform. */
  BUNDLE_SOURCE = 'bundle-source',
  /** Two Vault roles on one PKI mount allow overlapping domains (two tenants could issue each other's names). */
  ROLE_DOMAINS = 'role-domains',
  /**
   * A Vault role does not sign with its mount's default issuer, or the mount's default issuer is not set to an issuer
   * of that mount that may issue (a rotation would leave the role on an old generation, or signing fails).
   */
  ROLE_ISSUER = 'role-issuer',
  /**
   * A workload's csi-driver volume names an Issuer that does not exist, asks for a duration or key its policy or Vault
   * role refuses, or the identity that creates its requests (csi-driver's service account) may not use the policy.
   */
  CSI_VOLUME = 'csi-volume',
  /**
   * A workload's csi-driver-spiffe volume: the pod's service account may not create requests or use a policy, or its
   * SPIFFE ID is not allowed by the policy and the Vault role.
   */
  SPIFFE_VOLUME = 'spiffe-volume',
  /** A policy of a Vault Issuer allows a URI SAN its Vault role does not, or a URI pattern's `*` could cross '/'. */
  URI_PATTERNS = 'uri-patterns',
  /**
   * A CertificateRequestPolicy allows URI SANs (identities) without binding them to the one requester meant to ask for
   * them: no `cr.username` rule, or an identity other than that one may use it.
   */
  POLICY_IDENTITY = 'policy-identity',
  /** A CertificateRequestPolicy allows `isCA`, or a Certificate or csi-driver volume asks for a CA. */
  IS_CA = 'is-ca',
  /**
   * A CA mount has no rotation guard, or its guard's preconditions are not the ones its recorded generations call for
   * (an escape hatch removed or changed what `terraform plan` checks), or a generation's plan-time record is missing.
   */
  ROTATION_GUARD = 'rotation-guard',
  /** A CA mount's default issuer is not its ACTIVE generation's (an override switched roles to a generation not meant to sign). */
  ROTATION_DEFAULT_ISSUER = 'rotation-default-issuer',
  /** An intermediate generation is signed without path length 0, without its domains as name constraints, or with the CSR's values. */
  ROTATION_SIGNATURE = 'rotation-signature',
  /**
   * The Issuer's PKI mount, Vault role, auth mount and auth role are not all in the Vault (address and Vault namespace)
   * the Issuer calls: a program that typed another address or namespace writes its roles where no CA is.
   */
  ISSUER_VAULT = 'issuer-vault',
  /** The Issuer's Vault role allows domains outside its intermediate's name constraints (every such certificate is refused by clients). */
  ROLE_CONSTRAINTS = 'role-constraints',
  /**
   * The cluster's auth mount reviews each login token with the token itself (Vault outside the cluster), but the
   * Issuer's token carries no API server audience or its service account may not create TokenReviews.
   */
  ISSUER_TOKEN_REVIEW = 'issuer-token-review',
  /**
   * A Terraform Kubernetes provider that does not name one cluster alone (host and CA, or an explicit kubeconfig
   * path), a stack that writes into several clusters, or a stack that holds CA mounts and talks to a cluster.
   */
  KUBERNETES_PROVIDER = 'kubernetes-provider',
  /** Two Terraform stacks keep their state in one place: each apply overwrites the other's state. */
  STATE_OWNER = 'state-owner',
  /** Two Terraform stacks define the same Vault PKI role, policy, auth role or mount: the last apply wins. */
  VAULT_OWNER = 'vault-owner',
  /** Two GitOps trees write the same Argo CD ApplicationSet, or generate the same Application: they overwrite and prune each other. */
  GITOPS_OWNER = 'gitops-owner',
  /** A program's outputs contradict the fleet contract (its Vault, intermediates, clusters, namespaces, stacks, ApplicationSet). */
  FLEET_CONTRACT = 'fleet-contract',
  /** A tenant Issuer's namespace is not a Namespace object of the GitOps tree, or lacks the labels the cluster's Bundles select. */
  TENANT_NAMESPACE = 'tenant-namespace',
  /** A custom resource of a GitOps tree without SkipDryRunOnMissingResource: Argo CD refuses the whole sync while its chart is missing. */
  GITOPS_SYNC = 'gitops-sync',
}

/** One reference that does not resolve between the Kubernetes manifests and the Terraform. */
export interface ConsistencyFinding {
  /** What kind of reference broke (the id of the rule that found it). */
  readonly kind: ConsistencyFindingKind;
  /** The Kubernetes object the finding is about, as `Kind namespace/name`. */
  readonly object: string;
  /** What does not resolve, and what it should resolve to. */
  readonly message: string;
}

/** A consistency rule, as `ConsistencyCheck.rules()` lists it. */
export interface ConsistencyRuleInfo {
  /** The rule's id: the kind of its findings. */
  readonly id: ConsistencyFindingKind;
  /** What the rule proves. */
  readonly description: string;
}

/**
 * A consistency rule: an id, a description and a check over the indexed outputs. Rules are data: a feature adds
 * its rules as a file under `rules/` and lists them in `rules/index.ts`.
 * @internal
 */
export interface ConsistencyRule extends ConsistencyRuleInfo {
  /** Runs once over the whole fleet (checkFleet's fleet-wide pass, and single-program checks), not per cluster. */
  readonly fleet?: boolean;
  check(index: OutputIndex, report: (object: string, message: string) => void): void;
}
