/**
 * A destination cluster as Argo CD sees it: the API resources its discovery serves, the live objects, and what
 * `kubectl apply` / `kubectl delete` do to them. Only the behaviour the sync engine depends on is modelled.
 *
 * Followed (argo-cd v3.5.1, gitops-engine vendored at argo-cd/gitops-engine):
 * - gitops-engine/pkg/utils/kube/kube.go: ServerResourceForGroupVersionKind (discovery NotFound), GetResourceKey.
 * - gitops-engine/pkg/utils/kube/resource_ops.go: ApplyResource, rbacReconcile (the namespace check before
 *   `kubectl auth reconcile`), runResourceCommand + cleanKubectlOutput (kube.go).
 * Approximated (client-go / kubectl / the API server are not modelled from source): the discovery error of a group
 * version the server does not serve, kubectl's "resource mapping not found" error, the API server's
 * `namespaces "x" not found`, kubectl's `<kind>.<group>/<name> created|configured|unchanged` output.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';

/** A Kubernetes object as unstructured JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: any;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: any[];
  deletionTimestamp?: string;
  [key: string]: any;
}

/** One entry of discovery: a kind served at a group version. */
export interface ApiResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Verbs; `undefined` means all (get, list, create, update, patch, delete). */
  readonly verbs?: string[];
}

/** The state of a destination cluster. The model copies it before mutating (see {@link cloneCluster}). */
export interface ClusterState {
  /** Name of the Argo CD cluster secret (what `destination.name` refers to). */
  readonly name: string;
  /** API server URL (what `destination.server` refers to). */
  readonly server: string;
  /** What discovery serves. CRDs applied through the model add their served versions (Established at once). */
  resources: ApiResource[];
  /** Live objects, Namespaces and CRDs included. */
  objects: KubeObject[];
  /**
   * Simulates the controllers of the cluster: the `status` an object has after it is applied (e.g. an Issuer's Ready
   * condition). Default: none (a freshly applied custom resource has no status).
   */
  statusOf?: (obj: KubeObject) => any;
  /** Injected API errors (admission webhooks, quotas, ...): a message fails the apply with that message. */
  rejects?: (obj: KubeObject, op: { dryRun: boolean }) => string | undefined;
  /** Injected discovery failures that are not NotFound (API server unreachable, ...). */
  discoveryFails?: (gvk: GroupVersionKind) => string | undefined;
}

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** `group/version` or `version` (core) -> parts. */
export function gvkOf(obj: { apiVersion?: string; kind?: string }): GroupVersionKind {
  const apiVersion = obj.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
  return { group, version, kind: obj.kind ?? '' };
}

/** gitops-engine kube.ResourceKey.String(): `group/kind/namespace/name`. */
export function resourceKey(obj: KubeObject): string {
  const { group, kind } = gvkOf(obj);
  return keyString(group, kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
}

export function keyString(group: string, kind: string, namespace: string, name: string): string {
  return `${group}/${kind}/${namespace}/${name}`;
}

export function deepCopy<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** A copy whose objects and resources can be mutated; the hooks are shared. */
export function cloneCluster(cluster: ClusterState): ClusterState {
  return { ...cluster, resources: [...cluster.resources], objects: cluster.objects.map((o) => deepCopy(o)) };
}

const ALL = undefined;

/** Core kinds every API server serves (the subset a GitOps tree of this library and the upstream cases use). */
export const CORE_RESOURCES: ApiResource[] = [
  { group: '', version: 'v1', kind: 'Namespace', namespaced: false, verbs: ALL },
  { group: '', version: 'v1', kind: 'ServiceAccount', namespaced: true },
  { group: '', version: 'v1', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', kind: 'PersistentVolume', namespaced: false },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'CronJob', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', namespaced: false },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', namespaced: true },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', namespaced: false },
];

export function namespaceObject(name: string, extra: Partial<ObjectMeta> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...extra } };
}

/** A fresh cluster: core kinds only, and the namespaces `kubeadm` creates. */
export function emptyCluster(name: string, server = `https://${name}.clusters.internal:6443`): ClusterState {
  return {
    name,
    server,
    resources: [...CORE_RESOURCES],
    objects: ['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((ns) => namespaceObject(ns)),
  };
}

/** The API resources a CRD serves (`spec.versions[].served`, or the legacy `spec.version`). */
export function crdResources(crd: KubeObject): ApiResource[] {
  const spec = crd.spec ?? {};
  const kind = spec.names?.kind ?? '';
  const namespaced = (spec.scope ?? 'Namespaced') === 'Namespaced';
  const versions: string[] = Array.isArray(spec.versions)
    ? spec.versions.filter((v: any) => v.served !== false).map((v: any) => v.name)
    : spec.version ? [spec.version] : [];
  return versions.map((version) => ({ group: spec.group ?? '', version, kind, namespaced }));
}

export function isCrd(obj: KubeObject | undefined): boolean {
  if (!obj) return false;
  return gvkOf(obj).group === 'apiextensions.k8s.io' && obj.kind === 'CustomResourceDefinition';
}

const UPSTREAM_CRDS = path.join(__dirname, '..', '..', '..', 'upstream', 'crds');

/**
 * The CRDs the README's Helm charts install, from the repository's vendored copies (upstream/crds/PROVENANCE.md):
 * cert-manager v1.21.1 (Certificate, CertificateRequest, ClusterIssuer, Issuer), approver-policy v0.27.0
 * (CertificateRequestPolicy), trust-manager v0.24.0 (Bundle; its ClusterBundle is not shipped in the chart) and
 * prometheus-operator v0.93.0 (PrometheusRule, from kube-prometheus-stack).
 */
export function readmeChartCrds(): KubeObject[] {
  return [
    'cert-manager.io_Certificate.yaml',
    'cert-manager.io_CertificateRequest.yaml',
    'cert-manager.io_ClusterIssuer.yaml',
    'cert-manager.io_Issuer.yaml',
    'policy.cert-manager.io_CertificateRequestPolicy.yaml',
    'trust.cert-manager.io_Bundle.yaml',
    'monitoring.coreos.com_PrometheusRule.yaml',
  ].map((file) => yaml.load(fs.readFileSync(path.join(UPSTREAM_CRDS, file), 'utf8')) as KubeObject);
}

/** Argo CD's own ApplicationSet CRD (vendored), for a management cluster that Argo CD itself syncs into. */
export function applicationSetCrd(): KubeObject {
  return yaml.load(fs.readFileSync(path.join(UPSTREAM_CRDS, 'argoproj.io_ApplicationSet.yaml'), 'utf8')) as KubeObject;
}

/** Installs CRDs the way Helm does (not tracked by Argo CD): the objects and their served kinds. */
export function withCrds(cluster: ClusterState, crds: KubeObject[]): ClusterState {
  const next = cloneCluster(cluster);
  for (const crd of crds) {
    const copy = deepCopy(crd);
    copy.status = establishedStatus(copy);
    next.objects = next.objects.filter((o) => resourceKey(o) !== resourceKey(copy));
    next.objects.push(copy);
    for (const r of crdResources(copy)) {
      if (!next.resources.some((x) => sameResource(x, r))) next.resources.push(r);
    }
  }
  return next;
}

export function withNamespaces(cluster: ClusterState, names: string[]): ClusterState {
  const next = cloneCluster(cluster);
  for (const name of names) {
    if (!namespaceExists(next, name)) next.objects.push(namespaceObject(name));
  }
  return next;
}

/**
 * The README's install order, step 1: kube-prometheus-stack (`-n monitoring --create-namespace`), cert-manager
 * (`-n cert-manager --create-namespace`, `crds.enabled=true`), approver-policy and trust-manager (in cert-manager).
 * Their CRDs and namespaces, nothing else (their Deployments, ServiceMonitors etc. are not Argo CD's business here).
 */
export function withReadmeCharts(cluster: ClusterState): ClusterState {
  return withNamespaces(withCrds(cluster, readmeChartCrds()), ['monitoring', 'cert-manager']);
}

function sameResource(a: ApiResource, b: ApiResource): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

function establishedStatus(crd: KubeObject): any {
  return {
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    acceptedNames: crd.spec?.names,
  };
}

export function namespaceExists(cluster: ClusterState, name: string): boolean {
  return cluster.objects.some((o) => o.kind === 'Namespace' && gvkOf(o).group === '' && o.metadata.name === name);
}

function namespaceTerminating(cluster: ClusterState, name: string): boolean {
  return cluster.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === name && !!o.metadata.deletionTimestamp);
}

/** The result of discovery for one GVK (gitops-engine kube.ServerResourceForGroupVersionKind). */
export type DiscoveryResult = { resource: ApiResource } | { notFound: true; message: string } | { notFound: false; message: string };

/**
 * Discovery of a GVK. A group version the server does not serve at all fails in client-go's
 * `ServerResourcesForGroupVersion` with a 404, which gitops-engine wraps (kube.go:207) and which is still a NotFound
 * (apierrors.IsNotFound unwraps); a served group version without the kind returns `apierrors.NewNotFound(
 * {Group, Resource: Kind}, "")` (kube.go:204, 219).
 */
export function discover(cluster: ClusterState, gvk: GroupVersionKind): DiscoveryResult {
  const groupVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  const failure = cluster.discoveryFails?.(gvk);
  if (failure) return { notFound: false, message: `failed to discover server resources for group version ${groupVersion}: ${failure}` };
  const inGroupVersion = cluster.resources.filter((r) => r.group === gvk.group && r.version === gvk.version);
  if (inGroupVersion.length === 0 && groupVersion !== 'v1') {
    return {
      notFound: true,
      message: `failed to discover server resources for group version ${groupVersion}: the server could not find the requested resource`,
    };
  }
  const found = inGroupVersion.find((r) => r.kind === gvk.kind);
  if (found) return { resource: found };
  const groupResource = gvk.group ? `${gvk.kind}.${gvk.group}` : gvk.kind;
  return { notFound: true, message: `${groupResource} "" not found` };
}

/** Whether a group/kind is namespaced: `undefined` if discovery does not know it (gitops-engine: unknown scope). */
export function isNamespaced(cluster: ClusterState, group: string, kind: string): boolean | undefined {
  const r = cluster.resources.find((x) => x.group === group && x.kind === kind);
  return r ? r.namespaced : undefined;
}

export function findLive(cluster: ClusterState, key: string): KubeObject | undefined {
  return cluster.objects.find((o) => resourceKey(o) === key);
}

export interface KubectlResult {
  readonly ok: boolean;
  readonly message: string;
}

function printedName(obj: KubeObject): string {
  const { group, kind } = gvkOf(obj);
  return `${kind.toLowerCase()}${group ? `.${group}` : ''}/${obj.metadata.name}`;
}

function stripStatus(obj: KubeObject): any {
  const { status: _status, ...rest } = obj;
  void _status;
  return rest;
}

/**
 * `kubectl apply` of one object as gitops-engine runs it (resource_ops.go ApplyResource). `dryRun` is the client-side
 * dry run of the sync's validation pass (sync_context.go applyObject: always DryRunClient): it needs the kind's REST
 * mapping but sends nothing to the API server, so a missing namespace passes it.
 */
export function kubectlApply(cluster: ClusterState, obj: KubeObject, opts: { dryRun: boolean; serverSideApply: boolean }): KubectlResult {
  const rejected = cluster.rejects?.(obj, { dryRun: opts.dryRun });
  if (rejected) return { ok: false, message: rejected };
  const gvk = gvkOf(obj);
  const found = discover(cluster, gvk);
  if (!('resource' in found)) {
    // kubectl's resource builder (approximated, kubectl v0.36.1 not read): the REST mapping of the kind is unknown.
    return {
      ok: false,
      message: `resource mapping not found for name: "${obj.metadata.name}" namespace: "${obj.metadata.namespace ?? ''}" from "/dev/shm/manifest.yaml": no matches for kind "${gvk.kind}" in version "${obj.apiVersion}"\nensure CRDs are installed first`,
    };
  }
  const namespaced = found.resource.namespaced;
  const namespace = namespaced ? obj.metadata.namespace || 'default' : '';
  // resource_ops.go rbacReconcile: before `kubectl auth reconcile` (client-side apply of rbac.authorization.k8s.io/v1), a
  // wet run GETs the object's namespace, so that auth reconcile does not create it (kubernetes/kubernetes#71185).
  const rbacReconcile = !opts.serverSideApply && obj.apiVersion === 'rbac.authorization.k8s.io/v1';
  if (rbacReconcile && !opts.dryRun && namespace !== '' && obj.kind !== 'ClusterRole' && obj.kind !== 'ClusterRoleBinding') {
    if (!namespaceExists(cluster, namespace)) {
      return { ok: false, message: `error running kubectl auth reconcile: error getting namespace ${namespace}: namespaces "${namespace}" not found` };
    }
  }
  if (opts.dryRun) return { ok: true, message: `${printedName(obj)} created (dry run)` };
  if (namespaced) {
    if (!namespaceExists(cluster, namespace)) return { ok: false, message: `namespaces "${namespace}" not found` };
    if (namespaceTerminating(cluster, namespace)) {
      return {
        ok: false,
        message: `${gvk.kind.toLowerCase()}s "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      };
    }
  }
  const stored: KubeObject = deepCopy(obj);
  stored.metadata.namespace = namespaced ? namespace : undefined;
  if (!namespaced) delete stored.metadata.namespace;
  const key = resourceKey(stored);
  const existing = findLive(cluster, key);
  let verb = 'created';
  if (existing) {
    const same = JSON.stringify(stripStatus(existing)) === JSON.stringify(stripStatus(stored));
    verb = same ? 'unchanged' : 'configured';
    if (existing.status !== undefined) stored.status = existing.status;
    if (existing.metadata.deletionTimestamp) stored.metadata.deletionTimestamp = existing.metadata.deletionTimestamp;
    cluster.objects = cluster.objects.map((o) => (o === existing ? stored : o));
  } else {
    cluster.objects.push(stored);
  }
  if (isCrd(stored)) {
    stored.status = establishedStatus(stored);
    for (const r of crdResources(stored)) {
      if (!cluster.resources.some((x) => sameResource(x, r))) cluster.resources.push(r);
    }
  } else {
    const status = cluster.statusOf?.(stored);
    if (status !== undefined) stored.status = status;
  }
  const out = rbacReconcile ? `${printedName(obj)} reconciled\n${printedName(obj)} ${verb}` : `${printedName(obj)} ${verb}`;
  return { ok: true, message: out };
}

/**
 * `DELETE` with foreground propagation (sync_context.go pruneObject / getDeleteOptions). An object with finalizers
 * stays, marked with a deletionTimestamp; deleting a Namespace deletes what is in it (the namespace controller,
 * immediate here).
 */
export function kubectlDelete(cluster: ClusterState, key: string): KubectlResult {
  const live = findLive(cluster, key);
  if (!live) return { ok: true, message: 'not found' };
  const rejected = cluster.rejects?.(live, { dryRun: false });
  if (rejected) return { ok: false, message: rejected };
  if ((live.metadata.finalizers ?? []).length > 0) {
    live.metadata.deletionTimestamp = live.metadata.deletionTimestamp ?? '1970-01-01T00:00:00Z';
    return { ok: true, message: 'marked for deletion' };
  }
  cluster.objects = cluster.objects.filter((o) => o !== live);
  if (live.kind === 'Namespace' && gvkOf(live).group === '') {
    cluster.objects = cluster.objects.filter((o) => o.metadata.namespace !== live.metadata.name || isClusterScoped(cluster, o));
  }
  if (isCrd(live)) {
    const served = crdResources(live);
    cluster.resources = cluster.resources.filter((r) => !served.some((s) => sameResource(s, r)));
    const group = live.spec?.group;
    const kind = live.spec?.names?.kind;
    cluster.objects = cluster.objects.filter((o) => !(gvkOf(o).group === group && o.kind === kind));
  }
  return { ok: true, message: 'deleted' };
}

function isClusterScoped(cluster: ClusterState, obj: KubeObject): boolean {
  const { group, kind } = gvkOf(obj);
  return isNamespaced(cluster, group, kind) === false;
}
