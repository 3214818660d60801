import * as path from 'path';
import { applicationSetReconcile, AppSetStep } from './applicationset';
import { ClusterState, emptyCluster, KubeObject, readmeChartCrds, withCrds, withReadmeCharts } from './cluster';
import { Application, compareAppState, syncApplication } from './controller';
import { kustomizeBuild } from './kustomize';
import { AppProject, defaultProject } from './project';
import { ANNOTATION_SYNC_OPTIONS, ANNOTATION_SYNC_WAVE } from './sync-engine';
import { getAppName, TRACKING_ANNOTATION } from './tracking';
import {
  applicationsOf, automatedSyncTree, bootstrapApplication, cascadeDelete, deployInTurn, FLEET_PLATFORM_GITOPS, FLEET_TEAM_SEARCH_GITOPS,
  FLEET_TEAM_SHOP_GITOPS, fleetEnv, managementCluster, readApplicationSets, reconcileAppSets, renderApplication, syncTree, toApplication,
} from './tree';
import { loadUpstreamCases, runUpstreamCase } from './upstream';

const FLEET_CLUSTERS = ['prod-eu', 'prod-us', 'staging'];
const ENV = fleetEnv(FLEET_CLUSTERS);

/** prod-eu as the README leaves it after step 1 (the Helm charts: their CRDs and namespaces, nothing else). */
function chartsInstalled(name = 'prod-eu'): ClusterState {
  return withReadmeCharts(emptyCluster(name, ENV.clusters.find((c) => c.name === name)?.server));
}

function bare(name = 'prod-eu'): ClusterState {
  return emptyCluster(name, ENV.clusters.find((c) => c.name === name)?.server);
}

function keys(objs: Array<{ kind: string; namespace?: string; name: string }>): string[] {
  return objs.map((o) => `${o.kind}/${o.namespace ?? ''}/${o.name}`).sort();
}

describe('upstream cases (upstream-cases.json)', () => {
  const cases = loadUpstreamCases();

  test('the transcription is non-trivial and every case names its source', () => {
    expect(cases.length).toBeGreaterThan(150);
    for (const c of cases) expect(c.source).toMatch(/^argo-cd v3\.5\.1 /);
  });

  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    expect(runUpstreamCase(c)).toEqual(c.expect);
  });
});

describe('model basics', () => {
  const app: Application = {
    name: 'demo',
    namespace: 'argocd',
    project: 'default',
    source: { repoURL: 'https://git.example/repo.git', path: 'demo' },
    destination: { name: 'prod-eu' },
    syncPolicy: { automated: { prune: true, selfHeal: true } },
  };
  const issuer = (ns: string, annotations?: Record<string, string>): KubeObject => ({
    apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'vault', namespace: ns, annotations }, spec: { selfSigned: {} },
  });

  test('kustomize renders a tree folder into its objects', () => {
    const objects = kustomizeBuild(path.join(FLEET_TEAM_SHOP_GITOPS, 'clusters', 'prod-eu'));
    expect(objects.length).toBe(23);
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set([
      'Namespace', 'CertificateRequestPolicy', 'ClusterRoleBinding', 'ServiceAccount', 'Role', 'RoleBinding', 'Issuer', 'Certificate', 'PrometheusRule',
    ]));
  });

  test('v3.5.1 tracks with the tracking-id annotation (not the instance label) and prunes only what it tracks', () => {
    const cluster = withReadmeCharts(bare());
    const first = syncApplication(app, [issuer('cert-manager')], cluster);
    expect(first.phase).toBe('Succeeded');
    const live = first.cluster.objects.find((o) => o.kind === 'Issuer')!;
    expect(live.metadata.annotations?.[TRACKING_ANNOTATION]).toBe('demo:cert-manager.io/Issuer:cert-manager/vault');
    expect(live.metadata.labels?.['app.kubernetes.io/instance']).toBeUndefined();
    // A look-alike object nobody tracks, and one tracked by another app, are not pruned.
    const untracked = { ...issuer('monitoring'), metadata: { name: 'other', namespace: 'monitoring' } };
    const withOthers: ClusterState = { ...first.cluster, objects: [...first.cluster.objects, untracked] };
    const second = syncApplication(app, [], withOthers, { prune: true });
    expect(second.resources.map((r) => `${r.kind}/${r.name}:${r.status}`)).toEqual(['Issuer/vault:Pruned']);
    expect(second.cluster.objects.some((o) => o.metadata.name === 'other')).toBe(true);
  });

  test('a CR whose CRD is not served fails task generation; SkipDryRunOnMissingResource only defers the failure to the apply', () => {
    const plain = syncApplication(app, [issuer('default')], bare());
    expect(plain.phase).toBe('Failed');
    expect(plain.message).toBe('one or more synchronization tasks are not valid: failed to discover server resources for group version cert-manager.io/v1: the server could not find the requested resource');
    expect(plain.resources[0].message).toBe('The Kubernetes API could not find cert-manager.io/Issuer for requested resource default/vault. Make sure the "Issuer" CRD is installed on the destination cluster.');
    expect(plain.steps).toEqual([]);

    const skipped = syncApplication(app, [issuer('default', { [ANNOTATION_SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true' })], bare());
    expect(skipped.phase).toBe('Failed');
    expect(skipped.resources[0].message).toMatch(/^resource mapping not found for name: "vault" namespace: "default" .*no matches for kind "Issuer" in version "cert-manager.io\/v1"\nensure CRDs are installed first$/);

    // With the CRD in the same sync: the CRD goes first (same wave as its first CR), the CR skips the dry run.
    const crd = readmeChartCrds().find((c) => c.spec.names.kind === 'Issuer')!;
    const together = syncApplication(app, [issuer('default'), crd], bare());
    expect(together.phase).toBe('Succeeded');
    expect(together.steps.filter((s) => !s.dryRun).map((s) => s.kind)).toEqual(['CustomResourceDefinition', 'Issuer']);
    expect(together.steps.filter((s) => s.dryRun).map((s) => s.kind)).toEqual(['CustomResourceDefinition']);
  });

  test('CreateNamespace=true creates only the destination namespace, before the dry run, untracked', () => {
    const withNs = { ...app, destination: { name: 'prod-eu', namespace: 'team-a' }, syncPolicy: { ...app.syncPolicy, syncOptions: ['CreateNamespace=true'] } };
    const sa = (ns?: string): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', ...(ns ? { namespace: ns } : {}) } });
    const r = syncApplication(withNs, [sa(), sa('team-b')], bare());
    expect(r.phase).toBe('Failed');
    expect(r.resources.map((x) => `${x.kind}/${x.namespace}/${x.name}:${x.status}`)).toEqual([
      'Namespace//team-a:Synced', 'ServiceAccount/team-a/sa:Synced', 'ServiceAccount/team-b/sa:SyncFailed',
    ]);
    const ns = r.cluster.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'team-a')!;
    expect(getAppName(ns)).toBe('');
    // managedNamespaceMetadata labels the namespace (server-side apply annotation on it).
    const labelled = syncApplication({ ...withNs, syncPolicy: { ...withNs.syncPolicy, managedNamespaceMetadata: { labels: { 'inject-ca': 'true' } } } }, [sa()], bare());
    const nsl = labelled.cluster.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'team-a')!;
    expect(nsl.metadata.labels).toEqual({ 'inject-ca': 'true' });
  });

  test('waves: the next wave waits for the health of the previous one (an Issuer is Progressing until Ready)', () => {
    const cert: KubeObject = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'web', namespace: 'cert-manager', annotations: { [ANNOTATION_SYNC_WAVE]: '1' } },
      spec: { secretName: 'web-tls', issuerRef: { name: 'vault' } },
    };
    const waiting = syncApplication(app, [issuer('cert-manager'), cert], withReadmeCharts(bare()));
    expect(waiting.phase).toBe('Running');
    expect(waiting.message).toBe('waiting for healthy state of cert-manager.io/Issuer/vault');
    const ready: ClusterState = {
      ...withReadmeCharts(bare()),
      statusOf: (o) => (o.kind === 'Issuer' ? { conditions: [{ type: 'Ready', status: 'True', message: 'Vault verified' }] } : undefined),
    };
    const done = syncApplication(app, [issuer('cert-manager'), cert], ready);
    expect(done.phase).toBe('Succeeded');
    expect(done.steps.filter((s) => !s.dryRun).map((s) => `${s.wave}:${s.kind}`)).toEqual(['0:Issuer', '1:Certificate']);
    const failing: ClusterState = { ...ready, statusOf: () => ({ conditions: [{ type: 'Ready', status: 'False', message: 'Failed to login to Vault' }] }) };
    const failed = syncApplication(app, [issuer('cert-manager'), cert], failing);
    expect(failed.phase).toBe('Failed');
    // The reason lists SyncFailed results only; a Degraded resource is Synced (applied) with hookPhase Failed.
    expect(failed.message).toBe('one or more synchronization tasks completed unsuccessfully');
    expect(failed.resources.map((x) => `${x.kind}:${x.status}:${x.hookPhase}:${x.message}`)).toEqual(['Issuer:Synced:Failed:Failed to login to Vault']);
  });

  test('the AppProject decides per object: cluster-scoped kinds need the clusterResourceWhitelist', () => {
    const project: AppProject = {
      name: 'pki',
      sourceRepos: ['https://git.acme.internal/platform/*'],
      destinations: [{ name: 'prod-eu', namespace: '*' }],
      clusterResourceWhitelist: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' }],
    };
    const a = applicationFor(FLEET_TEAM_SHOP_GITOPS, 'prod-eu');
    const r = syncApplication({ ...a, project: 'pki' }, renderApplication(FLEET_TEAM_SHOP_GITOPS, a), withReadmeCharts(bare()), { project });
    expect(r.phase).toBe('Failed');
    expect(r.message).toBe('one or more synchronization tasks are not valid: resource :Namespace is not permitted in project pki; '
      + 'resource policy.cert-manager.io:CertificateRequestPolicy is not permitted in project pki');
    const narrowDest = syncApplication({ ...a, project: 'pki' }, renderApplication(FLEET_TEAM_SHOP_GITOPS, a), withReadmeCharts(bare()),
      { project: { ...project, destinations: [{ name: 'prod-eu', namespace: 'checkout' }] } });
    expect(narrowDest.phase).toBe('Error');
    expect(narrowDest.message).toBe("InvalidSpecError: application destination server 'prod-eu' and namespace '' do not match any of the allowed destinations in project 'pki'");
  });
});

function applicationFor(dir: string, cluster: string): Application {
  const app = applicationsOf(dir, ENV).find((a) => a.spec.destination?.name === cluster);
  return toApplication(app!);
}

/**
 * What Argo CD v3.5.1 does with the fleet's trees (examples/fleet synthesized by tree.ts: the platform's and two team programs'). Before
 * issue 16 both programs wrote ApplicationSet argocd/vault-pki (the second replaced the first and each sync pruned the
 * other program's objects), the tenants tree had no Namespace objects (every namespaced object failed), and no custom
 * resource skipped the dry run (on a cluster without the charts' CRDs nothing was applied, and automated sync stopped
 * for the revision after 5 retries). Each test below names what changed.
 */
describe('the fleet output (examples/fleet) under Argo CD v3.5.1', () => {
  const TREES = [FLEET_PLATFORM_GITOPS, FLEET_TEAM_SHOP_GITOPS, FLEET_TEAM_SEARCH_GITOPS];
  const program = (dir: string) => path.basename(path.dirname(dir));

  test('FIXED: one ApplicationSet per program, named after it, generating Applications named per program and cluster', () => {
    expect(TREES.map((d) => readApplicationSets(d).map((a) => `${a.metadata.namespace}/${a.metadata.name}`))).toEqual([
      ['argocd/vault-pki-platform'], ['argocd/vault-pki-team-shop'], ['argocd/vault-pki-team-search'],
    ]);
    const names = TREES.flatMap((d) => applicationsOf(d, ENV).map((a) => a.metadata.name)).sort();
    expect(names).toEqual([
      'vault-pki-platform-prod-eu', 'vault-pki-platform-prod-us', 'vault-pki-platform-staging',
      'vault-pki-team-search-prod-eu', 'vault-pki-team-search-staging',
      'vault-pki-team-shop-prod-eu', 'vault-pki-team-shop-prod-us', 'vault-pki-team-shop-staging',
    ]);
    expect(new Set(names).size).toBe(names.length);
  });

  test('the generated Applications: automated prune + selfHeal, retried until the sync succeeds, the resources finalizer', () => {
    const app = applicationsOf(FLEET_TEAM_SHOP_GITOPS, ENV).find((a) => a.metadata.name === 'vault-pki-team-shop-prod-eu')!;
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.metadata.ownerReferences?.map((r) => `${r.kind}/${r.name}`)).toEqual(['ApplicationSet/vault-pki-team-shop']);
    expect(app.spec).toEqual({
      project: 'default',
      source: { repoURL: 'https://git.acme.internal/platform/pki-gitops.git', targetRevision: 'main', path: 'team-shop/clusters/prod-eu' },
      destination: { name: 'prod-eu' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, retry: { limit: -1, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } } },
    });
  });

  test('FIXED: the ApplicationSets of the three programs, applied in turn, each create their own Applications and touch no other', () => {
    const { steps, applications } = reconcileAppSets(TREES, ENV);
    const view = (st: AppSetStep) => ({ replaced: st.replacedExisting, actions: Object.values(st.actions), condition: st.condition.type });
    expect(steps.map(view)).toEqual([
      { replaced: false, actions: ['created', 'created', 'created'], condition: 'ResourcesUpToDate' },
      { replaced: false, actions: ['created', 'created', 'created'], condition: 'ResourcesUpToDate' },
      { replaced: false, actions: ['created', 'created'], condition: 'ResourcesUpToDate' },
    ]);
    // Applying them again (every pipeline run) changes nothing.
    const again = reconcileAppSets(TREES, ENV, applications);
    expect(again.steps.flatMap((st) => Object.values(st.actions))).toEqual(Array(8).fill('unchanged'));
  });

  test('a program that reused another\'s name would still fail on every Application (AlreadyOwnedError): checkFleet reports it as gitops-owner', () => {
    const shop = readApplicationSets(FLEET_TEAM_SHOP_GITOPS)[0];
    const impostor = JSON.parse(JSON.stringify(shop));
    impostor.metadata.name = 'vault-pki-team-search-twin';
    impostor.spec.template.metadata.name = 'vault-pki-team-shop-{{.cluster}}';
    const first = reconcileAppSets([FLEET_TEAM_SHOP_GITOPS], ENV);
    const second = applicationSetReconcile([impostor], first.applications, ENV);
    expect(second.steps[0].condition.reason).toBe('UpdateApplicationError');
    expect(second.steps[0].condition.message).toMatch(/is already owned by another ApplicationSet controller vault-pki-team-shop$/);
  });

  test('FIXED: a program listing fewer clusters deletes only its own Applications (and only its own objects)', () => {
    const fewer = JSON.parse(JSON.stringify(readApplicationSets(FLEET_TEAM_SHOP_GITOPS)[0]));
    fewer.spec.generators[0].list.elements = [{ cluster: 'prod-eu' }];
    const first = reconcileAppSets([FLEET_PLATFORM_GITOPS, FLEET_TEAM_SHOP_GITOPS], ENV);
    const second = applicationSetReconcile([fewer], first.applications, ENV);
    expect(second.steps[0].actions).toEqual({
      'vault-pki-team-shop-prod-eu': 'unchanged', 'vault-pki-team-shop-prod-us': 'deleted', 'vault-pki-team-shop-staging': 'deleted',
    });
    expect(second.applications.filter((a) => a.metadata.name.startsWith('vault-pki-platform-')).map((a) => a.metadata.name).sort())
      .toEqual(['vault-pki-platform-prod-eu', 'vault-pki-platform-prod-us', 'vault-pki-platform-staging']);
    // The cascade deletes the team's objects on prod-us; the platform's (tracked to its own Application) stay.
    let prodUs = syncTree(FLEET_PLATFORM_GITOPS, 'prod-us', chartsInstalled('prod-us')).cluster;
    prodUs = syncTree(FLEET_TEAM_SHOP_GITOPS, 'prod-us', prodUs).cluster;
    const after = cascadeDelete('vault-pki-team-shop-prod-us', prodUs);
    expect(after.objects.filter((o) => getAppName(o) === 'vault-pki-team-shop-prod-us')).toEqual([]);
    expect(keys(after.objects.filter((o) => getAppName(o) === 'vault-pki-platform-prod-us').map((o) => ({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name! }))))
      .toEqual(['Bundle//internal-ca', 'PrometheusRule/monitoring/pki-pki-alerts']);
  });

  test('FIXED: deployed in turn, the three programs never prune each other', () => {
    const { rounds, cluster } = deployInTurn(TREES, 'prod-eu', chartsInstalled(), ENV, 2);
    expect(rounds.map((r) => ({ from: program(r.gitopsDir), source: r.application?.source?.path, phase: r.sync?.phase, pruned: r.pruned }))).toEqual([
      { from: 'platform', source: 'platform/clusters/prod-eu', phase: 'Succeeded', pruned: [] },
      { from: 'team-shop', source: 'team-shop/clusters/prod-eu', phase: 'Succeeded', pruned: [] },
      { from: 'team-search', source: 'team-search/clusters/prod-eu', phase: 'Succeeded', pruned: [] },
      { from: 'platform', source: 'platform/clusters/prod-eu', phase: 'Succeeded', pruned: [] },
      { from: 'team-shop', source: 'team-shop/clusters/prod-eu', phase: 'Succeeded', pruned: [] },
      { from: 'team-search', source: 'team-search/clusters/prod-eu', phase: 'Succeeded', pruned: [] },
    ]);
    // Every object is tracked by exactly one program's Application.
    const owners = new Set(cluster.objects.map((o) => getAppName(o)).filter((n) => n !== ''));
    expect([...owners].sort()).toEqual(['vault-pki-platform-prod-eu', 'vault-pki-team-search-prod-eu', 'vault-pki-team-shop-prod-eu']);
  });

  test('FIXED: syncing every argocd/ folder (app of apps): each bootstrap Application owns its own ApplicationSet, all Synced', () => {
    const mgmt = managementCluster(emptyCluster('in-cluster', 'https://kubernetes.default.svc'));
    let state = mgmt;
    const boots = TREES.map((d) => bootstrapApplication(`pki-${program(d)}`, d, mgmt));
    for (const b of boots) {
      const r = syncApplication(b.application, b.desired, state);
      expect(r.phase).toBe('Succeeded');
      state = r.cluster;
    }
    for (const b of boots) {
      const view = compareAppState(b.application, b.desired, state);
      expect([b.application.name, view.status, view.conditions]).toEqual([b.application.name, 'Synced', []]);
    }
  });

  describe('on a cluster where the README charts are installed first', () => {
    test('the platform tree syncs (Bundle is cluster-scoped; PrometheusRule goes to the chart-created monitoring namespace)', () => {
      const r = syncTree(FLEET_PLATFORM_GITOPS, 'prod-eu', chartsInstalled());
      expect(r.phase).toBe('Succeeded');
      expect(r.message).toBe('successfully synced (all tasks run)');
      expect(keys(r.resources)).toEqual(['Bundle//internal-ca', 'PrometheusRule/monitoring/pki-pki-alerts']);
    });

    test('FIXED: each team tree syncs in one pass: its Namespaces first (labelled for the Bundle), then RBAC, then the custom resources', () => {
      for (const dir of [FLEET_TEAM_SHOP_GITOPS, FLEET_TEAM_SEARCH_GITOPS]) {
        const r = syncTree(dir, 'prod-eu', chartsInstalled());
        expect([program(dir), r.phase, r.message]).toEqual([program(dir), 'Succeeded', 'successfully synced (all tasks run)']);
        expect(r.resources.every((x) => x.status === 'Synced')).toBe(true);
        const applied = r.steps.filter((st) => !st.dryRun);
        const namespaces = applied.filter((st) => st.kind === 'Namespace');
        expect(applied.slice(0, namespaces.length)).toEqual(namespaces);
        expect(new Set(applied.map((st) => st.wave))).toEqual(new Set([0]));
        for (const ns of r.cluster.objects.filter((o) => o.kind === 'Namespace' && getAppName(o) !== '')) {
          expect(ns.metadata.labels?.['inject-ca']).toBe('true');
        }
      }
      const shop = syncTree(FLEET_TEAM_SHOP_GITOPS, 'prod-eu', chartsInstalled());
      expect(keys(shop.resources.filter((x) => x.kind === 'Namespace'))).toEqual(['Namespace//checkout', 'Namespace//payments']);
    });

    test('FIXED: automated sync of a team tree succeeds on its first attempt', () => {
      const r = automatedSyncTree(FLEET_TEAM_SHOP_GITOPS, 'prod-eu', chartsInstalled(), { revision: 'c0ffee' });
      expect(r.attempts.map((a) => [a.startedAt, a.result.phase])).toEqual([[0, 'Succeeded']]);
      expect(r.stoppedForRevision).toBe(false);
    });

    test('removing a tenant prunes its objects but never its Namespace (Prune=false: the team\'s workloads live there)', () => {
      const synced = syncTree(FLEET_TEAM_SHOP_GITOPS, 'prod-eu', chartsInstalled()).cluster;
      const app = applicationFor(FLEET_TEAM_SHOP_GITOPS, 'prod-eu');
      const withoutPayments = renderApplication(FLEET_TEAM_SHOP_GITOPS, app)
        .filter((o) => o.metadata.namespace !== 'payments' && o.metadata.name !== 'payments' && !o.metadata.name?.startsWith('payments-')
          && !o.metadata.name?.includes('-payments-'));
      const r = syncApplication(app, withoutPayments, synced, { prune: true });
      expect(r.resources.filter((x) => x.status === 'Pruned').some((x) => x.kind === 'Issuer' && x.namespace === 'payments')).toBe(true);
      expect(r.resources.find((x) => x.kind === 'Namespace' && x.name === 'payments')?.status).not.toBe('Pruned');
      expect(r.cluster.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === 'payments')).toBe(true);
    });
  });

  describe('on an empty cluster where the ApplicationSets sync before the charts', () => {
    test('FIXED: every custom resource skips the dry run (its CRD comes from a chart); no CRD in the trees, one wave', () => {
      for (const dir of TREES) {
        const objects = renderApplication(dir, applicationFor(dir, 'prod-eu'));
        expect(objects.filter((o) => o.kind === 'CustomResourceDefinition')).toEqual([]);
        for (const o of objects.filter((x) => x.apiVersion.includes('.') && !x.apiVersion.startsWith('rbac.authorization.k8s.io'))) {
          expect([o.kind, o.metadata.annotations?.[ANNOTATION_SYNC_OPTIONS]]).toEqual([o.kind, 'SkipDryRunOnMissingResource=true']);
        }
        expect(objects.filter((o) => o.metadata.annotations?.[ANNOTATION_SYNC_WAVE])).toEqual([]);
      }
    });

    test('FIXED: the task validation passes; the core objects (Namespaces, service accounts, RBAC) are applied, the custom resources fail until their CRDs exist', () => {
      const r = syncTree(FLEET_TEAM_SHOP_GITOPS, 'prod-eu', bare());
      expect(r.phase).toBe('Failed');
      expect(r.message).toMatch(/^one or more objects failed to apply, reason: resource mapping not found for name: "api" namespace: "payments" .*no matches for kind "Certificate" in version "cert-manager.io\/v1"/);
      const synced = keys(r.resources.filter((x) => x.status === 'Synced'));
      expect(synced.filter((k) => k.startsWith('Namespace/'))).toEqual(['Namespace//checkout', 'Namespace//payments']);
      expect(new Set(r.resources.filter((x) => x.status === 'Synced').map((x) => x.kind)))
        .toEqual(new Set(['Namespace', 'ServiceAccount', 'ClusterRoleBinding', 'Role', 'RoleBinding']));
      expect(new Set(r.resources.filter((x) => x.status === 'SyncFailed').map((x) => x.kind)))
        .toEqual(new Set(['Certificate', 'CertificateRequestPolicy', 'Issuer', 'PrometheusRule']));
      const platform = syncTree(FLEET_PLATFORM_GITOPS, 'prod-eu', bare());
      expect(platform.steps.some((st) => st.dryRun && st.kind === 'Bundle')).toBe(false);
      expect(keys(platform.resources.filter((x) => x.status === 'SyncFailed'))).toEqual(['Bundle//internal-ca', 'PrometheusRule/monitoring/pki-pki-alerts']);
    });

    test('charts installed within the first minute: the 4th attempt (t=73 s) succeeds, for every program', () => {
      for (const dir of TREES) {
        const r = automatedSyncTree(dir, 'prod-eu', bare(), { events: [{ at: 60, description: 'helm install (README step 1)', apply: (c) => withReadmeCharts(c) }] });
        expect([program(dir), r.attempts.map((a) => [a.startedAt, a.result.phase])]).toEqual([program(dir), [[0, 'Failed'], [11, 'Failed'], [32, 'Failed'], [73, 'Succeeded']]]);
      }
    });

    test('FIXED: charts installed after five retries (t=400 s): automated sync has not stopped (retry limit -1), the 7th attempt succeeds', () => {
      for (const dir of TREES) {
        const r = automatedSyncTree(dir, 'prod-eu', bare(), {
          revision: 'c0ffee', events: [{ at: 400, description: 'helm install (README step 1)', apply: (c) => withReadmeCharts(c) }],
        });
        // 5 s doubling, at most 3 min apart (the retries the old tree stopped after are attempts 2 to 6).
        expect(r.attempts.map((a) => [a.startedAt, a.result.phase])).toEqual([
          [0, 'Failed'], [11, 'Failed'], [32, 'Failed'], [73, 'Failed'], [154, 'Failed'], [315, 'Failed'], [496, 'Succeeded'],
        ]);
        expect(r.stoppedForRevision).toBe(false);
        expect(r.operationState?.phase).toBe('Succeeded');
      }
    });

    test('charts never installed: Argo CD keeps retrying every 3 minutes (nothing stops for the revision)', () => {
      const r = automatedSyncTree(FLEET_TEAM_SEARCH_GITOPS, 'prod-eu', bare(), { revision: 'c0ffee', maxAttempts: 10 });
      expect(r.attempts).toHaveLength(10);
      const starts = r.attempts.map((a) => a.startedAt);
      expect(starts.slice(7).map((t, i) => t - starts[6 + i])).toEqual([181, 181, 181]);
      expect(r.operationState?.phase).toBe('Running');
    });
  });

  test('a dedicated AppProject needs these allowances (Namespace among the cluster-scoped kinds); the default project admits every tree', () => {
    const project: AppProject = {
      name: 'vault-pki',
      sourceRepos: ['https://git.acme.internal/platform/pki-gitops.git'],
      // destination.namespace is empty in the Applications, so a destination must match namespace '' ('*' does).
      destinations: FLEET_CLUSTERS.map((name) => ({ name, namespace: '*' })),
      clusterResourceWhitelist: [
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
        { group: 'policy.cert-manager.io', kind: 'CertificateRequestPolicy' },
        { group: 'trust.cert-manager.io', kind: 'Bundle' },
        { group: '', kind: 'Namespace' },
      ],
    };
    for (const dir of TREES) {
      const app = applicationFor(dir, 'prod-eu');
      const desired = renderApplication(dir, app);
      expect(syncApplication(app, desired, chartsInstalled(), { project: defaultProject() }).phase).toBe('Succeeded');
      expect(syncApplication({ ...app, project: 'vault-pki' }, desired, chartsInstalled(), { project }).phase).toBe('Succeeded');
    }
    // The ApplicationSet controller only requires that the project exists in Argo CD's namespace.
    const { steps } = reconcileAppSets([FLEET_TEAM_SHOP_GITOPS], { ...ENV, projects: ['vault-pki'] });
    expect(steps[0].condition).toEqual({
      type: 'ErrorOccurred', reason: 'ApplicationValidationError', message: 'application references project default which does not exist (and 2 more)',
    });
  });

  test('staging and prod-us behave like prod-eu: every tree syncs with the charts, applies its core objects without them', () => {
    for (const name of ['prod-us', 'staging']) {
      for (const dir of TREES) {
        if (!applicationsOf(dir, ENV).some((a) => a.spec.destination?.name === name)) continue;
        expect([name, program(dir), syncTree(dir, name, chartsInstalled(name)).phase]).toEqual([name, program(dir), 'Succeeded']);
        const empty = syncTree(dir, name, bare(name));
        expect(empty.message).not.toMatch(/synchronization tasks are not valid/);
      }
    }
  });

  test('withCrds from the vendored copies serves exactly the README charts\' kinds', () => {
    const served = withCrds(bare(), readmeChartCrds()).resources.filter((r) => r.group.includes('.')).map((r) => `${r.group}/${r.version}/${r.kind}`).sort();
    expect(served).toEqual([
      'apiextensions.k8s.io/v1/CustomResourceDefinition',
      'cert-manager.io/v1/Certificate', 'cert-manager.io/v1/CertificateRequest', 'cert-manager.io/v1/ClusterIssuer', 'cert-manager.io/v1/Issuer',
      'monitoring.coreos.com/v1/PrometheusRule', 'networking.k8s.io/v1/Ingress', 'networking.k8s.io/v1/NetworkPolicy',
      'policy.cert-manager.io/v1alpha1/CertificateRequestPolicy', 'rbac.authorization.k8s.io/v1/ClusterRole', 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
      'rbac.authorization.k8s.io/v1/Role', 'rbac.authorization.k8s.io/v1/RoleBinding', 'trust.cert-manager.io/v1alpha1/Bundle',
    ]);
  });
});
