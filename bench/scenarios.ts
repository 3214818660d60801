// The benchmark scenario, shared by the library and the baseline builders: one hierarchy (root
// `acme-root-ca`, intermediate `services`) and N tenants `team-<i>`, each with one TenantIssuer and
// one 24h mTLS ShortLivedCertificate.
//
// Each builder lives in its own module and is loaded lazily, so a baseline run never loads the
// library (nor cdk8s-plus-28, which the library imports) and a library run pays its real load cost.

/** Which implementation of the scenario a run measures. */
export type Variant = 'library' | 'baseline';

export const VARIANTS: readonly Variant[] = ['library', 'baseline'];

/** Where one run writes its two outputs. */
export interface Outdirs {
  /** cdk8s outdir (the Kubernetes YAML). */
  readonly k8s: string;
  /** cdktf outdir (manifest.json + stacks/vault/cdk.tf.json). */
  readonly tf: string;
}

/** Anything with a synth(): the cdk8s and the cdktf App. */
export interface Synthesizable {
  synth(): void;
}

/** The two apps of a built scenario, ready to synthesize. */
export interface BuiltScenario {
  readonly k8s: Synthesizable;
  readonly tf: Synthesizable;
}

/** Builds the scenario for `tenants` tenants (construct tree only, no synth). */
export type ScenarioBuilder = (tenants: number, outdirs: Outdirs) => BuiltScenario;

/** The fixed part of the scenario, and how tenants are named; both builders use exactly these values. */
export const SCENARIO = {
  vaultAddress: 'https://vault.internal:8200',
  hierarchy: 'pki',
  rootCommonName: 'acme-root-ca',
  intermediate: 'services',
  intermediateDomain: 'services.internal',
  chartId: 'pki',
  stackId: 'vault',
} as const;

/** Namespace of tenant `i`. */
export function tenantNamespace(i: number): string {
  return `team-${i}`;
}

/** Domain tenant `i` owns. */
export function tenantDomain(i: number): string {
  return `${tenantNamespace(i)}.${SCENARIO.intermediateDomain}`;
}

/** The DNS name of tenant `i`'s mTLS certificate. */
export function tenantCertificateDnsName(i: number): string {
  return `mtls.${tenantDomain(i)}`;
}

/** Loads the builder of `variant` (and, with it, only the modules that variant needs). */
export async function loadScenario(variant: Variant): Promise<ScenarioBuilder> {
  if (variant === 'library') {
    return (await import('./scenario-library.js')).buildLibraryScenario;
  }
  return (await import('./scenario-baseline.js')).buildBaselineScenario;
}
