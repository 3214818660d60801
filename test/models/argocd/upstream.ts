/**
 * Runs the transcribed upstream test cases (upstream-cases.json) against the model. Every case returns its actual
 * result in the shape of its `expect`, so a test can compare the two with `toEqual`.
 *
 * The upstream sync tests mock kubectl and discovery; here a model cluster stands in for them: its namespaces
 * (`clusterNamespaces`, default the context namespace), the live objects of each step, the core API resources of
 * gitops-engine's testingutils.StaticAPIResources (plus `extraResources`), injected apply errors (`rejects`, wet runs
 * only unless `dryRun`, as kubetest.MockResourceOps without/with ExecuteForDryRun) and discovery errors.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  createOrUpdateInCluster, deleteInCluster, generateApplications, listGeneratorParams, renderString, renderTemplateParams,
  validateGeneratedApplications,
} from './applicationset';
import type { ApplicationObject } from './applicationset';
import { ApiResource, CORE_RESOURCES, ClusterState, KubeObject, namespaceObject, resourceKey } from './cluster';
import { alreadyAttemptedSync, autoSync, nextRetryAt, selfHealDelaySeconds } from './controller';
import { HealthStatusCode, luaHealth } from './health';
import { isDestinationPermitted, isGroupKindNamePermitted } from './project';
import { compareTasks, kindOrder, multiStep, SyncContext, SyncContextOptions, SyncTask, sortTasks, taskWave } from './sync-engine';
import { parseAppInstanceValue } from './tracking';

export interface UpstreamCase {
  readonly id: string;
  readonly source: string;
  readonly test: string;
  readonly check: string;
  readonly expect: any;
  readonly [key: string]: any;
}

export function loadUpstreamCases(): UpstreamCase[] {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'upstream-cases.json'), 'utf8')).cases;
}

function pick(actual: Record<string, any>, expect: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const k of Object.keys(expect)) out[k] = actual[k];
  return out;
}

interface SyncCaseContext {
  readonly namespace?: string;
  readonly prune?: boolean;
  readonly pruneLast?: boolean;
  readonly skipDryRunOnMissingResource?: boolean;
  readonly defaultPruneOption?: string;
  readonly pruneConfirmed?: boolean;
  /** The namespace modifier: true/false, or an error message. */
  readonly syncNamespace?: boolean | { error: string };
  readonly permissionDenied?: string;
  readonly health?: Record<string, HealthStatusCode>;
  readonly extraResources?: ApiResource[];
  readonly clusterNamespaces?: string[];
  readonly rejects?: Array<{ name: string; message: string; dryRun?: boolean }>;
  readonly discoveryError?: string;
  readonly filterNames?: string[];
}

type Resources = Array<{ target?: KubeObject; live?: KubeObject }>;

function newSyncContext(ctx: SyncCaseContext = {}, resources: Resources = []): { sc: SyncContext; counters: { discovery: number } } {
  const namespace = ctx.namespace ?? 'fake-argocd-ns';
  const counters = { discovery: 0 };
  const cluster: ClusterState = {
    name: 'in-cluster',
    server: 'https://kubernetes.default.svc',
    resources: [...CORE_RESOURCES, ...(ctx.extraResources ?? [])],
    objects: (ctx.clusterNamespaces ?? [namespace]).map((n) => namespaceObject(n)),
    rejects: (obj, op) => ctx.rejects?.find((r) => r.name === obj.metadata?.name && (!op.dryRun || r.dryRun))?.message,
    discoveryFails: ctx.discoveryError === undefined ? undefined : () => {
      counters.discovery++;
      return ctx.discoveryError;
    },
  };
  const opts: SyncContextOptions = {
    namespace,
    prune: ctx.prune,
    pruneLast: ctx.pruneLast,
    skipDryRunOnMissingResource: ctx.skipDryRunOnMissingResource,
    defaultPruneOption: ctx.defaultPruneOption,
    pruneConfirmed: ctx.pruneConfirmed,
    syncNamespace: ctx.syncNamespace === undefined ? undefined : () => ctx.syncNamespace!,
    permissionValidator: ctx.permissionDenied ? () => ctx.permissionDenied : undefined,
    healthOverride: ctx.health ? (o) => (ctx.health![o.metadata?.name ?? ''] ? { status: ctx.health![o.metadata?.name ?? ''], message: 'test' } : undefined) : undefined,
    resourcesFilter: ctx.filterNames ? (_k, t, l) => ctx.filterNames!.includes((t ?? l)!.metadata?.name ?? '') : undefined,
  };
  const sc = new SyncContext(cluster, resources, opts);
  placeLive(sc, resources);
  return { sc, counters };
}

/** The live objects of a step exist in the model cluster (so that prunes and health reads find them). */
function placeLive(sc: SyncContext, resources: Array<{ target?: KubeObject; live?: KubeObject }>): void {
  for (const r of resources) {
    if (!r.live) continue;
    const key = resourceKey(r.live);
    sc.cluster.objects = sc.cluster.objects.filter((o) => resourceKey(o) !== key);
    sc.cluster.objects.push(JSON.parse(JSON.stringify(r.live)));
  }
}

interface ResultLike {
  kind: string; name: string; namespace: string; status?: string; message: string; hookPhase?: string;
}

function resultView(r: ResultLike, fields: Record<string, any>): Record<string, any> {
  return pick({ kind: r.kind, name: r.name, namespace: r.namespace, status: r.status, message: r.message, hookPhase: r.hookPhase }, fields);
}

function taskView(t: SyncTask): Record<string, any> {
  return { phase: t.phase, syncStatus: t.syncStatus, operationState: t.operationState, message: t.message };
}

/** The model's answer to one case, in the shape of `c.expect`. */
export function runUpstreamCase(c: UpstreamCase): any {
  switch (c.check) {
    case 'kindOrder':
      return Object.fromEntries(Object.keys(c.expect).map((k) => [k, kindOrder(k)]));
    case 'sortTasks': {
      const tasks: SyncTask[] = c.tasks.map((t: any) => ({ id: t.id, phase: t.phase ?? '', targetObj: t.obj }));
      const sorted = c.lessOnly ? [...tasks].sort(compareTasks) : sortTasks(tasks);
      const actual: Record<string, any> = { order: sorted.map((t) => t.id) };
      if (c.expect.waves) actual.waves = Object.fromEntries(sorted.filter((t) => (t.id ?? '') in c.expect.waves).map((t) => [t.id, taskWave(t)]));
      if (c.expect.phases) actual.phases = Object.fromEntries(sorted.filter((t) => (t.id ?? '') in c.expect.phases).map((t) => [t.id, t.phase]));
      return actual;
    }
    case 'multiStep': {
      const tasks: SyncTask[] = c.tasks.map((t: any) => ({ phase: t.phase, liveObj: t.live }));
      const last = tasks[tasks.length - 1];
      return { phase: tasks[0].phase, wave: taskWave(tasks[0]), lastPhase: last.phase, lastWave: taskWave(last), multiStep: multiStep(tasks) };
    }
    case 'getSyncTasks': {
      const { sc, counters } = newSyncContext(c.context, c.resources);
      const { tasks, successful } = sc.getSyncTasks();
      const byName = (f: (t: SyncTask) => any) => Object.fromEntries(tasks.map((t) => [(t.targetObj ?? t.liveObj)?.metadata?.name ?? '', f(t)]));
      const actual: Record<string, any> = {
        successful,
        count: tasks.length,
        names: tasks.map((t) => (t.targetObj ?? t.liveObj)?.metadata?.name),
        lastWave: tasks.length > 0 ? taskWave(tasks[tasks.length - 1]) : 0,
        waves: byName(taskWave),
        skipDryRunByKind: Object.fromEntries(tasks.filter((t) => t.targetObj).map((t) => [t.targetObj!.kind, !!t.skipDryRun])),
        namespaces: byName((t) => t.targetObj?.metadata?.namespace),
        hasNamespaceTask: tasks.some((t) => t.phase === 'PreSync' && t.targetObj?.kind === 'Namespace' && t.targetObj.metadata.name === (c.context?.namespace ?? 'fake-argocd-ns')),
        firstTask: tasks.length > 0 ? taskView(tasks[0]) : undefined,
        discoveryCalls: counters.discovery,
      };
      if (c.expect.waves) actual.waves = pick(actual.waves, c.expect.waves);
      if (c.expect.skipDryRunByKind) actual.skipDryRunByKind = pick(actual.skipDryRunByKind, c.expect.skipDryRunByKind);
      if (c.expect.namespaces) actual.namespaces = pick(actual.namespaces, c.expect.namespaces);
      if (c.expect.firstTask) actual.firstTask = pick(actual.firstTask ?? {}, c.expect.firstTask);
      return pick(actual, c.expect);
    }
    case 'sync': {
      const { sc } = newSyncContext(c.context, c.steps[0].resources);
      const out: any[] = [];
      for (const step of c.steps) {
        sc.resources = step.resources;
        placeLive(sc, step.resources);
        if (step.pruneConfirmed !== undefined) sc.opts.pruneConfirmed = step.pruneConfirmed;
        sc.sync();
        const state = sc.getState();
        const actual: Record<string, any> = { phase: state.phase, message: state.message, count: state.results.length };
        if (step.expect.messageContains) actual.messageContains = step.expect.messageContains.filter((m: string) => state.message.includes(m));
        const expected = step.expect;
        if (expected.results) actual.results = state.results.slice(0, expected.results.length).map((r, i) => resultView(r, expected.results[i]));
        if (step.expect.byKind) {
          const byKind: Record<string, any> = {};
          for (const [kind, f] of Object.entries(step.expect.byKind)) {
            const views = state.results.filter((r) => r.kind === kind).map((r) => resultView(r, f as any));
            byKind[kind] = views.length === 1 ? views[0] : views;
          }
          actual.byKind = byKind;
        }
        out.push(pick(actual, step.expect));
      }
      return out;
    }
    case 'setRunningPhase': {
      const { sc } = newSyncContext(c.context ?? {});
      const tasks: SyncTask[] = c.tasks.map((t: any) => ({ phase: 'Sync', targetObj: t }));
      sc.setRunningPhase(tasks, c.isPendingDeletion);
      return { phase: sc.phase, message: sc.message };
    }
    case 'liveObj': {
      const { sc } = newSyncContext({}, c.resources);
      return { found: sc.liveObjOf(c.obj)?.metadata?.name ?? null };
    }
    case 'hasCrdOfGroupKind': {
      const { sc } = newSyncContext({}, c.resources);
      return { result: sc.hasCrdOfGroupKind(c.group, c.kind) };
    }
    case 'health': {
      const h = luaHealth(c.obj);
      return { status: h?.status, message: h?.message };
    }
    case 'trackingParse':
      try {
        const v = parseAppInstanceValue(c.value);
        return pick({ ...v, error: null }, c.expect);
      } catch (e) {
        return pick({ error: (e as Error).message }, c.expect);
      }
    case 'destinationPermitted':
      return { permitted: isDestinationPermitted({ name: 'p', destinations: c.destinations }, c.cluster, c.namespace) };
    case 'groupKindPermitted':
      return { permitted: isGroupKindNamePermitted({ name: 'p', ...c.project }, c.group, c.kind, c.name, c.namespaced) };
    case 'goTemplate':
      try {
        return { value: renderString(c.template, c.params, true, c.options ?? []) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    case 'templateApplication': {
      try {
        const r = renderTemplateParams(c.template, c.syncPolicy, c.params, c.goTemplate, c.options ?? []);
        return pick({ finalizers: r.metadata.finalizers ?? null, metadata: r.metadata, spec: r.spec }, c.expect);
      } catch (e) {
        return { error: (e as Error).message };
      }
    }
    case 'listParams':
      return { params: listGeneratorParams({ elements: c.elements }, c.goTemplate) };
    case 'validateApps':
      return { errors: validateGeneratedApplications(c.apps, c.appSetName ?? '', c.env) };
    case 'createOrUpdate': {
      // As the upstream test: the existing Applications are already controlled by the ApplicationSet.
      const ownerRef = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', name: c.appSet.metadata.name, controller: true, blockOwnerDeletion: true };
      const apps: ApplicationObject[] = c.existing.map((a: any) => ({ ...a, metadata: { ...a.metadata, ownerReferences: [ownerRef] } }));
      const actions: Record<string, string> = {};
      const errors = createOrUpdateInCluster(c.appSet, c.desired, apps, actions as any);
      return pick({
        actions,
        errors,
        apps: apps.map((a) => ({
          name: a.metadata.name, project: a.spec.project, owner: (a.metadata.ownerReferences ?? []).filter((r) => r.controller).map((r) => r.name),
        })),
      }, c.expect);
    }
    case 'deleteInCluster': {
      const ownerRef = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', name: c.appSet.metadata.name, controller: true };
      const apps: ApplicationObject[] = c.existing.map((a: any) => ({ ...a, metadata: { ...a.metadata, ownerReferences: [ownerRef] } }));
      deleteInCluster(c.appSet, c.desired, apps, { clusters: [] });
      return { remaining: apps.map((a) => a.metadata.name).sort() };
    }
    case 'generateApplications': {
      const g = generateApplications(c.appSet);
      return pick({ names: g.apps.map((a) => a.metadata.name), error: g.error ?? null }, c.expect);
    }
    case 'nextRetryAt':
      return { seconds: c.counts.map((n: number) => nextRetryAt(c.retry, 0, n)) };
    case 'selfHealBackoff': {
      const delay = selfHealDelaySeconds(c.attempts, { duration: 2, factor: 3, cap: 120 });
      const remaining = delay - (c.finishedAgoSeconds ?? 0);
      return { remainingSeconds: remaining, shouldSelfHeal: remaining <= 0 };
    }
    case 'alreadyAttemptedSync':
      return { attempted: alreadyAttemptedSync(c.app, c.operationState, c.revisions, c.compareRevisions).attempted };
    case 'autoSync': {
      const d = autoSync({ app: c.app, operationState: c.operationState, deleting: c.deleting, syncStatus: c.syncStatus, resources: c.resources });
      return pick({ operation: !!d.operation, prune: d.operation?.sync.prune, condition: !!d.condition }, c.expect);
    }
    default:
      throw new Error(`unknown check ${c.check} in ${c.id}`);
  }
}
