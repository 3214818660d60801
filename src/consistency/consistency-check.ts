import * as fs from 'fs';
import { ConsistencyFinding, ConsistencyFindingKind, ConsistencyRuleInfo } from './consistency-rule';
import { FleetIndex, readFleet, readManifests } from './fleet-index';
import { OutputIndex, TerraformIndex } from './output-index';
import { BUILT_IN_RULES } from './rules';
import { synthesizedStackFiles } from './synthesized-stacks';

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

  /**
   * The service account cert-manager creates the CertificateRequests of Certificates with, as `<namespace>/<name>`: the
   * policies a Certificate is judged by are those it may `use`.
   * @default 'cert-manager/cert-manager'
   */
  readonly certManagerServiceAccount?: string;
}

/** One cluster's findings in a fleet check. */
export interface ClusterFindings {
  /**
   * The cluster (its folder name under `clusters/`), or `''` for the findings about the fleet as a whole: who owns each
   * Terraform state, Vault name, ApplicationSet and Application across the programs, their Kubernetes providers, and
   * every program's outputs against the fleet contract.
   */
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
    const index = new OutputIndex(manifests ?? [], stacks, options.cluster, options.csiDriverServiceAccount, options.certManagerServiceAccount);
    return ConsistencyCheck.run(index, options, 'program');
  }

  /**
   * Checks the outputs on disk: every `*.yaml` / `*.yml` file under `manifestDir` (e.g. `dist/`, searched
   * recursively) against the Terraform JSON at `terraformPath`: a `cdk.tf.json`, or a `cdktf.out` directory, of which
   * exactly the stacks its `manifest.json` lists are read (stack folders an earlier synthesis left behind are not), or
   * a directory above such outputs. The YAML files are read as a stream (another thread reads while this one parses).
   */
  public static checkOutputs(manifestDir: string, terraformPath: string, options: ConsistencyCheckOptions = {}): ConsistencyFinding[] {
    const manifests = readManifests(manifestDir);
    const stacks = synthesizedStackFiles(terraformPath).map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
    return ConsistencyCheck.check(manifests, stacks, options);
  }

  /**
   * Checks a fleet: every cluster folder (`clusters/<cluster>/`) of every GitOps tree in `gitopsDirs` (the trees of
   * the platform program and of each tenant team's program, merged per cluster) against every `cdk.tf.json` under
   * `terraformPaths`, each cluster with its cluster-specific rules and the rules of GitOps trees (Namespaces, CRD
   * sync options); then, once (the first result, cluster `''`), the fleet as a whole: one owner per Terraform state,
   * Vault role, policy, auth role and mount, ApplicationSet and Application across the programs, Kubernetes providers
   * that each name one cluster, and every program's outputs against the fleet contract (`fleet-contract.json` in a
   * tree). The YAML files are read as a stream (another thread reads while this one parses).
   */
  public static checkFleet(gitopsDirs: string[], terraformPaths: string[], options: ConsistencyCheckOptions = {}): ClusterFindings[] {
    const stacks = terraformPaths.flatMap((p) => synthesizedStackFiles(p)).map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
    const fleet: FleetIndex = readFleet(gitopsDirs);
    const byCluster = new Map<string, any[]>();
    for (const tree of fleet.trees) {
      for (const [cluster, manifests] of tree.clusters) byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), ...manifests]);
    }
    // The Terraform is indexed once for the whole fleet: every cluster's index looks it up, none rebuilds it.
    const terraform = new TerraformIndex(stacks);
    const whole = new OutputIndex([], terraform, undefined, options.csiDriverServiceAccount, options.certManagerServiceAccount);
    whole.gitops = true;
    whole.fleet = fleet;
    const objects = [...byCluster.values()].reduce((n, m) => n + m.length, 0) + fleet.trees.reduce((n, t) => n + t.applicationSets.length, 0);
    return [
      { cluster: '', objects, findings: ConsistencyCheck.run(whole, options, 'fleet') },
      ...[...byCluster.keys()].sort().map((cluster) => {
        const manifests = byCluster.get(cluster)!;
        const index = new OutputIndex(manifests, terraform, cluster, options.csiDriverServiceAccount, options.certManagerServiceAccount);
        index.gitops = true;
        return { cluster, objects: manifests.length, findings: ConsistencyCheck.run(index, { ...options, cluster }, 'cluster') };
      }),
    ];
  }

  /**
   * Runs the rules of a pass over `index`: a single program runs them all; checkFleet runs the per-cluster rules on each
   * cluster and the fleet-wide rules once.
   */
  private static run(index: OutputIndex, options: ConsistencyCheckOptions, pass: 'program' | 'cluster' | 'fleet'): ConsistencyFinding[] {
    const skip = new Set(options.skip ?? []);
    const findings: ConsistencyFinding[] = [];
    for (const rule of BUILT_IN_RULES) {
      if (skip.has(rule.id) || (pass === 'cluster' && rule.fleet) || (pass === 'fleet' && !rule.fleet)) continue;
      rule.check(index, (object, message) => findings.push({ kind: rule.id, object, message }));
    }
    return findings;
  }

  private constructor() {}
}

