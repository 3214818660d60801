import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { describeObject } from '../output-index';

/** Argo CD's per-object sync options annotation (argo-cd v3.5.1 gitops-engine/pkg/sync/common/types.go). */
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/** API groups every API server serves itself; any other group's kind needs a CRD a chart installs. */
function isCustomResource(apiVersion: unknown): boolean {
  const group = String(apiVersion ?? '').includes('/') ? String(apiVersion).split('/')[0] : '';
  return !(['', 'apps', 'batch', 'autoscaling', 'policy'].includes(group) || group.endsWith('.k8s.io'));
}

/** Rules of GitOps trees (checkFleet's per-cluster passes): what an Argo CD sync on an empty cluster needs. */
export const GITOPS_RULES: ConsistencyRule[] = [
  {
    id: ConsistencyFindingKind.TENANT_NAMESPACE,
    description: "In a GitOps tree, every tenant Issuer's namespace is a Namespace object carrying the labels the cluster's Bundles select",
    check(index, report) {
      if (!index.gitops || index.cluster === undefined) return;
      const selected = index.objects('trust.cert-manager.io/v1alpha1', 'Bundle')
        .map((b) => ({ bundle: b.metadata?.name, labels: (b.spec?.target?.namespaceSelector?.matchLabels ?? {}) as Record<string, string> }));
      const seen = new Set<string>();
      for (const issuer of index.objects('cert-manager.io/v1', 'Issuer')) {
        const ns = issuer.metadata?.namespace;
        if (ns === undefined || seen.has(ns)) continue;
        seen.add(ns);
        const namespace = index.object('v1', 'Namespace', undefined, ns);
        if (!namespace) {
          report(describeObject(issuer), `namespace '${ns}' is not a Namespace object of any GitOps tree of cluster '${index.cluster}': on an empty ` +
            "cluster every object in it fails to apply (Argo CD's CreateNamespace creates only an Application's destination namespace)");
          continue;
        }
        for (const { bundle, labels } of selected) {
          const missing = Object.entries(labels).filter(([k, v]) => namespace.metadata?.labels?.[k] !== v).map(([k, v]) => `${k}=${v}`);
          if (missing.length > 0) {
            report(describeObject(namespace), `lacks ${missing.join(', ')}, which Bundle '${bundle}' selects: the namespace gets no trust bundle`);
          }
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.GITOPS_SYNC,
    description: 'In a GitOps tree, every custom resource carries SkipDryRunOnMissingResource (its CRD comes from a chart, not from the tree)',
    check(index, report) {
      if (!index.gitops || index.cluster === undefined) return;
      for (const m of index.manifests) {
        if (!isCustomResource(m.apiVersion)) continue;
        const options = String(m.metadata?.annotations?.[SYNC_OPTIONS] ?? '').split(',').map((o) => o.trim());
        if (!options.includes('SkipDryRunOnMissingResource=true')) {
          report(describeObject(m), `has no '${SYNC_OPTIONS}: SkipDryRunOnMissingResource=true': while its CRD (${String(m.apiVersion).split('/')[0]}) is ` +
            'not installed, Argo CD fails the whole sync at its dry run and applies nothing');
        }
      }
    },
  },
];
