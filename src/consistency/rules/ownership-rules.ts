import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { OutputIndex } from '../output-index';

/** Host names that name no cluster: the in-cluster service (the CI runner's own cluster) or this machine. */
const AMBIENT_HOSTS = /^(kubernetes|kubernetes\.default|kubernetes\.default\.svc(\.cluster\.local)?|localhost|127(\.\d+){3}|\[::1\])$/;

function asList(v: unknown): any[] {
  return Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : [];
}

/** Where a stack keeps its state, as one comparable string; undefined for local state (each program's own folder). */
function stateLocation(stack: any): string | undefined {
  const backend = stack?.terraform?.backend ?? {};
  if (backend.s3) return `s3://${backend.s3.bucket}/${backend.s3.key}`;
  if (backend.gcs) return `gs://${backend.gcs.bucket}/${backend.gcs.prefix ?? ''}`;
  if (backend.azurerm) return `azurerm://${backend.azurerm.storage_account_name}/${backend.azurerm.container_name}/${backend.azurerm.key}`;
  const cloud = stack?.terraform?.cloud ?? backend.remote;
  if (cloud) {
    const workspace = cloud.workspaces?.name ?? cloud.workspaces?.prefix;
    return `cloud://${cloud.hostname ?? 'app.terraform.io'}/${cloud.organization}/${workspace}`;
  }
  return undefined;
}

/** Every Vault object a stack defines, by what names it in Vault. */
function vaultNames(index: OutputIndex): Map<string, number[]> {
  const owners = new Map<string, number[]>();
  const add = (key: string, stack: number) => {
    const list = owners.get(key) ?? [];
    if (!list.includes(stack)) list.push(stack);
    owners.set(key, list);
  };
  for (const r of index.resources('vault_pki_secret_backend_role')) add(`PKI role ${index.resolve(r.stack, r.body.backend)}/${index.resolve(r.stack, r.body.name)}`, r.stack);
  for (const r of index.resources('vault_policy')) add(`policy ${index.resolve(r.stack, r.body.name)}`, r.stack);
  for (const r of index.resources('vault_kubernetes_auth_backend_role')) {
    add(`auth role ${index.resolve(r.stack, r.body.backend ?? 'kubernetes')}/${index.resolve(r.stack, r.body.role_name)}`, r.stack);
  }
  for (const r of index.resources('vault_mount')) add(`mount ${index.resolve(r.stack, r.body.path)}`, r.stack);
  for (const r of index.resources('vault_auth_backend')) add(`auth mount ${index.resolve(r.stack, r.body.path ?? r.body.type)}`, r.stack);
  return owners;
}

/** The Applications an ApplicationSet's list generator and Go template generate: their names. */
function generatedApplications(appSet: any): string[] {
  const template = String(appSet?.spec?.template?.metadata?.name ?? '');
  const elements = (appSet?.spec?.generators ?? []).flatMap((g: any) => g?.list?.elements ?? []);
  return elements.map((e: any) => template.replace(/\{\{\s*\.?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m: string, key: string) => String(e?.[key] ?? '')));
}

/** Rules over every program's outputs together: who owns what (checkFleet's fleet-wide pass, and single-program checks). */
export const OWNERSHIP_RULES: ConsistencyRule[] = [
  {
    id: ConsistencyFindingKind.KUBERNETES_PROVIDER,
    fleet: true,
    description: 'Every Terraform Kubernetes provider names one cluster alone, every stack writes into one cluster at most, and no stack with CA mounts talks to a cluster',
    check(index, report) {
      for (let i = 0; i < index.stackCount; i++) {
        const providers = asList(index.stack(i)?.provider?.kubernetes);
        const stack = index.stackName(i);
        for (const p of providers) {
          const name = `KubernetesProvider ${stack}/${p.alias ?? 'default'}`;
          let host: string | undefined;
          try {
            host = p.host ? new URL(p.host).hostname : undefined;
          } catch {
            host = p.host;
          }
          const kubeconfig = p.config_path || (Array.isArray(p.config_paths) && p.config_paths.length > 0);
          if (!(p.host && p.cluster_ca_certificate) && !kubeconfig) {
            report(name, `names no cluster: ${p.config_context ? `config_context '${p.config_context}' is ignored without a kubeconfig path, and ` : ''}` +
              'without host and CA (or a kubeconfig path) provider kubernetes v2.38.0 falls back to the in-cluster configuration or localhost, so a CI ' +
              "pod writes into its own cluster; give the cluster's API server URL and CA (KubernetesAccess.apiServer()) or a kubeconfig path");
          }
          if (host !== undefined && AMBIENT_HOSTS.test(host)) report(name, `host '${p.host}' names no cluster (the runner's own cluster, or this machine)`);
          if (p.insecure === true) report(name, 'skips TLS verification: any server at the host can answer');
        }
        if (providers.length > 1) {
          report(`Stack ${stack}`, `writes into ${providers.length} clusters (${providers.map((p) => p.alias).join(', ')}): one unreachable cluster blocks every ` +
            'plan of the stack, and removing one fails with "Provider configuration not present"; give each cluster its own stack');
        }
        const caMounts = index.resources('vault_mount').filter((r) => r.stack === i && r.body.type === 'pki');
        if (providers.length > 0 && caMounts.length > 0) {
          report(`Stack ${stack}`, 'holds CA mounts and writes into a cluster: a plan of the CAs needs the cluster\'s API server; publish the CA ' +
            "certificates from each cluster's own stack");
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.STATE_OWNER,
    fleet: true,
    description: 'No two Terraform stacks, of any programs, keep their state in one place',
    check(index, report) {
      const owners = new Map<string, number>();
      for (let i = 0; i < index.stackCount; i++) {
        const location = stateLocation(index.stack(i));
        if (location === undefined) continue;
        const first = owners.get(location);
        if (first === undefined) {owners.set(location, i);} else {
          report(`Stack ${index.stackName(i)}`, `keeps its state at ${location}, where stack ${index.stackName(first)} keeps its own: each apply overwrites ` +
            "the other's state and destroys what it does not know; give each program its own stack prefix (the fleet contract's stackPrefix)");
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.VAULT_OWNER,
    fleet: true,
    description: 'No two Terraform stacks, of any programs, define the same Vault PKI role, policy, auth role or mount',
    check(index, report) {
      for (const [what, stacks] of vaultNames(index)) {
        if (stacks.length < 2) continue;
        report(`Vault ${what}`, `is defined by ${stacks.length} stacks (${stacks.map((s) => index.stackName(s)).join(', ')}): the last apply wins and the other's ` +
          'plan changes it back; give each tenant namespace to one program (the fleet contract)');
      }
    },
  },
  {
    id: ConsistencyFindingKind.GITOPS_OWNER,
    fleet: true,
    description: 'No two GitOps trees write the same Argo CD ApplicationSet or generate the same Application',
    check(index, report) {
      if (!index.fleet) return;
      const sets = new Map<string, string>();
      const apps = new Map<string, string>();
      for (const tree of index.fleet.trees) {
        for (const appSet of tree.applicationSets) {
          const ns = appSet.metadata?.namespace ?? 'argocd';
          const key = `${ns}/${appSet.metadata?.name}`;
          const other = sets.get(key);
          if (other !== undefined && other !== tree.name) {
            report(`ApplicationSet ${key}`, `is written by ${other} and ${tree.name}: the last apply replaces the other's, its Applications switch to ` +
              "that tree's folders and the automated sync prunes the other program's objects; give each program its own name (GitOpsOutput 'program')");
          }
          sets.set(key, tree.name);
          for (const app of generatedApplications(appSet)) {
            const appKey = `${ns}/${app}`;
            const owner = apps.get(appKey);
            const me = `ApplicationSet ${key} (${tree.name})`;
            if (owner !== undefined && owner !== me) {
              report(`Application ${appKey}`, `is generated by ${owner} and ${me}: the second fails with "already owned by another ApplicationSet ` +
                'controller", or, with the same ApplicationSet name, takes the Application over');
            }
            apps.set(appKey, me);
          }
        }
      }
    },
  },
];
