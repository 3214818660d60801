import * as fs from 'fs';
import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterChart } from './cluster-chart';
import {
  ClusterDocument, documentProblems, FLEET_CONTRACT_API_VERSION, FLEET_CONTRACT_KIND, FleetContractDocument, GenerationDocument, HierarchyDocument,
  KeyAlgorithmDocument, ProgramDocument, sortedKeys, StackDocument,
} from './fleet-contract-document';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { PkiValidationError } from '../core/errors';
import { KeyAlgorithm, KeyAlgorithmFamily } from '../core/key-algorithm';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { StateBackend } from '../terraform/state-backend';
import { CaGenerationOptions, GenerationState } from '../vault/ca-generation';
import { FleetContractBase } from '../vault/fleet-contract-base';
import { IntermediateCa } from '../vault/intermediate-ca';
import { IIntermediateCa } from '../vault/intermediate-ca-options';
import { IPkiCluster, PkiCluster } from '../vault/pki-cluster';
import { IPkiHierarchy, PkiHierarchy } from '../vault/pki-hierarchy';
import { TenantStacks } from '../vault/tenant-stacks';
import { TokenReviewer } from '../vault/token-reviewer';
import { VaultPkiStack } from '../vault/vault-pki-stack';
import { VaultServerCa } from '../vault/vault-server-ca';

/** A team program the platform admits into the fleet, and what it may own. */
export interface FleetTeamProgram {
  /**
   * Name of the team's program (RFC 1123 label, at most 30 characters), e.g. `team-shop`: it names the program's Argo
   * CD ApplicationSet (`vault-pki-<program>`) and Applications (`vault-pki-<program>-<cluster>`).
   */
  readonly program: string;

  /**
   * Tenant namespaces only this program may use, in every cluster: its Vault roles, policies and auth roles are named
   * after them, and its GitOps tree writes their Namespace objects. No two programs may list the same namespace.
   */
  readonly namespaces: string[];

  /**
   * Prefix of the program's Terraform stack ids (its `TenantStacks` id: stacks `<prefix>-00`, `<prefix>-01`, ...), and
   * so of its state keys. No two programs may share one.
   * @default - the program name
   */
  readonly stackPrefix?: string;
}

/** Props of {@link FleetContract.describePlatform}. */
export interface FleetContractProps {
  /**
   * Name of the platform program (RFC 1123 label, at most 30 characters).
   * @default 'platform'
   */
  readonly program?: string;

  /** The platform's Vault stack (address, Vault namespace, server CA, state). */
  readonly vault: VaultPkiStack;

  /** The hierarchies the fleet issues from (in `vault`). */
  readonly hierarchies: PkiHierarchy[];

  /**
   * The platform's ClusterCharts, one or more per cluster, each of a PkiCluster in `vault`: the clusters of the fleet,
   * with the labels their TrustBundles select namespaces by. Describe the contract after creating the charts' objects.
   */
  readonly clusters: ClusterChart[];

  /**
   * The team programs, each with the tenant namespaces and the stack prefix it owns.
   * @default - none
   */
  readonly teams?: FleetTeamProgram[];
}

/** Options of {@link FleetContract.fromFile} and {@link FleetContract.fromJson}. */
export interface FleetContractImportOptions {
  /** The program reading the contract: a team program the contract declares. */
  readonly program: string;
}

/** Options of {@link FleetContract.tenantStacks}. */
export interface FleetTenantStacksOptions {
  /** How many stacks the program's tenants are spread over (1 to 64); see `TenantStacks`. */
  readonly shards: number;

  /**
   * Where the shards keep their state.
   * @default StateBackend.local()
   */
  readonly backend?: StateBackend;
}

/** Problems of a program name. */
function programNameProblem(prop: string, name: unknown): string | undefined {
  return typeof name !== 'string' || !Dns.isLabel(name) || name.length > PkiLimits.PROGRAM_NAME_MAX_LENGTH
    ? `'${prop}' (${String(name)}) must be an RFC 1123 label of at most ${PkiLimits.PROGRAM_NAME_MAX_LENGTH} characters, e.g. 'team-shop'`
    : undefined;
}

function keyAlgorithmOf(doc: KeyAlgorithmDocument): KeyAlgorithm {
  if (doc.family === KeyAlgorithmFamily.RSA) return KeyAlgorithm.rsa(doc.size);
  if (doc.family === KeyAlgorithmFamily.ED25519) return KeyAlgorithm.ED25519;
  return KeyAlgorithm.ecdsa(doc.size);
}

function keyAlgorithmDoc(k: KeyAlgorithm): KeyAlgorithmDocument {
  return { family: k.family, size: k.size };
}

function generationDocs(generations: CaGenerationOptions[]): GenerationDocument[] {
  return generations.map((g) => ({
    generation: g.generation,
    state: g.state ?? GenerationState.ACTIVE,
    preparedSince: g.preparedSince,
    drainingSince: g.drainingSince,
    rootGeneration: g.rootGeneration,
    compromised: g.compromised,
  }));
}

function generationOptions(docs: GenerationDocument[]): CaGenerationOptions[] {
  return docs.map((g) => ({ ...g, state: g.state as GenerationState }));
}

function reviewerOf(doc: ClusterDocument): TokenReviewer {
  return doc.tokenReviewer.kind === 'clientToken' ? TokenReviewer.clientToken(doc.tokenReviewer.apiAudience ?? '') : TokenReviewer.vaultServiceAccount();
}

function describeReviewer(r: { kind: string; apiAudience?: string }): string {
  return r.kind === 'clientToken' ? `TokenReviewer.clientToken('${r.apiAudience}')` : 'TokenReviewer.vaultServiceAccount()';
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The fleet contract: a versioned, machine-readable description of what the platform program owns (Vault address and
 * namespace, hierarchies, intermediates with their domains and mounts, clusters with their auth mounts and token
 * reviewers, its Terraform stacks and their state, its GitOps ApplicationSet) and of what each team program may own
 * (tenant namespaces, a stack prefix, an ApplicationSet). The platform writes it next to its GitOps tree
 * (`fleet-contract.json`, via `GitOpsOutput.write({ contract })`); team programs read it (`FleetContract.fromFile`)
 * and build their imports from it instead of hand-typed values, so a team program that contradicts the platform fails
 * at synth; `ConsistencyCheck.checkFleet` reads it too.
 *
 * The contract the platform wrote last is also its memory: rewriting it refuses to drop an intermediate or a cluster
 * unless its mount (`pki-int-<name>`, `kubernetes-<cluster>`) is listed in the Vault stack's `decommissionedMounts`.
 */
export class FleetContract extends FleetContractBase {
  /** The contract format (`apiVersion`) this library writes and reads. */
  public static readonly API_VERSION = FLEET_CONTRACT_API_VERSION;

  /** The platform program's contract, from its own constructs. */
  public static describePlatform(props: FleetContractProps): FleetContract {
    const program = props?.program ?? 'platform';
    const teams = props?.teams ?? [];
    const problems: string[] = [];
    const add = (p: string | undefined) => p !== undefined && problems.push(p);
    add(programNameProblem('program', program));
    if (!(props?.vault instanceof VaultPkiStack)) problems.push("'vault' is missing; pass the platform's VaultPkiStack");
    for (const [i, h] of (props?.hierarchies ?? []).entries()) {
      if (!(h instanceof PkiHierarchy) || h.vault !== props.vault) problems.push(`'hierarchies[${i}]' is not a PkiHierarchy of the stack 'vault'`);
    }
    if ((props?.clusters ?? []).length === 0) problems.push("'clusters' is empty; pass the platform's ClusterCharts (one or more per cluster)");
    for (const [i, chart] of (props?.clusters ?? []).entries()) {
      if (!(chart instanceof ClusterChart) || !(chart.cluster instanceof PkiCluster) || chart.cluster.vault !== props.vault) {
        problems.push(`'clusters[${i}]' is not a ClusterChart of a PkiCluster in the stack 'vault'`);
      }
    }
    const names = new Map<string, string>([[program, 'the platform']]);
    const prefixes = new Map<string, string>();
    const namespaces = new Map<string, string>();
    for (const [i, team] of teams.entries()) {
      add(programNameProblem(`teams[${i}].program`, team?.program));
      const previous = names.get(team?.program);
      if (previous !== undefined) problems.push(`'teams[${i}].program' (${team.program}) is already ${previous}'s name; give every program its own name`);
      names.set(team?.program, `teams[${i}]`);
      const prefix = team?.stackPrefix ?? team?.program;
      add(programNameProblem(`teams[${i}].stackPrefix`, prefix));
      const other = prefixes.get(prefix);
      if (other !== undefined) {
        problems.push(`'teams[${i}].stackPrefix' (${prefix}) is already the stack prefix of ${other}: both programs' shards would be '${prefix}-00', ... ` +
          'with the same state keys, and each apply would overwrite the other\'s state; give each program its own prefix');
      }
      prefixes.set(prefix, `'${team?.program}'`);
      for (const ns of team?.namespaces ?? []) {
        if (!Dns.isLabel(ns)) problems.push(`'teams[${i}].namespaces' (${ns}) is not a namespace name (RFC 1123 label)`);
        const owner = namespaces.get(ns);
        if (owner !== undefined) {
          problems.push(`namespace '${ns}' is listed for program '${owner}' and '${team.program}': its Vault role, policy and auth roles would have two ` +
            'owners and the last apply would win; give each namespace to one program');
        }
        namespaces.set(ns, team?.program);
      }
      if (!Array.isArray(team?.namespaces) || team.namespaces.length === 0) problems.push(`'teams[${i}].namespaces' is empty; list the tenant namespaces the program owns`);
    }
    if (problems.length > 0) throw new PkiValidationError('FleetContract', program, problems);
    return new FleetContract(program, () => FleetContract.platformDocument(program, props, teams), props.vault.decommissionedMounts);
  }

  /** A contract the platform wrote, read by the team program `options.program`. */
  public static fromFile(file: string, options: FleetContractImportOptions): FleetContract {
    let json: any;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new PkiValidationError('FleetContract', file, [`cannot be read as JSON (${(e as Error).message.split('\n')[0]}); ` +
        "give the platform's fleet-contract.json (written by its GitOpsOutput.write({ contract }))"]);
    }
    return FleetContract.fromJson(json, options);
  }

  /** A contract from its parsed JSON (another language, or a contract fetched over HTTP), for `options.program`. */
  public static fromJson(json: any, options: FleetContractImportOptions): FleetContract {
    const problems = documentProblems(json);
    const program = options?.program;
    if (problems.length === 0) {
      const doc = json as FleetContractDocument;
      const declared = doc.programs.map((p) => p.name);
      if (program === doc.platform.program) {
        problems.push(`'program' (${program}) is the platform program; a team program reads the contract under its own name`);
      } else if (!declared.includes(program)) {
        problems.push(`'program' (${program}) is not a program of the fleet contract (programs: ${declared.join(', ') || 'none'}); ` +
          "ask the platform team to add it to the contract's 'teams', with the namespaces it owns");
      }
    }
    if (problems.length > 0) throw new PkiValidationError('FleetContract', String(program), problems);
    const doc = JSON.parse(JSON.stringify(json)) as FleetContractDocument;
    return new FleetContract(program, () => doc);
  }

  /** The contract in `file`, if there is one (the memory of the previous synthesis). @internal */
  public static _readPrevious(file: string): FleetContractDocument | undefined {
    if (!fs.existsSync(file)) return undefined;
    let json: any;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new PkiValidationError('FleetContract', file, [`the previous contract cannot be read (${(e as Error).message.split('\n')[0]}); ` +
        'restore it from version control: it records the intermediates and clusters the platform owns']);
    }
    const problems = documentProblems(json);
    if (problems.length > 0) throw new PkiValidationError('FleetContract', file, problems.map((p) => `the previous contract: ${p}`));
    return json;
  }

  private static platformDocument(program: string, props: FleetContractProps, teams: FleetTeamProgram[]): FleetContractDocument {
    const vault = props.vault;
    const charts = props.clusters;
    const byCluster = new Map<string, ClusterChart[]>();
    for (const chart of charts) byCluster.set(chart.cluster.name, [...(byCluster.get(chart.cluster.name) ?? []), chart]);
    const problems: string[] = [];
    const clusters: ClusterDocument[] = [...byCluster.keys()].sort(compare).map((name) => {
      const list = byCluster.get(name)!;
      const cluster = list[0].cluster as PkiCluster;
      const labels: { [key: string]: string } = {};
      for (const chart of list) {
        for (const object of chart.node.findAll()) {
          if (!(object instanceof ApiObject) || object.kind !== 'Bundle' || !object.apiVersion.startsWith('trust.cert-manager.io/')) continue;
          const selected = object.toJson().spec?.target?.namespaceSelector?.matchLabels ?? {};
          for (const [k, v] of Object.entries<string>(selected)) {
            if (labels[k] !== undefined && labels[k] !== v) {
              problems.push(`the TrustBundles of cluster '${name}' select namespaces by '${k}=${labels[k]}' and '${k}=${v}': a tenant Namespace cannot ` +
                'carry both; select each bundle by its own label key');
            }
            labels[k] = v;
          }
        }
      }
      return {
        name,
        authMount: cluster.authMountPath,
        issuerMountPath: cluster.issuerMountPath,
        kubernetesHost: cluster.kubernetesHost,
        tokenReviewer: cluster.tokenReviewer.reviewsItself
          ? { kind: 'clientToken', apiAudience: cluster.tokenReviewer.apiAudience } : { kind: 'vaultServiceAccount' },
        namespaceLabels: labels,
        certManagerNamespace: list[0].certManagerNamespace,
        certManagerServiceAccount: list[0].certManagerServiceAccount,
        ruleLabels: list[0].ruleLabels,
      };
    });
    if (problems.length > 0) throw new PkiValidationError('FleetContract', program, problems);
    const hierarchies: HierarchyDocument[] = [...props.hierarchies].sort((a, b) => compare(a.name, b.name)).map((h) => ({
      name: h.name,
      caPublicationNamespace: h.caPublicationNamespace,
      caConfigMap: PkiNames.caConfigMapName(h.name),
      root: {
        commonName: h.root.commonName,
        mountPath: h.root.mountPath,
        ttlSeconds: Durations.seconds(h.root.ttl),
        keyAlgorithm: keyAlgorithmDoc(h.root.keyAlgorithm),
        // A root generation is signed by itself: no rootGeneration (the hierarchy's rules refuse one on the root).
        generations: generationDocs(h.root.generations).map(({ rootGeneration: _signer, ...g }) => g),
      },
      intermediates: [...h.intermediates].sort((a, b) => compare(a.name, b.name)).map((i) => ({
        name: i.name,
        mountPath: i.mountPath,
        issuerName: i.issuerName,
        domains: [...i.domains],
        commonName: i.commonName,
        ttlSeconds: Durations.seconds(i.ttl),
        keyAlgorithm: keyAlgorithmDoc(i.keyAlgorithm),
        generations: generationDocs(i.generations),
      })),
    }));
    const stacks: StackDocument[] = [
      { name: vault.node.id, state: vault.stateLocation },
      ...[...byCluster.values()].map((list) => (list[0].cluster as PkiCluster).caPublicationStack).filter((s) => s !== undefined)
        .map((s) => ({ name: s!.node.id, state: s!.stateLocation, cluster: s!.clusterName })),
    ].sort((a, b) => compare(a.name, b.name));
    const programs: ProgramDocument[] = teams.map((t) => ({
      name: t.program,
      namespaces: [...t.namespaces].sort(compare),
      stackPrefix: t.stackPrefix ?? t.program,
      applicationSet: PkiNames.applicationSetName(t.program),
    })).sort((a, b) => compare(a.name, b.name));
    const serverCa = vault.serverCa;
    return {
      apiVersion: FLEET_CONTRACT_API_VERSION,
      kind: FLEET_CONTRACT_KIND,
      generatedBy: PkiNames.MANAGED_BY,
      vault: {
        address: vault.address,
        namespace: vault.vaultNamespace,
        serverCa: { pem: serverCa.pem, secretName: serverCa.secretName, secretKey: serverCa.secretKey },
      },
      platform: { program, applicationSet: PkiNames.applicationSetName(program), stacks },
      hierarchies,
      clusters,
      programs,
    };
  }

  /** The program this contract object speaks for (the platform, or the team program that read it). */
  public readonly program: string;

  private cached?: FleetContractDocument;

  private constructor(program: string, private readonly build: () => FleetContractDocument, private readonly decommissioned: string[] = []) {
    super();
    this.program = program;
  }

  /** The platform program's name. */
  public get platformProgram(): string {
    return this.doc.platform.program;
  }

  /** Whether `program` is the platform program (which writes the contract). */
  public get isPlatform(): boolean {
    return this.program === this.platformProgram;
  }

  /** The fleet's Vault address. */
  public get vaultAddress(): string {
    return this.doc.vault.address;
  }

  /** The fleet's Vault Enterprise namespace, if any. */
  public get vaultNamespace(): string | undefined {
    return this.doc.vault.namespace;
  }

  /** How cert-manager verifies Vault's TLS certificate. */
  public get serverCa(): VaultServerCa {
    const ca = this.doc.vault.serverCa ?? {};
    if (ca.pem !== undefined) return VaultServerCa.fromPem(ca.pem);
    if (ca.secretName !== undefined) return VaultServerCa.fromSecret(ca.secretName, ca.secretKey);
    return VaultServerCa.systemTrust();
  }

  /** The clusters of the fleet, sorted. */
  public get clusterNames(): string[] {
    return this.doc.clusters.map((c) => c.name);
  }

  /** The tenant namespaces `program` owns (none for the platform). */
  public get namespaces(): string[] {
    return [...(this.programDoc?.namespaces ?? [])];
  }

  /** The prefix of `program`'s Terraform stack ids. */
  public get stackPrefix(): string {
    return this.programDoc?.stackPrefix ?? this.program;
  }

  /** `program`'s Argo CD ApplicationSet. */
  public get applicationSetName(): string {
    return PkiNames.applicationSetName(this.program);
  }

  /** The labels the platform's TrustBundles select namespaces by in `cluster` (tenant Namespaces carry them). */
  public namespaceLabels(cluster: string): { [key: string]: string } {
    return { ...(this.clusterDoc(cluster)?.namespaceLabels ?? {}) };
  }

  /** The labels the Prometheus operator of `cluster` selects PrometheusRules by (the platform's ClusterChart `ruleLabels`). */
  public ruleLabels(cluster: string): { [key: string]: string } {
    return { ...(this.clusterDoc(cluster)?.ruleLabels ?? {}) };
  }

  /**
   * A ClusterChart of this program for the fleet's cluster `name`: the cluster imported from the contract (as
   * `<id>-cluster` in `scope`), with the platform's rule labels and cert-manager service account.
   */
  public clusterChart(scope: Construct, id: string, name: string): ClusterChart {
    const doc = this.clusterDoc(name);
    if (!doc) throw this.error(`has no cluster '${name}' (clusters: ${this.clusterNames.join(', ')})`);
    return new ClusterChart(scope, id, {
      cluster: this.cluster(scope, `${id}-cluster`, name),
      ruleLabels: { ...doc.ruleLabels },
      certManagerNamespace: doc.certManagerNamespace,
      certManagerServiceAccount: doc.certManagerServiceAccount,
    });
  }

  /** The cluster `name` of the fleet, imported with the contract's values (auth mount, token reviewer). */
  public cluster(scope: Construct, id: string, name: string): IPkiCluster {
    const doc = this.clusterDoc(name);
    if (!doc) throw this.error(`has no cluster '${name}' (clusters: ${this.clusterNames.join(', ')})`);
    return PkiCluster.fromAttributes(scope, id, { name, tokenReviewer: reviewerOf(doc), contract: this });
  }

  /** The hierarchy `name` of the fleet, imported with the contract's values (for TrustBundles and PkiAlerts). */
  public hierarchy(scope: Construct, id: string, name?: string): IPkiHierarchy {
    const doc = this.hierarchyDoc(name);
    return PkiHierarchy.fromAttributes(scope, id, {
      name: doc.name,
      caPublicationNamespace: doc.caPublicationNamespace,
      root: {
        commonName: doc.root.commonName,
        ttl: Duration.seconds(doc.root.ttlSeconds),
        keyAlgorithm: keyAlgorithmOf(doc.root.keyAlgorithm),
        generations: generationOptions(doc.root.generations),
      },
      intermediates: doc.intermediates.map((i) => ({
        name: i.name,
        domains: [...i.domains],
        ttl: Duration.seconds(i.ttlSeconds),
        keyAlgorithm: keyAlgorithmOf(i.keyAlgorithm),
        commonName: i.commonName,
        generations: generationOptions(i.generations),
      })),
    });
  }

  /** The intermediate `name` (of the hierarchy `hierarchyName`, or the only hierarchy), imported with the contract's values. */
  public intermediate(scope: Construct, id: string, name: string, hierarchyName?: string): IIntermediateCa {
    const h = this.hierarchyDoc(hierarchyName);
    const i = h.intermediates.find((x) => x.name === name);
    if (!i) throw this.error(`hierarchy '${h.name}' has no intermediate '${name}' (intermediates: ${h.intermediates.map((x) => x.name).join(', ')})`);
    return IntermediateCa.fromAttributes(scope, id, {
      hierarchyName: h.name,
      name,
      domains: [...i.domains],
      ttl: Duration.seconds(i.ttlSeconds),
      keyAlgorithm: keyAlgorithmOf(i.keyAlgorithm),
      commonName: i.commonName,
      generations: generationOptions(i.generations),
      contract: this,
    });
  }

  /**
   * The program's tenant shards (`TenantStacks` with id `stackPrefix`), on the fleet's Vault (address, Vault namespace
   * and server CA from the contract); `stackFor(namespace)` refuses a namespace the program does not own.
   */
  public tenantStacks(scope: Construct, options: FleetTenantStacksOptions): TenantStacks {
    return new TenantStacks(scope, this.stackPrefix, {
      shards: options?.shards,
      backend: options?.backend,
      address: this.vaultAddress,
      vaultNamespace: this.vaultNamespace,
      serverCa: this.serverCa,
      contract: this,
    });
  }

  /** The contract as JSON (deterministic: sorted lists and keys). */
  public toJson(): any {
    const { apiVersion, kind, generatedBy, ...rest } = sortedKeys(this.doc);
    return { apiVersion, kind, generatedBy, ...rest };
  }

  /**
   * Writes the contract to `file` (the platform program only). The contract already there is the platform's memory:
   * an intermediate or cluster it holds that this one drops is refused unless its mount is decommissioned.
   */
  public write(file: string): void {
    const text = this._text(FleetContract._readPrevious(file));
    fs.writeFileSync(file, text);
  }

  /** The contract's JSON text after checking it against `previous` (the file's earlier content). @internal */
  public _text(previous: FleetContractDocument | undefined): string {
    if (!this.isPlatform) throw this.error(`is read by program '${this.program}'; only the platform program '${this.platformProgram}' writes it`);
    const problems = previous ? this._removalProblems(previous) : [];
    if (problems.length > 0) throw new PkiValidationError('FleetContract', this.program, problems);
    return `${JSON.stringify(this.toJson(), undefined, 2)}\n`;
  }

  /** What this contract drops of `previous` without decommissioning it. @internal */
  public _removalProblems(previous: FleetContractDocument): string[] {
    const doc = this.doc;
    const problems: string[] = [];
    if (previous.platform.program !== doc.platform.program) {
      problems.push(`the contract already written here is program '${previous.platform.program}''s, not '${doc.platform.program}''s; ` +
        "write each platform's contract into its own GitOps tree, or rename 'program' back");
    }
    const decommissioned = this.decommissioned;
    const mounts = new Set(doc.hierarchies.flatMap((h) => h.intermediates.map((i) => i.mountPath)));
    for (const h of previous.hierarchies) {
      for (const i of h.intermediates) {
        if (!mounts.has(i.mountPath) && !decommissioned.includes(i.mountPath)) {
          problems.push(`the previous contract holds intermediate '${i.name}' of hierarchy '${h.name}' (mount '${i.mountPath}'), which this program ` +
            `drops: every tenant of every program on it would lose its CA; put it back, or list '${i.mountPath}' in the VaultPkiStack's ` +
            "'decommissionedMounts' to remove it on purpose");
        }
      }
    }
    const auth = new Set(doc.clusters.map((c) => c.authMount));
    for (const c of previous.clusters) {
      if (!auth.has(c.authMount) && !decommissioned.includes(c.authMount)) {
        problems.push(`the previous contract holds cluster '${c.name}' (auth mount '${c.authMount}'), which this program drops: every tenant placed on ` +
          `it by any program would lose its login; put it back, or list '${c.authMount}' in the VaultPkiStack's 'decommissionedMounts' to remove it on purpose`);
      }
    }
    return problems;
  }

  /** Problems of importing cluster `name` with `reviewer`. @internal */
  public _clusterProblems(name: string, reviewer: TokenReviewer): string[] {
    const doc = this.clusterDoc(name);
    if (!doc) return [`'name' (${name}) is not a cluster of the fleet contract (clusters: ${this.clusterNames.join(', ')}); use FleetContract.cluster()`];
    const given = reviewer.reviewsItself ? { kind: 'clientToken', apiAudience: reviewer.apiAudience } : { kind: 'vaultServiceAccount' };
    if (given.kind !== doc.tokenReviewer.kind || given.apiAudience !== doc.tokenReviewer.apiAudience) {
      return [`'tokenReviewer' (${describeReviewer(given)}) is not the fleet contract's for cluster '${name}' (${describeReviewer(doc.tokenReviewer)}, ` +
        `auth mount '${doc.authMount}'): every Issuer of the cluster would fail to log in; use FleetContract.cluster()`];
    }
    return [];
  }

  /** Problems of importing an intermediate with these values. @internal */
  public _intermediateProblems(v: {
    hierarchyName: string; name: string; domains: readonly string[]; ttl: Duration; keyAlgorithm: KeyAlgorithm;
  }): string[] {
    const h = this.doc.hierarchies.find((x) => x.name === v.hierarchyName);
    if (!h) return [`'hierarchyName' (${v.hierarchyName}) is not a hierarchy of the fleet contract (${this.doc.hierarchies.map((x) => x.name).join(', ')})`];
    const i = h.intermediates.find((x) => x.name === v.name);
    if (!i) return [`'name' (${v.name}) is not an intermediate of hierarchy '${h.name}' in the fleet contract (${h.intermediates.map((x) => x.name).join(', ')})`];
    const problems: string[] = [];
    const fix = 'use FleetContract.intermediate()';
    if (!sameSet(v.domains, i.domains)) {
      problems.push(`'domains' (${v.domains.join(', ')}) are not the domains of intermediate '${i.name}' in the fleet contract (${i.domains.join(', ')}), ` +
        `its name constraints: certificates outside them are refused by every client; ${fix}`);
    }
    if (Durations.seconds(v.ttl) !== i.ttlSeconds) problems.push(`'ttl' (${Durations.describe(v.ttl)}) is not the contract's (${Durations.describeSeconds(i.ttlSeconds)}); ${fix}`);
    if (!v.keyAlgorithm.isSameAs(keyAlgorithmOf(i.keyAlgorithm))) {
      problems.push(`'keyAlgorithm' (${v.keyAlgorithm}) is not the contract's (${keyAlgorithmOf(i.keyAlgorithm)}); ${fix}`);
    }
    return problems;
  }

  /** Problems of a Vault stack of a team program with these values. @internal */
  public _vaultProblems(v: { address: string; vaultNamespace?: string; serverCa: VaultServerCa }): string[] {
    const problems: string[] = [];
    const fix = 'use FleetContract.tenantStacks(), which takes them from the contract';
    if (String(v.address ?? '').replace(/\/+$/, '') !== this.vaultAddress) {
      problems.push(`'address' (${v.address}) is not the fleet's Vault (${this.vaultAddress}): the roles would be written into another Vault and every ` +
        `Issuer would call it; ${fix}`);
    }
    if ((v.vaultNamespace ?? undefined) !== (this.vaultNamespace ?? undefined)) {
      problems.push(`'vaultNamespace' (${v.vaultNamespace ?? 'none'}) is not the fleet's (${this.vaultNamespace ?? 'none'}): the roles would live where ` +
        `no CA mount is; ${fix}`);
    }
    const ca = this.doc.vault.serverCa ?? {};
    const norm = (pem?: string) => pem?.replace(/\r\n/g, '\n').trim();
    if (norm(v.serverCa?.pem) !== norm(ca.pem) || v.serverCa?.secretName !== ca.secretName || v.serverCa?.secretKey !== ca.secretKey) {
      problems.push(`'serverCa' is not the fleet's (how cert-manager verifies Vault): Issuers would not trust the Vault server; ${fix}`);
    }
    return problems;
  }

  /** Problems of a TenantStacks id and its shards' state. @internal */
  public _stacksProblems(id: string, stacks: { id: string; state?: string }[]): string[] {
    const problems: string[] = [];
    if (id !== this.stackPrefix) {
      problems.push(`the id '${id}' is not the stack prefix the fleet contract gives program '${this.program}' ('${this.stackPrefix}'): another program's ` +
        `shards could have the same stack ids and state keys; use FleetContract.tenantStacks() or the id '${this.stackPrefix}'`);
    }
    const platform = new Map(this.doc.platform.stacks.filter((s) => s.state !== undefined).map((s) => [s.state!, s.name]));
    for (const s of stacks) {
      const owner = s.state !== undefined ? platform.get(s.state) : undefined;
      if (owner !== undefined) problems.push(`stack '${s.id}' keeps its state at ${s.state}, the state of the platform's stack '${owner}'; give the shards another backend or prefix`);
    }
    return problems;
  }

  /** Problems of placing a tenant of `program` in `namespace`. @internal */
  public _namespaceProblems(namespace: string): string[] {
    if (this.namespaces.includes(namespace)) return [];
    const owner = this.doc.programs.find((p) => p.namespaces.includes(namespace));
    return [`namespace '${namespace}' ${owner ? `belongs to program '${owner.name}'` : 'belongs to no program'} in the fleet contract, not to '${this.program}' ` +
      `(${this.namespaces.join(', ') || 'none'}): two programs would own its Vault role, policy and auth roles, and the last apply would win; ` +
      "ask the platform team to give the namespace to this program in the contract's 'teams'"];
  }

  /** The contract's document (built on first use). @internal */
  public get _document(): FleetContractDocument {
    return this.doc;
  }

  private get doc(): FleetContractDocument {
    this.cached ??= this.build();
    return this.cached;
  }

  private get programDoc(): ProgramDocument | undefined {
    return this.doc.programs.find((p) => p.name === this.program);
  }

  private clusterDoc(name: string): ClusterDocument | undefined {
    return this.doc.clusters.find((c) => c.name === name);
  }

  private hierarchyDoc(name?: string): HierarchyDocument {
    const all = this.doc.hierarchies;
    if (name === undefined && all.length === 1) return all[0];
    const found = all.find((h) => h.name === name);
    if (!found) throw this.error(`has no hierarchy '${name ?? '<unnamed>'}' (hierarchies: ${all.map((h) => h.name).join(', ')}); name one`);
    return found;
  }

  private error(message: string): PkiValidationError {
    return new PkiValidationError('FleetContract', this.program, [message]);
  }
}
