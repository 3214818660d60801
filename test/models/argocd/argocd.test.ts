import * as path from 'path';
import { applicationSetReconcile, AppSetStep } from './applicationset';
import { ClusterState, emptyCluster, KubeObject, namespaceObject, readmeChartCrds, withCrds, withReadmeCharts } from './cluster';
import { Application, automatedSync, compareAppState, syncApplication } from './controller';
import { kustomizeBuild } from './kustomize';
import { AppProject, defaultProject } from './project';
import { ANNOTATION_SYNC_OPTIONS, ANNOTATION_SYNC_WAVE } from './sync-engine';
import { getAppName, TRACKING_ANNOTATION } from './tracking';
import {
  applicationsOf, automatedSyncTree, bootstrapApplication, cascadeDelete, deployInTurn, FLEET_PLATFORM_GITOPS, FLEET_TENANTS_GITOPS, fleetEnv,
  managementCluster, readApplicationSets, reconcileAppSets, renderApplication, syncTree, toApplication,
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
    const objects = kustomizeBuild(path.join(FLEET_TENANTS_GITOPS, 'clusters', 'prod-eu'));
    expect(objects.length).toBe(21);
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set([
      'CertificateRequestPolicy', 'ClusterRoleBinding', 'ServiceAccount', 'Role', 'RoleBinding', 'Issuer', 'Certificate', 'PrometheusRule',
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
    const a = applicationFor(FLEET_TENANTS_GITOPS, 'prod-eu');
    const r = syncApplication({ ...a, project: 'pki' }, renderApplication(FLEET_TENANTS_GITOPS, a), withReadmeCharts(bare()), { project });
    expect(r.phase).toBe('Failed');
    expect(r.message).toBe('one or more synchronization tasks are not valid: resource policy.cert-manager.io:CertificateRequestPolicy is not permitted in project pki');
    const narrowDest = syncApplication({ ...a, project: 'pki' }, renderApplication(FLEET_TENANTS_GITOPS, a), withReadmeCharts(bare()),
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
 * What Argo CD v3.5.1 does with TODAY's examples.out/fleet trees. These assertions document the known defects; when
 * the library is fixed, flip them (each `DEFECT:` names the behaviour that should change).
 */
describe("today's fleet output (examples.out/fleet) under Argo CD v3.5.1", () => {
  const platformSets = readApplicationSets(FLEET_PLATFORM_GITOPS);
  const tenantsSets = readApplicationSets(FLEET_TENANTS_GITOPS);

  test('DEFECT: both programs write the same ApplicationSet argocd/vault-pki generating the same Application names', () => {
    expect(platformSets.map((a) => `${a.metadata.namespace}/${a.metadata.name}`)).toEqual(['argocd/vault-pki']);
    expect(tenantsSets.map((a) => `${a.metadata.namespace}/${a.metadata.name}`)).toEqual(['argocd/vault-pki']);
    const names = (dir: string) => applicationsOf(dir, ENV).map((a) => a.metadata.name).sort();
    expect(names(FLEET_PLATFORM_GITOPS)).toEqual(['vault-pki-prod-eu', 'vault-pki-prod-us', 'vault-pki-staging']);
    expect(names(FLEET_TENANTS_GITOPS)).toEqual(names(FLEET_PLATFORM_GITOPS));
  });

  test('the generated Applications: project default, automated prune + selfHeal, no sync options, the resources finalizer', () => {
    const app = applicationsOf(FLEET_TENANTS_GITOPS, ENV).find((a) => a.metadata.name === 'vault-pki-prod-eu')!;
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.metadata.ownerReferences?.map((r) => `${r.kind}/${r.name}`)).toEqual(['ApplicationSet/vault-pki']);
    expect(app.spec).toEqual({
      project: 'default',
      source: { repoURL: 'https://git.acme.internal/platform/pki-gitops.git', targetRevision: 'main', path: 'tenants/clusters/prod-eu' },
      destination: { name: 'prod-eu' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
  });

  test('DEFECT: applying the second ApplicationSet replaces the first; its Applications switch source (updated, not created)', () => {
    const { steps } = reconcileAppSets([FLEET_PLATFORM_GITOPS, FLEET_TENANTS_GITOPS], ENV);
    const view = (s: AppSetStep) => ({ replaced: s.replacedExisting, actions: s.actions, condition: s.condition.type });
    expect(steps.map(view)).toEqual([
      { replaced: false, actions: { 'vault-pki-prod-eu': 'created', 'vault-pki-prod-us': 'created', 'vault-pki-staging': 'created' }, condition: 'ResourcesUpToDate' },
      { replaced: true, actions: { 'vault-pki-prod-eu': 'updated', 'vault-pki-prod-us': 'updated', 'vault-pki-staging': 'updated' }, condition: 'ResourcesUpToDate' },
    ]);
  });

  test('if only the ApplicationSet names differed, the second would fail on every Application (controller-runtime AlreadyOwnedError)', () => {
    const renamed = { ...tenantsSets[0], metadata: { ...tenantsSets[0].metadata, name: 'vault-pki-tenants' } };
    const result = reconcileAppSets([FLEET_PLATFORM_GITOPS], ENV);
    const second = applicationSetReconcile([renamed], result.applications, ENV);
    expect(second.steps[0].condition).toEqual({
      type: 'ErrorOccurred',
      reason: 'UpdateApplicationError',
      message: 'error while wrapping using MutateFn: Object argocd/vault-pki-prod-eu is already owned by another ApplicationSet controller vault-pki',
    });
    expect(Object.keys(second.steps[0].errors).sort()).toEqual(['vault-pki-prod-eu', 'vault-pki-prod-us', 'vault-pki-staging']);
    expect(second.applications.map((a) => a.spec.source.path).sort()).toEqual(['platform/clusters/prod-eu', 'platform/clusters/prod-us', 'platform/clusters/staging']);
  });

  test('DEFECT (latent): a program listing fewer clusters deletes the other\'s Applications, and the finalizer deletes their resources', () => {
    const fewer = JSON.parse(JSON.stringify(tenantsSets[0]));
    fewer.spec.generators[0].list.elements = [{ cluster: 'prod-eu' }];
    const first = reconcileAppSets([FLEET_PLATFORM_GITOPS], ENV);
    const second = applicationSetReconcile([fewer], first.applications, ENV);
    expect(second.steps[0].actions).toEqual({ 'vault-pki-prod-eu': 'updated', 'vault-pki-prod-us': 'deleted', 'vault-pki-staging': 'deleted' });
    expect(second.steps[0].cascadeDeleted).toEqual(['vault-pki-prod-us', 'vault-pki-staging']);
    const prodUs = syncTree(FLEET_PLATFORM_GITOPS, 'prod-us', chartsInstalled('prod-us')).cluster;
    const after = cascadeDelete('vault-pki-prod-us', prodUs);
    expect(after.objects.filter((o) => getAppName(o) !== '')).toEqual([]);
    expect(prodUs.objects.filter((o) => getAppName(o) === 'vault-pki-prod-us')).toHaveLength(2);
  });

  test('DEFECT: deployed in turn, the programs prune each other on every cluster', () => {
    const { rounds } = deployInTurn([FLEET_PLATFORM_GITOPS, FLEET_TENANTS_GITOPS], 'prod-eu', chartsInstalled(), ENV, 2);
    const view = rounds.map((r) => ({
      from: path.basename(path.dirname(r.gitopsDir)), source: r.application?.source?.path, phase: r.sync?.phase, pruned: r.pruned,
    }));
    expect(view).toEqual([
      { from: 'platform', source: 'platform/clusters/prod-eu', phase: 'Succeeded', pruned: [] },
      {
        from: 'tenants',
        source: 'tenants/clusters/prod-eu',
        phase: 'Failed',
        pruned: ['Bundle//internal-ca', 'PrometheusRule/monitoring/pki-pki-alerts'],
      },
      {
        from: 'platform',
        source: 'platform/clusters/prod-eu',
        phase: 'Succeeded',
        pruned: [
          'ClusterRoleBinding//vault-pki-token-review-checkout-vault-services', 'ClusterRoleBinding//vault-pki-token-review-payments-vault-services',
          'CertificateRequestPolicy//checkout-vault-services', 'CertificateRequestPolicy//payments-vault-services',
        ],
      },
      { from: 'tenants', source: 'tenants/clusters/prod-eu', phase: 'Failed', pruned: ['Bundle//internal-ca', 'PrometheusRule/monitoring/pki-pki-alerts'] },
    ]);
  });

  test('DEFECT: syncing both argocd/ folders (app of apps) makes two Applications own argocd/vault-pki (SharedResourceWarning)', () => {
    const mgmt = managementCluster(emptyCluster('in-cluster', 'https://kubernetes.default.svc'));
    const platform = bootstrapApplication('pki-platform', FLEET_PLATFORM_GITOPS, mgmt);
    const tenants = bootstrapApplication('pki-tenants', FLEET_TENANTS_GITOPS, mgmt);
    const first = syncApplication(platform.application, platform.desired, mgmt);
    const second = syncApplication(tenants.application, tenants.desired, first.cluster);
    expect([first.phase, second.phase]).toEqual(['Succeeded', 'Succeeded']);
    expect(second.resources.map((r) => r.message)).toEqual(['applicationset.argoproj.io/vault-pki configured']);
    const platformView = compareAppState(platform.application, platform.desired, second.cluster);
    expect(platformView.status).toBe('OutOfSync');
    expect(platformView.conditions).toEqual([{ type: 'SharedResourceWarning', message: 'ApplicationSet/vault-pki is part of applications argocd/pki-platform and pki-tenants' }]);
  });

  describe('on a cluster where the README charts are installed first', () => {
    test('the platform tree syncs (Bundle is cluster-scoped; PrometheusRule goes to the chart-created monitoring namespace)', () => {
      const r = syncTree(FLEET_PLATFORM_GITOPS, 'prod-eu', chartsInstalled());
      expect(r.phase).toBe('Succeeded');
      expect(r.message).toBe('successfully synced (all tasks run)');
      expect(keys(r.resources)).toEqual(['Bundle//internal-ca', 'PrometheusRule/monitoring/pki-pki-alerts']);
    });

    test('DEFECT: the tenants tree fails: no Namespace objects, no CreateNamespace, so every namespaced object fails', () => {
      const r = syncTree(FLEET_TENANTS_GITOPS, 'prod-eu', chartsInstalled());
      expect(r.desired.some((o) => o.kind === 'Namespace')).toBe(false);
      expect(r.application.syncPolicy?.syncOptions).toBeUndefined();
      expect(r.phase).toBe('Failed');
      expect(r.message).toBe('one or more objects failed to apply, reason: '
        + 'error running kubectl auth reconcile: error getting namespace checkout: namespaces "checkout" not found,'
        + 'error running kubectl auth reconcile: error getting namespace payments: namespaces "payments" not found,'
        + 'namespaces "checkout" not found,namespaces "payments" not found');
      const synced = r.resources.filter((x) => x.status === 'Synced');
      const failed = r.resources.filter((x) => x.status === 'SyncFailed');
      // One wave: every kind group is attempted; the cluster-scoped objects are created, the rest fail.
      expect(keys(synced)).toEqual([
        'CertificateRequestPolicy//checkout-vault-services', 'CertificateRequestPolicy//payments-vault-services',
        'ClusterRoleBinding//vault-pki-token-review-checkout-vault-services', 'ClusterRoleBinding//vault-pki-token-review-payments-vault-services',
      ]);
      expect(failed).toHaveLength(17);
      expect(new Set(r.steps.filter((s) => !s.dryRun).map((s) => s.wave))).toEqual(new Set([0]));
    });

    test('DEFECT: CreateNamespace=true would not help: the Applications have no destination namespace', () => {
      const app = applicationFor(FLEET_TENANTS_GITOPS, 'prod-eu');
      const r = syncApplication({ ...app, syncPolicy: { ...app.syncPolicy, syncOptions: ['CreateNamespace=true'] } }, renderApplication(FLEET_TENANTS_GITOPS, app), chartsInstalled());
      expect(r.phase).toBe('Failed');
      expect(r.resources.some((x) => x.kind === 'Namespace')).toBe(false);
    });

    test('the tenants tree syncs once its namespaces exist (what the fix must provide)', () => {
      const cluster = chartsInstalled();
      cluster.objects.push(namespaceObject('checkout'), namespaceObject('payments'));
      const r = syncTree(FLEET_TENANTS_GITOPS, 'prod-eu', cluster);
      expect(r.phase).toBe('Succeeded');
      // Order inside the one wave: kind order, then custom resources (all order 0) by NAME only.
      const order = r.steps.filter((s) => !s.dryRun).map((s) => s.kind);
      expect(order.slice(0, 10)).toEqual(['ServiceAccount', 'ServiceAccount', 'ClusterRoleBinding', 'ClusterRoleBinding', 'Role', 'Role', 'Role', 'Role', 'RoleBinding', 'RoleBinding']);
      expect(r.steps.filter((s) => !s.dryRun && s.kind !== 'ServiceAccount' && !s.kind.includes('Role')).map((s) => `${s.kind}/${s.name}`)).toEqual([
        'Certificate/api', 'CertificateRequestPolicy/checkout-vault-services', 'Certificate/ledger', 'CertificateRequestPolicy/payments-vault-services',
        'Issuer/vault-services', 'Issuer/vault-services', 'PrometheusRule/vault-services-vault-pki', 'PrometheusRule/vault-services-vault-pki', 'Certificate/web',
      ]);
    });

    test('DEFECT: automated sync of the tenants tree fails 6 times (1 + 5 retries, 10/20/40/80/160 s apart) and stops for the revision', () => {
      const r = automatedSyncTree(FLEET_TENANTS_GITOPS, 'prod-eu', chartsInstalled(), { revision: 'c0ffee' });
      expect(r.attempts.map((a) => [a.startedAt, a.result.phase])).toEqual([
        [0, 'Failed'], [11, 'Failed'], [32, 'Failed'], [73, 'Failed'], [154, 'Failed'], [315, 'Failed'],
      ]);
      expect(r.operationState?.message).toMatch(/ \(retried 5 times\)\.$/);
      expect(r.stoppedForRevision).toBe(true);
      expect(r.next?.condition?.message).toMatch(/^Failed last sync attempt to \[c0ffee\]: one or more objects failed to apply/);
    });
  });

  describe('on an empty cluster where the ApplicationSet syncs before the charts', () => {
    test('DEFECT: no CRDs in the trees, no SkipDryRunOnMissingResource, no sync waves', () => {
      for (const dir of [FLEET_PLATFORM_GITOPS, FLEET_TENANTS_GITOPS]) {
        const objects = renderApplication(dir, applicationFor(dir, 'prod-eu'));
        expect(objects.filter((o) => o.kind === 'CustomResourceDefinition')).toEqual([]);
        const annotated = objects.filter((o) => o.metadata.annotations?.[ANNOTATION_SYNC_OPTIONS] || o.metadata.annotations?.[ANNOTATION_SYNC_WAVE]);
        expect(annotated).toEqual([]);
      }
    });

    test('DEFECT: the platform tree fails before applying anything (discovery of its custom resources)', () => {
      const r = syncTree(FLEET_PLATFORM_GITOPS, 'prod-eu', bare());
      expect(r.phase).toBe('Failed');
      expect(r.message).toBe('one or more synchronization tasks are not valid: '
        + 'failed to discover server resources for group version monitoring.coreos.com/v1: the server could not find the requested resource; '
        + 'failed to discover server resources for group version trust.cert-manager.io/v1alpha1: the server could not find the requested resource');
      expect(r.steps).toEqual([]);
      expect(r.resources.map((x) => x.message)).toEqual([
        'The Kubernetes API could not find trust.cert-manager.io/Bundle for requested resource /internal-ca. Make sure the "Bundle" CRD is installed on the destination cluster.',
        'The Kubernetes API could not find monitoring.coreos.com/PrometheusRule for requested resource monitoring/pki-pki-alerts. Make sure the "PrometheusRule" CRD is installed on the destination cluster.',
      ]);
    });

    test('DEFECT: the tenants tree fails the same way; nothing (not even the core objects) is applied', () => {
      const r = syncTree(FLEET_TENANTS_GITOPS, 'prod-eu', bare());
      expect(r.phase).toBe('Failed');
      expect(r.message).toMatch(/^one or more synchronization tasks are not valid: failed to discover server resources for group version cert-manager.io\/v1/);
      expect(r.cluster.objects).toEqual(bare().objects);
    });

    test('charts installed within the retry window (t=60 s): the 4th attempt (t=73 s) of the platform tree succeeds', () => {
      const r = automatedSyncTree(FLEET_PLATFORM_GITOPS, 'prod-eu', bare(), {
        events: [{ at: 60, description: 'helm install (README step 1)', apply: (c) => withReadmeCharts(c) }],
      });
      expect(r.attempts.map((a) => [a.startedAt, a.result.phase])).toEqual([[0, 'Failed'], [11, 'Failed'], [32, 'Failed'], [73, 'Succeeded']]);
      expect(r.stoppedForRevision).toBe(false);
    });

    test('DEFECT: charts installed after the last retry (t=400 s): automated sync has stopped for this revision', () => {
      const r = automatedSyncTree(FLEET_PLATFORM_GITOPS, 'prod-eu', bare(), {
        revision: 'c0ffee', events: [{ at: 400, description: 'helm install (README step 1)', apply: (c) => withReadmeCharts(c) }],
      });
      expect(r.attempts).toHaveLength(6);
      expect(r.operationState?.phase).toBe('Failed');
      expect(r.next?.condition?.type).toBe('SyncError');
      // The next refresh after the charts: still the same revision and source, so no new attempt.
      const again = automatedSync(r.application, renderApplication(FLEET_PLATFORM_GITOPS, r.application), r.cluster, { revision: 'c0ffee', previous: r.operationState });
      expect(again.attempts).toEqual([]);
      expect(again.decision.condition?.message).toMatch(/^Failed last sync attempt to \[c0ffee\]: /);
      // A new commit (another revision) is attempted again, and now succeeds.
      const newCommit = automatedSync(r.application, renderApplication(FLEET_PLATFORM_GITOPS, r.application), r.cluster, { revision: 'd00d', previous: r.operationState });
      expect(newCommit.attempts.map((a) => a.result.phase)).toEqual(['Succeeded']);
    });
  });

  test('the default project admits both trees; a dedicated AppProject needs these allowances', () => {
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
    const cluster = chartsInstalled();
    cluster.objects.push(namespaceObject('checkout'), namespaceObject('payments'));
    for (const dir of [FLEET_PLATFORM_GITOPS, FLEET_TENANTS_GITOPS]) {
      const app = applicationFor(dir, 'prod-eu');
      const desired = renderApplication(dir, app);
      expect(syncApplication(app, desired, cluster, { project: defaultProject() }).phase).toBe('Succeeded');
      expect(syncApplication({ ...app, project: 'vault-pki' }, desired, cluster, { project }).phase).toBe('Succeeded');
    }
    // The ApplicationSet controller only requires that the project exists in Argo CD's namespace.
    const { steps } = reconcileAppSets([FLEET_TENANTS_GITOPS], { ...ENV, projects: ['vault-pki'] });
    expect(steps[0].condition).toEqual({
      type: 'ErrorOccurred', reason: 'ApplicationValidationError', message: 'application references project default which does not exist (and 2 more)',
    });
  });

  test('staging and prod-us behave like prod-eu (same defects on every cluster)', () => {
    for (const name of ['prod-us', 'staging']) {
      expect(syncTree(FLEET_PLATFORM_GITOPS, name, chartsInstalled(name)).phase).toBe('Succeeded');
      expect(syncTree(FLEET_TENANTS_GITOPS, name, chartsInstalled(name)).phase).toBe('Failed');
      expect(syncTree(FLEET_PLATFORM_GITOPS, name, bare(name)).phase).toBe('Failed');
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
