import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ClusterChart } from './cluster-chart';
import { Durations } from '../core/durations';
import { PkiValidationError } from '../core/errors';
import { PkiNames } from '../core/names';
import { ShortLivedCertificate } from '../delivery/short-lived-certificate';
import { TenantIssuer } from '../tenants/tenant-issuer';

/** Where Argo CD finds the GitOps tree, for the ApplicationSet that deploys each cluster's folder. */
export interface ArgoCdOptions {
  /** URL of the Git repository the GitOps tree is committed to. */
  readonly repoUrl: string;

  /**
   * Branch, tag or commit to deploy.
   * @default 'main'
   */
  readonly revision?: string;

  /**
   * Path of the GitOps tree (the `outdir`) inside the repository; each cluster deploys `<path>/clusters/<cluster>`.
   * @default - the repository root
   */
  readonly path?: string;

  /**
   * Namespace of Argo CD (where the ApplicationSet lives).
   * @default 'argocd'
   */
  readonly namespace?: string;

  /**
   * Argo CD project of the generated Applications.
   * @default 'default'
   */
  readonly project?: string;
}

/** Props of {@link GitOpsOutput.write}. */
export interface GitOpsOutputProps {
  /** Root of the GitOps tree, e.g. `gitops`. Its `clusters/`, `argocd/` and `inventory.json` are rewritten. */
  readonly outdir: string;

  /**
   * Also write an Argo CD ApplicationSet (`argocd/applicationset.yaml`) that deploys each cluster's folder to the
   * Argo CD cluster of the same name.
   * @default - no ApplicationSet
   */
  readonly argoCd?: ArgoCdOptions;
}

/** What {@link GitOpsOutput.write} wrote. */
export interface GitOpsOutputResult {
  /** Clusters written, by name. */
  readonly clusters: string[];
  /** Number of Kubernetes object files written. */
  readonly objects: number;
  /** Relative paths of every file written, sorted. */
  readonly files: string[];
}

interface FileEntry {
  readonly path: string;
  readonly text: string;
}

/**
 * Writes a program's clusters as a GitOps tree, one folder per cluster and namespace, every object in a predictable
 * file (`clusters/<cluster>/<namespace>/<kind>-<name>.yaml`; cluster-scoped objects under `_cluster`), a
 * `kustomization.yaml` in each folder, an optional Argo CD ApplicationSet, and `inventory.json`: for every tenant on
 * every cluster its Issuer, Vault role, policy, auth mount and role, domains, certificates and durations.
 *
 * Argo CD rather than Flux: one ApplicationSet in the management cluster deploys every cluster's folder (a list
 * generator with the cluster names), so adding a cluster is a program change and a commit; Flux would need its
 * own bootstrap and a Kustomization object inside each of the 50 clusters.
 */
export class GitOpsOutput {
  /**
   * Writes every ClusterChart of `app` (run instead of `app.synth()`). Output is deterministic: sorted folders,
   * files and keys.
   */
  public static write(app: App, props: GitOpsOutputProps): GitOpsOutputResult {
    const all = app.node.findAll();
    const charts = all.filter((c): c is ClusterChart => c instanceof ClusterChart);
    // Validated once for the whole app, as `app.synth()` does; `chart.toJson()` would validate the whole app again for
    // every chart (cdk8s 2.70 App._synthChart), which makes 50 clusters cost 50 times one.
    GitOpsOutput.validate(all);
    const byCluster = new Map<string, ClusterChart[]>();
    for (const chart of charts) {
      const list = byCluster.get(chart.cluster.name);
      if (list) list.push(chart);
      else byCluster.set(chart.cluster.name, [chart]);
    }
    const clusters = [...byCluster.keys()].sort();

    // Pass 1, names only: where every object goes, and no two in one file; nothing is deleted before this holds.
    // Every API object whose closest chart is one of the cluster's (what cdk8s writes for the chart; each goes to its
    // own file, so cdk8s's dependency order does not matter here).
    const plan = clusters.map((cluster) => {
      const placed = new Map<string, ApiObject>();
      for (const chart of byCluster.get(cluster)!) {
        for (const object of chart.node.findAll()) {
          if (!(object instanceof ApiObject) || Chart.of(object) !== chart) continue;
          const where = GitOpsOutput.fileOf(cluster, object.kind, object.metadata.namespace, object.metadata.name);
          if (placed.has(where)) {
            throw new PkiValidationError('GitOpsOutput', chart.node.path, [`two objects would be written to ${where}; give them different names`]);
          }
          placed.set(where, object);
        }
      }
      return { cluster, placed };
    });
    const inventory = `${JSON.stringify(GitOpsOutput.inventory(charts), undefined, 2)}\n`;

    // Pass 2: one cluster at a time (only its texts in memory), one mkdir per folder.
    for (const owned of ['clusters', 'argocd', 'inventory.json']) fs.rmSync(path.join(props.outdir, owned), { recursive: true, force: true });
    const written: string[] = [];
    const write = (relative: string, text: string) => {
      fs.writeFileSync(path.join(props.outdir, ...relative.split('/')), text);
      written.push(relative);
    };
    let objects = 0;
    for (const { cluster, placed } of plan) {
      const folders = new Map<string, string[]>();
      for (const where of placed.keys()) {
        const folder = path.posix.dirname(where);
        const names = folders.get(folder);
        if (names) names.push(path.posix.basename(where));
        else folders.set(folder, [path.posix.basename(where)]);
      }
      const folderNames = [...folders.keys()].sort();
      for (const folder of folderNames) {
        fs.mkdirSync(path.join(props.outdir, ...folder.split('/')), { recursive: true });
        const names = folders.get(folder)!.sort();
        for (const name of names) {
          const json = placed.get(`${folder}/${name}`)!.toJson();
          const where = GitOpsOutput.fileOf(cluster, json.kind, json.metadata?.namespace, json.metadata?.name);
          if (where !== `${folder}/${name}`) {
            throw new PkiValidationError('GitOpsOutput', props.outdir, [`an object planned for ${folder}/${name} synthesizes as ${where}`]);
          }
          write(where, Yaml.stringify(json));
          objects++;
        }
        write(`${folder}/kustomization.yaml`, kustomization(names));
      }
      write(`${PkiNames.clusterFolder(cluster)}/kustomization.yaml`, kustomization(folderNames.map((f) => path.posix.basename(f))));
    }
    if (props.argoCd) {
      fs.mkdirSync(path.join(props.outdir, 'argocd'), { recursive: true });
      for (const file of GitOpsOutput.argoCd(props.argoCd, clusters)) write(file.path, file.text);
    }
    write('inventory.json', inventory);
    return { clusters, objects, files: written.sort() };
  }

  /** The inventory of every tenant placement: what an auditor or an expiry dashboard reads. */
  public static inventory(charts: ClusterChart[]): any {
    const placements = charts.flatMap((chart) => {
      // One walk of the chart: its issuers, and its certificates grouped by issuer (linear in the chart's size).
      const constructs = chart.node.findAll();
      const byIssuer = new Map<TenantIssuer, ShortLivedCertificate[]>();
      for (const c of constructs) {
        if (!(c instanceof ShortLivedCertificate) || !(c.issuer instanceof TenantIssuer)) continue;
        const list = byIssuer.get(c.issuer);
        if (list) list.push(c);
        else byIssuer.set(c.issuer, [c]);
      }
      return constructs.filter((c): c is TenantIssuer => c instanceof TenantIssuer)
        .map((issuer) => ({ chart, issuer, certificates: byIssuer.get(issuer) ?? [] }));
    }).map(({ chart, issuer, certificates: issued }) => {
      const tenant = issuer.tenant;
      const certificates = issued
        .map((c) => ({
          name: c.certificateName,
          secretName: c.secretName,
          dnsNames: c.dnsNames,
          ipAddresses: c.ipAddresses,
          uris: c.uris,
          duration: Durations.go(c.duration),
          renewBefore: Durations.go(c.renewBefore),
        }))
        .sort((a, b) => compare(a.name, b.name));
      return {
        cluster: chart.cluster.name,
        namespace: tenant.namespace,
        issuer: tenant.issuerName,
        folder: PkiNames.namespaceFolder(chart.cluster.name, tenant.namespace),
        hierarchy: tenant.intermediate.hierarchyName,
        intermediate: tenant.intermediate.name,
        vault: {
          address: tenant.vault.address,
          ...(tenant.vault.vaultNamespace ? { namespace: tenant.vault.vaultNamespace } : {}),
          terraformStack: tenant.vault.node.id,
          pkiMount: tenant.intermediate.mountPath,
          pkiRole: tenant.roleName,
          signPath: tenant.signPath,
          policy: tenant.policyName,
          authMount: chart.cluster.authMountPath,
          authRole: tenant.roleName,
          audience: PkiNames.audience(tenant.namespace, tenant.issuerName),
          serviceAccount: tenant.serviceAccountName,
        },
        domains: [...tenant.domains],
        maxDuration: Durations.go(tenant.maxDuration),
        keyAlgorithm: tenant.keyAlgorithm.toString(),
        usages: [...tenant.allowedUsages],
        certificates,
      };
    });
    placements.sort((a, b) => compare(a.cluster, b.cluster) || compare(a.namespace, b.namespace) || compare(a.issuer, b.issuer));
    return { generatedBy: PkiNames.MANAGED_BY, tenants: placements };
  }

  private static argoCd(options: ArgoCdOptions, clusters: string[]): FileEntry[] {
    const base = options.path ? `${options.path.replace(/\/+$/, '')}/` : '';
    const applicationSet = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'vault-pki', namespace: options.namespace ?? 'argocd', labels: PkiNames.labels() },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ list: { elements: clusters.map((cluster) => ({ cluster })) } }],
        template: {
          metadata: { name: 'vault-pki-{{.cluster}}' },
          spec: {
            project: options.project ?? 'default',
            source: { repoURL: options.repoUrl, targetRevision: options.revision ?? 'main', path: `${base}clusters/{{.cluster}}` },
            // The Argo CD cluster secret of each cluster carries the cluster's name.
            destination: { name: '{{.cluster}}' },
            syncPolicy: { automated: { prune: true, selfHeal: true } },
          },
        },
      },
    };
    return [
      { path: 'argocd/applicationset.yaml', text: Yaml.stringify(applicationSet) },
      { path: 'argocd/kustomization.yaml', text: kustomization(['applicationset.yaml']) },
    ];
  }

  /** The file of an object: `clusters/<cluster>/<namespace or _cluster>/<kind>-<name>.yaml`. */
  private static fileOf(cluster: string, kind: string, namespace: string | undefined, name: string | undefined): string {
    return `${PkiNames.namespaceFolder(cluster, namespace)}/${String(kind).toLowerCase()}-${name}.yaml`;
  }

  /** Runs every construct's validations, as `App.synth()` does. */
  private static validate(constructs: IConstruct[]): void {
    const errors = constructs.flatMap((c) => c.node.validate().map((e) => `${c.node.path}: ${e}`));
    if (errors.length > 0) throw new Error(`Validation failed:\n${errors.join('\n')}`);
  }

  private constructor() {}
}

function kustomization(resources: string[]): string {
  return Yaml.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
