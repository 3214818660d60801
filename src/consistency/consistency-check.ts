import * as fs from 'fs';
import * as path from 'path';
import { loadAll } from 'js-yaml';
import { ConsistencyFinding, ConsistencyFindingKind, ConsistencyRuleInfo } from './consistency-rule';
import { OutputIndex } from './output-index';
import { BUILT_IN_RULES } from './rules';

/** Options of a consistency check. */
export interface ConsistencyCheckOptions {
  /**
   * Rules to skip, by id (see `ConsistencyCheck.rules()`).
   * @default - every rule runs
   */
  readonly skip?: ConsistencyFindingKind[];

  /**
   * The cluster the manifests belong to: Issuers must then log in through its auth mount (`kubernetes-<cluster>`)
   * and trust bundles read ConfigMaps published into it.
   * @default - unknown (the cluster-specific rules check what they can without it)
   */
  readonly cluster?: string;

  /**
   * The service account cert-manager csi-driver creates CertificateRequests with, as `<namespace>/<name>`.
   * @default 'cert-manager/cert-manager-csi-driver'
   */
  readonly csiDriverServiceAccount?: string;
}

/** One cluster's findings in a fleet check. */
export interface ClusterFindings {
  /** The cluster (its folder name under `clusters/`). */
  readonly cluster: string;
  /** Number of Kubernetes objects read for the cluster. */
  readonly objects: number;
  /** What does not resolve. */
  readonly findings: ConsistencyFinding[];
}

/**
 * Reads both synthesized outputs (Kubernetes manifests and the Terraform JSON) and reports every reference that does
 * not resolve: each Issuer's path, auth role, mount path, service account, namespace, audience and policy against the
 * Terraform; each Certificate's issuer, key algorithm and duration against its policy and Vault role; and objects
 * emitted twice. An empty result means the two sides agree.
 *
 * Every rule is a lookup per object in an index built once, so the check is linear in the size of the outputs.
 */
export class ConsistencyCheck {
  /** Every rule the check runs: its id and what it proves. */
  public static rules(): ConsistencyRuleInfo[] {
    return BUILT_IN_RULES.map(({ id, description }) => ({ id, description }));
  }

  /**
   * Checks parsed outputs.
   * @param manifests every Kubernetes object of one cluster (parsed YAML documents)
   * @param terraform the parsed `cdk.tf.json` of the Vault stack, or an array of them (every stack)
   */
  public static check(manifests: any[], terraform: any, options: ConsistencyCheckOptions = {}): ConsistencyFinding[] {
    const stacks = Array.isArray(terraform) ? terraform : [terraform ?? {}];
    const index = new OutputIndex(manifests ?? [], stacks, options.cluster, options.csiDriverServiceAccount);
    const skip = new Set(options.skip ?? []);
    const findings: ConsistencyFinding[] = [];
    for (const rule of BUILT_IN_RULES) {
      if (skip.has(rule.id)) continue;
      rule.check(index, (object, message) => findings.push({ kind: rule.id, object, message }));
    }
    return findings;
  }

  /**
   * Checks the outputs on disk: every `*.yaml` / `*.yml` file under `manifestDir` (e.g. `dist/`, searched
   * recursively) against the Terraform JSON at `terraformPath` (a `cdk.tf.json`, or a directory such as `cdktf.out`
   * whose every `cdk.tf.json` is read). Files are read one at a time, so outputs of any size work.
   */
  public static checkOutputs(manifestDir: string, terraformPath: string, options: ConsistencyCheckOptions = {}): ConsistencyFinding[] {
    const manifests = readManifests(manifestDir);
    const stacks = files(terraformPath, (f) => path.basename(f) === 'cdk.tf.json' || !fs.statSync(terraformPath).isDirectory())
      .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
    return ConsistencyCheck.check(manifests, stacks, options);
  }

  /**
   * Checks a fleet: every cluster folder (`clusters/<cluster>/`) of every GitOps tree in `gitopsDirs` (the trees of
   * the platform program and of each tenant team's program, merged per cluster) against every `cdk.tf.json` under
   * `terraformPaths`, each cluster with its cluster-specific rules. Files are read one at a time.
   */
  public static checkFleet(gitopsDirs: string[], terraformPaths: string[], options: ConsistencyCheckOptions = {}): ClusterFindings[] {
    const stacks = terraformPaths.flatMap((p) => files(p, (f) => path.basename(f) === 'cdk.tf.json' || !fs.statSync(p).isDirectory()))
      .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
    const byCluster = new Map<string, any[]>();
    for (const dir of gitopsDirs) {
      const clustersDir = path.join(dir, 'clusters');
      if (!fs.existsSync(clustersDir)) throw new Error(`${dir} is not a GitOps tree: it has no clusters/ folder`);
      for (const cluster of fs.readdirSync(clustersDir).sort()) {
        const manifests = readManifests(path.join(clustersDir, cluster));
        byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), ...manifests]);
      }
    }
    return [...byCluster.keys()].sort().map((cluster) => {
      const manifests = byCluster.get(cluster)!;
      return { cluster, objects: manifests.length, findings: ConsistencyCheck.check(manifests, stacks, { ...options, cluster }) };
    });
  }

  private constructor() {}
}

/** Every Kubernetes object of the YAML files under `dir` (kustomize's own kustomization.yaml files are not objects). */
function readManifests(dir: string): any[] {
  return files(dir, (f) => /\.ya?ml$/.test(f) && path.basename(f) !== 'kustomization.yaml').flatMap((file) => {
    try {
      return loadAll(fs.readFileSync(file, 'utf8')).filter((m) => m !== null && m !== undefined);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  });
}

/** The files under `root` (or `root` itself when it is a file) that `keep`, sorted. */
function files(root: string, keep: (file: string) => boolean): string[] {
  if (!fs.statSync(root).isDirectory()) return keep(root) ? [root] : [];
  return fs.readdirSync(root, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = path.join(root, entry.name);
      return entry.isDirectory() ? files(full, keep) : keep(full) ? [full] : [];
    });
}
