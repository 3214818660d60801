import { Dns } from '../../core/dns';
import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { describeObject, OutputIndex } from '../output-index';

/** The programs of a contract: the platform's and the teams', with what each owns. */
interface ContractProgram {
  readonly name: string;
  readonly platform: boolean;
  readonly namespaces: string[];
  readonly stackPrefix?: string;
  readonly applicationSet: string;
}

function programsOf(doc: any): ContractProgram[] {
  return [
    { name: doc.platform?.program, platform: true, namespaces: [], applicationSet: doc.platform?.applicationSet },
    ...(doc.programs ?? []).map((p: any) => ({
      name: p.name, platform: false, namespaces: p.namespaces ?? [], stackPrefix: p.stackPrefix, applicationSet: p.applicationSet,
    })),
  ];
}

/** The program a Terraform stack belongs to by its name: a platform stack, or `<prefix>` / `<prefix>-<NN>` of a team. */
function stackOwner(doc: any, programs: ContractProgram[], name: string): ContractProgram | undefined {
  if ((doc.platform?.stacks ?? []).some((s: any) => s.name === name)) return programs[0];
  return programs.find((p) => !p.platform && p.stackPrefix !== undefined && (name === p.stackPrefix || new RegExp(`^${p.stackPrefix}-\\d+$`).test(name)));
}

/** The problems of one Vault Issuer of `program`'s tree on `cluster` against the contract. */
function issuerProblems(doc: any, program: ContractProgram | undefined, cluster: any, issuer: any, programs: ContractProgram[]): string[] {
  const v = issuer.spec.vault;
  const problems: string[] = [];
  const vault = doc.vault ?? {};
  if (String(v.server ?? '').replace(/\/+$/, '') !== vault.address) problems.push(`server '${v.server}' is not the fleet's Vault '${vault.address}'`);
  if ((v.namespace ?? undefined) !== (vault.namespace ?? undefined)) {
    problems.push(`Vault namespace '${v.namespace ?? ''}' is not the fleet's '${vault.namespace ?? ''}'`);
  }
  const pem = vault.serverCa?.pem;
  if (pem !== undefined && v.caBundle !== Buffer.from(pem, 'utf8').toString('base64')) {
    problems.push("caBundle is not the fleet's Vault server CA: cert-manager would not trust Vault");
  }
  if (cluster) {
    const mountPath = v.auth?.kubernetes?.mountPath;
    if (mountPath !== cluster.issuerMountPath) problems.push(`auth mountPath '${mountPath}' is not cluster '${cluster.name}''s ('${cluster.issuerMountPath}')`);
    const audiences: string[] = v.auth?.kubernetes?.serviceAccountRef?.audiences ?? [];
    if (cluster.tokenReviewer?.kind === 'clientToken' && !audiences.includes(cluster.tokenReviewer.apiAudience)) {
      problems.push(`its token lacks the API audience '${cluster.tokenReviewer.apiAudience}' that cluster '${cluster.name}''s auth mount needs (its tokens ` +
        'review themselves): login fails; the program imported the cluster with another token reviewer than the platform\'s');
    }
  }
  const mount = /^(.+)\/sign\/[^/]+$/.exec(v.path ?? '')?.[1];
  const mounts = (doc.hierarchies ?? []).flatMap((h: any) => (h.intermediates ?? []).map((i: any) => i.mountPath));
  if (mount !== undefined && !mounts.includes(mount)) problems.push(`path '${v.path}' is on mount '${mount}', which is no intermediate of the contract`);
  const ns = issuer.metadata?.namespace;
  const owner = programs.find((p) => p.namespaces.includes(ns));
  if (program && !program.platform && owner?.name !== program.name) {
    problems.push(`namespace '${ns}' ${owner ? `belongs to program '${owner.name}'` : 'belongs to no program'}, not to '${program.name}'`);
  }
  if (program?.platform && owner !== undefined) problems.push(`namespace '${ns}' belongs to program '${owner.name}', not to the platform`);
  return problems;
}

/** The fleet contract against every program's outputs (checkFleet's fleet-wide pass). */
export const CONTRACT_RULES: ConsistencyRule[] = [
  {
    id: ConsistencyFindingKind.FLEET_CONTRACT,
    fleet: true,
    description: "Every program's Terraform and GitOps tree agree with the fleet contract: the Vault, intermediates, clusters, namespaces, stacks and ApplicationSets it assigns",
    check(index: OutputIndex, report) {
      const fleet = index.fleet;
      if (!fleet || fleet.contracts.length === 0) return;
      const [first, ...others] = fleet.contracts;
      for (const other of others) {
        if (JSON.stringify(other.document) !== JSON.stringify(first.document)) {
          report(`FleetContract ${other.tree}`, `differs from the contract in ${first.tree}: a fleet has one platform contract`);
        }
      }
      const doc = first.document;
      const programs = programsOf(doc);
      const clusters = new Map<string, any>((doc.clusters ?? []).map((c: any) => [c.name, c]));
      // The GitOps trees: their program, ApplicationSet, clusters and Issuers.
      for (const tree of fleet.trees) {
        const program = programs.find((p) => p.name === tree.program);
        if (tree.program === undefined) {
          report(`GitOpsTree ${tree.name}`, "names no program (inventory.json 'program'); write it with GitOpsOutput.write({ program })");
        } else if (!program) {
          report(`GitOpsTree ${tree.name}`, `is program '${tree.program}', which the fleet contract does not declare (${programs.map((p) => p.name).join(', ')})`);
        }
        for (const appSet of tree.applicationSets) {
          if (program && appSet.metadata?.name !== program.applicationSet) {
            report(`ApplicationSet ${appSet.metadata?.namespace ?? 'argocd'}/${appSet.metadata?.name}`, `of ${tree.name} is not program '${program.name}''s ` +
              `ApplicationSet '${program.applicationSet}'`);
          }
        }
        for (const [name, manifests] of tree.clusters) {
          const cluster = clusters.get(name);
          if (!cluster) report(`Cluster ${name}`, `of ${tree.name} is not a cluster of the fleet contract (${[...clusters.keys()].join(', ')})`);
          for (const issuer of manifests.filter((m) => m?.kind === 'Issuer' && m.spec?.vault)) {
            for (const p of issuerProblems(doc, program, cluster, issuer, programs)) report(describeObject(issuer), `${tree.name}, cluster ${name}: ${p}`);
          }
        }
      }
      // The Terraform: whose stack each is, on the fleet's Vault, touching only what its program owns.
      const mounts = new Map<string, string[]>((doc.hierarchies ?? [])
        .flatMap((h: any) => (h.intermediates ?? []).map((i: any) => [i.mountPath, i.domains])));
      for (let i = 0; i < index.stackCount; i++) {
        const name = index.stackName(i);
        const owner = stackOwner(doc, programs, name);
        if (!owner) {
          report(`Stack ${name}`, 'belongs to no program of the fleet contract (platform stacks, or <stackPrefix>-<NN> of a team): its state key may ' +
            'collide with another program\'s; build the shards with FleetContract.tenantStacks()');
          continue;
        }
        const provider = index.vaultProvider(i);
        if (provider.address !== undefined && (String(provider.address).replace(/\/+$/, '') !== doc.vault?.address
          || (provider.namespace ?? undefined) !== (doc.vault?.namespace ?? undefined))) {
          report(`Stack ${name}`, `configures the Vault ${index.vaultOf(i)}, not the fleet's ${doc.vault?.address}` +
            `${doc.vault?.namespace ? ` (namespace ${doc.vault.namespace})` : ''}`);
        }
        if (owner.platform) continue;
        for (const r of index.resources('vault_kubernetes_auth_backend_role').filter((x) => x.stack === i)) {
          for (const ns of (r.body.bound_service_account_namespaces ?? []) as string[]) {
            if (!owner.namespaces.includes(ns)) {
              report(`Vault auth role ${index.resolve(i, r.body.backend)}/${index.resolve(i, r.body.role_name)}`, `of stack ${name} (program '${owner.name}') ` +
                `binds namespace '${ns}', which the program does not own (${owner.namespaces.join(', ') || 'none'})`);
            }
          }
        }
        for (const r of index.resources('vault_pki_secret_backend_role').filter((x) => x.stack === i)) {
          const mount = String(index.resolve(i, r.body.backend));
          const domains = mounts.get(mount);
          const role = `Vault PKI role ${mount}/${index.resolve(i, r.body.name)}`;
          if (!domains) {
            report(role, `of stack ${name} is on mount '${mount}', which is no intermediate of the fleet contract`);
            continue;
          }
          const outside = ((r.body.allowed_domains ?? []) as string[]).filter((d) => !domains.some((p) => Dns.isWithin(d, p)));
          if (outside.length > 0) report(role, `allows ${outside.join(', ')}, outside the contract's domains of '${mount}' (${domains.join(', ')})`);
        }
      }
      // The platform's Terraform holds what the contract says it does.
      if ((doc.platform?.stacks ?? []).some((s: any) => [...Array(index.stackCount).keys()].some((i) => index.stackName(i) === s.name))) {
        for (const mount of mounts.keys()) if (!index.pkiMount(mount)) report(`Vault mount ${mount}`, "is in the fleet contract but not in the platform's Terraform");
        for (const c of clusters.values()) {
          if (!index.kubernetesAuthBackend(c.authMount)) report(`Vault auth mount ${c.authMount}`, "is in the fleet contract but not in the platform's Terraform");
        }
      }
    },
  },
];
