// The serialization floor: the very output of the scenario (the GitOps tree, byte for byte, and the same Terraform) from
// the same objects as plain data, already in their final form and key order, with no framework: no construct tree, no
// token resolution, no validation. The Kubernetes objects are serialized with the same YAML settings (cdk8s's
// Yaml.stringify), each file written once; each Terraform stack is one JSON.stringify and one write. What is left is
// building the objects, serializing them and writing the files: the least any framework can spend on this output.
// The bench checks that this output is the library's before it measures anything.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
// cdk8s's own Yaml.stringify (the same settings), without loading the rest of cdk8s.
import { Yaml } from 'cdk8s/lib/yaml';
import { ALERTS_SPEC } from './baseline-alerts';
import {
  BuiltScenario, certificateDnsName, clusterApiServer, clusterName, FleetSize, Outdirs, SCENARIO, tenantDomain, tenantNamespace,
} from './scenarios';

const ADDRESS = SCENARIO.vaultAddress;
const ISSUER = 'vault-services';
const USAGES = ['digital signature', 'server auth', 'client auth'];
const MANAGED_BY = 'cdk8s-vault-pki';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const SKIP_DRY_RUN = { [SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true' };
/** Labels in the order ApiObject.toJson sorts them. */
const HIERARCHY_LABELS = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'vault-pki.cdk8s.io/hierarchy': 'pki' };
const LABELS = { ...HIERARCHY_LABELS, 'vault-pki.cdk8s.io/issuer': ISSUER };
const RULE_LABELS = sortedKeys({ ...SCENARIO.ruleLabels, ...LABELS });
const RBAC = 'rbac.authorization.k8s.io/v1';
const CERT_MANAGER = { kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' };
const TOKEN_ROLE = `${ISSUER}-vault-token`;
const USE_ROLE = `${ISSUER}-approver-policy`;
const statePath = (id: string) => `../../../terraform-state/${id}.tfstate`;
const VAULT_PROVIDER = { vault: [{ address: ADDRESS }] };
const VAULT_REQUIRED = { vault: { source: 'hashicorp/vault', version: '5.6.0' } };

export function buildFloorScenario(size: FleetSize, outdirs: Outdirs): BuiltScenario {
  const clusters = Array.from({ length: size.clusters }, (_, c) => clusterName(c));
  return {
    writeGitOps: () => writeGitOps(outdirs.gitops, clusters, size.tenants),
    synthTerraform: () => writeTerraform(outdirs.tf, clusters, size.tenants),
  };
}

/** The tenant shard of namespace `ns`: the first 8 hex digits of its SHA-256, modulo the shard count. */
function shardOf(ns: string): string {
  const shard = parseInt(createHash('sha256').update(ns, 'utf8').digest('hex').slice(0, 8), 16) % SCENARIO.shards;
  return `${SCENARIO.tenantStacks}-${String(shard).padStart(2, '0')}`;
}

function writeGitOps(outdir: string, clusters: string[], tenants: number): void {
  for (const owned of ['clusters', 'argocd', 'inventory.json']) fs.rmSync(path.join(outdir, owned), { recursive: true, force: true });
  const alerts = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { labels: sortedKeys({ ...SCENARIO.ruleLabels, ...HIERARCHY_LABELS }), name: 'pki-pki-alerts', namespace: 'monitoring', annotations: SKIP_DRY_RUN },
    spec: sortedKeys(ALERTS_SPEC),
  };
  const bundle = {
    apiVersion: 'trust.cert-manager.io/v1alpha1',
    kind: 'Bundle',
    metadata: { labels: HIERARCHY_LABELS, name: SCENARIO.trustBundle, annotations: SKIP_DRY_RUN },
    spec: {
      sources: [{ configMap: { key: 'roots.crt', name: 'pki-ca-certificates' } }],
      target: { configMap: { key: 'ca-bundle.crt' }, namespaceSelector: { matchLabels: SCENARIO.trustNamespaceLabels } },
    },
  };
  // Tenants in the order of their namespaces as text (team-1000 before team-999), as folders and the inventory sort.
  const order = Array.from({ length: tenants }, (_, i) => i).sort((a, b) => compare(tenantNamespace(a), tenantNamespace(b)));
  const namespaces = order.map(tenantNamespace);
  for (const cluster of [...clusters].sort()) {
    const root = path.join(outdir, 'clusters', cluster);
    const write = (folder: string, file: string, object: unknown) => fs.writeFileSync(path.join(root, folder, file), Yaml.stringify(object));
    const folders = ['_cluster', 'monitoring', ...namespaces];
    for (const folder of folders) fs.mkdirSync(path.join(root, folder), { recursive: true });

    const clusterFiles = ['bundle-internal-ca.yaml'];
    write('_cluster', 'bundle-internal-ca.yaml', bundle);
    for (const i of order) {
      const ns = tenantNamespace(i);
      const role = `${ns}-${ISSUER}`;
      write('_cluster', `certificaterequestpolicy-${role}.yaml`, {
        apiVersion: 'policy.cert-manager.io/v1alpha1',
        kind: 'CertificateRequestPolicy',
        metadata: { labels: LABELS, name: role, annotations: SKIP_DRY_RUN },
        spec: {
          allowed: {
            dnsNames: {
              required: true,
              validations: [{ message: `wildcard DNS names are not allowed for Issuer ${ns}/${ISSUER}`, rule: "!self.contains('*')" }],
              values: [`*.${tenantDomain(i)}`],
            },
            isCA: false,
            usages: USAGES,
          },
          constraints: { maxDuration: '24h', privateKey: { algorithm: 'ECDSA', maxSize: 256, minSize: 256 } },
          selector: { issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: ISSUER }, namespace: { matchNames: [ns] } },
        },
      });
      clusterFiles.push(`certificaterequestpolicy-${role}.yaml`);
    }
    for (const ns of namespaces) {
      write('_cluster', `namespace-${ns}.yaml`, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { ...SCENARIO.trustNamespaceLabels, 'app.kubernetes.io/managed-by': MANAGED_BY }, annotations: { [SYNC_OPTIONS]: 'Prune=false' } },
      });
      clusterFiles.push(`namespace-${ns}.yaml`);
    }
    fs.writeFileSync(path.join(root, '_cluster', 'kustomization.yaml'), kustomization(clusterFiles.sort()));
    write('monitoring', 'prometheusrule-pki-pki-alerts.yaml', alerts);
    fs.writeFileSync(path.join(root, 'monitoring', 'kustomization.yaml'), kustomization(['prometheusrule-pki-pki-alerts.yaml']));

    for (const i of order) {
      const ns = tenantNamespace(i);
      const role = `${ns}-${ISSUER}`;
      const metadata = (name: string) => ({ labels: LABELS, name, namespace: ns });
      const custom = (name: string) => ({ labels: LABELS, name, namespace: ns, annotations: SKIP_DRY_RUN });
      const files: string[] = [];
      const add = (file: string, object: unknown) => {
        write(ns, file, object);
        files.push(file);
      };
      for (const service of SCENARIO.services) {
        add(`certificate-${service}.yaml`, {
          apiVersion: 'cert-manager.io/v1',
          kind: 'Certificate',
          metadata: custom(service),
          spec: {
            dnsNames: [certificateDnsName(service, i)],
            duration: '24h',
            isCA: false,
            issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: ISSUER },
            privateKey: { algorithm: 'ECDSA', encoding: 'PKCS8', rotationPolicy: 'Always', size: 256 },
            renewBefore: '8h',
            revisionHistoryLimit: 1,
            secretName: `${service}-tls`,
            // A second object with the same labels: one object met twice in a document is a YAML alias to cdk8s's Yaml.
            secretTemplate: { labels: { ...LABELS } },
            usages: USAGES,
          },
        });
      }
      add(`issuer-${ISSUER}.yaml`, {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Issuer',
        metadata: custom(ISSUER),
        spec: {
          vault: {
            auth: { kubernetes: { mountPath: `/v1/auth/kubernetes-${cluster}`, role, serviceAccountRef: { name: ISSUER } } },
            path: `pki-int-services/sign/${role}`,
            server: ADDRESS,
          },
        },
      });
      add(`prometheusrule-${ISSUER}-vault-pki.yaml`, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { labels: RULE_LABELS, name: `${ISSUER}-vault-pki`, namespace: ns, annotations: SKIP_DRY_RUN },
        spec: {
          groups: [{
            name: `vault-pki.tenant.${ns}.${ISSUER}`,
            rules: [{
              expr: 'vector(86400)',
              labels: { exported_namespace: ns, hierarchy: 'pki', intermediate: 'services', issuer_kind: 'Issuer', issuer_name: ISSUER },
              record: 'vault_pki:tenant_max_duration_seconds',
            }],
          }],
        },
      });
      add(`role-${USE_ROLE}.yaml`, {
        apiVersion: RBAC,
        kind: 'Role',
        metadata: metadata(USE_ROLE),
        rules: [{ apiGroups: ['policy.cert-manager.io'], resourceNames: [role], resources: ['certificaterequestpolicies'], verbs: ['use'] }],
      });
      add(`role-${TOKEN_ROLE}.yaml`, {
        apiVersion: RBAC,
        kind: 'Role',
        metadata: metadata(TOKEN_ROLE),
        rules: [{ apiGroups: [''], resourceNames: [ISSUER], resources: ['serviceaccounts/token'], verbs: ['create'] }],
      });
      add(`rolebinding-${USE_ROLE}.yaml`, {
        apiVersion: RBAC,
        kind: 'RoleBinding',
        metadata: metadata(USE_ROLE),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: USE_ROLE },
        subjects: [CERT_MANAGER],
      });
      add(`rolebinding-${TOKEN_ROLE}.yaml`, {
        apiVersion: RBAC,
        kind: 'RoleBinding',
        metadata: metadata(TOKEN_ROLE),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: TOKEN_ROLE },
        subjects: [CERT_MANAGER],
      });
      add(`serviceaccount-${ISSUER}.yaml`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(ISSUER), automountServiceAccountToken: false });
      fs.writeFileSync(path.join(root, ns, 'kustomization.yaml'), kustomization(files.sort()));
    }
    fs.writeFileSync(path.join(root, 'kustomization.yaml'), kustomization(folders));
  }

  const inventory: unknown[] = [];
  for (const cluster of [...clusters].sort()) {
    for (const i of order) {
      const ns = tenantNamespace(i);
      const role = `${ns}-${ISSUER}`;
      inventory.push({
        cluster,
        namespace: ns,
        issuer: ISSUER,
        folder: `clusters/${cluster}/${ns}`,
        hierarchy: 'pki',
        intermediate: 'services',
        vault: {
          address: ADDRESS,
          terraformStack: shardOf(ns),
          pkiMount: 'pki-int-services',
          pkiRole: role,
          signPath: `pki-int-services/sign/${role}`,
          policy: `pki-tenant-${role}`,
          authMount: `kubernetes-${cluster}`,
          authRole: role,
          audience: `vault://${ns}/${ISSUER}`,
          serviceAccount: ISSUER,
        },
        domains: [tenantDomain(i)],
        maxDuration: '24h',
        keyAlgorithm: 'ECDSA P-256',
        usages: USAGES,
        certificates: SCENARIO.services.map((service) => ({
          name: service,
          secretName: `${service}-tls`,
          dnsNames: [certificateDnsName(service, i)],
          ipAddresses: [],
          uris: [],
          duration: '24h',
          renewBefore: '8h',
        })),
      });
    }
  }
  fs.writeFileSync(path.join(outdir, 'inventory.json'), `${JSON.stringify({ generatedBy: MANAGED_BY, tenants: inventory }, undefined, 2)}\n`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function kustomization(resources: string[]): string {
  return Yaml.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
}

function writeTerraform(outdir: string, clusters: string[], tenants: number): void {
  const stacks = new Map<string, { json: unknown; dependencies: string[] }>();
  stacks.set(SCENARIO.platformStack, { json: platformStack(clusters), dependencies: [] });
  for (const cluster of clusters) {
    stacks.set(`${SCENARIO.platformStack}-ca-${cluster}`, { json: publicationStack(cluster), dependencies: [SCENARIO.platformStack] });
  }
  const shards = new Map<string, { role: Record<string, unknown>; policy: Record<string, unknown>; auth: Record<string, unknown> }>();
  for (let s = 0; s < SCENARIO.shards; s++) {
    shards.set(`${SCENARIO.tenantStacks}-${String(s).padStart(2, '0')}`, { role: {}, policy: {}, auth: {} });
  }
  // Resources by logical id, in cdktf's order: the ids sorted.
  const namespaces = Array.from({ length: tenants }, (_, i) => tenantNamespace(i)).sort();
  for (const ns of namespaces) {
    const i = Number(ns.slice('team-'.length));
    const shard = shards.get(shardOf(ns))!;
    const role = `${ns}-${ISSUER}`;
    const id = `pki_tenant_${role}`;
    const policy = `pki-tenant-${role}`;
    shard.role[`${id}_role`] = tenantRole(role, tenantDomain(i));
    shard.policy[`${id}_policy`] = {
      name: policy,
      policy: `# Tenant ${ns}/${ISSUER} (cdk8s-vault-pki): may sign CSRs with its own role, nothing else.\n`
        + `path "pki-int-services/sign/${role}" {\n  capabilities = ["create", "update"]\n}\n`,
    };
    for (const cluster of [...clusters].sort()) {
      shard.auth[`${id}_auth-role_${cluster}`] = {
        audience: `vault://${ns}/${ISSUER}`,
        backend: `kubernetes-${cluster}`,
        bound_service_account_names: [ISSUER],
        bound_service_account_namespaces: [ns],
        role_name: role,
        token_max_ttl: 300,
        token_no_default_policy: true,
        token_policies: [policy],
        token_ttl: 300,
      };
    }
  }
  for (const [id, shard] of shards) {
    const used = Object.keys(shard.role).length > 0;
    stacks.set(id, {
      json: {
        provider: VAULT_PROVIDER,
        ...(used ? {
          resource: {
            vault_kubernetes_auth_backend_role: shard.auth,
            vault_pki_secret_backend_role: shard.role,
            vault_policy: shard.policy,
          },
        } : {}),
        terraform: { backend: { local: { path: statePath(id) } }, required_providers: VAULT_REQUIRED, required_version: '>= 1.5.0' },
      },
      dependencies: used ? [SCENARIO.platformStack] : [],
    });
  }

  const manifest: Record<string, unknown> = {};
  for (const id of [...stacks.keys()].sort()) {
    const dir = path.join(outdir, 'stacks', id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(stacks.get(id)!.json, undefined, 2));
    manifest[id] = {
      annotations: [],
      constructPath: id,
      dependencies: stacks.get(id)!.dependencies,
      name: id,
      stackMetadataPath: `stacks/${id}/metadata.json`,
      synthesizedStackPath: `stacks/${id}/cdk.tf.json`,
      workingDirectory: `stacks/${id}`,
    };
  }
  fs.writeFileSync(path.join(outdir, 'manifest.json'), JSON.stringify({ stacks: manifest, version: '0.21.0' }, undefined, 2));
}

function tenantRole(role: string, domain: string): unknown {
  return {
    allow_any_name: false,
    allow_bare_domains: false,
    allow_glob_domains: false,
    allow_ip_sans: false,
    allow_localhost: false,
    allow_subdomains: true,
    allow_wildcard_certificates: false,
    allowed_domains: [domain],
    allowed_domains_template: false,
    allowed_uri_sans: [],
    allowed_uri_sans_template: false,
    backend: 'pki-int-services',
    basic_constraints_valid_for_non_ca: false,
    client_flag: true,
    code_signing_flag: false,
    email_protection_flag: false,
    enforce_hostnames: true,
    ext_key_usage: [],
    generate_lease: false,
    issuer_ref: 'default',
    key_bits: 256,
    key_type: 'ec',
    key_usage: ['DigitalSignature'],
    max_ttl: '86400',
    name: role,
    no_store: true,
    not_before_duration: '30s',
    require_cn: false,
    server_flag: true,
    ttl: '86400',
    use_csr_common_name: true,
    use_csr_sans: true,
  };
}

function publicationStack(cluster: string): unknown {
  const id = `${SCENARIO.platformStack}-ca-${cluster}`;
  const root = 'data.vault_pki_secret_backend_issuer.pki-root_root.certificate';
  const intermediate = 'data.vault_pki_secret_backend_issuer.pki-int-services_services.certificate';
  const variable = `kubeconfig_${cluster.replace(/-/g, '_')}`;
  return {
    data: {
      vault_pki_secret_backend_issuer: {
        'pki-int-services_services': { backend: 'pki-int-services', issuer_ref: 'services' },
        'pki-root_root': { backend: 'pki-root', issuer_ref: 'root' },
      },
    },
    provider: {
      kubernetes: [{ alias: `kubernetes-${cluster}`, config_context: cluster, config_path: `\${var.${variable}}` }],
      ...VAULT_PROVIDER,
    },
    resource: {
      kubernetes_config_map_v1: {
        [`${cluster}_pki_ca-certificates`]: {
          data: {
            'ca-certificates.crt': `\${join("\\n", [${root}, ${intermediate}])}`,
            'intermediate-services.crt': `\${${intermediate}}`,
            'intermediates.crt': `\${join("\\n", [${intermediate}])}`,
            'root.crt': `\${${root}}`,
            'roots.crt': `\${join("\\n", [${root}])}`,
          },
          metadata: { labels: HIERARCHY_LABELS, name: 'pki-ca-certificates', namespace: 'cert-manager' },
          provider: `kubernetes.kubernetes-${cluster}`,
        },
      },
    },
    terraform: {
      backend: { local: { path: statePath(id) } },
      required_providers: { kubernetes: { source: 'kubernetes', version: '2.38.0' }, ...VAULT_REQUIRED },
    },
    variable: {
      [variable]: { description: `Path of a kubeconfig file holding cluster ${cluster}`, nullable: false, sensitive: false, type: 'string' },
    },
  };
}

/** The platform stack: the hierarchy (constant, sorted once), then per cluster its auth mount and configuration. */
function platformStack(clusters: string[]): unknown {
  const stack = hierarchy() as any;
  const auth: Record<string, unknown> = {};
  const config: Record<string, unknown> = {};
  for (const cluster of [...clusters].sort()) {
    const authPath = `kubernetes-${cluster}`;
    auth[`auth_${authPath}`] = { description: `Kubernetes auth of cluster ${cluster} for cert-manager Issuers (cdk8s-vault-pki)`, path: authPath, type: 'kubernetes' };
    config[`auth_${authPath}_config`] = {
      backend: `\${vault_auth_backend.auth_${authPath}.path}`,
      disable_iss_validation: true,
      disable_local_ca_jwt: false,
      kubernetes_host: clusterApiServer(cluster),
    };
  }
  stack.resource = sortedKeys({ ...stack.resource, vault_auth_backend: auth, vault_kubernetes_auth_backend_config: config });
  return stack;
}

const OWNER = `(cdk8s-vault-pki, stack ${SCENARIO.platformStack})`;
const PROTECTED = { prevent_destroy: true };
const ISSUER_USAGE = 'crl-signing,issuing-certificates,ocsp-signing,read-only';

/** The hierarchy's part of the platform stack as Terraform JSON: root and intermediate, their guards, sorted. */
function hierarchy(): unknown {
  const resource: Record<string, Record<string, unknown>> = {};
  const data: Record<string, Record<string, unknown>> = {};
  const locals: Record<string, unknown> = {};
  const put = (into: Record<string, Record<string, unknown>>, type: string, id: string, value: unknown) => {
    (into[type] ??= {})[id] = value;
  };
  const exists = (mount: string) => `contains(keys(local.vault_pki_mounts), ${JSON.stringify(`${mount}/`)})`;

  put(data, 'vault_generic_secret', 'vault_pki_sys_mounts', { path: 'sys/mounts' });
  locals.vault_pki_mounts = '${nonsensitive(jsondecode(data.vault_generic_secret.vault_pki_sys_mounts.data_json))}';
  const orphans = `[for path, mount in local.vault_pki_mounts : trimsuffix(path, "/") if strcontains(try(mount.description, ""), ${JSON.stringify(OWNER)}) `
    + '&& !contains(["pki-int-services","pki-root"], trimsuffix(path, "/"))]';
  put(resource, 'terraform_data', 'vault_pki_mount_inventory', {
    input: { mounts: ['pki-int-services', 'pki-root'], stack: SCENARIO.platformStack },
    lifecycle: {
      precondition: [{
        condition: `\${length(${orphans}) == 0}`,
        error_message: `Vault holds mounts that stack '${SCENARIO.platformStack}' created and the program no longer has: \${join(", ", ${orphans})}. `
          + 'Applying would destroy each with every key, issuer and certificate in it. Put the CA back in the program (keep its '
          + "generations listed, RETIRED once they may go), or list the mount in the VaultPkiStack's 'decommissionedMounts' to destroy it on purpose",
      }],
    },
  });

  const mount = (id: string, mountPath: string, description: string, defaultTtl: number, maxTtl: number) => {
    put(resource, 'vault_mount', `${id}_mount`, {
      allowed_response_headers: ['Last-Modified'],
      default_lease_ttl_seconds: defaultTtl,
      description,
      lifecycle: PROTECTED,
      max_lease_ttl_seconds: maxTtl,
      passthrough_request_headers: ['If-Modified-Since'],
      path: mountPath,
      type: 'pki',
    });
    const backend = `\${vault_mount.${id}_mount.path}`;
    put(resource, 'vault_pki_secret_backend_config_urls', `${id}_urls`, {
      backend,
      crl_distribution_points: [`${ADDRESS}/v1/${mountPath}/crl`],
      issuing_certificates: [`${ADDRESS}/v1/${mountPath}/ca`],
      ocsp_servers: [`${ADDRESS}/v1/${mountPath}/ocsp`],
    });
    put(resource, 'vault_pki_secret_backend_crl_config', `${id}_crl`, { auto_rebuild: true, auto_rebuild_grace_period: '12h', backend, expiry: '72h' });
    put(resource, 'vault_pki_secret_backend_config_auto_tidy', `${id}_auto-tidy`, {
      backend,
      enabled: true,
      interval_duration: '12h',
      safety_buffer: '72h',
      tidy_cert_store: true,
      tidy_revoked_cert_issuer_associations: true,
      tidy_revoked_certs: true,
    });
    return backend;
  };
  const issuer = (id: string, backend: string, mountPath: string, name: string, issuerRef: string) => {
    const issuerPath = `${ADDRESS}/v1/${mountPath}/issuer/${name}`;
    put(resource, 'vault_pki_secret_backend_issuer', `${id}_issuer`, {
      backend,
      crl_distribution_points: [`${issuerPath}/crl/der`],
      issuer_name: name,
      issuer_ref: issuerRef,
      issuing_certificates: [`${issuerPath}/der`],
      leaf_not_after_behavior: 'err',
      lifecycle: PROTECTED,
      ocsp_servers: [`${ADDRESS}/v1/${mountPath}/ocsp`],
      usage: ISSUER_USAGE,
    });
    put(resource, 'vault_pki_secret_backend_config_issuers', `${id}_default-issuer`, {
      backend, default: `\${vault_pki_secret_backend_issuer.${id}_issuer.issuer_id}`, default_follows_latest_issuer: false,
    });
  };
  const guard = (prefix: string, mountPath: string, ca: string, name: string, domains: string[], revocation?: string) => {
    const live = `local.${prefix}_vault`;
    put(data, 'vault_generic_secret', `${prefix}_vault_config_issuers`, { count: `\${${exists(mountPath)} ? 1 : 0}`, path: `${mountPath}/config/issuers` });
    locals[`${prefix}_vault_default_issuer_id`] = `\${try(nonsensitive(jsondecode(one(data.vault_generic_secret.${prefix}_vault_config_issuers[*].data_json)).default), "")}`;
    const count = `\${local.${prefix}_vault_default_issuer_id != "" ? 1 : 0}`;
    put(data, 'vault_pki_secret_backend_issuers', `${prefix}_vault_issuers`, { backend: mountPath, count });
    put(data, 'vault_pki_secret_backend_keys', `${prefix}_vault_keys`, { backend: mountPath, count });
    const issuerInfo = `try(jsondecode(one(data.vault_pki_secret_backend_issuers.${prefix}_vault_issuers[*].key_info_json)), {})`;
    const keyInfo = `try(jsondecode(one(data.vault_pki_secret_backend_keys.${prefix}_vault_keys[*].key_info_json)), {})`;
    locals[`${prefix}_vault`] = {
      default: `\${try(${issuerInfo}[local.${prefix}_vault_default_issuer_id].issuer_name, "")}`,
      exists: `\${${exists(mountPath)}}`,
      issuers: `\${[for id, issuer in ${issuerInfo} : issuer.issuer_name]}`,
      keys: `\${[for id, key in ${keyInfo} : key.key_name]}`,
    };
    put(resource, 'terraform_data', `${prefix}_prepared`, { input: { at: '${plantimestamp()}' }, lifecycle: { ignore_changes: ['input'] } });
    const revocations: Record<string, string> = {};
    if (revocation) {
      put(data, 'vault_generic_secret', `${prefix}_vault_revocation`, { count: `\${${exists('pki-root')} ? 1 : 0}`, path: `pki-root/cert/${revocation}` });
      revocations[name] = `try(nonsensitive(jsondecode(one(data.vault_generic_secret.${prefix}_vault_revocation[*].data_json)).revocation_time_rfc3339), "")`;
    }
    const unlisted = `[for name in ${live}.issuers : name if name != "" && !contains(${JSON.stringify([name])}, name)]`;
    const precondition = [{
      condition: `\${!${live}.exists || length(${unlisted}) == 0}`,
      error_message: `Vault holds issuers of ${ca} in ${mountPath} that the program does not list (\${join(", ", ${unlisted})}): Terraform would `
        + 'delete them while leaves they signed may be alive or roles sign with them. The program is older than what was applied, or dropped a '
        + 'generation: keep every generation listed (RETIRED once it may go)',
    }];
    if (revocations[name] !== undefined) {
      precondition.push({
        condition: `\${${revocations[name]} == ""}`,
        error_message: `generation 1 of ${ca} (${name}) is ACTIVE, but Vault revoked its certificate at \${${revocations[name]}}: it was compromised. `
          + "Keep it marked 'compromised' (DRAINING, then RETIRED) and sign with another generation",
      });
    }
    precondition.push({
      condition: `\${!${live}.exists || contains(${live}.issuers, ${JSON.stringify(name)}) || !contains(${live}.keys, ${JSON.stringify(name)})}`,
      error_message: `generation 1 of ${ca} is ACTIVE, but Vault deleted its issuer '${name}' in ${mountPath} (it was RETIRED) and keeps its key: `
        + 'a retired generation cannot come back; add generation 2 instead',
    });
    put(resource, 'terraform_data', `${prefix}_rotation_guard`, {
      input: {
        active: name, ca, domains, generations: [{ compromised: false, generation: 1, name, state: 'active' }], mount: mountPath, prefix, revocations,
      },
      lifecycle: { precondition },
    });
  };

  const rootBackend = mount('pki_root', 'pki-root', `Root CA acme-root-ca, signs intermediates only ${OWNER}`, 315360000, 315360000);
  put(resource, 'vault_pki_secret_backend_root_cert', 'pki_root_certificate', {
    backend: rootBackend,
    common_name: SCENARIO.rootCommonName,
    exclude_cn_from_sans: true,
    format: 'pem',
    issuer_name: 'root',
    key_bits: 384,
    key_name: 'root',
    key_type: 'ec',
    lifecycle: PROTECTED,
    max_path_length: 1,
    ttl: '315360000',
    type: 'internal',
  });
  issuer('pki_root', rootBackend, 'pki-root', 'root', '${vault_pki_secret_backend_root_cert.pki_root_certificate.issuer_id}');
  guard('pki_root', 'pki-root', 'the root', 'root', []);

  const intBackend = mount('pki_int_services', 'pki-int-services',
    `Intermediate CA services intermediate CA for services.internal ${OWNER}`, 86400, 172800);
  put(resource, 'vault_pki_secret_backend_intermediate_cert_request', 'pki_int_services_csr', {
    backend: intBackend,
    common_name: 'services intermediate CA',
    exclude_cn_from_sans: true,
    format: 'pem',
    key_bits: 256,
    key_name: 'services',
    key_type: 'ec',
    lifecycle: PROTECTED,
    type: 'internal',
  });
  put(resource, 'vault_pki_secret_backend_root_sign_intermediate', 'pki_int_services_signed', {
    backend: rootBackend,
    common_name: 'services intermediate CA',
    csr: '${vault_pki_secret_backend_intermediate_cert_request.pki_int_services_csr.csr}',
    exclude_cn_from_sans: true,
    format: 'pem',
    issuer_ref: '${vault_pki_secret_backend_issuer.pki_root_issuer.issuer_id}',
    lifecycle: PROTECTED,
    max_path_length: 0,
    permitted_dns_domains: [SCENARIO.intermediateDomain],
    ttl: '31536000',
    use_csr_values: false,
  });
  put(resource, 'vault_pki_secret_backend_intermediate_set_signed', 'pki_int_services_set-signed', {
    backend: intBackend, certificate: '${vault_pki_secret_backend_root_sign_intermediate.pki_int_services_signed.certificate}', lifecycle: PROTECTED,
  });
  issuer('pki_int_services', intBackend, 'pki-int-services', 'services',
    '${element(vault_pki_secret_backend_intermediate_set_signed.pki_int_services_set-signed.imported_issuers, 0)}');
  guard('pki_int_services', 'pki-int-services', "intermediate 'services'", 'services', [SCENARIO.intermediateDomain],
    '${vault_pki_secret_backend_root_sign_intermediate.pki_int_services_signed.serial_number}');

  return sortedKeys({
    data,
    locals,
    provider: VAULT_PROVIDER,
    resource,
    terraform: { backend: { local: { path: statePath(SCENARIO.platformStack) } }, required_providers: VAULT_REQUIRED, required_version: '>= 1.5.0' },
  });
}

/** `value` with every object's keys sorted and undefined values left out, as ApiObject.toJson and cdktf write them. */
function sortedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortedKeys) as unknown as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortedKeys(v);
  }
  return out as T;
}
