/**
 * Every name and path that both outputs use, derived in this one place so that the Vault
 * Terraform and the Kubernetes manifests cannot disagree. Inputs are the explicit names users
 * give (hierarchy, intermediate, namespace, issuer), checked against RFC 1123 by the constructs;
 * never construct paths, which differ between the two trees.
 */
export class PkiNames {
  /** Value of the `app.kubernetes.io/managed-by` label on every Kubernetes object. */
  public static readonly MANAGED_BY = 'cdk8s-vault-pki';

  /** The recording rule each tenant emits: its identity and maximum certificate lifetime (what the alerts join on). */
  public static readonly TENANT_RECORD = 'vault_pki:tenant_max_duration_seconds';

  /** The PrometheusRule of an approval rollout (one per cluster). */
  public static readonly APPROVAL_RULE_NAME = 'vault-pki-approval';

  /** The folder name of a cluster's cluster-scoped objects. */
  public static readonly CLUSTER_SCOPED_FOLDER = '_cluster';

  /** Label naming the tenant Issuer an object belongs to. */
  public static readonly ISSUER_LABEL = 'vault-pki.cdk8s.io/issuer';

  /** Label naming the PKI hierarchy an object belongs to. */
  public static readonly HIERARCHY_LABEL = 'vault-pki.cdk8s.io/hierarchy';

  /**
   * Key of the CA ConfigMap holding every live root CA generation (one PEM bundle): what TrustBundles carry. Its
   * content changes through a rotation, the key does not, so a Bundle never names a key Terraform has not written yet.
   */
  public static readonly ROOTS_KEY = 'roots.crt';

  /** Key of the CA ConfigMap holding every live intermediate CA generation of every intermediate (one PEM bundle). */
  public static readonly INTERMEDIATES_KEY = 'intermediates.crt';

  /** What tenant roles sign with (`issuer_ref`): the mount's default issuer, the ACTIVE generation's. */
  public static readonly DEFAULT_ISSUER_REF = 'default';

  /** Key holding every live CA certificate of the hierarchy (one PEM bundle), for x509-certificate-exporter. */
  public static readonly ALL_CAS_KEY = 'ca-certificates.crt';

  /** Default key of the trust bundle in the ConfigMaps trust-manager writes. */
  public static readonly CA_BUNDLE_KEY = 'ca-bundle.crt';

  /** File name of the fleet contract the platform program writes next to its GitOps tree. */
  public static readonly FLEET_CONTRACT_FILE = 'fleet-contract.json';

  /** Label naming the program (repository and pipeline) that writes an Argo CD ApplicationSet or Namespace. */
  public static readonly PROGRAM_LABEL = 'vault-pki.cdk8s.io/program';

  /**
   * The labels of every Kubernetes object the library emits: `app.kubernetes.io/managed-by`, and
   * the hierarchy and Issuer the object belongs to when given.
   */
  public static labels(hierarchy?: string, issuerName?: string): { [key: string]: string } {
    return {
      'app.kubernetes.io/managed-by': PkiNames.MANAGED_BY,
      ...(hierarchy !== undefined ? { [PkiNames.HIERARCHY_LABEL]: hierarchy } : {}),
      ...(issuerName !== undefined ? { [PkiNames.ISSUER_LABEL]: issuerName } : {}),
    };
  }

  /** Vault PKI mount of the root CA: `<hierarchy>-root`. */
  public static rootMountPath(hierarchy: string): string {
    return `${hierarchy}-root`;
  }

  /** Vault PKI mount of an intermediate CA: `<hierarchy>-int-<intermediate>`. */
  public static intermediateMountPath(hierarchy: string, intermediate: string): string {
    return `${hierarchy}-int-${intermediate}`;
  }

  /** Vault PKI role of a tenant, also its Kubernetes auth role: `<namespace>-<issuer>`. */
  public static roleName(namespace: string, issuerName: string): string {
    return `${namespace}-${issuerName}`;
  }

  /** The Vault path cert-manager signs with: `<mount>/sign/<role>`. */
  public static signPath(mountPath: string, roleName: string): string {
    return `${mountPath}/sign/${roleName}`;
  }

  /** Vault policy of a tenant: `<hierarchy>-tenant-<namespace>-<issuer>`. */
  public static policyName(hierarchy: string, namespace: string, issuerName: string): string {
    return `${hierarchy}-tenant-${PkiNames.roleName(namespace, issuerName)}`;
  }

  /** The Vault Kubernetes auth mount of a cluster: `kubernetes-<cluster>`. */
  public static kubernetesAuthPath(cluster: string): string {
    return `kubernetes-${cluster}`;
  }

  /**
   * The name of a CA generation's key and Vault issuer in its mount: `<ca>` for generation 1 (so a CA created before
   * rotation existed keeps its key and issuer), `<ca>-g<N>` after. `<ca>` is `root` or the intermediate's name.
   */
  public static generationName(ca: string, generation: number): string {
    return generation === 1 ? ca : `${ca}-g${generation}`;
  }

  /** A per-generation kind of Terraform id or construct id: `<kind>` for generation 1 (ids of CAs made before rotation existed stay), `<kind>_g<N>` after. */
  public static generationId(kind: string, generation: number): string {
    return generation === 1 ? kind : `${kind}_g${generation}`;
  }

  /** The common name of a CA generation's certificate: the CA's for generation 1, `<common name> g<N>` after. */
  public static generationCommonName(commonName: string, generation: number): string {
    return generation === 1 ? commonName : `${commonName} g${generation}`;
  }

  /** The named Vault issuer of an intermediate CA generation in its mount. */
  public static intermediateIssuerName(intermediate: string, generation = 1): string {
    return PkiNames.generationName(intermediate, generation);
  }

  /** A tenant's PrometheusRule (its recording rule, in its namespace): `<issuer>-vault-pki`. */
  public static tenantRuleName(issuerName: string): string {
    return `${issuerName}-vault-pki`;
  }

  /** The GitOps folder of a cluster: `clusters/<cluster>`. */
  public static clusterFolder(cluster: string): string {
    return `clusters/${cluster}`;
  }

  /** The GitOps folder of a namespace's objects in a cluster (`_cluster` for cluster-scoped objects). */
  public static namespaceFolder(cluster: string, namespace: string | undefined): string {
    return `${PkiNames.clusterFolder(cluster)}/${namespace ?? PkiNames.CLUSTER_SCOPED_FOLDER}`;
  }


  /** The Issuer's `auth.kubernetes.mountPath` for a Kubernetes auth mount: `/v1/auth/<path>`. */
  public static kubernetesAuthMountPath(authPath: string): string {
    return `/v1/auth/${authPath}`;
  }

  /** The audience cert-manager requests for a namespaced Issuer's token: `vault://<namespace>/<issuer>`. */
  public static audience(namespace: string, issuerName: string): string {
    return `vault://${namespace}/${issuerName}`;
  }

  /** The service account cert-manager requests tokens for, one per Issuer: named after the Issuer. */
  public static serviceAccountName(issuerName: string): string {
    return issuerName;
  }

  /** Role (and RoleBinding) letting cert-manager create tokens for the Issuer's service account. */
  public static tokenRequestRoleName(issuerName: string): string {
    return `${issuerName}-vault-token`;
  }

  /**
   * ClusterRoleBinding of an Issuer's service account to `system:auth-delegator`, when its login tokens review
   * themselves (Vault outside the cluster): `vault-pki-token-review-<namespace>-<issuer>`.
   */
  public static tokenReviewBindingName(namespace: string, issuerName: string): string {
    return `vault-pki-token-review-${PkiNames.roleName(namespace, issuerName)}`;
  }

  /** Cluster-scoped approver-policy CertificateRequestPolicy of a tenant: `<namespace>-<issuer>`. */
  public static certificateRequestPolicyName(namespace: string, issuerName: string): string {
    return PkiNames.roleName(namespace, issuerName);
  }

  /** Role (and RoleBinding) granting cert-manager `use` of the tenant's CertificateRequestPolicy. */
  public static policyUseRoleName(issuerName: string): string {
    return `${issuerName}-approver-policy`;
  }

  /**
   * RoleBinding granting another requester (csi-driver, a workload's own service account, istio-csr) `use` of the
   * tenant's CertificateRequestPolicy: `<issuer>-approver-policy-<requester>`, the requester's name, e.g. `csi-driver`.
   */
  public static policyUseBindingName(issuerName: string, requester: string): string {
    return `${PkiNames.policyUseRoleName(issuerName)}-${requester}`;
  }

  /**
   * Cluster-scoped CertificateRequestPolicy of a tenant Issuer meant for one requester only (a pod's own service account,
   * istio-csr, istiod's Certificate): `<namespace>-<issuer>-<requester>`, e.g. `payments-vault-services-sa-api`.
   */
  public static requesterPolicyName(namespace: string, issuerName: string, requester: string): string {
    return `${PkiNames.certificateRequestPolicyName(namespace, issuerName)}-${requester}`;
  }

  /** Role (and RoleBinding) granting one requester `use` of the policy meant for it: `<issuer>-approver-policy-<requester>`. */
  public static requesterPolicyRoleName(issuerName: string, requester: string): string {
    return `${PkiNames.policyUseRoleName(issuerName)}-${requester}`;
  }

  /** The username the API server gives a service account's requests: `system:serviceaccount:<namespace>:<name>`. */
  public static serviceAccountUsername(namespace: string, name: string): string {
    return `system:serviceaccount:${namespace}:${name}`;
  }

  /** Role (and RoleBinding) letting a workload's service account create CertificateRequests (csi-driver-spiffe). */
  public static certificateRequestRoleName(serviceAccountName: string): string {
    return `${serviceAccountName}-certificate-requests`;
  }

  /** SPIFFE ID of a service account: `spiffe://<trust domain>/ns/<namespace>/sa/<account>`. */
  public static spiffeId(trustDomain: string, namespace: string, serviceAccountName: string): string {
    return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccountName}`;
  }

  /**
   * The SPIFFE IDs of every service account of `namespace`: `spiffe://<trust domain>/ns/<namespace>/sa/*`. Vault's
   * `allowed_uri_sans` (go-glob) and approver-policy's `*` both let that `*` match '/' too, so the library pairs it with
   * an approver-policy rule that admits one path segment only (`PkiNames.spiffeIdRegex`).
   */
  public static spiffeNamespacePattern(trustDomain: string, namespace: string): string {
    return `spiffe://${trustDomain}/ns/${namespace}/sa/*`;
  }

  /**
   * A regular expression (RE2, anchored) matching exactly the SPIFFE IDs `spiffe://<trust domain>/ns/<ns>/sa/<sa>` with
   * a namespace and a service account name as Kubernetes allows them: nothing after them, no further '/'.
   */
  public static spiffeIdRegex(trustDomain: string): string {
    return `^spiffe://${trustDomain.replace(/[.]/g, '[.]')}/ns/[a-z0-9]([-a-z0-9]*[a-z0-9])?/sa/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$`;
  }

  /** ConfigMap (in trust-manager's namespace) the Terraform side writes the CA certificates into. */
  public static caConfigMapName(hierarchy: string): string {
    return `${hierarchy}-ca-certificates`;
  }

  /** Key of an intermediate CA generation's PEM certificate in the CA ConfigMap: `intermediate-<name>[-g<N>].crt`. */
  public static intermediateCaKey(intermediate: string, generation = 1): string {
    return `intermediate-${PkiNames.generationName(intermediate, generation)}.crt`;
  }

  /** Key of a root CA generation's PEM certificate in the CA ConfigMap: `root.crt`, then `root-g<N>.crt`. */
  public static rootCaKey(generation = 1): string {
    return `${PkiNames.generationName('root', generation)}.crt`;
  }

  /** The PrometheusRule of a hierarchy's alerts: `<hierarchy>-pki-alerts`. */
  public static alertRuleName(hierarchy: string): string {
    return `${hierarchy}-pki-alerts`;
  }

  /** Base URL of a Vault API path, with the Vault Enterprise namespace when there is one. */
  public static vaultApiUrl(address: string, path: string, vaultNamespace?: string): string {
    const base = address.replace(/\/+$/, '');
    const ns = vaultNamespace ? `${vaultNamespace.replace(/^\/+|\/+$/g, '')}/` : '';
    return `${base}/v1/${ns}${path}`;
  }

  /** The Argo CD ApplicationSet of a program: `vault-pki-<program>`. */
  public static applicationSetName(program: string): string {
    return `vault-pki-${program}`;
  }

  /** The Argo CD Application of a program on a cluster: `vault-pki-<program>-<cluster>`. */
  public static applicationName(program: string, cluster: string): string {
    return `${PkiNames.applicationSetName(program)}-${cluster}`;
  }

  /**
   * The Terraform stack that publishes a Vault stack's CA certificates into one cluster: `<vault stack>-ca-<cluster>`,
   * one per cluster, so an unreachable or removed cluster never blocks a plan of the CAs or of another cluster.
   */
  public static caPublicationStackName(vaultStack: string, cluster: string): string {
    return `${vaultStack}-ca-${cluster}`;
  }

  /** The alias of the Terraform Kubernetes provider that writes into one cluster: `kubernetes-<cluster>`. */
  public static kubernetesProviderAlias(cluster: string): string {
    return `kubernetes-${cluster}`;
  }

  /** The Terraform variable holding the kubeconfig path of one cluster: `kubeconfig_<cluster, '-' as '_'>`. */
  public static kubeconfigVariable(cluster: string): string {
    return `kubeconfig_${cluster.replace(/-/g, '_')}`;
  }

  /** The sensitive Terraform variable holding a bearer token for one cluster's API server: `kubernetes_token_<cluster>`. */
  public static kubernetesTokenVariable(cluster: string): string {
    return `kubernetes_token_${cluster.replace(/-/g, '_')}`;
  }

  /**
   * The GitOps file of an object: `clusters/<cluster>/<namespace or _cluster>/<kind>-<name>.yaml`. Every part is a
   * validated lower-case name (GitOpsOutput refuses anything else), so no path leaves the tree and no two differ only
   * in case.
   */
  public static objectFile(cluster: string, kind: string, name: string, namespace?: string): string {
    return `${PkiNames.namespaceFolder(cluster, namespace)}/${kind.toLowerCase()}-${name}.yaml`;
  }

  /**
   * Terraform logical id, derived from names rather than construct paths, so that refactoring
   * a program never makes Terraform replace a CA. Names hold no `_`, so joining with `_` is unambiguous.
   */
  public static terraformId(...parts: string[]): string {
    return parts.join('_');
  }

  /**
   * The approver-policy CertificateRequestPolicy of a public ACME issuer: `<namespace>-<issuer>-acme` for a namespaced
   * Issuer, `cluster-<issuer>-acme` for a ClusterIssuer (`cluster` is not a valid namespace name for it to clash with:
   * namespaces may be called so, but a tenant policy is `<namespace>-<issuer>` without the suffix).
   */
  public static publicIssuerPolicyName(issuerName: string, namespace?: string): string {
    return `${namespace ?? 'cluster'}-${issuerName}-acme`;
  }

  /** The Secret cert-manager keeps a public ACME issuer's account key in: `<issuer>-acme-account`. */
  public static acmeAccountKeySecretName(issuerName: string): string {
    return `${issuerName}-acme-account`;
  }

  /** The PrometheusRule of a public ACME issuer's alerts: `<namespace or cluster>-<issuer>-acme-alerts`. */
  public static publicIssuerAlertRuleName(issuerName: string, namespace?: string): string {
    return `${PkiNames.publicIssuerPolicyName(issuerName, namespace)}-alerts`;
  }

  /**
   * The signer name cert-manager's approval webhook checks `approve` on (v1.21.1
   * `internal/webhook/admission/certificaterequest/approval`): `issuers.cert-manager.io/<namespace>.<name>` or
   * `clusterissuers.cert-manager.io/<name>`.
   */
  public static signerName(issuerName: string, namespace?: string): string {
    return namespace === undefined ? `clusterissuers.cert-manager.io/${issuerName}` : `issuers.cert-manager.io/${namespace}.${issuerName}`;
  }

  /** A blackbox-exporter Probe of served certificates: `<probes>-<n>` (one per target, numbered from 1). */
  public static certificateProbeName(probes: string, index: number): string {
    return `${probes}-${index}`;
  }

  /** The PrometheusRule of served-certificate probes: `<probes>-alerts`. */
  public static certificateProbeRuleName(probes: string): string {
    return `${probes}-alerts`;
  }

  private constructor() {}
}
