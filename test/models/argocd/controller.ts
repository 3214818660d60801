/**
 * The application controller around gitops-engine: comparison (target vs live, tracking), one sync operation driven to
 * its end, automated sync, retries and self-heal.
 *
 * Followed (argo-cd v3.5.1):
 * - controller/state.go: CompareAppState (NormalizeTargetObjects: namespaces, duplicates -> RepeatedResourceWarning;
 *   GetManagedLiveObjs; live objects not permitted by the project dropped; SharedResourceWarning; per-resource status
 *   and RequiresPruning), isSelfReferencedObj.
 * - gitops-engine/pkg/cache/cluster.go GetManagedLiveObjs: live objects tracked to the app (without owner references)
 *   plus any live object at a target's key; gitops-engine/pkg/sync/reconcile.go Reconcile.
 * - controller/sync.go SyncAppState: app-level conditions stop the operation (Error), FailOnSharedResource, the sync
 *   options mapped to gitops-engine options (CreateNamespace -> WithNamespaceModifier for the DESTINATION namespace
 *   only, SkipDryRunOnMissingResource, ServerSideApply, PruneLast, Prune=false|confirm), validateSyncPermissions,
 *   delayBetweenSyncWaves; controller/sync_namespace.go syncNamespace (managedNamespaceMetadata).
 * - util/argo/argo.go ValidatePermissions, GetDestinationServer, AugmentSyncMsg, FormatAppConditions.
 * - controller/appcontroller.go autoSync, alreadyAttemptedSync, selfHealRemainingBackoff, processRequestedAppOperation
 *   (retry accounting), pkg/apis/application/v1alpha1/types.go RetryStrategy.NextRetryAt,
 *   application_defaults.go (5 s, factor 2, max 3 m), cmd/argocd-application-controller (self-heal backoff 2 s,
 *   factor 3, cap 300 s).
 * Approximated: the diff (a live object is Synced when it carries the desired fields and tracking id); one controller
 * pass per Sync() call; time in seconds from 0 (retry messages print `t=<s>s` instead of a wall-clock time).
 */
import {
  ClusterState, cloneCluster, deepCopy, findLive, gvkOf, isCrd, isNamespaced, keyString, KubeObject, resourceKey,
} from './cluster';
import { HealthStatus } from './health';
import { AppProject, defaultProject, isDestinationPermitted, isGroupKindNamePermitted, isSourcePermitted } from './project';
import {
  ANNOTATION_SYNC_OPTIONS, isHook, isSkipped, OperationPhase, ReconciledResource, ResourceSyncResult, SyncContext, TaskEvent,
} from './sync-engine';
import { DEFAULT_TRACKING_METHOD, getAppName, isSelfReferencedObj, setAppInstance, TrackingMethod } from './tracking';

export interface ApplicationSource {
  readonly repoURL: string;
  readonly path: string;
  readonly targetRevision?: string;
}

export interface RetryStrategy {
  /** Retries after the first attempt; negative: unlimited. */
  readonly limit?: number;
  readonly backoff?: { readonly duration?: string; readonly factor?: number; readonly maxDuration?: string };
  readonly refresh?: boolean;
}

export interface SyncPolicy {
  readonly automated?: { readonly prune?: boolean; readonly selfHeal?: boolean; readonly allowEmpty?: boolean; readonly enabled?: boolean };
  readonly syncOptions?: string[];
  readonly retry?: RetryStrategy;
  readonly managedNamespaceMetadata?: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
}

/** The fields of an Application the model reads. */
export interface Application {
  readonly name: string;
  /** Namespace of the Application object (Argo CD's own namespace by default). */
  readonly namespace?: string;
  readonly project?: string;
  readonly source?: ApplicationSource;
  readonly destination: { readonly name?: string; readonly server?: string; readonly namespace?: string };
  readonly syncPolicy?: SyncPolicy;
}

export interface AppCondition {
  readonly type: string;
  readonly message: string;
}

export interface ResourceStatus {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** '' for objects the app does not judge (not its own per the tracking id). */
  readonly status: 'Synced' | 'OutOfSync' | '';
  readonly requiresPruning: boolean;
}

export interface ControllerOptions {
  /** Default `defaultProject()`. */
  readonly project?: AppProject;
  /** Argo CD's namespace (Applications there use their bare name as instance name). Default `argocd`. */
  readonly controllerNamespace?: string;
  readonly trackingMethod?: TrackingMethod;
  readonly healthOverride?: (obj: KubeObject) => HealthStatus | undefined;
}

export interface Comparison {
  /** Desired objects after normalization, with their tracking annotation. */
  readonly targets: KubeObject[];
  readonly reconciliation: ReconciledResource[];
  readonly resources: ResourceStatus[];
  readonly status: 'Synced' | 'OutOfSync';
  readonly conditions: AppCondition[];
}

function instanceName(app: Application, controllerNamespace: string): string {
  return !app.namespace || app.namespace === controllerNamespace ? app.name : `${app.namespace}_${app.name}`;
}

function qualifiedName(app: Application): string {
  return app.namespace ? `${app.namespace}/${app.name}` : app.name;
}

function isSubset(desired: any, live: any): boolean {
  if (desired === null || typeof desired !== 'object') return desired === live;
  if (Array.isArray(desired)) return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => isSubset(d, live[i]));
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
  return Object.keys(desired).every((k) => isSubset(desired[k], live[k]));
}

/** util/argo/argo.go GetDestinationServer + the cluster lookup of GetDestinationCluster (one cluster known here). */
export function destinationError(app: Application, cluster: ClusterState): string | undefined {
  const d = app.destination;
  if (d.name && d.server) return `application destination can't have both name and server defined: ${d.name} ${d.server}`;
  if (d.server) return d.server.replace(/\/+$/, '') === cluster.server ? undefined : `error getting cluster by server "${d.server}": cluster "${d.server}" not found`;
  if (d.name) return d.name === cluster.name ? undefined : `there are no clusters with this name: ${d.name}`;
  return 'Destination server missing from app spec';
}

/** util/argo/argo.go ValidatePermissions: InvalidSpecError conditions. */
export function validatePermissions(app: Application, cluster: ClusterState, project: AppProject): AppCondition[] {
  const conditions: AppCondition[] = [];
  if (app.source && !isSourcePermitted(project, app.source.repoURL)) {
    conditions.push({ type: 'InvalidSpecError', message: `application repo ${app.source.repoURL} is not permitted in project '${project.name}'` });
  }
  const destErr = destinationError(app, cluster);
  if (destErr) return [...conditions, { type: 'InvalidSpecError', message: destErr }];
  const ns = app.destination.namespace ?? '';
  if (!isDestinationPermitted(project, cluster, ns)) {
    const server = app.destination.name ? cluster.name : cluster.server;
    conditions.push({
      type: 'InvalidSpecError',
      message: `application destination server '${server}' and namespace '${ns}' do not match any of the allowed destinations in project '${project.name}'`,
    });
  }
  return conditions;
}

/** controller/state.go CompareAppState (the parts that decide what is synced, pruned and judged). */
export function compareAppState(app: Application, desired: KubeObject[], cluster: ClusterState, opts: ControllerOptions = {}): Comparison {
  const controllerNs = opts.controllerNamespace ?? 'argocd';
  const method = opts.trackingMethod ?? DEFAULT_TRACKING_METHOD;
  const project = opts.project ?? defaultProject();
  const appInstance = instanceName(app, controllerNs);
  const destNs = app.destination.namespace ?? '';
  const conditions: AppCondition[] = [];

  // Repo server: tracking on every rendered object but CRDs; then NormalizeTargetObjects.
  const byKey = new Map<string, KubeObject[]>();
  for (const original of desired) {
    if (isHook(original)) throw new Error(`argocd model: hooks are not modelled (${resourceKey(original)})`);
    const obj = deepCopy(original);
    obj.metadata = obj.metadata ?? {};
    const { group, kind } = gvkOf(obj);
    const namespaced = isNamespaced(cluster, group, kind) ?? true;
    if (!namespaced && obj.metadata.namespace) delete obj.metadata.namespace;
    else if (namespaced && !obj.metadata.namespace && destNs) obj.metadata.namespace = destNs;
    if (!isCrd(obj)) setAppInstance(obj, appInstance, destNs, method);
    const key = resourceKey(obj);
    byKey.set(key, [...(byKey.get(key) ?? []), obj]);
  }
  const targets: KubeObject[] = [];
  for (const [key, list] of byKey) {
    if (list.length > 1) conditions.push({ type: 'RepeatedResourceWarning', message: `Resource ${key} appeared ${list.length} times among application resources.` });
    targets.push(list[list.length - 1]);
  }

  // GetManagedLiveObjs.
  const liveByKey = new Map<string, KubeObject>();
  for (const o of cluster.objects) {
    if (getAppName(o, method) === appInstance && (o.metadata.ownerReferences ?? []).length === 0) liveByKey.set(resourceKey(o), o);
  }
  for (const t of targets) {
    const key = resourceKey(t);
    if (!liveByKey.has(key)) {
      const live = findLive(cluster, key);
      if (live) liveByKey.set(key, live);
    }
  }
  for (const [key, live] of [...liveByKey]) {
    const { group, kind } = gvkOf(live);
    const ns = live.metadata.namespace ?? '';
    const permitted = isGroupKindNamePermitted(project, group, kind, live.metadata.name ?? '', ns !== '')
      && (ns === '' || isDestinationPermitted(project, cluster, ns));
    if (!permitted) liveByKey.delete(key);
  }
  for (const live of liveByKey.values()) {
    const owner = getAppName(live, method);
    if (owner !== '' && owner !== appInstance) {
      conditions.push({
        type: 'SharedResourceWarning',
        message: `${live.kind}/${live.metadata.name} is part of applications ${qualifiedName(app)} and ${owner.replace(/_/g, '/')}`,
      });
    }
  }

  // gitops-engine Reconcile.
  const reconciliation: ReconciledResource[] = [];
  for (const t of targets) {
    const { group, kind } = gvkOf(t);
    const scope = isNamespaced(cluster, group, kind);
    const ns = t.metadata.namespace || destNs;
    const keys: string[] = [];
    if (scope !== false) keys.push(keyString(group, kind, ns, t.metadata.name ?? ''));
    if (scope !== true) keys.push(keyString(group, kind, '', t.metadata.name ?? ''));
    const key = keys.find((k) => liveByKey.has(k));
    const live = key ? liveByKey.get(key) : undefined;
    if (key) liveByKey.delete(key);
    reconciliation.push({ target: t, live });
  }
  for (const live of liveByKey.values()) reconciliation.push({ live });

  const resources: ResourceStatus[] = [];
  let outOfSync = false;
  for (const r of reconciliation) {
    const obj = (r.live ?? r.target)!;
    const { group, kind } = gvkOf(obj);
    const self = isSelfReferencedObj(r.live, r.target, app.name, method);
    let status: ResourceStatus['status'] = '';
    if (!(r.target && isSkipped(r.target)) && self) {
      const modified = !!r.target && !!r.live && !isSubset(r.target, r.live);
      status = modified || !r.target || !r.live ? 'OutOfSync' : 'Synced';
      if (status === 'OutOfSync') outOfSync = true;
    }
    resources.push({
      group,
      kind,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name ?? '',
      status,
      requiresPruning: !r.target && !!r.live && self,
    });
  }
  return { targets, reconciliation, resources, status: outOfSync ? 'OutOfSync' : 'Synced', conditions };
}

export interface SyncRequest {
  /** Operation `prune`. Default: `syncPolicy.automated.prune` (what an automated sync uses), else false. */
  readonly prune?: boolean;
  /** Default: `syncPolicy.syncOptions`. */
  readonly syncOptions?: string[];
  /** Selective sync (self-heal syncs only the out-of-sync resources). */
  readonly resources?: Array<{ group: string; kind: string; name: string; namespace?: string }>;
  /** Controller passes before giving up on a sync that waits (health never reached). Default 50. */
  readonly maxPasses?: number;
}

export interface SyncResourceResult extends ResourceSyncResult {
  /** The wave the task ran in. */
  readonly wave?: number;
}

export interface SyncResult {
  /** 'Running' when the operation still waits (e.g. for a resource's health) after the controller passes ran out. */
  readonly phase: OperationPhase;
  readonly message: string;
  /** What `status.operationState.syncResult.resources` shows (messages augmented by AugmentSyncMsg). */
  readonly resources: SyncResourceResult[];
  /** Every apply / prune, dry runs included, in order. */
  readonly steps: TaskEvent[];
  /** Phase and message after each controller pass. */
  readonly passes: Array<{ phase: OperationPhase | undefined; message: string }>;
  readonly conditions: AppCondition[];
  readonly cluster: ClusterState;
  readonly elapsedSeconds: number;
}

/** util/argo/argo.go AugmentSyncMsg. */
export function augmentSyncMsg(res: ResourceSyncResult, cluster: ClusterState): string {
  if (!res.message.includes('the server could not find the requested resource')) return res.message;
  const served = cluster.resources.find((r) => r.group === res.group && r.kind === res.kind) ?? cluster.resources.find((r) => r.kind === res.kind);
  if (!served) {
    return `The Kubernetes API could not find ${res.group}/${res.kind} for requested resource ${res.namespace}/${res.name}. Make sure the "${res.kind}" CRD is installed on the destination cluster.`;
  }
  return `The Kubernetes API could not find version "${res.version}" of ${res.group}/${res.kind} for requested resource ${res.namespace}/${res.name}. Version "${served.version}" of ${served.group}/${served.kind} is installed on the destination cluster.`;
}

function hasOption(options: string[], option: string): boolean {
  return options.includes(option);
}

function optionValue(options: string[], key: string): string | undefined {
  const found = options.find((o) => o.startsWith(`${key}=`));
  return found?.slice(key.length + 1);
}

/**
 * One sync operation of `app` to `desired` (the rendered objects of its source) on `cluster`, driven like the
 * controller drives it: one Sync() per pass, the live state re-read between passes, until it completes or stops
 * progressing. The input cluster is not modified; the result carries the new state.
 */
export function syncApplication(
  app: Application, desired: KubeObject[], cluster: ClusterState, opts: ControllerOptions & SyncRequest = {}): SyncResult {
  const project = opts.project ?? defaultProject();
  const method = opts.trackingMethod ?? DEFAULT_TRACKING_METHOD;
  const state = cloneCluster(cluster);
  const syncOptions = opts.syncOptions ?? app.syncPolicy?.syncOptions ?? [];
  const base = { resources: [], steps: [], passes: [], elapsedSeconds: 0 };

  const specErrors = validatePermissions(app, state, project);
  if (specErrors.length > 0) {
    return { ...base, phase: 'Error', message: specErrors.map((c) => `${c.type}: ${c.message}`).join(';'), conditions: specErrors, cluster: state };
  }
  let comparison = compareAppState(app, desired, state, opts);
  const shared = comparison.conditions.filter((c) => c.type === 'SharedResourceWarning');
  if (hasOption(syncOptions, 'FailOnSharedResource=true') && shared.length > 0) {
    return { ...base, phase: 'Failed', message: `Shared resource found: ${shared[shared.length - 1].message}`, conditions: comparison.conditions, cluster: state };
  }

  const destNs = app.destination.namespace ?? '';
  const selected = opts.resources;
  const nsMetadata = app.syncPolicy?.managedNamespaceMetadata;
  const sc = new SyncContext(state, comparison.reconciliation, {
    namespace: destNs,
    prune: opts.prune ?? app.syncPolicy?.automated?.prune ?? false,
    pruneLast: hasOption(syncOptions, 'PruneLast=true'),
    skipDryRunOnMissingResource: hasOption(syncOptions, 'SkipDryRunOnMissingResource=true'),
    serverSideApply: hasOption(syncOptions, 'ServerSideApply=true'),
    defaultPruneOption: optionValue(syncOptions, 'Prune'),
    healthOverride: opts.healthOverride,
    syncNamespace: hasOption(syncOptions, 'CreateNamespace=true')
      ? (managedNs, liveNs) => {
        // controller/sync_namespace.go: only a new namespace, or any when managedNamespaceMetadata is set.
        if (!nsMetadata && liveNs) return false;
        if (nsMetadata) {
          managedNs.metadata.labels = { ...(nsMetadata.labels ?? {}) };
          managedNs.metadata.annotations = { ...(nsMetadata.annotations ?? {}), [ANNOTATION_SYNC_OPTIONS]: 'ServerSideApply=true' };
        }
        return true;
      }
      : undefined,
    permissionValidator: (obj, namespaced) => {
      const { group, kind } = gvkOf(obj);
      if (!isGroupKindNamePermitted(project, group, kind, obj.metadata?.name ?? '', namespaced)) return `resource ${group}:${kind} is not permitted in project ${project.name}`;
      if (namespaced && !isDestinationPermitted(project, state, obj.metadata?.namespace ?? '')) {
        return `namespace ${obj.metadata?.namespace ?? ''} is not permitted in project '${project.name}'`;
      }
      return undefined;
    },
    resourcesFilter: (_key, target, live) => {
      const obj = (target ?? live)!;
      const { group, kind } = gvkOf(obj);
      const inSelection = !selected || selected.some((s) => s.group === group && s.kind === kind && s.name === obj.metadata.name
        && (s.namespace === undefined || s.namespace === (obj.metadata.namespace ?? '')));
      return inSelection && isSelfReferencedObj(live, target, app.name, method);
    },
  });

  const passes: SyncResult['passes'] = [];
  const maxPasses = opts.maxPasses ?? 50;
  let previous = '';
  for (let i = 0; i < maxPasses; i++) {
    sc.sync();
    passes.push({ phase: sc.phase, message: sc.message });
    if (sc.phase !== 'Running') break;
    comparison = compareAppState(app, desired, state, opts);
    sc.resources = comparison.reconciliation;
    const snapshot = JSON.stringify([sc.getState(), state.objects]);
    if (snapshot === previous) break;
    previous = snapshot;
  }
  const results = sc.getState().results.map((r) => {
    const event = [...sc.events].reverse().find((e) => !e.dryRun && e.kind === r.kind && e.name === r.name && e.namespace === r.namespace);
    return { ...r, message: augmentSyncMsg(r, state), wave: event?.wave };
  });
  const finalComparison = compareAppState(app, desired, state, opts);
  return {
    phase: sc.phase ?? 'Running',
    message: sc.message,
    resources: results,
    steps: sc.events,
    passes,
    conditions: finalComparison.conditions,
    cluster: state,
    elapsedSeconds: sc.elapsedSeconds + passes.length,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Automated sync, retries, self-heal (controller/appcontroller.go).

/** pkg/apis/application/v1alpha1/application_defaults.go. */
export const DEFAULT_SYNC_RETRY = { durationSeconds: 5, factor: 2, maxDurationSeconds: 180 } as const;
/** controller/appcontroller.go autoSync: `Retry: appv1.RetryStrategy{Limit: 5}` when syncPolicy.retry is unset. */
export const DEFAULT_AUTOMATED_RETRY_LIMIT = 5;

function parseDurationSeconds(text: string): number {
  if (/^\d+$/.test(text)) return parseInt(text, 10);
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
  let matched = '';
  for (let m = re.exec(text); m; m = re.exec(text)) {
    matched += m[0];
    const n = parseFloat(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
  }
  if (matched !== text) throw new Error(`unable to parse ${text} as a duration`);
  return total;
}

/** types.go RetryStrategy.NextRetryAt: seconds after `lastAttempt` = duration * factor^retryCount, capped. */
export function nextRetryAt(retry: RetryStrategy | undefined, lastAttempt: number, retryCount: number): number {
  let duration: number = DEFAULT_SYNC_RETRY.durationSeconds;
  let factor: number = DEFAULT_SYNC_RETRY.factor;
  let max: number = DEFAULT_SYNC_RETRY.maxDurationSeconds;
  if (retry?.backoff) {
    if (retry.backoff.duration) duration = parseDurationSeconds(retry.backoff.duration);
    if (retry.backoff.maxDuration) max = parseDurationSeconds(retry.backoff.maxDuration);
    if (retry.backoff.factor !== undefined) factor = retry.backoff.factor;
  }
  let wait = duration * Math.pow(factor, retryCount);
  if (max > 0) wait = Math.min(max, wait);
  return lastAttempt + wait;
}

/** cmd/argocd-application-controller defaults for self-heal: 2 s, factor 3, cap 300 s (wait.Backoff.Step n times). */
export function selfHealDelaySeconds(attempts: number, backoff = { duration: 2, factor: 3, cap: 300 }): number {
  let delay = 0;
  let d = backoff.duration;
  for (let i = 0; i < attempts; i++) {
    delay = Math.min(d, backoff.cap);
    d = d * backoff.factor;
  }
  return delay;
}

export interface OperationState {
  readonly phase: OperationPhase;
  readonly message: string;
  readonly retryCount: number;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly syncResult?: { revision: string; source?: ApplicationSource };
  readonly operation: {
    sync: { revision: string; prune: boolean; syncOptions: string[]; selfHealAttemptsCount: number; resources?: any[] };
    retry: RetryStrategy;
    automated: boolean;
  };
}

export interface AutoSyncInput {
  readonly app: Application;
  /** The last operation's state (status.operationState). */
  readonly operationState?: OperationState;
  /** An operation in progress (app.operation). */
  readonly operationInProgress?: boolean;
  readonly deleting?: boolean;
  readonly syncStatus: { status: 'Synced' | 'OutOfSync' | 'Unknown'; revision: string };
  readonly resources: Array<{ group?: string; kind: string; name: string; status: string; requiresPruning?: boolean }>;
  /** Seconds since the last operation finished (self-heal backoff). */
  readonly sinceFinished?: number;
  readonly shouldCompareRevisions?: boolean;
}

export interface AutoSyncDecision {
  /** The operation autoSync sets, if any. */
  readonly operation?: OperationState['operation'];
  /** A SyncError condition autoSync reports. */
  readonly condition?: AppCondition;
  /** Why no operation was started (the controller's log line). */
  readonly skipped?: string;
  /** Self-heal postponed: retry after this many seconds. */
  readonly retryAfter?: number;
}

function canonical(v: any): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object') return `{${Object.keys(v).filter((k) => v[k] !== undefined && v[k] !== '').sort().map((k) => `${k}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/**
 * appcontroller.go alreadyAttemptedSync (single source): the last operation was to these revisions (when
 * `compareRevisions`, i.e. the new commit touched the app) AND to the same source (repo, path, revision spec).
 */
export function alreadyAttemptedSync(app: Application, op: OperationState | undefined, revisions: string[], compareRevisions = true): {
  attempted: boolean; phase?: OperationPhase; revision?: string;
} {
  if (!op) return { attempted: false };
  if (!op.syncResult) {
    const done = op.phase === 'Failed' || op.phase === 'Error' || op.phase === 'Succeeded';
    return { attempted: done, phase: op.phase };
  }
  if (compareRevisions && (revisions.length !== 1 || op.syncResult.revision !== revisions[0])) {
    return { attempted: false, phase: op.phase, revision: op.syncResult.revision };
  }
  return { attempted: canonical(app.source) === canonical(op.syncResult.source), phase: op.phase, revision: op.syncResult.revision };
}

/** appcontroller.go autoSync. */
export function autoSync(input: AutoSyncInput): AutoSyncDecision {
  const { app, syncStatus, resources } = input;
  const automated = app.syncPolicy?.automated;
  if (!automated || automated.enabled === false) return { skipped: 'automated sync disabled' };
  if (input.operationInProgress) return { skipped: 'Skipping auto-sync: another operation is in progress' };
  if (input.deleting) return { skipped: 'Skipping auto-sync: deletion in progress' };
  if (syncStatus.status !== 'OutOfSync') return { skipped: `Skipping auto-sync: application status is ${syncStatus.status}` };
  if (!automated.prune && resources.every((r) => r.status === 'Synced' || r.requiresPruning)) {
    return { skipped: 'Skipping auto-sync: need to prune extra resources only but automated prune is disabled' };
  }
  const operation = {
    sync: {
      revision: syncStatus.revision,
      prune: !!automated.prune,
      syncOptions: app.syncPolicy?.syncOptions ?? [],
      selfHealAttemptsCount: 0,
      resources: undefined as any[] | undefined,
    },
    retry: app.syncPolicy?.retry ?? { limit: DEFAULT_AUTOMATED_RETRY_LIMIT },
    automated: true,
  };
  const previous = alreadyAttemptedSync(app, input.operationState, [syncStatus.revision], input.shouldCompareRevisions ?? true);
  if (previous.attempted) {
    if (previous.phase !== 'Succeeded') {
      return {
        condition: { type: 'SyncError', message: `Failed last sync attempt to [${previous.revision ?? ''}]: ${input.operationState?.message ?? ''}` },
        skipped: `Skipping auto-sync: failed previous sync attempt to [${previous.revision ?? ''}] and will not retry for [${syncStatus.revision}]`,
      };
    }
    if (!automated.selfHeal) return { skipped: `Skipping auto-sync: most recent sync already to [${syncStatus.revision}]` };
    const attempts = input.operationState?.operation.sync.selfHealAttemptsCount ?? 0;
    const remaining = selfHealDelaySeconds(attempts) - (input.sinceFinished ?? 0);
    if (remaining > 0) return { skipped: `Skipping auto-sync: already attempted sync to [${previous.revision}] (retrying in ${remaining}s)`, retryAfter: remaining };
    operation.sync.selfHealAttemptsCount = attempts + 1;
    operation.sync.resources = resources.filter((r) => r.status !== 'Synced').map((r) => ({ group: r.group ?? '', kind: r.kind, name: r.name }));
  }
  if (automated.prune && !automated.allowEmpty && resources.every((r) => r.requiresPruning)) {
    const message = `Skipping sync attempt to [${syncStatus.revision}]: auto-sync will wipe out all resources`;
    return { condition: { type: 'SyncError', message }, skipped: message };
  }
  return { operation };
}

export interface ClusterEvent {
  /** Seconds from the start of the timeline. */
  readonly at: number;
  readonly description: string;
  readonly apply: (cluster: ClusterState) => ClusterState;
}

export interface SyncAttempt {
  readonly attempt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly result: SyncResult;
}

export interface AutomatedSyncResult {
  readonly decision: AutoSyncDecision;
  readonly attempts: SyncAttempt[];
  /** status.operationState after the operation ended (or stopped waiting). */
  readonly operationState?: OperationState;
  /** What autoSync decides on the next refresh, for the same revision. */
  readonly next?: AutoSyncDecision;
  /** True when automated sync will not try this revision again (SyncError "Failed last sync attempt"). */
  readonly stoppedForRevision: boolean;
  readonly cluster: ClusterState;
  /** Human-readable timeline. */
  readonly timeline: string[];
}

export interface AutomatedSyncOptions extends ControllerOptions {
  /** The commit the app is at. Default 'HEAD'. */
  readonly revision?: string;
  /** Things that happen to the cluster meanwhile (e.g. Helm charts installed at t=60s). */
  readonly events?: ClusterEvent[];
  /** The previous operation (e.g. a failed sync of the same revision). */
  readonly previous?: OperationState;
  readonly maxPasses?: number;
  /**
   * Stop modelling after this many attempts (with `retry.limit: -1` Argo CD retries forever, every 3 min at most); the
   * operation is then still Running, retrying.
   */
  readonly maxAttempts?: number;
}

/**
 * An automated sync from the moment the app is found OutOfSync: autoSync's decision, the operation with its retries
 * (processRequestedAppOperation), and what autoSync decides afterwards for the same revision.
 */
export function automatedSync(app: Application, desired: KubeObject[], cluster: ClusterState, opts: AutomatedSyncOptions = {}): AutomatedSyncResult {
  const revision = opts.revision ?? 'HEAD';
  const events = [...(opts.events ?? [])].sort((a, b) => a.at - b.at);
  const timeline: string[] = [];
  let state = cloneCluster(cluster);
  let t = 0;
  const applyEvents = (until: number) => {
    while (events.length > 0 && events[0].at <= until) {
      const e = events.shift()!;
      state = e.apply(state);
      timeline.push(`t=${e.at}s ${e.description}`);
    }
  };
  applyEvents(t);
  const comparison = compareAppState(app, desired, state, opts);
  const syncStatus = { status: comparison.status, revision };
  const decision = autoSync({ app, operationState: opts.previous, syncStatus, resources: comparison.resources });
  if (!decision.operation) {
    timeline.push(`t=${t}s ${decision.skipped ?? ''}`);
    return { decision, attempts: [], operationState: opts.previous, stoppedForRevision: !!decision.condition, cluster: state, timeline };
  }
  timeline.push(`t=${t}s Initiated automated sync to '${revision}'`);
  const operation = decision.operation;
  const limit = operation.retry.limit ?? 0;
  const attempts: SyncAttempt[] = [];
  let retryCount = 0;
  let phase: OperationPhase = 'Running';
  let message = '';
  let finishedAt = t;
  for (;;) {
    applyEvents(t);
    const result = syncApplication(app, desired, state, {
      ...opts, prune: operation.sync.prune, syncOptions: operation.sync.syncOptions, resources: operation.sync.resources,
    });
    state = result.cluster;
    finishedAt = t + result.elapsedSeconds;
    attempts.push({ attempt: attempts.length + 1, startedAt: t, finishedAt, result });
    phase = result.phase;
    message = result.message;
    if ((phase === 'Failed' || phase === 'Error') && attempts.length >= (opts.maxAttempts ?? 100)) {
      timeline.push(`t=${finishedAt}s ${phase}: ${message} (model stopped after ${attempts.length} attempts; Argo CD keeps retrying)`);
      phase = 'Running';
      break;
    }
    if (phase === 'Failed' || phase === 'Error') {
      if (retryCount < limit || limit < 0) {
        const announced = nextRetryAt(operation.retry, finishedAt, retryCount);
        retryCount++;
        message = `${message}. Retrying attempt #${retryCount} at t=${announced}s.`;
        timeline.push(`t=${finishedAt}s ${phase}: ${message}`);
        // processRequestedAppOperation resumes once NextRetryAt(finishedAt, retryCount) has passed; retryCount is the
        // incremented one, so the real waits are 10, 20, 40, 80, 160 s by default (the message announces 5, 10, ...).
        t = nextRetryAt(operation.retry, finishedAt, retryCount);
        timeline.push(`t=${t}s Retrying operation. Attempt #${retryCount}`);
        continue;
      }
      if (retryCount > 0) message = `${message} (retried ${retryCount} times).`;
    }
    timeline.push(`t=${finishedAt}s ${phase}: ${message}`);
    break;
  }
  const operationState: OperationState = {
    phase,
    message,
    retryCount,
    startedAt: 0,
    finishedAt,
    syncResult: { revision, source: app.source },
    operation,
  };
  // Whatever else happens to the cluster afterwards, then the next refresh.
  applyEvents(Number.POSITIVE_INFINITY);
  let next: AutoSyncDecision | undefined;
  if (phase !== 'Running') {
    const after = compareAppState(app, desired, state, opts);
    next = autoSync({ app, operationState, syncStatus: { status: after.status, revision }, resources: after.resources, sinceFinished: 0 });
    timeline.push(`t=${finishedAt}s next refresh: ${next.condition ? `${next.condition.type}: ${next.condition.message}` : next.skipped ?? 'new operation'}`);
  }
  return { decision, attempts, operationState, next, stoppedForRevision: !!next?.condition, cluster: state, timeline };
}
