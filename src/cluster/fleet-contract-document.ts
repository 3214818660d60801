/**
 * The fleet contract as JSON: what the platform program owns and whom it lets own what, versioned
 * (`apiVersion: vault-pki.cdk8s.io/v1alpha1`, `kind: FleetContract`), deterministic (sorted lists, fixed key order), and
 * read by other programs in any language. Only plain values: no Terraform reference, no construct path, no secret.
 * @internal
 */

/** The contract format this library writes and reads. */
export const FLEET_CONTRACT_API_VERSION = 'vault-pki.cdk8s.io/v1alpha1';
export const FLEET_CONTRACT_KIND = 'FleetContract';

/** A CA generation, as `CaGenerationOptions` with defaults filled in. */
export interface GenerationDocument {
  readonly generation: number;
  readonly state: string;
  readonly preparedSince?: string;
  readonly drainingSince?: string;
  readonly rootGeneration?: number;
  readonly compromised?: boolean;
}

export interface KeyAlgorithmDocument {
  /** `ECDSA`, `RSA` or `Ed25519`. */
  readonly family: string;
  /** Bits (curve size for ECDSA, 0 for Ed25519). */
  readonly size: number;
}

export interface IntermediateDocument {
  readonly name: string;
  readonly mountPath: string;
  /** The named Vault issuer that signs today (the ACTIVE generation's). */
  readonly issuerName: string;
  readonly domains: string[];
  readonly commonName: string;
  readonly ttlSeconds: number;
  readonly keyAlgorithm: KeyAlgorithmDocument;
  readonly generations: GenerationDocument[];
}

export interface HierarchyDocument {
  readonly name: string;
  readonly caPublicationNamespace: string;
  /** The ConfigMap Terraform publishes the CA certificates into, in every cluster. */
  readonly caConfigMap: string;
  readonly root: {
    readonly commonName: string;
    readonly mountPath: string;
    readonly ttlSeconds: number;
    readonly keyAlgorithm: KeyAlgorithmDocument;
    readonly generations: GenerationDocument[];
  };
  readonly intermediates: IntermediateDocument[];
}

/** Which token Vault presents to the cluster's TokenReview API. */
export interface TokenReviewerDocument {
  /** `vaultServiceAccount` (Vault in the cluster) or `clientToken` (each login token reviews itself). */
  readonly kind: string;
  /** With `clientToken`: the API server audience every Issuer adds to its token. */
  readonly apiAudience?: string;
}

export interface ClusterDocument {
  readonly name: string;
  /** The Vault Kubernetes auth mount: `kubernetes-<cluster>`. */
  readonly authMount: string;
  /** What Issuers put in `auth.kubernetes.mountPath`. */
  readonly issuerMountPath: string;
  /** The API server Vault sends TokenReviews to. */
  readonly kubernetesHost: string;
  readonly tokenReviewer: TokenReviewerDocument;
  /** The labels the platform's TrustBundles select namespaces by in this cluster (tenant Namespaces carry them). */
  readonly namespaceLabels: { [key: string]: string };
  readonly certManagerNamespace: string;
  readonly certManagerServiceAccount: string;
  /** The labels the cluster's Prometheus operator selects PrometheusRules by. */
  readonly ruleLabels: { [key: string]: string };
}

export interface StackDocument {
  /** The Terraform stack id. */
  readonly name: string;
  /** Where its state lives (`StateBackend.stateLocation`), when the program says. */
  readonly state?: string;
  /** The cluster a CA publication stack writes into. */
  readonly cluster?: string;
}

export interface ProgramDocument {
  readonly name: string;
  /** Tenant namespaces only this program may use (Vault roles, policies, auth roles, Issuers, Namespace objects). */
  readonly namespaces: string[];
  /** Its Terraform stacks are `<stackPrefix>` or `<stackPrefix>-<NN>` (the state keys follow the stack ids). */
  readonly stackPrefix: string;
  /** Its one Argo CD ApplicationSet, generating `<applicationSet>-<cluster>`. */
  readonly applicationSet: string;
}

export interface VaultDocument {
  readonly address: string;
  readonly namespace?: string;
  /** How cert-manager verifies Vault: `{ pem }`, `{ secretName, secretKey }`, or `{}` (system trust). */
  readonly serverCa: { readonly pem?: string; readonly secretName?: string; readonly secretKey?: string };
}

export interface FleetContractDocument {
  readonly apiVersion: string;
  readonly kind: string;
  readonly generatedBy: string;
  readonly vault: VaultDocument;
  /** The platform program: its name, ApplicationSet and Terraform stacks. */
  readonly platform: {
    readonly program: string;
    readonly applicationSet: string;
    readonly stacks: StackDocument[];
  };
  readonly hierarchies: HierarchyDocument[];
  readonly clusters: ClusterDocument[];
  /** The team programs the platform admits. */
  readonly programs: ProgramDocument[];
}

/** What is wrong with `json` as a contract this library can read (shape only; names are checked by the reader). */
export function documentProblems(json: any): string[] {
  const problems: string[] = [];
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return ['is not a JSON object'];
  if (json.kind !== FLEET_CONTRACT_KIND) problems.push(`'kind' (${String(json.kind)}) is not '${FLEET_CONTRACT_KIND}'`);
  if (json.apiVersion !== FLEET_CONTRACT_API_VERSION) {
    problems.push(`'apiVersion' (${String(json.apiVersion)}) is not '${FLEET_CONTRACT_API_VERSION}', the version this library reads; ` +
      'use the library version the platform program uses');
  }
  const list = (path: string, v: unknown) => {
    if (!Array.isArray(v)) problems.push(`'${path}' is not a list`);
    return Array.isArray(v) ? v : [];
  };
  const text = (path: string, v: unknown) => {
    if (typeof v !== 'string' || v === '') problems.push(`'${path}' is not a non-empty string`);
  };
  if (problems.length > 0) return problems;
  text('vault.address', json.vault?.address);
  text('platform.program', json.platform?.program);
  list('platform.stacks', json.platform?.stacks);
  for (const [i, h] of list('hierarchies', json.hierarchies).entries()) {
    text(`hierarchies[${i}].name`, h?.name);
    for (const [j, im] of list(`hierarchies[${i}].intermediates`, h?.intermediates).entries()) {
      text(`hierarchies[${i}].intermediates[${j}].name`, im?.name);
      list(`hierarchies[${i}].intermediates[${j}].domains`, im?.domains);
    }
  }
  for (const [i, c] of list('clusters', json.clusters).entries()) {
    text(`clusters[${i}].name`, c?.name);
    text(`clusters[${i}].tokenReviewer.kind`, c?.tokenReviewer?.kind);
  }
  for (const [i, p] of list('programs', json.programs).entries()) {
    text(`programs[${i}].name`, p?.name);
    list(`programs[${i}].namespaces`, p?.namespaces);
  }
  return problems;
}

/** `value` with object keys sorted, recursively (so the JSON text is the same on every run). */
export function sortedKeys(value: any): any {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => [k, sortedKeys(value[k])]));
  }
  return value;
}
