import { Dns } from '../../core/dns';
import { PkiNames } from '../../core/names';
import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { describeObject } from '../output-index';

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
