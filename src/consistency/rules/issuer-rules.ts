import { PkiNames } from '../../core/names';
import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { describeObject, OutputIndex, TerraformResource } from '../output-index';

/** A cert-manager Issuer backed by Vault, with the Terraform it should resolve to. */
interface VaultIssuer {
  readonly issuer: any;
  readonly object: string;
  readonly namespace: string;
  readonly name: string;
  readonly vault: any;
}

function vaultIssuers(index: OutputIndex): VaultIssuer[] {
  return index.objects('cert-manager.io/v1', 'Issuer')
    .filter((issuer) => issuer.spec?.vault)
    .map((issuer) => ({
      issuer,
      object: describeObject(issuer),
      namespace: issuer.metadata?.namespace ?? '',
      name: issuer.metadata?.name ?? '',
      vault: issuer.spec.vault,
    }));
}

/** The Kubernetes auth method and role an Issuer logs in with, when both resolve. */
function authOf(index: OutputIndex, i: VaultIssuer): { path: string; role?: TerraformResource } | undefined {
  const k8s = i.vault.auth?.kubernetes;
  if (!k8s) return undefined;
  const path = /^\/v1\/auth\/(.+)$/.exec(k8s.mountPath ?? '/v1/auth/kubernetes')?.[1];
  if (!path || !index.kubernetesAuthBackend(path)) return undefined;
  return { path, role: index.kubernetesAuthRole(path, k8s.role) };
}

/** The policies of `refs`, together, grant create/update on `signPath` and on nothing else. */
function policiesAllowExactly(index: OutputIndex, stack: number, refs: string[], signPath: string): boolean {
  const texts = refs.map((ref) => index.policy(String(index.resolve(stack, ref)))?.body.policy);
  if (texts.length === 0 || texts.some((t) => typeof t !== 'string')) return false;
  const rule = /path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g;
  const rules = texts.flatMap((t: string) => [...t.matchAll(rule)]);
  const rest = texts.join('\n').replace(/#.*$/gm, '').replace(rule, '').trim();
  if (rest !== '' || rules.length !== 1) return false;
  const caps = rules[0][2].split(',').map((c) => c.trim().replace(/"/g, '')).filter(Boolean).sort();
  return rules[0][1] === signPath && JSON.stringify(caps) === JSON.stringify(['create', 'update']);
}

export const ISSUER_RULES: ConsistencyRule[] = [
  {
    id: ConsistencyFindingKind.ISSUER_PATH,
    description: "Every Vault Issuer's path is '<mount>/sign/<role>' of a PKI mount and role in the Terraform",
    check(index, report) {
      for (const i of vaultIssuers(index)) {
        const match = /^(.+)\/sign\/([^/]+)$/.exec(i.vault.path ?? '');
        if (!match) {
          report(i.object, `path '${i.vault.path}' is not of the form '<mount>/sign/<role>'`);
        } else if (!index.pkiMount(match[1])) {
          report(i.object, `path '${i.vault.path}': no PKI mount '${match[1]}' in the Terraform`);
        } else if (!index.pkiRole(match[1], match[2])) {
          report(i.object, `path '${i.vault.path}': no role '${match[2]}' on mount '${match[1]}' in the Terraform`);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ISSUER_SERVER,
    description: "Every Vault Issuer's server and Vault namespace are those of the Terraform stack holding its role",
    check(index, report) {
      for (const i of vaultIssuers(index)) {
        const role = index.roleOfIssuer(i.issuer);
        if (!role) continue; // ISSUER_PATH reports it
        const provider = index.vaultProvider(role.stack);
        if (provider.address !== undefined && i.vault.server !== provider.address) {
          report(i.object, `server '${i.vault.server}' is not the Vault address '${provider.address}' the Terraform configures`);
        }
        if ((provider.namespace ?? undefined) !== (i.vault.namespace ?? undefined)) {
          report(i.object, `Vault namespace '${i.vault.namespace ?? ''}' is not the Terraform's '${provider.namespace ?? ''}'`);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ISSUER_MOUNT_PATH,
    description: "Every Vault Issuer's auth mountPath is '/v1/auth/<path>' of a Kubernetes auth method in the Terraform",
    check(index, report) {
      for (const i of vaultIssuers(index)) {
        const k8s = i.vault.auth?.kubernetes;
        if (k8s && !authOf(index, i)) {
          report(i.object, `mountPath '${k8s.mountPath}' is not '/v1/auth/<path>' of a Kubernetes auth method in the Terraform`);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ISSUER_AUTH_ROLE,
    description: "Every Vault Issuer's auth role exists on its auth method",
    check(index, report) {
      for (const i of vaultIssuers(index)) {
        const auth = authOf(index, i);
        if (auth && !auth.role) {
          report(i.object, `auth role '${i.vault.auth.kubernetes.role}' does not exist on auth method '${auth.path}' in the Terraform`);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ISSUER_SERVICE_ACCOUNT,
    description: "The auth role binds exactly the Issuer's service account, which exists in the Issuer's namespace",
    check(index, report) {
      for (const i of vaultIssuers(index)) {
        const role = authOf(index, i)?.role;
        if (!role) continue;
        const sa = i.vault.auth.kubernetes.serviceAccountRef?.name;
        const bound: string[] = role.body.bound_service_account_names ?? [];
        if (sa === undefined || bound.length !== 1 || bound[0] !== sa) {
          report(i.object, `service account '${sa}' is not the one service account auth role '${i.vault.auth.kubernetes.role}' binds (${JSON.stringify(bound)})`);
        }
        if (sa !== undefined && !index.object('v1', 'ServiceAccount', i.namespace, sa)) {
          report(i.object, `service account '${sa}' does not exist in namespace '${i.namespace}' in the manifests`);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ISSUER_NAMESPACE,
    description: "The auth role binds exactly the Issuer's namespace",
    check(index, report) {
      for (const i of vaultIssuers(index)) {
        const role = authOf(index, i)?.role;
        if (!role) continue;
        const bound: string[] = role.body.bound_service_account_namespaces ?? [];
        if (bound.length !== 1 || bound[0] !== i.namespace) {
          report(i.object, `auth role '${i.vault.auth.kubernetes.role}' binds namespaces ${JSON.stringify(bound)}, not exactly '${i.namespace}'`);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ISSUER_AUDIENCE,
    description: "The auth role's audience is the one cert-manager requests for the Issuer (vault://<namespace>/<issuer>)",
    check(index, report) {
      for (const i of vaultIssuers(index)) {
        const role = authOf(index, i)?.role;
        if (!role) continue;
        const audience = PkiNames.audience(i.namespace, i.name);
        if (role.body.audience !== audience) {
          report(i.object, `auth role '${i.vault.auth.kubernetes.role}' expects audience '${role.body.audience}', cert-manager sends '${audience}'`);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ISSUER_POLICY,
    description: "The auth role's policies grant create/update on exactly the Issuer's sign path, nothing else",
    check(index, report) {
      for (const i of vaultIssuers(index)) {
        const role = authOf(index, i)?.role;
        if (!role || !/^(.+)\/sign\/([^/]+)$/.test(i.vault.path ?? '')) continue;
        const refs: string[] = role.body.token_policies ?? [];
        if (!policiesAllowExactly(index, role.stack, refs, i.vault.path)) {
          report(i.object, `auth role '${i.vault.auth.kubernetes.role}' policies ${JSON.stringify(refs.map((p) => index.resolve(role.stack, p)))} ` +
            `do not grant exactly create/update on '${i.vault.path}'`);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ISSUER_APPROVER_POLICY,
    description: 'An approver-policy CertificateRequestPolicy selects every Vault Issuer in its namespace',
    check(index, report) {
      for (const i of vaultIssuers(index)) {
        if (index.policiesSelecting(i.namespace, i.name).length === 0) {
          report(i.object, `no CertificateRequestPolicy selects Issuer '${i.name}' in namespace '${i.namespace}'`);
        }
      }
    },
  },
];
