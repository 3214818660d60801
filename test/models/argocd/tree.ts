/**
 * The model applied to a GitOps tree written by GitOpsOutput.write(): its ApplicationSet (argocd/), the Applications
 * it generates, and each Application's folder rendered by kustomize and synced to a cluster.
 *
 * A tree's ApplicationSet points each Application at `<base>clusters/<cluster>` in the Git repository; locally that is
 * `<gitopsDir>/clusters/<cluster>` (the part of the path from its last `clusters/` on).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ApplicationObject, applicationSetReconcile, ApplicationSetEnv, AppSetStep, reconcileApplicationSet, RESOURCES_FINALIZER,
} from './applicationset';
import { applicationSetCrd, ClusterState, cloneCluster, KubeObject, withCrds, withNamespaces } from './cluster';
import {
  Application, automatedSync, AutomatedSyncOptions, AutomatedSyncResult, compareAppState, Comparison, ControllerOptions, SyncRequest, SyncResult,
  syncApplication,
} from './controller';
import { kustomizeBuild } from './kustomize';
import { getAppName } from './tracking';

/** The repository root (this file is test/models/argocd/tree.ts). */
export const REPO_ROOT = path.join(__dirname, '..', '..', '..');
/**
 * The GitOps trees of examples/fleet's three programs, synthesized here by running each program's own main.ts (as
 * `npm run synth:examples` does, in a process of its own with its output folder as working directory) into a fresh
 * folder: `npm test` cannot rely on examples.out (CI runs the tests before synth:examples, and a stale examples.out would
 * test yesterday's library). The team programs read the platform's fleet-contract.json from `../platform/gitops`.
 */
function synthFleetExamples(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-fleet-'));
  for (const program of ['platform', 'team-shop', 'team-search']) {
    const cwd = path.join(dir, program);
    fs.mkdirSync(cwd, { recursive: true });
    const main = path.join(REPO_ROOT, 'examples', 'fleet', program, 'main.ts');
    const run = spawnSync(process.execPath, ['-r', path.join(REPO_ROOT, 'scripts', 'ts-register.js'), main], { cwd, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`examples/fleet/${program}/main.ts failed (exit ${run.status ?? run.signal}):\n${run.stderr}`);
  }
  return dir;
}
const FLEET_OUT = synthFleetExamples();
export const FLEET_PLATFORM_GITOPS = path.join(FLEET_OUT, 'platform', 'gitops');
export const FLEET_TEAM_SHOP_GITOPS = path.join(FLEET_OUT, 'team-shop', 'gitops');
export const FLEET_TEAM_SEARCH_GITOPS = path.join(FLEET_OUT, 'team-search', 'gitops');

/** The ApplicationSets of a tree (`kustomize build <gitopsDir>/argocd`). */
export function readApplicationSets(gitopsDir: string): KubeObject[] {
  return kustomizeBuild(path.join(gitopsDir, 'argocd')).filter((o) => o.apiVersion === 'argoproj.io/v1alpha1' && o.kind === 'ApplicationSet');
}

/** An Argo CD with the `default` project and one cluster secret per name. */
export function fleetEnv(clusters: string[], projects: string[] = ['default']): ApplicationSetEnv {
  return { argocdNamespace: 'argocd', projects, clusters: clusters.map((name) => ({ name, server: `https://${name}.clusters.internal:6443` })) };
}

/** The Applications a tree's ApplicationSets generate on an Argo CD that has nothing else. */
export function applicationsOf(gitopsDir: string, env: ApplicationSetEnv): ApplicationObject[] {
  const applications: ApplicationObject[] = [];
  for (const appSet of readApplicationSets(gitopsDir)) {
    const copy = JSON.parse(JSON.stringify(appSet));
    copy.metadata.namespace = copy.metadata.namespace ?? 'argocd';
    reconcileApplicationSet(copy, applications, env);
  }
  return applications;
}

/** An Application object as the model's controller reads it. */
export function toApplication(app: ApplicationObject): Application {
  return {
    name: app.metadata.name,
    namespace: app.metadata.namespace,
    project: app.spec.project,
    source: app.spec.source,
    destination: app.spec.destination ?? {},
    syncPolicy: app.spec.syncPolicy,
  };
}

/** `<gitopsDir>/clusters/<cluster>` for a source path `<base>clusters/<cluster>`. */
export function localPath(gitopsDir: string, sourcePath: string): string {
  const i = sourcePath.lastIndexOf('clusters/');
  if (i < 0) throw new Error(`source path ${sourcePath} has no clusters/ folder`);
  return path.join(gitopsDir, ...sourcePath.slice(i).split('/'));
}

/** The objects the repo server renders for an Application of the tree. */
export function renderApplication(gitopsDir: string, app: Application): KubeObject[] {
  if (!app.source) throw new Error(`application ${app.name} has no source`);
  return kustomizeBuild(localPath(gitopsDir, app.source.path));
}

/** The Application a tree generates for one cluster (its ApplicationSet's element with `cluster: <name>`). */
export function applicationFor(gitopsDir: string, clusterName: string, env: ApplicationSetEnv = fleetEnv([clusterName])): Application {
  const server = env.clusters.find((c) => c.name === clusterName)?.server;
  const app = applicationsOf(gitopsDir, env).find((a) => a.spec.destination?.name === clusterName || a.spec.destination?.server === server);
  if (!app) throw new Error(`${gitopsDir} generates no Application for cluster ${clusterName}`);
  return toApplication(app);
}

export interface TreeSyncResult extends SyncResult {
  readonly application: Application;
  readonly desired: KubeObject[];
}

/**
 * One sync of the tree's Application for `clusterName` to `cluster` (the operation an automated sync starts:
 * prune as in `automated.prune`, the app's sync options).
 */
export function syncTree(gitopsDir: string, clusterName: string, cluster: ClusterState, opts: ControllerOptions & SyncRequest = {}): TreeSyncResult {
  const application = applicationFor(gitopsDir, clusterName);
  const desired = renderApplication(gitopsDir, application);
  return { ...syncApplication(application, desired, cluster, opts), application, desired };
}

/** The tree's Application compared with `cluster` (sync status, what would be pruned, shared-resource warnings). */
export function compareTree(gitopsDir: string, clusterName: string, cluster: ClusterState, opts: ControllerOptions = {}): Comparison {
  const application = applicationFor(gitopsDir, clusterName);
  return compareAppState(application, renderApplication(gitopsDir, application), cluster, opts);
}

/** An automated sync of the tree's Application for `clusterName`, retries included. */
export function automatedSyncTree(
  gitopsDir: string, clusterName: string, cluster: ClusterState, opts: AutomatedSyncOptions = {},
): AutomatedSyncResult & { application: Application } {
  const application = applicationFor(gitopsDir, clusterName);
  return { ...automatedSync(application, renderApplication(gitopsDir, application), cluster, opts), application };
}

/** The ApplicationSets of several trees applied to one Argo CD in turn, each reconciled after it is applied. */
export function reconcileAppSets(gitopsDirs: string[], env: ApplicationSetEnv, existing: ApplicationObject[] = []): {
  steps: Array<AppSetStep & { gitopsDir: string }>; applications: ApplicationObject[];
} {
  const appSets = gitopsDirs.flatMap((dir) => readApplicationSets(dir).map((a) => ({ dir, a })));
  const result = applicationSetReconcile(appSets.map((x) => x.a), existing, env);
  return { steps: result.steps.map((s, i) => ({ ...s, gitopsDir: appSets[i].dir })), applications: result.applications };
}

/** Deleting an Application with the resources finalizer deletes every live object tracked to it (cascade). */
export function cascadeDelete(app: ApplicationObject | string, cluster: ClusterState, finalizers: string[] = [RESOURCES_FINALIZER]): ClusterState {
  const name = typeof app === 'string' ? app : app.metadata.name;
  if (!finalizers.includes(RESOURCES_FINALIZER)) return cloneCluster(cluster);
  const next = cloneCluster(cluster);
  next.objects = next.objects.filter((o) => getAppName(o) !== name);
  return next;
}

export interface FightRound {
  /** The tree whose ApplicationSet was applied last. */
  readonly gitopsDir: string;
  readonly appSetStep: AppSetStep;
  /** The Application for the cluster as the ApplicationSet controller left it. */
  readonly application?: Application;
  /** The automated sync that follows (its source changed, so it is not "already attempted"). */
  readonly sync?: SyncResult;
  /** Objects the sync pruned, `Kind/namespace/name`. */
  readonly pruned: string[];
}

/**
 * Two (or more) programs' trees deployed in turn, as their pipelines do: each applies its ApplicationSet, the
 * ApplicationSet controller reconciles, and the Application of `clusterName` is synced from whatever source it now
 * has. Shows whether the programs overwrite and prune each other.
 */
export function deployInTurn(gitopsDirs: string[], clusterName: string, cluster: ClusterState, env: ApplicationSetEnv, rounds = 1): {
  rounds: FightRound[]; cluster: ClusterState; applications: ApplicationObject[];
} {
  let state = cloneCluster(cluster);
  let applications: ApplicationObject[] = [];
  const out: FightRound[] = [];
  // Which tree a source path belongs to, by the part of its ApplicationSet's template path before `clusters/`.
  const dirOfBase = new Map<string, string>();
  for (const dir of gitopsDirs) {
    for (const appSet of readApplicationSets(dir)) dirOfBase.set(baseOf(appSet.spec?.template?.spec?.source?.path ?? ''), dir);
  }
  for (let r = 0; r < rounds; r++) {
    for (const dir of gitopsDirs) {
      const { steps, applications: apps } = reconcileAppSets([dir], env, applications);
      applications = apps;
      const step = steps[steps.length - 1];
      for (const name of step.cascadeDeleted) state = cascadeDelete(name, state);
      // The Application of this cluster that the tree's own ApplicationSet controls (with one ApplicationSet name for
      // every tree, that is whatever the last apply made of it).
      const owners = readApplicationSets(dir).map((a) => a.metadata.name);
      const appObj = applications.find((a) => a.spec.destination?.name === clusterName
        && (a.metadata.ownerReferences ?? []).some((ref) => ref.controller && owners.includes(ref.name)));
      if (!appObj) {
        out.push({ gitopsDir: dir, appSetStep: step, pruned: [] });
        continue;
      }
      const application = toApplication(appObj);
      const desired = kustomizeBuild(localPath(dirOfBase.get(baseOf(application.source!.path)) ?? dir, application.source!.path));
      const sync = syncApplication(application, desired, state);
      state = sync.cluster;
      const pruned = sync.resources.filter((x) => x.status === 'Pruned').map((x) => `${x.kind}/${x.namespace}/${x.name}`);
      out.push({ gitopsDir: dir, appSetStep: step, application, sync, pruned });
    }
  }
  return { rounds: out, cluster: state, applications };
}

function baseOf(sourcePath: string): string {
  return sourcePath.slice(0, Math.max(0, sourcePath.lastIndexOf('clusters/')));
}

/** A management cluster where Argo CD runs: its namespace and the ApplicationSet CRD. */
export function managementCluster(base: ClusterState): ClusterState {
  return withNamespaces(withCrds(base, [applicationSetCrd()]), ['argocd']);
}

/** A bootstrap Application that syncs a tree's `argocd/` folder into the management cluster (app of apps). */
export function bootstrapApplication(name: string, gitopsDir: string, cluster: ClusterState): { application: Application; desired: KubeObject[] } {
  const application: Application = {
    name,
    namespace: 'argocd',
    project: 'default',
    source: { repoURL: 'https://git.acme.internal/platform/pki-gitops.git', path: path.basename(gitopsDir), targetRevision: 'main' },
    destination: { server: cluster.server },
    syncPolicy: { automated: { prune: true, selfHeal: true } },
  };
  return { application, desired: kustomizeBuild(path.join(gitopsDir, 'argocd')) };
}
