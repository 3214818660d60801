import { Dns } from '../../core/dns';
import { PkiNames } from '../../core/names';
import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { describeObject, OutputIndex } from '../output-index';

export const FLEET_RULES: ConsistencyRule[] = [
  {
    id: ConsistencyFindingKind.ISSUER_CLUSTER,
    description: "Every Vault Issuer of a cluster logs in through that cluster's auth mount (kubernetes-<cluster>)",
    check(index, report) {
      if (index.cluster === undefined) return;
      const expected = PkiNames.kubernetesAuthMountPath(PkiNames.kubernetesAuthPath(index.cluster));
      for (const issuer of index.objects('cert-manager.io/v1', 'Issuer')) {
        const mountPath = issuer.spec?.vault?.auth?.kubernetes?.mountPath;
        if (mountPath !== undefined && mountPath !== expected) {
          report(describeObject(issuer), `mountPath '${mountPath}' is not the auth mount of cluster '${index.cluster}' ('${expected}'): ` +
            "its tokens would be reviewed by another cluster's API server, and login fails");
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.BUNDLE_SOURCE,
    description: "Every trust bundle's source ConfigMap, and the key it reads, is published into the bundle's cluster by the Terraform",
    check(index, report) {
      const published = index.resources('kubernetes_config_map_v1').map((r) => ({
        name: index.resolve(r.stack, r.body.metadata?.name ?? r.body.metadata?.[0]?.name),
        provider: r.body.provider,
        keys: Object.keys(r.body.data ?? {}),
      }));
      for (const bundle of index.objects('trust.cert-manager.io/v1alpha1', 'Bundle')) {
        for (const source of bundle.spec?.sources ?? []) {
          const name = source.configMap?.name;
          if (name === undefined) continue;
          const alias = index.cluster !== undefined ? `kubernetes.kubernetes-${index.cluster}` : undefined;
          const found = published.filter((p) => p.name === name && (alias === undefined || p.provider === alias));
          if (found.length === 0) {
            report(describeObject(bundle), `source ConfigMap '${name}' is not published by the Terraform` +
              (index.cluster !== undefined ? ` into cluster '${index.cluster}' (provider ${alias})` : ''));
          } else if (source.configMap.key !== undefined && !found.some((p) => p.keys.includes(source.configMap.key))) {
            // trust-manager fails the whole Bundle when a source key is missing.
            report(describeObject(bundle), `source ConfigMap '${name}' has no key '${source.configMap.key}' in the Terraform ` +
              `(it has ${found[0].keys.join(', ')})`);
          }
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ROLE_DOMAINS,
    description: 'No two Vault roles on one PKI mount allow overlapping domains, across every stack of every program',
    check(index, report) {
      const byMount = new Map<string, { name: string; domains: string[] }[]>();
      for (const r of index.resources('vault_pki_secret_backend_role')) {
        const mount = String(index.resolve(r.stack, r.body.backend));
        const role = { name: String(r.body.name), domains: (r.body.allowed_domains ?? []) as string[] };
        byMount.set(mount, [...(byMount.get(mount) ?? []), role]);
      }
      for (const [mount, roles] of byMount) {
        // Every domain and its parents, so an overlap is a lookup (linear in the number of domains).
        const owners = new Map<string, string>();
        for (const role of roles) for (const d of role.domains) if (!owners.has(d)) owners.set(d, role.name);
        for (const role of roles) {
          for (const d of role.domains) {
            const clash = Dns.suffixes(d).map((s) => [s, owners.get(s)] as const).find(([, owner]) => owner !== undefined && owner !== role.name);
            if (clash) report(`VaultRole ${mount}/${role.name}`, `allows '${d}', which overlaps '${clash[0]}' of role '${clash[1]}' on the same mount`);
          }
        }
      }
    },
  },
];

/** Every cert-manager Issuer backed by Vault. */
function vaultIssuers(index: OutputIndex): any[] {
  return index.objects('cert-manager.io/v1', 'Issuer').filter((i) => i.spec?.vault);
}

/** `/v1/auth/<path>` -> `<path>`. */
function authPathOf(issuer: any): string | undefined {
  return /^\/v1\/auth\/(.+)$/.exec(issuer.spec.vault.auth?.kubernetes?.mountPath ?? '/v1/auth/kubernetes')?.[1];
}

/** Per PKI mount path: the DNS domains every signature of its intermediates permits (their name constraints). */
const constraintsCache = new WeakMap<OutputIndex, Map<string, string[]>>();
function nameConstraints(index: OutputIndex): Map<string, string[]> {
  let found = constraintsCache.get(index);
  if (!found) {
    found = new Map();
    for (const r of index.resources('vault_pki_secret_backend_root_sign_intermediate')) {
      const csr = index.referenced(r.stack, r.body.csr);
      const mount = csr ? String(index.resolve(r.stack, csr.resource.body.backend)) : undefined;
      if (mount === undefined || !Array.isArray(r.body.permitted_dns_domains)) continue;
      found.set(mount, [...new Set([...(found.get(mount) ?? []), ...r.body.permitted_dns_domains])]);
    }
    constraintsCache.set(index, found);
  }
  return found;
}

export const IMPORT_RULES: ConsistencyRule[] = [
  {
    id: ConsistencyFindingKind.ISSUER_VAULT,
    description: "Every Vault Issuer's PKI mount, auth mount and auth role are in the Vault (address and Vault namespace) the Issuer calls",
    check(index, report) {
      for (const issuer of vaultIssuers(index)) {
        const server = String(issuer.spec.vault.server ?? '').replace(/\/+$/, '');
        const calls = `${server}${issuer.spec.vault.namespace ? ` (namespace ${issuer.spec.vault.namespace})` : ''}`;
        const mountPath = /^(.+)\/sign\/[^/]+$/.exec(issuer.spec.vault.path ?? '')?.[1];
        const authPath = authPathOf(issuer);
        const parts: [string, { stack: number } | undefined][] = [
          [`PKI mount '${mountPath}'`, mountPath !== undefined ? index.pkiMount(mountPath) : undefined],
          [`auth mount '${authPath}'`, authPath !== undefined ? index.kubernetesAuthBackend(authPath) : undefined],
          [`auth role '${issuer.spec.vault.auth?.kubernetes?.role}'`, authPath !== undefined
            ? index.kubernetesAuthRole(authPath, issuer.spec.vault.auth?.kubernetes?.role) : undefined],
        ];
        for (const [what, part] of parts) {
          if (!part || index.vaultProvider(part.stack).address === undefined) continue;
          const holds = index.vaultOf(part.stack);
          if (holds !== calls) {
            report(describeObject(issuer), `${what} is in the Vault ${holds} (stack ${index.stackName(part.stack)}), but the Issuer calls ${calls}: ` +
              "the program that wrote the Issuer typed another Vault address or namespace than the platform's; build it from the fleet contract");
          }
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ROLE_CONSTRAINTS,
    description: "Every Vault Issuer's role allows only domains inside its intermediate's name constraints",
    check(index, report) {
      const constraints = nameConstraints(index);
      for (const issuer of vaultIssuers(index)) {
        const role = index.roleOfIssuer(issuer);
        const mountPath = /^(.+)\/sign\/[^/]+$/.exec(issuer.spec.vault.path ?? '')?.[1];
        const permitted = mountPath !== undefined ? constraints.get(mountPath) : undefined;
        if (!role || !permitted) continue;
        const outside = ((role.body.allowed_domains ?? []) as string[]).filter((d) => !permitted.some((p) => Dns.isWithin(d, p)));
        if (outside.length > 0) {
          report(describeObject(issuer), `its Vault role '${role.body.name}' allows ${outside.join(', ')}, outside the name constraints of mount ` +
            `'${mountPath}' (${permitted.join(', ')}): every certificate for those names is refused by clients; the program imported the ` +
            "intermediate with other domains than the platform's");
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.ISSUER_TOKEN_REVIEW,
    description: 'Where the auth mount reviews each token with itself, every Issuer adds an API server audience and its service account may create TokenReviews',
    check(index, report) {
      const bindings = index.objects('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding')
        .filter((b) => b.roleRef?.kind === 'ClusterRole' && b.roleRef?.name === 'system:auth-delegator');
      for (const issuer of vaultIssuers(index)) {
        const authPath = authPathOf(issuer);
        const backend = authPath !== undefined ? index.kubernetesAuthBackend(authPath) : undefined;
        if (!backend) continue;
        // The first config of that stack whose backend resolves to the auth path (a lookup, not a scan per Issuer).
        const config = index.lookup('vault_kubernetes_auth_backend_config', 'stack+backend', (c) => {
          const path = index.resolve(c.stack, c.body.backend);
          return typeof path === 'string' ? `${c.stack}\u0000${path}` : undefined;
        }, `${backend.stack}\u0000${authPath}`);
        if (config?.body.disable_local_ca_jwt !== true) continue;
        const ref = issuer.spec.vault.auth.kubernetes.serviceAccountRef ?? {};
        const audiences = ((ref.audiences ?? []) as string[]).filter((a) => !a.startsWith('vault://'));
        if (audiences.length === 0) {
          report(describeObject(issuer), `auth mount '${authPath}' reviews each login token with the token itself (disable_local_ca_jwt), but the ` +
            "Issuer's token carries no API server audience: the API server refuses it as the TokenReview bearer and every login fails; import the " +
            "cluster with the platform's TokenReviewer (FleetContract.cluster())");
        }
        const ns = issuer.metadata?.namespace;
        const bound = bindings.some((b) => (b.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === ref.name && s.namespace === ns));
        if (!bound) {
          report(describeObject(issuer), `auth mount '${authPath}' reviews each login token with the token itself, but service account ` +
            `'${ns}/${ref.name}' is not bound to system:auth-delegator: it may not create TokenReviews and every login fails`);
        }
      }
    },
  },
];
