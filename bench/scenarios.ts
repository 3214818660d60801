// The benchmark scenario, shared by the library and the baseline builders: a fleet of C clusters and T tenants,
// both halves in one program (the two examples/fleet programs combined):
//
// - Vault half (cdktf): the stack `pki-platform` with the hierarchy `pki` (root `acme-root-ca`, intermediate
//   `services` for services.internal) and one PkiCluster (Kubernetes auth mount, CA ConfigMap) per cluster; tenant
//   shards `tenants-00..09` holding the T tenants `team-000..` (PKI role, policy, one auth role per cluster).
// - Cluster half (cdk8s): one ClusterChart per cluster `cluster-00..` with a TrustBundle and PkiAlerts; every tenant
//   placed on every cluster (C x T placements), each placement with 2 ShortLivedCertificates (`api`, `worker`).
// - Output: the GitOps tree (clusters/<cluster>/<ns>/..., kustomizations, inventory.json) and cdktf.out.
//
// Each builder lives in its own module and is loaded lazily, so a baseline run never loads the library, the floor
// loads neither framework (only cdk8s's Yaml), and a library run pays its real load cost.

/**
 * Which implementation of the scenario a run measures: the library; the raw cdk8s/cdktf baseline; the serialization
 * floor (the same output from plain data, no framework).
 */
export type Variant = 'library' | 'baseline' | 'floor';

export const VARIANTS: readonly Variant[] = ['library', 'baseline', 'floor'];

/** How big a fleet is: every tenant is placed on every cluster. */
export interface FleetSize {
  readonly clusters: number;
  readonly tenants: number;
}

/** Where one run writes its two outputs. */
export interface Outdirs {
  /** Root of the GitOps tree (clusters/, inventory.json). */
  readonly gitops: string;
  /** cdktf outdir (manifest.json + stacks/<stack>/cdk.tf.json). */
  readonly tf: string;
}

/** A built scenario (construct trees only), ready to write. */
export interface BuiltScenario {
  /** Writes the GitOps tree (the library: GitOpsOutput.write; the baseline: its own writer). */
  writeGitOps(): void;
  /** cdktf App.synth(). */
  synthTerraform(): void;
}

/** Builds the scenario (construct trees only, nothing written). */
export type ScenarioBuilder = (size: FleetSize, outdirs: Outdirs) => BuiltScenario;

/** The fixed part of the scenario; both builders use exactly these values. */
export const SCENARIO = {
  vaultAddress: 'https://vault.acme.internal:8200',
  platformStack: 'pki-platform',
  hierarchy: 'pki',
  rootCommonName: 'acme-root-ca',
  intermediate: 'services',
  intermediateDomain: 'services.internal',
  tenantStacks: 'tenants',
  shards: 10,
  ruleLabels: { release: 'kube-prometheus-stack' } as Record<string, string>,
  trustBundle: 'internal-ca',
  trustNamespaceLabels: { 'inject-ca': 'true' } as Record<string, string>,
  alerts: 'alerts',
  /** The certificates of every placement (one per service). */
  services: ['api', 'worker'] as readonly string[],
} as const;

/** Name of cluster `i`: `cluster-00`, `cluster-01`, ... */
export function clusterName(i: number): string {
  return `cluster-${String(i).padStart(2, '0')}`;
}

/** URL of cluster `name`'s API server (Vault runs outside every cluster of the bench; at most one may use the in-cluster default). */
export function clusterApiServer(name: string): string {
  return `https://api.${name}.acme.internal:6443`;
}

/** Namespace (and name) of tenant `i`: `team-000`, `team-001`, ... */
export function tenantNamespace(i: number): string {
  return `team-${String(i).padStart(3, '0')}`;
}

/** Domain tenant `i` owns. */
export function tenantDomain(i: number): string {
  return `${tenantNamespace(i)}.${SCENARIO.intermediateDomain}`;
}

/** The DNS name of tenant `i`'s certificate for `service`. */
export function certificateDnsName(service: string, i: number): string {
  return `${service}.${tenantDomain(i)}`;
}

/** `3 x 5`: clusters x tenants. */
export function describeSize(size: FleetSize): string {
  return `${size.clusters} x ${size.tenants}`;
}
