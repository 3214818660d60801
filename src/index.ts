// Core: names, limits, keys and usages shared by both halves.
// The error every construct throws for input out of policy (TypeScript/JavaScript only: jsii cannot model an Error subclass).
export { PkiValidationError } from './core/errors';
export * from './core/names';
export * from './core/limits';
export * from './core/key-algorithm';
export * from './core/key-usage';
// The Vault half (Terraform stacks).
export * from './terraform/state-backend';
export * from './vault/vault-server-ca';
export * from './vault/vault-pki-stack';
export * from './vault/token-reviewer';
export * from './vault/ca-generation';
export * from './vault/fleet-contract-base';
export * from './vault/root-ca-options';
export * from './vault/root-ca';
export * from './vault/intermediate-ca-options';
export * from './vault/intermediate-ca';
export * from './vault/pki-hierarchy';
export * from './vault/kubernetes-access';
export * from './vault/pki-cluster';
export * from './vault/ca-publication-stack';
export * from './vault/tenant-stacks';
export * from './vault/published-ca-certificates';
// Tenants: the Vault half (Tenant) and its placement on clusters (TenantIssuer).
export * from './tenants/tenant-scope';
export * from './tenants/tenant';
export * from './tenants/tenant-issuer';
// Public certificates beside the private PKI: an ACME issuer with its own approver-policy policy.
export * from './tenants/acme-server';
export * from './tenants/acme-solver';
export * from './tenants/acme-issuer';
// The cluster half (cdk8s charts) and the GitOps output.
export * from './cluster/cluster-chart';
export * from './cluster/gitops-output';
export * from './cluster/fleet-contract';
// The audit-first rollout of approval (cert-manager's approver, then approver-policy alone).
export * from './cluster/approval-rollout';
// Delivery of certificates and trust to workloads.
export * from './delivery/leaf-certificate-options';
export * from './delivery/short-lived-certificate';
export * from './delivery/workload-mount-options';
export * from './delivery/trust-bundle';
export * from './delivery/in-memory-certificate';
export * from './delivery/public-certificate';
export * from './delivery/certificate-reload';
// Mesh identities: csi-driver-spiffe SVIDs and istio-csr.
export * from './mesh/spiffe-csi-driver';
export * from './mesh/spiffe-identity';
export * from './mesh/istio-csr';
// Monitoring and consistency.
export * from './monitoring/pki-alerts';
export * from './monitoring/certificate-probes';
export * from './monitoring/crl-probes';
export * from './consistency';
