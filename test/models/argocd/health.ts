/**
 * Resource health, as the sync engine reads it between waves (a wave's objects must be Healthy before the next wave).
 *
 * Followed (argo-cd v3.5.1):
 * - gitops-engine/pkg/health/health.go GetResourceHealth: a deletionTimestamp -> Progressing "Pending deletion";
 *   overrides (Argo CD's Lua health checks) first, then the built-in checks; no check -> no health (nil).
 * - resource_customizations/cert-manager.io/{Issuer,ClusterIssuer,Certificate}/health.lua and
 *   resource_customizations/apiextensions.k8s.io/CustomResourceDefinition/health.lua, transcribed to TypeScript.
 * Not modelled: the built-in checks of workloads (Deployment, StatefulSet, Pod, Job, ...); the library emits none.
 * ServiceAccount, Role(Binding), ClusterRoleBinding, Namespace, CertificateRequestPolicy, Bundle and PrometheusRule
 * have no health check in v3.5.1, so a sync treats them as done as soon as they are applied.
 */
import { gvkOf, KubeObject } from './cluster';

export type HealthStatusCode = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

export interface HealthStatus {
  readonly status: HealthStatusCode;
  readonly message: string;
}

function conditions(obj: KubeObject): any[] {
  const c = obj.status?.conditions;
  return Array.isArray(c) ? c : [];
}

function readyCondition(obj: KubeObject, defaultMessage: string): HealthStatus {
  for (const c of conditions(obj)) {
    if (c.type === 'Ready' && c.status === 'False') return { status: 'Degraded', message: c.message };
    if (c.type === 'Ready' && c.status === 'True') return { status: 'Healthy', message: c.message };
  }
  return { status: 'Progressing', message: defaultMessage };
}

function certificateHealth(obj: KubeObject): HealthStatus {
  for (const c of conditions(obj)) {
    if (c.type === 'Issuing' && c.status === 'True') return { status: 'Progressing', message: c.message };
  }
  return readyCondition(obj, 'Waiting for certificate');
}

function crdHealth(obj: KubeObject): HealthStatus {
  if (obj.metadata.deletionTimestamp) return { status: 'Progressing', message: 'CRD is terminating' };
  // The Lua indexes obj.status.conditions without a nil check: a CRD without status is a Lua error (Unknown).
  if (obj.status === undefined) return { status: 'Unknown', message: "attempt to index a nil value (field 'status')" };
  const list = conditions(obj);
  if (list.length === 0) return { status: 'Progressing', message: 'Status conditions not found' };
  let established = false;
  for (const c of list) {
    if (c.type === 'Terminating' && c.status === 'True') return { status: 'Progressing', message: `CRD is terminating: ${c.message}` };
    if (c.type === 'NamesAccepted' && c.status === 'False') return { status: 'Degraded', message: `CRD names have not been accepted: ${c.message}` };
    if (c.type === 'NonStructuralSchema' && c.status === 'True') return { status: 'Degraded', message: `Schema violations found: ${c.message}` };
    if (c.type === 'Established') {
      if (c.status === 'True') established = true;
      else if (c.reason === 'Installing') return { status: 'Progressing', message: 'CRD is being installed' };
    }
  }
  if (!established) return { status: 'Degraded', message: 'CRD is not established' };
  return { status: 'Healthy', message: 'CRD is healthy' };
}

/** The Lua health checks of argo-cd's resource_customizations that concern this library's kinds. */
export function luaHealth(obj: KubeObject): HealthStatus | undefined {
  const { group, kind } = gvkOf(obj);
  if (group === 'cert-manager.io' && kind === 'Issuer') return readyCondition(obj, 'Initializing issuer');
  if (group === 'cert-manager.io' && kind === 'ClusterIssuer') return readyCondition(obj, 'Initializing ClusterIssuer');
  if (group === 'cert-manager.io' && kind === 'Certificate') return certificateHealth(obj);
  if (group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition') return crdHealth(obj);
  return undefined;
}

/** health.go GetResourceHealth with Argo CD's overrides; `override` stands in for a test's health override. */
export function resourceHealth(obj: KubeObject, override?: (obj: KubeObject) => HealthStatus | undefined): HealthStatus | undefined {
  if (obj.metadata.deletionTimestamp) return { status: 'Progressing', message: 'Pending deletion' };
  const overridden = override?.(obj);
  if (overridden) return overridden;
  return luaHealth(obj);
}
