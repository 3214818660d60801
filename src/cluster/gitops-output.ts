import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ClusterChart } from './cluster-chart';
import { FleetContract } from './fleet-contract';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { PkiValidationError } from '../core/errors';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { yamlText } from '../core/yaml-text';
import { ShortLivedCertificate } from '../delivery/short-lived-certificate';
import { TenantIssuer } from '../tenants/tenant-issuer';
import { IntermediateCa } from '../vault/intermediate-ca';

/** Where Argo CD finds the GitOps tree, for the ApplicationSet that deploys each cluster's folder. */
export interface ArgoCdOptions {
  /**
   * URL of the Git repository the GitOps tree is committed to, without credentials (`https://host/org/repo.git`,
   * `ssh://git@host/org/repo.git` or `git@host:org/repo.git`): Argo CD reads them from its repository Secrets, and a URL
   * with `user:password@` would put the password into the ApplicationSet and every Application.
   */
  readonly repoUrl: string;

  /**
   * Branch, tag or commit to deploy.
   * @default 'main'
   */
  readonly revision?: string;

  /**
   * Path of the GitOps tree (the `outdir`) inside the repository, relative and without `..`; each cluster deploys
   * `<path>/clusters/<cluster>`.
   * @default - the repository root
   */
  readonly path?: string;

  /**
   * Namespace of Argo CD (where the ApplicationSet lives).
   * @default 'argocd'
   */
  readonly namespace?: string;

  /**
   * Argo CD project of the generated Applications. A project other than `default` must allow the repository, each
   * cluster with namespace `*` (the Applications set no destination namespace), and the cluster-scoped kinds the tree
   * holds: `Namespace`, `rbac.authorization.k8s.io/ClusterRoleBinding`, `policy.cert-manager.io/CertificateRequestPolicy`,
   * `trust.cert-manager.io/Bundle`.
   * @default 'default'
   */
  readonly project?: string;

  /**
   * How many times automated sync retries a failed sync of one revision (Argo CD's `syncPolicy.retry.limit`); -1 retries
   * until it succeeds (5 s, doubling, at most 3 min apart), so a tree applied before the cluster's charts (cert-manager,
   * approver-policy, trust-manager, prometheus-operator) syncs once they are installed, without a new commit.
   * @default -1
   */
  readonly retryLimit?: number;
}

/** Props of {@link GitOpsOutput.write}. */
export interface GitOpsOutputProps {
  /**
   * Root of the GitOps tree, e.g. `gitops`. Its `clusters/`, `argocd/`, `inventory.json` (and, for the platform's
   * contract, `fleet-contract.json`) are replaced, once the new tree is completely written.
   */
  readonly outdir: string;

  /**
   * Name of the program (RFC 1123 label, at most 30 characters), e.g. `platform` or `team-shop`: its ApplicationSet is
   * `vault-pki-<program>` and its Applications `vault-pki-<program>-<cluster>`, so the trees of several programs
   * deployed by one Argo CD never overwrite or prune each other. Required with `argoCd`.
   * @default - the contract's program, when a contract is given
   */
  readonly program?: string;

  /**
   * Also write an Argo CD ApplicationSet (`argocd/applicationset.yaml`) that deploys each cluster's folder to the
   * Argo CD cluster of the same name.
   * @default - no ApplicationSet
   */
  readonly argoCd?: ArgoCdOptions;

  /**
   * The fleet contract. The platform's (from `FleetContract.describePlatform`) is written as `fleet-contract.json`
   * (refusing to drop an intermediate or cluster the contract already there holds, unless decommissioned); a team's
   * (from `FleetContract.fromFile`) checks every tenant placement against it: namespaces the program owns, clusters,
   * token reviewers, intermediates and the Vault of the fleet. Tenant Namespaces get the labels the platform's
   * TrustBundles select.
   * @default - no contract
   */
  readonly contract?: FleetContract;

  /**
   * Write a Namespace object for every namespace holding a tenant Issuer of this program (`_cluster/namespace-<ns>.yaml`),
   * labelled for the cluster's TrustBundles, so the tree syncs on a cluster where the namespace does not exist yet. Argo
   * CD never prunes them (`Prune=false`): removing a tenant must not delete the team's workloads.
   * @default true
   */
  readonly emitNamespaces?: boolean;
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

/** Argo CD's per-object sync options annotation (argo-cd v3.5.1 gitops-engine/pkg/sync/common/types.go). */
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
/** The CRD of every custom resource in the tree comes from a Helm chart, not from the tree. */
const SKIP_DRY_RUN = 'SkipDryRunOnMissingResource=true';
const NO_PRUNE = 'Prune=false';
/** API groups the API server serves itself (anything else is a custom resource whose CRD a chart installs). */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'autoscaling', 'policy']);

function isBuiltIn(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return BUILT_IN_GROUPS.has(group) || group.endsWith('.k8s.io');
}

/** `json` (a fresh object: changed in place) with `option` added to its sync-options annotation. */
function withSyncOption(json: any, option: string): any {
  const metadata = json.metadata ?? (json.metadata = {});
  const annotations = metadata.annotations ?? (metadata.annotations = {});
  const current = annotations[SYNC_OPTIONS];
  if (current === undefined || current === null || current === '') {
    annotations[SYNC_OPTIONS] = option;
    return json;
  }
  const existing = String(current).split(',').map((o) => o.trim()).filter(Boolean);
  if (!existing.includes(option)) annotations[SYNC_OPTIONS] = [...existing, option].join(',');
  return json;
}

const KIND = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

/**
 * Writes a program's clusters as a GitOps tree, one folder per cluster and namespace, every object in a predictable
 * file (`clusters/<cluster>/<namespace>/<kind>-<name>.yaml`; cluster-scoped objects under `_cluster`), a
 * `kustomization.yaml` in each folder, an optional Argo CD ApplicationSet, and `inventory.json`: for every tenant on
 * every cluster its Issuer, Vault role, policy, auth mount and role, domains, certificates and durations.
 *
 * Built to sync on an empty cluster: every tenant namespace is a Namespace object of the tree (labelled for the
 * TrustBundles), every custom resource carries `SkipDryRunOnMissingResource` (their CRDs come from the charts, so Argo CD
 * must not refuse the whole sync at its dry run when a chart is not installed yet), and the ApplicationSet retries until
 * the sync succeeds. One ApplicationSet per program, named after it, with Applications named per program and cluster.
 * Paths come only from validated names (lower-case RFC 1123, so nothing escapes the tree or collides on a
 * case-insensitive checkout), and the new tree is written completely beside the old one before it replaces it.
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
    const contract = props?.contract;
    const program = props?.program ?? contract?.program;
    GitOpsOutput.checkProps(props, program);
    const byCluster = new Map<string, ClusterChart[]>();
    for (const chart of charts) {
      const list = byCluster.get(chart.cluster.name);
      if (list) list.push(chart);
      else byCluster.set(chart.cluster.name, [chart]);
    }
    const clusters = [...byCluster.keys()].sort();
    if (contract) GitOpsOutput.checkContract(props.outdir, contract, charts);

    // Pass 1, names only: where every object goes, from validated names, and no two in one file (nor two that differ
    // only in case); nothing is written or deleted before this holds for the whole tree.
    const problems: string[] = [];
    const plan = clusters.map((cluster) => {
      const placed = new Map<string, ApiObject | any>();
      const lower = new Map<string, string>();
      const place = (object: ApiObject | any, kind: string, namespace: string | undefined, name: string, chart: string) => {
        const bad = GitOpsOutput.pathProblem(cluster, kind, namespace, name);
        if (bad) {
          problems.push(`${chart}: ${kind} ${namespace ? `${namespace}/` : ''}${name}: ${bad}`);
          return;
        }
        const where = PkiNames.objectFile(cluster, kind, name, namespace);
        const clash = lower.get(where.toLowerCase());
        if (clash !== undefined) {
          problems.push(`${chart}: two objects would be written to ${where}${clash !== where ? ` and ${clash} (the same file on a case-insensitive checkout)` : ''}; ` +
            'give them different names');
          return;
        }
        lower.set(where.toLowerCase(), where);
        placed.set(where, object);
      };
      const tenantNamespaces = new Set<string>();
      const ownNamespaces = new Set<string>();
      const bundleLabels: { [key: string]: string } = { ...(contract?.namespaceLabels(cluster) ?? {}) };
      for (const chart of byCluster.get(cluster)!) {
        for (const c of chart.node.findAll()) {
          if (c instanceof TenantIssuer) tenantNamespaces.add(c.namespace);
          if (!(c instanceof ApiObject) || Chart.of(c) !== chart) continue;
          if (c.kind === 'Namespace' && c.apiVersion === 'v1') ownNamespaces.add(c.name);
          if (c.kind === 'Bundle' && c.apiVersion.startsWith('trust.cert-manager.io/')) {
            Object.assign(bundleLabels, c.toJson().spec?.target?.namespaceSelector?.matchLabels ?? {});
          }
          place(c, c.kind, c.metadata.namespace, c.name, chart.node.path);
        }
      }
      if (props.emitNamespaces ?? true) {
        for (const ns of [...tenantNamespaces].filter((n) => !ownNamespaces.has(n)).sort()) {
          place(GitOpsOutput.namespaceObject(ns, program, bundleLabels), 'Namespace', undefined, ns, `cluster ${cluster}`);
        }
      }
      return { cluster, placed };
    });
    if (problems.length > 0) throw new PkiValidationError('GitOpsOutput', props.outdir, problems);
    const extra: FileEntry[] = [];
    if (props.argoCd) extra.push(...GitOpsOutput.argoCd(props.argoCd, program!, clusters));
    extra.push({ path: 'inventory.json', text: `${JSON.stringify(GitOpsOutput.inventory(charts, program), undefined, 2)}\n` });
    const writesContract = contract !== undefined && contract.isPlatform;
    const contractFile = path.join(props.outdir, PkiNames.FLEET_CONTRACT_FILE);
    if (writesContract) extra.push({ path: PkiNames.FLEET_CONTRACT_FILE, text: contract._text(FleetContract._readPrevious(contractFile)) });

    // Pass 2: the new tree in a staging folder beside the old one (one cluster's texts in memory at a time); the old
    // tree is replaced only once every file is written.
    fs.mkdirSync(props.outdir, { recursive: true });
    const staging = fs.mkdtempSync(path.join(props.outdir, '.gitops-staging-'));
    const written: string[] = [];
    let objects = 0;
    try {
      const write = (relative: string, text: string) => {
        fs.writeFileSync(path.join(staging, ...relative.split('/')), text);
        written.push(relative);
      };
      for (const { cluster, placed } of plan) {
        const folders = new Map<string, string[]>();
        for (const where of placed.keys()) {
          const folder = path.posix.dirname(where);
          const names = folders.get(folder);
          if (names) names.push(path.posix.basename(where));
          else folders.set(folder, [path.posix.basename(where)]);
        }
        // A cluster whose charts hold no object still gets its folder (an empty kustomization).
        fs.mkdirSync(path.join(staging, ...PkiNames.clusterFolder(cluster).split('/')), { recursive: true });
        const folderNames = [...folders.keys()].sort();
        for (const folder of folderNames) {
          fs.mkdirSync(path.join(staging, ...folder.split('/')), { recursive: true });
          const names = folders.get(folder)!.sort();
          for (const name of names) {
            const object = placed.get(`${folder}/${name}`)!;
            let json = object instanceof ApiObject ? object.toJson() : object;
            const where = PkiNames.objectFile(cluster, json.kind, json.metadata?.name, json.metadata?.namespace);
            if (where !== `${folder}/${name}`) {
              throw new PkiValidationError('GitOpsOutput', props.outdir, [`an object planned for ${folder}/${name} synthesizes as ${where}`]);
            }
            if (!isBuiltIn(String(json.apiVersion))) json = withSyncOption(json, SKIP_DRY_RUN);
            write(where, yamlText(json));
            objects++;
          }
          write(`${folder}/kustomization.yaml`, kustomization(names));
        }
        write(`${PkiNames.clusterFolder(cluster)}/kustomization.yaml`, kustomization(folderNames.map((f) => path.posix.basename(f))));
      }
      for (const file of extra) {
        fs.mkdirSync(path.join(staging, ...path.posix.dirname(file.path).split('/')), { recursive: true });
        write(file.path, file.text);
      }
      // Swap: each owned entry of the old tree goes, the new one takes its place.
      const owned = ['clusters', 'argocd', 'inventory.json', ...(writesContract ? [PkiNames.FLEET_CONTRACT_FILE] : [])];
      for (const entry of owned) {
        fs.rmSync(path.join(props.outdir, entry), { recursive: true, force: true });
        if (fs.existsSync(path.join(staging, entry))) fs.renameSync(path.join(staging, entry), path.join(props.outdir, entry));
      }
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    return { clusters, objects, files: written.sort() };
  }

  /** The inventory of every tenant placement: what an auditor or an expiry dashboard reads. */
  public static inventory(charts: ClusterChart[], program?: string): any {
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
    return { generatedBy: PkiNames.MANAGED_BY, ...(program !== undefined ? { program } : {}), tenants: placements };
  }

  /** The problems of the props: the program's name, and an ApplicationSet that names and reaches only what it should. */
  private static checkProps(props: GitOpsOutputProps, program: string | undefined): void {
    const problems: string[] = [];
    if (typeof props?.outdir !== 'string' || props.outdir.trim() === '') problems.push("'outdir' is missing; give the GitOps tree's folder, e.g. 'gitops'");
    if (props?.program !== undefined && props.contract !== undefined && props.program !== props.contract.program) {
      problems.push(`'program' (${props.program}) is not the program the contract was read for (${props.contract.program}); give one name`);
    }
    if (program !== undefined && (!Dns.isLabel(program) || program.length > PkiLimits.PROGRAM_NAME_MAX_LENGTH)) {
      problems.push(`'program' (${program}) must be an RFC 1123 label of at most ${PkiLimits.PROGRAM_NAME_MAX_LENGTH} characters, e.g. 'team-shop'`);
    }
    const argo = props?.argoCd;
    if (argo) {
      if (program === undefined) {
        problems.push("'program' is missing; name the program (e.g. 'platform', 'team-shop'): it names the ApplicationSet (vault-pki-<program>) and its " +
          'Applications, so the ApplicationSets of two programs never overwrite each other and prune the other\'s objects');
      }
      problems.push(...repoUrlProblems(argo.repoUrl));
      if (argo.revision !== undefined && (typeof argo.revision !== 'string' || !/^[^\s]+$/.test(argo.revision))) {
        problems.push(`'argoCd.revision' (${argo.revision}) must be a branch, tag or commit without spaces`);
      }
      if (argo.path !== undefined) {
        const p = String(argo.path).replace(/\/+$/, '');
        if (p === '' || p.startsWith('/') || p.split('/').some((s) => s === '..' || s === '.' || s === '') || !/^[-_.a-zA-Z0-9/]+$/.test(p)) {
          problems.push(`'argoCd.path' (${argo.path}) must be a relative folder of the repository without '.' or '..' segments, e.g. 'platform'`);
        }
      }
      if (argo.namespace !== undefined && !Dns.isLabel(argo.namespace)) problems.push(`'argoCd.namespace' (${argo.namespace}) is not a namespace name`);
      if (argo.project !== undefined && !Dns.isSubdomain(argo.project)) problems.push(`'argoCd.project' (${argo.project}) is not an AppProject name`);
      if (argo.retryLimit !== undefined && (!Number.isInteger(argo.retryLimit) || argo.retryLimit < -1)) {
        problems.push(`'argoCd.retryLimit' (${argo.retryLimit}) must be a whole number from 0, or -1 to retry until the sync succeeds`);
      }
    }
    if (problems.length > 0) throw new PkiValidationError('GitOpsOutput', String(props?.outdir), problems);
  }

  /** Every tenant placement of the program against the contract (the platform's truth). */
  private static checkContract(outdir: string, contract: FleetContract, charts: ClusterChart[]): void {
    const problems: string[] = [];
    const team = !contract.isPlatform;
    const teamNamespaces = new Map(contract._document.programs.flatMap((p) => p.namespaces.map((ns) => [ns, p.name] as const)));
    const seen = new Set<string>();
    for (const chart of charts) {
      const name = chart.cluster.name;
      if (!seen.has(name)) {
        seen.add(name);
        problems.push(...contract._clusterProblems(name, chart.cluster.tokenReviewer).map((p) => `cluster '${name}': ${p}`));
      }
      for (const issuer of chart.node.findAll().filter((c): c is TenantIssuer => c instanceof TenantIssuer)) {
        const tenant = issuer.tenant;
        const where = `tenant ${tenant.namespace}/${tenant.issuerName} on cluster '${name}'`;
        if (team) {
          problems.push(...contract._namespaceProblems(tenant.namespace).map((p) => `${where}: ${p}`));
          const stack = tenant.vault.node.id;
          if (stack !== contract.stackPrefix && !stack.startsWith(`${contract.stackPrefix}-`)) {
            problems.push(`${where}: its Terraform stack '${stack}' is not one of program '${contract.program}' ('${contract.stackPrefix}-<NN>'); ` +
              'use FleetContract.tenantStacks()');
          }
        } else if (teamNamespaces.has(tenant.namespace)) {
          problems.push(`${where}: namespace '${tenant.namespace}' belongs to program '${teamNamespaces.get(tenant.namespace)}' in the fleet contract; ` +
            'the platform may not place tenants there');
        }
        const i = tenant.intermediate;
        if (!(i instanceof IntermediateCa)) {
          problems.push(...contract._intermediateProblems(i).map((p) => `${where}: intermediate '${i.name}': ${p}`));
        }
        problems.push(...contract._vaultProblems(tenant.vault).map((p) => `${where}: Terraform stack '${tenant.vault.node.id}': ${p}`));
      }
    }
    if (problems.length > 0) throw new PkiValidationError('GitOpsOutput', outdir, [...new Set(problems)]);
  }

  /** A tenant namespace: owned by the program, labelled for the TrustBundles, never pruned. */
  private static namespaceObject(name: string, program: string | undefined, labels: { [key: string]: string }): any {
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: { ...labels, ...PkiNames.labels(), ...(program !== undefined ? { [PkiNames.PROGRAM_LABEL]: program } : {}) },
        annotations: { [SYNC_OPTIONS]: NO_PRUNE },
      },
    };
  }

  private static argoCd(options: ArgoCdOptions, program: string, clusters: string[]): FileEntry[] {
    const base = options.path ? `${options.path.replace(/\/+$/, '')}/` : '';
    const labels = { ...PkiNames.labels(), [PkiNames.PROGRAM_LABEL]: program };
    const applicationSet = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: PkiNames.applicationSetName(program), namespace: options.namespace ?? 'argocd', labels },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ list: { elements: clusters.map((cluster) => ({ cluster })) } }],
        template: {
          metadata: { name: `${PkiNames.applicationSetName(program)}-{{.cluster}}`, labels: { ...labels } },
          spec: {
            project: options.project ?? 'default',
            source: { repoURL: options.repoUrl, targetRevision: options.revision ?? 'main', path: `${base}clusters/{{.cluster}}` },
            // The Argo CD cluster secret of each cluster carries the cluster's name.
            destination: { name: '{{.cluster}}' },
            syncPolicy: {
              automated: { prune: true, selfHeal: true },
              // Limit < 0 retries until success (argo-cd v3.5.1 controller/appcontroller.go processRequestedAppOperation).
              retry: { limit: options.retryLimit ?? -1, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
            },
          },
        },
      },
    };
    return [
      { path: 'argocd/applicationset.yaml', text: yamlText(applicationSet) },
      { path: 'argocd/kustomization.yaml', text: kustomization(['applicationset.yaml']) },
    ];
  }

  /** Why an object cannot be written to a file of its own (its names are not path-safe), or undefined. */
  private static pathProblem(cluster: string, kind: string, namespace: string | undefined, name: string | undefined): string | undefined {
    if (!Dns.isLabel(cluster)) return `the cluster name '${cluster}' is not an RFC 1123 label`;
    if (typeof kind !== 'string' || !KIND.test(kind)) return `the kind '${kind}' is not a Kubernetes kind name`;
    if (namespace !== undefined && !Dns.isLabel(namespace)) {
      return `the namespace '${namespace}' is not an RFC 1123 label (lower-case letters, digits, '-'): it would be a folder of the tree`;
    }
    if (namespace === PkiNames.CLUSTER_SCOPED_FOLDER) return `the namespace '${namespace}' is the folder of cluster-scoped objects`;
    if (typeof name !== 'string' || !Dns.isSubdomain(name)) {
      return `the name '${name}' is not an RFC 1123 subdomain (lower-case letters, digits, '-', '.'): it would be a file name of the tree`;
    }
    return undefined;
  }

  /** Runs every construct's validations, as `App.synth()` does. */
  private static validate(constructs: IConstruct[]): void {
    const errors = constructs.flatMap((c) => c.node.validate().map((e) => `${c.node.path}: ${e}`));
    if (errors.length > 0) throw new Error(`Validation failed:\n${errors.join('\n')}`);
  }

  private constructor() {}
}

/** The problems of a Git repository URL as `argoCd.repoUrl`: a URL Argo CD can clone, with no credentials in it. */
function repoUrlProblems(url: unknown): string[] {
  const prop = "'argoCd.repoUrl'";
  if (typeof url !== 'string' || url.trim() === '') return [`${prop} is missing; give the Git repository's URL, e.g. 'https://git.example/org/gitops.git'`];
  const scp = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):([^\s]+)$/.exec(url);
  if (scp) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [`${prop} (${url}) is not a URL; give e.g. 'https://git.example/org/gitops.git' or 'git@git.example:org/gitops.git'`];
  }
  const problems: string[] = [];
  if (!['https:', 'http:', 'ssh:'].includes(parsed.protocol)) problems.push(`${prop} (${parsed.protocol}) must use https, http or ssh`);
  if (parsed.password || (parsed.username && parsed.protocol !== 'ssh:')) {
    problems.push(`${prop} carries credentials ('user:password@'): they would be written into the ApplicationSet and every Application, ` +
      'readable by anyone who can read them; give the URL without them and store the credentials in an Argo CD repository Secret');
  }
  if (parsed.search || parsed.hash) problems.push(`${prop} (${url}) must not carry a query or fragment (tokens hide there too)`);
  return problems;
}

function kustomization(resources: string[]): string {
  return yamlText({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
