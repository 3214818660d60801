/**
 * gitops-engine's sync: tasks, their order, and the state machine of one sync operation.
 *
 * Followed (argo-cd v3.5.1; gitops-engine is vendored in the argo-cd repository at gitops-engine/ and pinned by
 * go.mod `replace github.com/argoproj/argo-cd/gitops-engine => ./gitops-engine`):
 * - gitops-engine/pkg/sync/sync_tasks.go: syncPhaseOrder, kindOrder, Less (phase, wave, kind, name), Sort +
 *   adjustDeps (a Namespace moves before the first object in it, a CRD before the first object of its kind, each
 *   taking that object's phase and wave), multiStep.
 * - gitops-engine/pkg/sync/sync_task.go, sync_phase.go, syncwaves/waves.go, hook/hook.go, hook/helm/weight.go.
 * - gitops-engine/pkg/sync/sync_context.go: Sync, getSyncTasks (discovery per GVK, SkipDryRunOnMissingResource,
 *   permission validation, prune wave reversal, PruneLast), autoCreateNamespace, runTasks (prune first, then create
 *   grouped by kind; a failed group does not stop the next ones), processCreateTasks, applyObject, pruneObject,
 *   setRunningPhase, executeSyncFailPhase, setResourceResult.
 * - gitops-engine/pkg/sync/common/types.go: option strings, phases, result codes.
 * Not modelled: hooks (PreSync/Sync/PostSync/SyncFail resources; a hook in the desired objects throws), Replace/Force
 * (applied like any object), ApplyOutOfSyncOnly, server-side diff, client-side-apply migration, Terminate.
 * Deviation for determinism: Go's sort.Sort is not stable and task messages are joined from a Go map; the model sorts
 * stably (ties: namespace, then input order) and sorts joined messages.
 */
import {
  ClusterState, discover, findLive, gvkOf, isCrd, keyString, KubeObject, kubectlApply, kubectlDelete, resourceKey,
} from './cluster';
import { HealthStatus, resourceHealth } from './health';

export const ANNOTATION_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
export const ANNOTATION_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ANNOTATION_HOOK = 'argocd.argoproj.io/hook';
export const HELM_HOOK = 'helm.sh/hook';
export const HELM_HOOK_WEIGHT = 'helm.sh/hook-weight';

export type SyncPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail' | '';
export type OperationPhase = 'Running' | 'Terminating' | 'Failed' | 'Error' | 'Succeeded';
export type ResultCode = 'Synced' | 'SyncFailed' | 'Pruned' | 'PruneSkipped';

const SYNC_PHASE_ORDER: Record<string, number> = { 'PreSync': -1, 'Sync': 0, '': 0, 'PostSync': 1, 'SyncFail': 2 };

/** sync_tasks.go kindOrder (Helm's kind_sorter order); any other kind, custom resources included, is 0. */
export const KIND_ORDER_LIST = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount',
  'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition',
  'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding',
  'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment',
  'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];

export function kindOrder(kind: string | undefined): number {
  const i = KIND_ORDER_LIST.indexOf(kind ?? '');
  return i < 0 ? 0 : i - KIND_ORDER_LIST.length;
}

function annotations(obj: KubeObject | undefined): Record<string, string> {
  const a = obj?.metadata?.annotations;
  return a && typeof a === 'object' ? a : {};
}

/** resource/annotations.go GetAnnotationCSVs. */
export function annotationCsvs(obj: KubeObject | undefined, key: string): string[] {
  const seen = new Set<string>();
  for (const item of (annotations(obj)[key] ?? '').split(',')) {
    const v = item.trim();
    if (v !== '') seen.add(v);
  }
  return [...seen];
}

export function hasAnnotationOption(obj: KubeObject | undefined, key: string, value: string): boolean {
  return annotationCsvs(obj, key).includes(value);
}

export function annotationOptionValue(obj: KubeObject | undefined, key: string, option: string): string | undefined {
  const found = annotationCsvs(obj, key).find((i) => i.startsWith(`${option}=`));
  return found === undefined ? undefined : found.slice(option.length + 1);
}

/** Go strconv.Atoi: optional sign and decimal digits only. */
function atoi(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? parseInt(text, 10) : undefined;
}

/** syncwaves/waves.go Wave: the sync-wave annotation, else the Helm hook weight, else 0. */
export function waveOf(obj: KubeObject | undefined): number {
  const a = annotations(obj);
  if (a[ANNOTATION_SYNC_WAVE] !== undefined) {
    const v = atoi(a[ANNOTATION_SYNC_WAVE]);
    if (v !== undefined) return v;
  }
  if (a[HELM_HOOK_WEIGHT] !== undefined) return atoi(a[HELM_HOOK_WEIGHT]) ?? 0;
  return 0;
}

function hookTypes(obj: KubeObject | undefined): string[] {
  const known = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip'];
  const types = annotationCsvs(obj, ANNOTATION_HOOK).filter((t) => known.includes(t));
  if (types.length > 0) return types;
  const helm: Record<string, string> = { 'pre-install': 'PreSync', 'pre-upgrade': 'PreSync', 'post-install': 'PostSync', 'post-upgrade': 'PostSync' };
  return annotationCsvs(obj, HELM_HOOK).map((t) => helm[t]).filter((t): t is string => !!t);
}

/** hook/hook.go Skip: the only hook type is Skip. */
export function isSkipped(obj: KubeObject | undefined): boolean {
  const types = hookTypes(obj);
  return types.includes('Skip') && types.length === 1;
}

/** hook/hook.go IsHook. */
export function isHook(obj: KubeObject | undefined): boolean {
  if (annotations(obj)[ANNOTATION_HOOK] !== undefined) return !isSkipped(obj);
  return annotationCsvs(obj, HELM_HOOK).length > 0;
}

export interface SyncTask {
  phase: SyncPhase;
  targetObj?: KubeObject;
  liveObj?: KubeObject;
  skipDryRun?: boolean;
  syncStatus?: ResultCode;
  operationState?: OperationPhase;
  message?: string;
  waveOverride?: number;
  /** Not upstream: a label for the transcribed ordering cases. */
  id?: string;
}

export function taskObj(t: SyncTask): KubeObject {
  return (t.targetObj ?? t.liveObj ?? { apiVersion: '', kind: '', metadata: {} }) as KubeObject;
}

export function taskWave(t: SyncTask): number {
  return t.waveOverride ?? waveOf(taskObj(t));
}

function taskName(t: SyncTask): string {
  return taskObj(t).metadata?.name ?? '';
}

function taskKind(t: SyncTask): string {
  return taskObj(t).kind ?? '';
}

function taskGroup(t: SyncTask): string {
  return gvkOf(taskObj(t)).group;
}

const isPrune = (t: SyncTask) => !t.targetObj;
const pending = (t: SyncTask) => !t.operationState;
const running = (t: SyncTask) => t.operationState === 'Running';
const completed = (t: SyncTask) => t.operationState === 'Failed' || t.operationState === 'Error' || t.operationState === 'Succeeded';
const successful = (t: SyncTask) => t.operationState === 'Succeeded';

/** sync_tasks.go Less; `undefined` for a tie (Go's unstable sort leaves ties in any order). */
export function compareTasks(a: SyncTask, b: SyncTask): number {
  const d = SYNC_PHASE_ORDER[a.phase ?? ''] - SYNC_PHASE_ORDER[b.phase ?? ''];
  if (d !== 0) return d;
  const w = taskWave(a) - taskWave(b);
  if (w !== 0) return w;
  const k = kindOrder(taskKind(a)) - kindOrder(taskKind(b));
  if (k !== 0) return k;
  const an = taskName(a);
  const bn = taskName(b);
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** sync_tasks.go Sort: Less, then the Namespace and CRD dependency adjustments. */
export function sortTasks(tasks: SyncTask[]): SyncTask[] {
  const s = tasks
    .map((t, i) => ({ t, i }))
    .sort((x, y) => compareTasks(x.t, y.t) || (taskObj(x.t).metadata?.namespace ?? '').localeCompare(taskObj(y.t).metadata?.namespace ?? '') || x.i - y.i)
    .map((x) => x.t);
  adjustDeps(s, (o) => (o.kind === 'Namespace' && gvkOf(o).group === '' ? o.metadata?.name ?? '' : undefined),
    (o) => (o.metadata?.namespace ? o.metadata.namespace : undefined));
  adjustDeps(s, (o) => {
    if (!isCrd(o)) return undefined;
    const group = o.spec?.group;
    const kind = o.spec?.names?.kind;
    return typeof group === 'string' && typeof kind === 'string' ? `${group}/${kind}` : undefined;
  }, (o) => `${gvkOf(o).group}/${o.kind}`);
  return s;
}

function adjustDeps(s: SyncTask[], isDep: (o: KubeObject) => string | undefined, refDep: (o: KubeObject) => string | undefined): void {
  const firstIndexByDepKey = new Map<string, number>();
  for (let i = 0; i < s.length; i++) {
    const t = s[i];
    if (!t.targetObj) continue;
    const depKey = isDep(t.targetObj);
    if (depKey !== undefined) {
      const index = firstIndexByDepKey.get(depKey);
      if (index !== undefined) {
        t.waveOverride = taskWave(s[index]);
        t.phase = s[index].phase;
        for (let j = i; j > index; j--) s[j] = s[j - 1];
        s[index] = t;
        for (const [k, v] of firstIndexByDepKey) if (v >= index) firstIndexByDepKey.set(k, v + 1);
      }
    } else {
      const ref = refDep(t.targetObj);
      if (ref !== undefined && !firstIndexByDepKey.has(ref)) firstIndexByDepKey.set(ref, i);
    }
  }
}

export function multiStep(tasks: SyncTask[]): boolean {
  if (tasks.length === 0) return false;
  const first = tasks[0];
  const last = tasks[tasks.length - 1];
  return taskWave(first) !== taskWave(last) || first.phase !== last.phase;
}

/** One resource's result, as GetState returns it (common.ResourceSyncResult). */
export interface ResourceSyncResult {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly version: string;
  status: ResultCode | undefined;
  hookPhase: OperationPhase | undefined;
  message: string;
  readonly syncPhase: SyncPhase;
  readonly order: number;
}

/** Not upstream: every apply / prune the model ran, in order, for reading a sync like the controller's log. */
export interface TaskEvent {
  readonly iteration: number;
  readonly dryRun: boolean;
  readonly action: 'apply' | 'prune';
  readonly syncPhase: SyncPhase;
  readonly wave: number;
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly result: ResultCode;
  readonly message: string;
}

export interface ReconciledResource {
  readonly target?: KubeObject;
  readonly live?: KubeObject;
}

export interface SyncContextOptions {
  /** The Application's destination namespace (sc.namespace). */
  readonly namespace: string;
  /** Operation's `prune` (manual sync flag, or `automated.prune`). */
  readonly prune?: boolean;
  readonly pruneLast?: boolean;
  readonly skipDryRunOnMissingResource?: boolean;
  readonly serverSideApply?: boolean;
  /** App-level `Prune=` sync option value (`false` / `confirm`). */
  readonly defaultPruneOption?: string;
  /** Mutable: the user confirms pruning between passes. */
  pruneConfirmed?: boolean;
  /**
   * WithNamespaceModifier (set by the controller only with `CreateNamespace=true`): may mutate the managed Namespace;
   * returns whether to sync it, or an error message.
   */
  readonly syncNamespace?: (managedNs: KubeObject, liveNs: KubeObject | undefined) => boolean | { error: string };
  /** WithPermissionValidator: an error message denies the object. */
  readonly permissionValidator?: (obj: KubeObject, namespaced: boolean) => string | undefined;
  readonly healthOverride?: (obj: KubeObject) => HealthStatus | undefined;
  /** WithResourcesFilter. */
  readonly resourcesFilter?: (key: string, target: KubeObject | undefined, live: KubeObject | undefined) => boolean;
  /** controller/sync.go delayBetweenSyncWaves: ARGOCD_SYNC_WAVE_DELAY, default 2 s, after every wave but the last. */
  readonly waveDelaySeconds?: number;
}

type RunState = 'successful' | 'pending' | 'failed';

function combine(state: RunState, results: RunState[]): RunState {
  let res = state;
  for (const r of results) {
    if (res === 'failed') break;
    if (res === 'pending') {
      if (r === 'failed') res = 'failed';
    } else if (r !== 'successful') {
      res = r;
    }
  }
  return res;
}

const OPERATION_PHASES: Record<ResultCode, OperationPhase> = { Synced: 'Running', SyncFailed: 'Failed', Pruned: 'Succeeded', PruneSkipped: 'Succeeded' };

function isNamespaceWithName(obj: KubeObject | undefined, ns: string): boolean {
  return !!obj && obj.kind === 'Namespace' && gvkOf(obj).group === '' && obj.metadata?.name === ns;
}

/** One sync operation against one cluster (sync_context.go syncContext). Call {@link sync} once per controller pass. */
export class SyncContext {
  public phase: OperationPhase | undefined;
  public message = '';
  public elapsedSeconds = 0;
  public readonly events: TaskEvent[] = [];
  public resources: ReconciledResource[];
  private readonly syncRes = new Map<string, ResourceSyncResult>();
  private iteration = 0;

  constructor(public readonly cluster: ClusterState, resources: ReconciledResource[], public readonly opts: SyncContextOptions) {
    this.resources = resources;
  }

  /** GetState: phase, message and the results in the order they were first recorded. */
  public getState(): { phase: OperationPhase | undefined; message: string; results: ResourceSyncResult[] } {
    return { phase: this.phase, message: this.message, results: [...this.syncRes.values()].sort((a, b) => a.order - b.order) };
  }

  public started(): boolean {
    return this.syncRes.size > 0;
  }

  /** sync_context.go getSyncTasks. */
  public getSyncTasks(): { tasks: SyncTask[]; successful: boolean } {
    let ok = true;
    let tasks: SyncTask[] = [];
    for (const r of this.groupedResources()) {
      if (this.opts.resourcesFilter && !this.opts.resourcesFilter(r.key, r.target, r.live)) continue;
      const obj = r.target ?? r.live;
      if (isHook(obj)) throw new Error(`argocd model: hooks are not modelled (${resourceKey(obj!)})`);
      if (isSkipped(obj)) continue;
      tasks.push({ phase: 'Sync', targetObj: r.target, liveObj: r.live });
    }
    for (const t of tasks) {
      if (t.targetObj && !t.targetObj.metadata?.namespace) {
        t.targetObj = JSON.parse(JSON.stringify(t.targetObj));
        t.targetObj!.metadata = { ...(t.targetObj!.metadata ?? {}), namespace: this.opts.namespace };
      }
    }
    if (this.opts.syncNamespace && this.opts.namespace !== '') tasks = this.autoCreateNamespace(tasks);
    for (const t of tasks) {
      if (t.targetObj && !t.liveObj) t.liveObj = this.liveObjOf(t.targetObj);
    }

    const cache = new Map<string, ReturnType<typeof discover>>();
    for (const t of tasks) {
      const gvk = gvkOf(taskObj(t));
      const gvkKey = `${gvk.group}/${gvk.version}/${gvk.kind}`;
      if (!cache.has(gvkKey)) cache.set(gvkKey, discover(this.cluster, gvk));
      const found = cache.get(gvkKey)!;
      if ('resource' in found) {
        const denied = this.opts.permissionValidator?.(taskObj(t), found.resource.namespaced);
        if (denied) {
          this.setResourceResult(t, 'SyncFailed', undefined, denied);
          ok = false;
        }
      } else if (!found.notFound) {
        this.setResourceResult(t, 'SyncFailed', undefined, found.message);
        ok = false;
      } else {
        const skip = this.opts.skipDryRunOnMissingResource
          || (!!t.targetObj && hasAnnotationOption(t.targetObj, ANNOTATION_SYNC_OPTIONS, 'SkipDryRunOnMissingResource=true'))
          || this.hasCrdOfGroupKind(gvk.group, gvk.kind);
        if (skip) {
          t.skipDryRun = true;
        } else {
          this.setResourceResult(t, 'SyncFailed', undefined, found.message);
          ok = false;
        }
      }
    }

    // Prune tasks run in the reverse order of their waves (symmetric swap of the distinct prune waves).
    const pruneWaves = new Map<number, SyncTask[]>();
    for (const t of tasks.filter(isPrune)) {
      const w = taskWave(t);
      pruneWaves.set(w, [...(pruneWaves.get(w) ?? []), t]);
    }
    const unique = [...pruneWaves.keys()].sort((a, b) => a - b);
    const n = unique.length;
    for (let i = 0; i < Math.floor(n / 2); i++) {
      const start = unique[i];
      const end = unique[n - 1 - i];
      for (const t of pruneWaves.get(start)!) t.waveOverride = end;
      for (const t of pruneWaves.get(end)!) t.waveOverride = start;
    }
    let lastWave = 0;
    for (const t of tasks) if (t.phase === 'Sync' && taskWave(t) > lastWave) lastWave = taskWave(t);
    lastWave += 1;
    for (const t of tasks) {
      if (isPrune(t) && (this.opts.pruneLast || hasAnnotationOption(t.liveObj, ANNOTATION_SYNC_OPTIONS, 'PruneLast=true'))) t.waveOverride = lastWave;
    }

    const sorted = sortTasks(tasks);
    for (const t of sorted) {
      const res = this.syncRes.get(resultKey(t));
      if (res) {
        t.syncStatus = res.status;
        t.operationState = res.hookPhase;
        t.message = res.message;
      }
    }
    return { tasks: sorted, successful: ok };
  }

  /** sync_context.go Sync: one pass of the controller over the operation. */
  public sync(): void {
    this.iteration++;
    const { tasks, successful: valid } = this.getSyncTasks();
    if (!valid) {
      const messages = [...new Set([...this.syncRes.values()].filter((r) => r.status === 'SyncFailed' && r.message !== '').map((r) => r.message))].sort();
      const msg = 'one or more synchronization tasks are not valid';
      this.setOperationPhase('Failed', messages.length > 0 ? `${msg}: ${messages.join('; ')}` : msg);
      return;
    }

    if (!this.started()) {
      let dryRunTasks = tasks;
      const nsCreateTask = tasks.find((t) => !t.liveObj && isNamespaceWithName(t.targetObj, this.opts.namespace));
      if (nsCreateTask) {
        if (this.runTasks([nsCreateTask], false) === 'failed') {
          this.executeSyncFailPhase([nsCreateTask], 'the namespace failed to apply');
          return;
        }
        dryRunTasks = tasks.filter((t) => t !== nsCreateTask);
      }
      if (this.runTasks(dryRunTasks, true) === 'failed') {
        this.setOperationPhase('Failed', 'one or more objects failed to apply (dry run)');
        return;
      }
    }

    for (const t of tasks.filter((x) => running(x) && x.liveObj)) {
      const health = resourceHealth(t.liveObj!, this.opts.healthOverride);
      if (!health) this.setResourceResult(t, t.syncStatus, 'Succeeded', t.message ?? '');
      else if (health.status === 'Healthy') this.setResourceResult(t, t.syncStatus, 'Succeeded', health.message);
      else if (health.status === 'Degraded') this.setResourceResult(t, t.syncStatus, 'Failed', health.message);
    }

    const isMultiStep = multiStep(tasks);
    const runningTasks = tasks.filter((t) => isMultiStep && running(t));
    if (runningTasks.length > 0) {
      for (const t of runningTasks) {
        if (!t.liveObj && !findLive(this.cluster, resourceKey(taskObj(t)))) {
          this.setResourceResult(t, 'SyncFailed', 'Error', `Resource ${taskGroup(t)}/${taskKind(t)}/${taskName(t)} is missing, it might have been deleted`);
        }
      }
      this.setRunningPhase(runningTasks, false);
      return;
    }

    const prunedPendingDelete = tasks.filter((t) => t.syncStatus === 'Pruned' && t.liveObj && t.liveObj.metadata?.deletionTimestamp);
    if (prunedPendingDelete.length > 0) {
      this.setRunningPhase(prunedPendingDelete, true);
      return;
    }

    const syncFailed = tasks.filter((t) => t.syncStatus === 'SyncFailed');
    if (tasks.some((t) => completed(t) && !successful(t))) {
      this.executeSyncFailPhase(syncFailed, 'one or more synchronization tasks completed unsuccessfully');
      return;
    }

    const remaining = tasks.filter(pending);
    if (remaining.length === 0) {
      this.setOperationPhase('Succeeded', 'successfully synced (no more tasks)');
      return;
    }
    const phase = remaining[0].phase;
    const wave = taskWave(remaining[0]);
    const last = remaining[remaining.length - 1];
    const finalWave = phase === last.phase && wave === taskWave(last);
    const waveTasks = remaining.filter((t) => t.phase === phase && taskWave(t) === wave);
    const later = remaining.filter((t) => !(t.phase === phase && taskWave(t) === wave));

    this.setOperationPhase('Running', 'one or more tasks are running');
    const state = this.runTasks(waveTasks, false);
    if (state !== 'failed' && !finalWave) this.elapsedSeconds += this.opts.waveDelaySeconds ?? 2;
    if (state === 'failed') {
      this.executeSyncFailPhase(waveTasks.filter((t) => t.syncStatus === 'SyncFailed'), 'one or more objects failed to apply');
    } else if (state === 'successful') {
      if (later.length === 0) this.setOperationPhase('Succeeded', 'successfully synced (all tasks run)');
      else this.setRunningPhase(waveTasks, false);
    } else {
      this.setRunningPhase(waveTasks.filter((t) => isPrune(t) && pending(t)), true);
    }
  }

  /** sync_context.go setRunningPhase (hooks are not modelled, so it is always about resources). */
  public setRunningPhase(tasks: SyncTask[], isPendingDeletion: boolean): void {
    if (tasks.length === 0) {
      this.setOperationPhase('Running', '');
      return;
    }
    const hooks = tasks.filter((t) => isHook(taskObj(t)));
    const resources = tasks.filter((t) => !isHook(taskObj(t)));
    let reason = hooks.length === 0 ? 'healthy state of' : 'completion of hook';
    const taskType = resources.length === 0 ? 'hooks' : 'resources';
    if (isPendingDeletion) reason = hooks.length !== 0 ? 'deletion of hook' : 'deletion of';
    let first = hooks.length !== 0 ? hooks[0] : resources[0];
    let more = tasks.length - 1;
    if (!this.opts.pruneConfirmed) {
      const toConfirm = tasks.filter((t) => isPrune(t) && this.requiresPruneConfirmation(t.liveObj));
      if (toConfirm.length > 0) {
        reason = 'pruning confirmation of';
        first = toConfirm[0];
        more = toConfirm.length - 1;
      }
    }
    let message = `waiting for ${reason} ${taskGroup(first)}/${taskKind(first)}/${taskName(first)}`;
    if (more > 0) message = `${message} and ${more} more ${taskType}`;
    this.setOperationPhase('Running', message);
  }

  private setOperationPhase(phase: OperationPhase, message: string): void {
    this.phase = phase;
    this.message = message;
  }

  private groupedResources(): Array<ReconciledResource & { key: string }> {
    const byKey = new Map<string, ReconciledResource & { key: string }>();
    for (const r of this.resources) {
      const obj = r.live ?? r.target;
      if (!obj) continue;
      const key = resourceKey(obj);
      byKey.set(key, { ...r, key });
    }
    return [...byKey.values()];
  }

  /** sync_context.go liveObj. */
  public liveObjOf(obj: KubeObject): KubeObject | undefined {
    const { group } = gvkOf(obj);
    for (const r of this.groupedResources()) {
      const k = r.live ?? r.target!;
      const kns = k.metadata?.namespace ?? '';
      if (gvkOf(k).group === group && k.kind === obj.kind && (kns === '' || kns === obj.metadata?.namespace) && k.metadata?.name === obj.metadata?.name) return r.live;
    }
    return undefined;
  }

  public hasCrdOfGroupKind(group: string, kind: string): boolean {
    return this.resources.some((r) => r.target && isCrd(r.target) && r.target.spec?.group === group && r.target.spec?.names?.kind === kind);
  }

  private autoCreateNamespace(tasks: SyncTask[]): SyncTask[] {
    if (this.resources.some((r) => isNamespaceWithName(r.target, this.opts.namespace))) return tasks;
    const managedNs: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.opts.namespace } };
    const liveNs = findLive(this.cluster, keyString('', 'Namespace', '', this.opts.namespace));
    const modified = this.opts.syncNamespace!(managedNs, liveNs);
    if (typeof modified === 'object') {
      const failed: SyncTask = { phase: 'PreSync', targetObj: managedNs };
      this.setResourceResult(failed, 'SyncFailed', 'Error', `namespaceModifier error: ${modified.error}`);
      return [...tasks, failed];
    }
    return modified ? [...tasks, { phase: 'PreSync', targetObj: managedNs, liveObj: liveNs }] : tasks;
  }

  private requiresPruneConfirmation(live: KubeObject | undefined): boolean {
    return (annotationOptionValue(live, ANNOTATION_SYNC_OPTIONS, 'Prune') ?? this.opts.defaultPruneOption) === 'confirm';
  }

  private pruningDisabled(live: KubeObject | undefined): boolean {
    return (annotationOptionValue(live, ANNOTATION_SYNC_OPTIONS, 'Prune') ?? this.opts.defaultPruneOption) === 'false';
  }

  private executeSyncFailPhase(failedTasks: SyncTask[], message: string): void {
    const messages = [...new Set(failedTasks.map((t) => t.message ?? ''))].sort();
    this.setOperationPhase('Failed', messages.length > 0 ? `${message}, reason: ${messages.join(',')}` : message);
  }

  /** sync_context.go runTasks. */
  private runTasks(tasks: SyncTask[], dryRun: boolean): RunState {
    let state: RunState = 'successful';
    const prunes = tasks.filter(isPrune);
    const creates = tasks.filter((t) => !isPrune(t));
    if (!this.opts.pruneConfirmed && prunes.some((t) => this.requiresPruneConfirmation(t.liveObj))) return 'pending';
    const pruneResults: RunState[] = [];
    for (const t of prunes) {
      const [result, message] = this.pruneObject(t.liveObj!, dryRun);
      if (result === 'SyncFailed') pruneResults.push('failed');
      this.record(t, dryRun, 'prune', result, message);
      if (!dryRun || result === 'SyncFailed') this.setResourceResult(t, result, OPERATION_PHASES[result], message);
    }
    state = combine(state, pruneResults);
    if (state !== 'successful') return state;

    let group: SyncTask[] = [];
    for (const t of creates) {
      if (group.length > 0 && group[0].targetObj!.kind !== taskKind(t)) {
        state = this.processCreateTasks(state, group, dryRun);
        group = [t];
      } else {
        group.push(t);
      }
    }
    if (group.length > 0) state = this.processCreateTasks(state, group, dryRun);
    return state;
  }

  private processCreateTasks(state: RunState, tasks: SyncTask[], dryRun: boolean): RunState {
    const results: RunState[] = [];
    for (const t of tasks) {
      if (dryRun && t.skipDryRun) continue;
      const serverSideApply = !dryRun && !hasAnnotationOption(t.targetObj, ANNOTATION_SYNC_OPTIONS, 'ServerSideApply=false')
        && (!!this.opts.serverSideApply || hasAnnotationOption(t.targetObj, ANNOTATION_SYNC_OPTIONS, 'ServerSideApply=true'));
      const out = kubectlApply(this.cluster, t.targetObj!, { dryRun, serverSideApply });
      const result: ResultCode = out.ok ? 'Synced' : 'SyncFailed';
      results.push(out.ok ? state : 'failed');
      this.record(t, dryRun, 'apply', result, out.message);
      if (!dryRun || result === 'SyncFailed') this.setResourceResult(t, result, OPERATION_PHASES[result], out.message);
    }
    return combine(state, results);
  }

  /** sync_context.go pruneObject. */
  private pruneObject(live: KubeObject, dryRun: boolean): [ResultCode, string] {
    if (!this.opts.prune) return ['PruneSkipped', 'ignored (requires pruning)'];
    if (this.pruningDisabled(live)) return ['PruneSkipped', 'ignored (no prune)'];
    if (dryRun) return ['Pruned', 'pruned (dry run)'];
    if (!live.metadata?.deletionTimestamp) {
      const out = kubectlDelete(this.cluster, resourceKey(live));
      if (!out.ok) return ['SyncFailed', out.message];
    }
    return ['Pruned', 'pruned'];
  }

  private record(t: SyncTask, dryRun: boolean, action: 'apply' | 'prune', result: ResultCode, message: string): void {
    const obj = taskObj(t);
    this.events.push({
      iteration: this.iteration,
      dryRun,
      action,
      syncPhase: t.phase,
      wave: taskWave(t),
      group: gvkOf(obj).group,
      kind: obj.kind,
      namespace: obj.metadata?.namespace ?? '',
      name: obj.metadata?.name ?? '',
      result,
      message,
    });
  }

  private setResourceResult(t: SyncTask, status: ResultCode | undefined, operationState: OperationPhase | undefined, message: string): void {
    t.syncStatus = status;
    t.operationState = operationState;
    if (message !== '') t.message = message;
    const key = resultKey(t);
    const existing = this.syncRes.get(key);
    if (existing) {
      existing.status = t.syncStatus;
      existing.hookPhase = t.operationState;
      existing.message = t.message ?? '';
      return;
    }
    const obj = taskObj(t);
    const gvk = gvkOf(obj);
    this.syncRes.set(key, {
      group: gvk.group,
      kind: obj.kind,
      namespace: obj.metadata?.namespace ?? '',
      name: obj.metadata?.name ?? '',
      version: gvk.version,
      status: t.syncStatus,
      hookPhase: t.operationState,
      message: t.message ?? '',
      syncPhase: t.phase,
      order: this.syncRes.size + 1,
    });
  }
}

function resultKey(t: SyncTask): string {
  return `${resourceKey(taskObj(t))}:${t.phase}`;
}
