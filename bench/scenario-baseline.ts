// The raw baseline: the very objects the library emits for the fleet scenario, written by hand as plain cdk8s
// ApiObjects and plain cdktf provider-vault / provider-kubernetes resources (no library, no cdk8s-plus, no generated
// CRD classes, no validation, no derivation), and a simple writer of its own for the same GitOps tree (the same
// folders, file names, YAML via cdk8s Yaml.stringify, kustomization.yaml files and inventory.json). The bench checks
// that both outputs are identical before it measures anything.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { AuthBackend } from '@cdktf/provider-vault/lib/auth-backend';
import { DataVaultGenericSecret } from '@cdktf/provider-vault/lib/data-vault-generic-secret';
import { DataVaultPkiSecretBackendIssuer } from '@cdktf/provider-vault/lib/data-vault-pki-secret-backend-issuer';
import { DataVaultPkiSecretBackendIssuers } from '@cdktf/provider-vault/lib/data-vault-pki-secret-backend-issuers';
import { DataVaultPkiSecretBackendKeys } from '@cdktf/provider-vault/lib/data-vault-pki-secret-backend-keys';
import { KubernetesAuthBackendConfig } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-config';
import { KubernetesAuthBackendRole } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-role';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PkiSecretBackendConfigAutoTidy } from '@cdktf/provider-vault/lib/pki-secret-backend-config-auto-tidy';
import { PkiSecretBackendConfigIssuers } from '@cdktf/provider-vault/lib/pki-secret-backend-config-issuers';
import { PkiSecretBackendConfigUrls } from '@cdktf/provider-vault/lib/pki-secret-backend-config-urls';
import { PkiSecretBackendCrlConfig } from '@cdktf/provider-vault/lib/pki-secret-backend-crl-config';
import { PkiSecretBackendIntermediateCertRequest } from '@cdktf/provider-vault/lib/pki-secret-backend-intermediate-cert-request';
import { PkiSecretBackendIntermediateSetSigned } from '@cdktf/provider-vault/lib/pki-secret-backend-intermediate-set-signed';
import { PkiSecretBackendIssuer } from '@cdktf/provider-vault/lib/pki-secret-backend-issuer';
import { PkiSecretBackendRole } from '@cdktf/provider-vault/lib/pki-secret-backend-role';
import { PkiSecretBackendRootCert } from '@cdktf/provider-vault/lib/pki-secret-backend-root-cert';
import { PkiSecretBackendRootSignIntermediate } from '@cdktf/provider-vault/lib/pki-secret-backend-root-sign-intermediate';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { DataResource, App as TerraformApp, Fn, LocalBackend, TerraformLocal, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ALERTS_SPEC } from './baseline-alerts';
import {
  BuiltScenario, certificateDnsName, clusterApiServer, clusterName, FleetSize, Outdirs, SCENARIO, tenantDomain, tenantNamespace,
} from './scenarios';

const ADDRESS = SCENARIO.vaultAddress;
const ISSUER = 'vault-services';
const USAGES = ['digital signature', 'server auth', 'client auth'];
const CERT_MANAGER = { kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' };
const MANAGED_BY = 'cdk8s-vault-pki';
const HIERARCHY_LABELS = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'vault-pki.cdk8s.io/hierarchy': 'pki' };
const LABELS = { ...HIERARCHY_LABELS, 'vault-pki.cdk8s.io/issuer': ISSUER };
const RULE_LABELS = { ...SCENARIO.ruleLabels, ...LABELS };
/** Terraform runs in cdktf.out/stacks/<id>/: local state beside the output folder, never inside it. */
const statePath = (id: string) => `../../../terraform-state/${id}.tfstate`;
/** Argo CD's sync options: every custom resource skips the dry run (its CRD comes from a chart); Namespaces are never pruned. */
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'autoscaling', 'policy']);

/** One tenant on one cluster, for inventory.json. */
interface Placement {
  readonly cluster: string;
  readonly tenant: number;
  readonly stack: string;
}

export function buildBaselineScenario(size: FleetSize, outdirs: Outdirs): BuiltScenario {
  const tf = new TerraformApp({ outdir: outdirs.tf });
  const k8s = new App();
  const clusters = Array.from({ length: size.clusters }, (_, c) => clusterName(c));

  // Terraform, the platform's stack: the hierarchy, then per cluster its auth mount and CA ConfigMap.
  const platform = new TerraformStack(tf, SCENARIO.platformStack);
  new LocalBackend(platform, { path: statePath(SCENARIO.platformStack) });
  platform.addOverride('terraform.required_version', REQUIRED_VERSION);
  new VaultProvider(platform, 'vault', { address: ADDRESS });
  hierarchy(platform);
  for (const cluster of clusters) {
    const authPath = `kubernetes-${cluster}`;
    const auth = named(new AuthBackend(platform, `auth_${authPath}`, {
      type: 'kubernetes',
      path: authPath,
      description: `Kubernetes auth of cluster ${cluster} for cert-manager Issuers (cdk8s-vault-pki)`,
    }), `auth_${authPath}`);
    named(new KubernetesAuthBackendConfig(platform, `auth_${authPath}_config`, {
      backend: auth.path,
      kubernetesHost: clusterApiServer(cluster),
      disableIssValidation: true,
      disableLocalCaJwt: false,
    }), `auth_${authPath}_config`);
    // The cluster's CA publication: a stack of its own, reading the CA certificates from Vault's issuers.
    const publicationId = `${SCENARIO.platformStack}-ca-${cluster}`;
    const publication = new TerraformStack(tf, publicationId);
    new LocalBackend(publication, { path: statePath(publicationId) });
    new VaultProvider(publication, 'vault', { address: ADDRESS });
    const variableName = `kubeconfig_${cluster.replace(/-/g, '_')}`;
    const kubeconfig = new TerraformVariable(publication, variableName, {
      type: 'string', sensitive: false, description: `Path of a kubeconfig file holding cluster ${cluster}`, nullable: false,
    });
    const provider = new KubernetesProvider(publication, `kubernetes-${cluster}`, {
      alias: `kubernetes-${cluster}`, configPath: kubeconfig.stringValue, configContext: cluster,
    });
    const issuerCertificate = (mountPath: string, name: string) => {
      const data = new DataVaultPkiSecretBackendIssuer(publication, `issuer-${mountPath}_${name}`, { backend: mountPath, issuerRef: name });
      data.overrideLogicalId(`${mountPath}_${name}`);
      return data.certificate;
    };
    const rootCertificate = issuerCertificate('pki-root', 'root');
    const intermediateCertificate = issuerCertificate('pki-int-services', 'services');
    // The CA ConfigMap's keys: per CA generation, every root generation, every intermediate generation, all of them.
    named(new ConfigMapV1(publication, `${cluster}_pki_ca-certificates`, {
      provider,
      metadata: { name: 'pki-ca-certificates', namespace: 'cert-manager', labels: HIERARCHY_LABELS },
      data: {
        'root.crt': rootCertificate,
        'intermediate-services.crt': intermediateCertificate,
        'roots.crt': Token.asString(Fn.join('\n', [rootCertificate])),
        'intermediates.crt': Token.asString(Fn.join('\n', [intermediateCertificate])),
        'ca-certificates.crt': Token.asString(Fn.join('\n', [rootCertificate, intermediateCertificate])),
      },
    }), `${cluster}_pki_ca-certificates`);
    publication.addDependency(platform);
  }

  // Terraform, the tenant shards (a tenant's shard: the first 8 hex digits of its namespace's SHA-256, modulo 10).
  const shards = Array.from({ length: SCENARIO.shards }, (_, s) => {
    const id = `${SCENARIO.tenantStacks}-${String(s).padStart(2, '0')}`;
    const stack = new TerraformStack(tf, id);
    new LocalBackend(stack, { path: statePath(id) });
    stack.addOverride('terraform.required_version', REQUIRED_VERSION);
    new VaultProvider(stack, 'vault', { address: ADDRESS });
    return { id, stack, used: false };
  });

  // Kubernetes: one chart per cluster with the trust bundle and the alerts.
  const charts = clusters.map((cluster) => {
    const chart = new Chart(k8s, cluster);
    new ApiObject(chart, 'bundle', {
      apiVersion: 'trust.cert-manager.io/v1alpha1',
      kind: 'Bundle',
      metadata: { name: SCENARIO.trustBundle, labels: HIERARCHY_LABELS },
      spec: {
        sources: [{ configMap: { name: 'pki-ca-certificates', key: 'roots.crt' } }],
        target: { configMap: { key: 'ca-bundle.crt' }, namespaceSelector: { matchLabels: SCENARIO.trustNamespaceLabels } },
      },
    });
    new ApiObject(chart, 'alerts', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'pki-pki-alerts', namespace: 'monitoring', labels: { ...SCENARIO.ruleLabels, ...HIERARCHY_LABELS } },
      spec: ALERTS_SPEC,
    });
    return chart;
  });

  const placements: Placement[] = [];
  for (let i = 0; i < size.tenants; i++) {
    const ns = tenantNamespace(i);
    const role = `${ns}-${ISSUER}`;
    const signPath = `pki-int-services/sign/${role}`;
    const policyName = `pki-tenant-${role}`;
    const tfId = `pki_tenant_${role}`;
    const shard = shards[parseInt(createHash('sha256').update(ns, 'utf8').digest('hex').slice(0, 8), 16) % shards.length];
    const stack = shard.stack;
    if (!shard.used) {
      stack.addDependency(platform);
      shard.used = true;
    }

    // Terraform: the tenant's PKI role and policy, then one auth role per cluster.
    // A plain construct per tenant, so construct ids stay short (logical ids are set explicitly).
    const tenantScope = new Construct(stack, ns);
    named(new PkiSecretBackendRole(tenantScope, 'role', {
      backend: 'pki-int-services',
      name: role,
      // The mount's default issuer (the ACTIVE generation).
      issuerRef: 'default',
      ttl: '86400',
      maxTtl: '86400',
      notBeforeDuration: '30s',
      allowedDomains: [tenantDomain(i)],
      allowSubdomains: true,
      allowBareDomains: false,
      allowGlobDomains: false,
      allowAnyName: false,
      allowLocalhost: false,
      allowWildcardCertificates: false,
      allowIpSans: false,
      allowedDomainsTemplate: false,
      allowedUriSans: [],
      allowedUriSansTemplate: false,
      enforceHostnames: true,
      requireCn: false,
      useCsrCommonName: true,
      useCsrSans: true,
      keyType: 'ec',
      keyBits: 256,
      keyUsage: ['DigitalSignature'],
      extKeyUsage: [],
      serverFlag: true,
      clientFlag: true,
      codeSigningFlag: false,
      emailProtectionFlag: false,
      basicConstraintsValidForNonCa: false,
      noStore: true,
      generateLease: false,
    }), `${tfId}_role`);
    named(new Policy(tenantScope, 'policy', {
      name: policyName,
      policy: `# Tenant ${ns}/${ISSUER} (cdk8s-vault-pki): may sign CSRs with its own role, nothing else.\n`
        + `path "${signPath}" {\n  capabilities = ["create", "update"]\n}\n`,
    }), `${tfId}_policy`);

    for (const [c, cluster] of clusters.entries()) {
      named(new KubernetesAuthBackendRole(tenantScope, `auth-role-${cluster}`, {
        backend: `kubernetes-${cluster}`,
        roleName: role,
        boundServiceAccountNames: [ISSUER],
        boundServiceAccountNamespaces: [ns],
        audience: `vault://${ns}/${ISSUER}`,
        tokenPolicies: [policyName],
        tokenNoDefaultPolicy: true,
        tokenTtl: 300,
        tokenMaxTtl: 300,
      }), `${tfId}_auth-role_${cluster}`);
      placeOn(charts[c], cluster, i);
      placements.push({ cluster, tenant: i, stack: shard.id });
    }
  }

  return {
    writeGitOps: () => writeGitOpsTree(outdirs.gitops, charts, placements),
    synthTerraform: () => tf.synth(),
  };
}

/** The plan-time guards use plantimestamp() and strcontains() (Terraform 1.5). */
const REQUIRED_VERSION = '>= 1.5.0';
/** Who owns a mount, in its description. */
const OWNER = `(cdk8s-vault-pki, stack ${SCENARIO.platformStack})`;
/** Terraform refuses to destroy or replace CA material. */
const PROTECTED = { preventDestroy: true };
/** Usage of an ACTIVE CA issuer. */
const ISSUER_USAGE = 'crl-signing,issuing-certificates,ocsp-signing,read-only';

/** The hierarchy's Vault resources (root and intermediate mounts, one generation each) in the platform stack. */
function hierarchy(stack: TerraformStack): { rootCertificate: string; intermediateCertificate: string } {
  // Vault's mount table, read at plan time, and the guard against a dropped mount.
  named(new DataVaultGenericSecret(stack, 'vault-mounts', { path: 'sys/mounts' }), 'vault_pki_sys_mounts');
  named(new TerraformLocal(stack, 'vault-mounts-table', '${nonsensitive(jsondecode(data.vault_generic_secret.vault_pki_sys_mounts.data_json))}'),
    'vault_pki_mounts');
  const orphans = `[for path, mount in local.vault_pki_mounts : trimsuffix(path, "/") if strcontains(try(mount.description, ""), ${JSON.stringify(OWNER)}) `
    + '&& !contains(["pki-int-services","pki-root"], trimsuffix(path, "/"))]';
  named(new DataResource(stack, 'mount-inventory', {
    input: { stack: SCENARIO.platformStack, mounts: ['pki-int-services', 'pki-root'] },
    lifecycle: {
      precondition: [{
        condition: `\${length(${orphans}) == 0}`,
        errorMessage: `Vault holds mounts that stack '${SCENARIO.platformStack}' created and the program no longer has: \${join(", ", ${orphans})}. `
          + 'Applying would destroy each with every key, issuer and certificate in it. Put the CA back in the program (keep its '
          + "generations listed, RETIRED once they may go), or list the mount in the VaultPkiStack's 'decommissionedMounts' to destroy it on purpose",
      }],
    },
  }), 'vault_pki_mount_inventory');

  const rootMount = mount(stack, 'pki_root', 'pki-root', `Root CA acme-root-ca, signs intermediates only ${OWNER}`, 315360000, 315360000);
  const rootCert = named(new PkiSecretBackendRootCert(stack, 'pki_root_certificate', {
    backend: rootMount.path,
    type: 'internal',
    commonName: SCENARIO.rootCommonName,
    ttl: '315360000',
    keyType: 'ec',
    keyBits: 384,
    keyName: 'root',
    issuerName: 'root',
    maxPathLength: 1,
    excludeCnFromSans: true,
    format: 'pem',
    lifecycle: PROTECTED,
  }), 'pki_root_certificate');
  const rootIssuer = issuer(stack, 'pki_root', rootMount, 'pki-root', 'root', rootCert.issuerId);
  rotationGuard(stack, { prefix: 'pki_root', mount: 'pki-root', ca: 'the root', name: 'root', domains: [] });

  const intMount = mount(stack, 'pki_int_services', 'pki-int-services',
    `Intermediate CA services intermediate CA for services.internal ${OWNER}`, 86400, 172800);
  const csr = named(new PkiSecretBackendIntermediateCertRequest(stack, 'pki_int_services_csr', {
    backend: intMount.path,
    type: 'internal',
    commonName: 'services intermediate CA',
    keyType: 'ec',
    keyBits: 256,
    keyName: 'services',
    excludeCnFromSans: true,
    format: 'pem',
    lifecycle: PROTECTED,
  }), 'pki_int_services_csr');
  const signed = named(new PkiSecretBackendRootSignIntermediate(stack, 'pki_int_services_signed', {
    backend: rootMount.path,
    issuerRef: rootIssuer.issuerId,
    csr: csr.csr,
    commonName: 'services intermediate CA',
    ttl: '31536000',
    maxPathLength: 0,
    permittedDnsDomains: [SCENARIO.intermediateDomain],
    excludeCnFromSans: true,
    useCsrValues: false,
    format: 'pem',
    lifecycle: PROTECTED,
  }), 'pki_int_services_signed');
  const setSigned = named(new PkiSecretBackendIntermediateSetSigned(stack, 'pki_int_services_set-signed', {
    backend: intMount.path,
    certificate: signed.certificate,
    lifecycle: PROTECTED,
  }), 'pki_int_services_set-signed');
  issuer(stack, 'pki_int_services', intMount, 'pki-int-services', 'services', Token.asString(Fn.element(setSigned.importedIssuers, 0)));
  rotationGuard(stack, {
    prefix: 'pki_int_services',
    mount: 'pki-int-services',
    ca: "intermediate 'services'",
    name: 'services',
    domains: [SCENARIO.intermediateDomain],
    revocation: { rootMount: 'pki-root', serial: signed.serialNumber },
  });
  return { rootCertificate: rootCert.certificate, intermediateCertificate: signed.certificate };
}

/** A CA's named Vault issuer (with its own AIA and CRL URLs), and the mount's default issuer set to it. */
function issuer(stack: TerraformStack, id: string, m: Mount, mountPath: string, issuerName: string, issuerRef: string): PkiSecretBackendIssuer {
  const issuerPath = `${ADDRESS}/v1/${mountPath}/issuer/${issuerName}`;
  const created = named(new PkiSecretBackendIssuer(stack, `${id}_issuer`, {
    backend: m.path,
    issuerRef,
    issuerName,
    usage: ISSUER_USAGE,
    leafNotAfterBehavior: 'err',
    issuingCertificates: [`${issuerPath}/der`],
    crlDistributionPoints: [`${issuerPath}/crl/der`],
    ocspServers: [`${ADDRESS}/v1/${mountPath}/ocsp`],
    lifecycle: PROTECTED,
  }), `${id}_issuer`);
  named(new PkiSecretBackendConfigIssuers(stack, `${id}_default-issuer`, {
    backend: m.path,
    default: created.issuerId,
    defaultFollowsLatestIssuer: false,
  }), `${id}_default-issuer`);
  return created;
}

/** A PKI mount with its URLs, CRL and auto-tidy configuration. */
function mount(stack: TerraformStack, id: string, mountPath: string, description: string, defaultTtl: number, maxTtl: number): Mount {
  const m = named(new Mount(stack, `${id}_mount`, {
    path: mountPath,
    type: 'pki',
    description,
    defaultLeaseTtlSeconds: defaultTtl,
    maxLeaseTtlSeconds: maxTtl,
    passthroughRequestHeaders: ['If-Modified-Since'],
    allowedResponseHeaders: ['Last-Modified'],
    lifecycle: PROTECTED,
  }), `${id}_mount`);
  named(new PkiSecretBackendConfigUrls(stack, `${id}_urls`, {
    backend: m.path,
    issuingCertificates: [`${ADDRESS}/v1/${mountPath}/ca`],
    crlDistributionPoints: [`${ADDRESS}/v1/${mountPath}/crl`],
    ocspServers: [`${ADDRESS}/v1/${mountPath}/ocsp`],
  }), `${id}_urls`);
  named(new PkiSecretBackendCrlConfig(stack, `${id}_crl`, {
    backend: m.path, expiry: '72h', autoRebuild: true, autoRebuildGracePeriod: '12h',
  }), `${id}_crl`);
  named(new PkiSecretBackendConfigAutoTidy(stack, `${id}_auto-tidy`, {
    backend: m.path,
    enabled: true,
    intervalDuration: '12h',
    safetyBuffer: '72h',
    tidyCertStore: true,
    tidyRevokedCerts: true,
    tidyRevokedCertIssuerAssociations: true,
  }), `${id}_auto-tidy`);
  return m;
}

/**
 * A CA's plan-time guards at its first generation (ACTIVE): Vault's live state of the mount (config/issuers, issuers, keys,
 * each read only when the one before found something), the record of when the generation was first planned, and the guard
 * with its preconditions (no unlisted issuer in Vault, not revoked at the root, not a retired generation coming back).
 */
function rotationGuard(stack: TerraformStack, ca: {
  prefix: string; mount: string; ca: string; name: string; domains: string[]; revocation?: { rootMount: string; serial: string };
}): void {
  const { prefix, mount: mountPath, name } = ca;
  const exists = (p: string) => `contains(keys(local.vault_pki_mounts), ${JSON.stringify(`${p}/`)})`;
  const live = `local.${prefix}_vault`;
  named(new DataVaultGenericSecret(stack, `${prefix}-config-issuers`, {
    path: `${mountPath}/config/issuers`, count: Token.asNumber(`\${${exists(mountPath)} ? 1 : 0}`),
  }), `${prefix}_vault_config_issuers`);
  named(new TerraformLocal(stack, `${prefix}-default-issuer-id`,
    `\${try(nonsensitive(jsondecode(one(data.vault_generic_secret.${prefix}_vault_config_issuers[*].data_json)).default), "")}`),
  `${prefix}_vault_default_issuer_id`);
  const hasIssuers = Token.asNumber(`\${local.${prefix}_vault_default_issuer_id != "" ? 1 : 0}`);
  named(new DataVaultPkiSecretBackendIssuers(stack, `${prefix}-issuers`, { backend: mountPath, count: hasIssuers }), `${prefix}_vault_issuers`);
  named(new DataVaultPkiSecretBackendKeys(stack, `${prefix}-keys`, { backend: mountPath, count: hasIssuers }), `${prefix}_vault_keys`);
  const issuerInfo = `try(jsondecode(one(data.vault_pki_secret_backend_issuers.${prefix}_vault_issuers[*].key_info_json)), {})`;
  const keyInfo = `try(jsondecode(one(data.vault_pki_secret_backend_keys.${prefix}_vault_keys[*].key_info_json)), {})`;
  named(new TerraformLocal(stack, `${prefix}-vault`, {
    exists: `\${${exists(mountPath)}}`,
    default: `\${try(${issuerInfo}[local.${prefix}_vault_default_issuer_id].issuer_name, "")}`,
    issuers: `\${[for id, issuer in ${issuerInfo} : issuer.issuer_name]}`,
    keys: `\${[for id, key in ${keyInfo} : key.key_name]}`,
  }), `${prefix}_vault`);
  named(new DataResource(stack, `${prefix}-prepared`, { input: { at: '${plantimestamp()}' }, lifecycle: { ignoreChanges: ['input'] } }),
    `${prefix}_prepared`);

  const revocations: Record<string, string> = {};
  if (ca.revocation) {
    named(new DataVaultGenericSecret(stack, `${prefix}-revocation`, {
      path: `${ca.revocation.rootMount}/cert/${ca.revocation.serial}`,
      count: Token.asNumber(`\${${exists(ca.revocation.rootMount)} ? 1 : 0}`),
    }), `${prefix}_vault_revocation`);
    revocations[name] = `try(nonsensitive(jsondecode(one(data.vault_generic_secret.${prefix}_vault_revocation[*].data_json)).revocation_time_rfc3339), "")`;
  }
  const unlisted = `[for name in ${live}.issuers : name if name != "" && !contains(${JSON.stringify([name])}, name)]`;
  const precondition = [{
    condition: `\${!${live}.exists || length(${unlisted}) == 0}`,
    errorMessage: `Vault holds issuers of ${ca.ca} in ${mountPath} that the program does not list (\${join(", ", ${unlisted})}): Terraform would `
      + 'delete them while leaves they signed may be alive or roles sign with them. The program is older than what was applied, or dropped a '
      + 'generation: keep every generation listed (RETIRED once it may go)',
  }];
  if (revocations[name] !== undefined) {
    precondition.push({
      condition: `\${${revocations[name]} == ""}`,
      errorMessage: `generation 1 of ${ca.ca} (${name}) is ACTIVE, but Vault revoked its certificate at \${${revocations[name]}}: it was compromised. `
        + "Keep it marked 'compromised' (DRAINING, then RETIRED) and sign with another generation",
    });
  }
  precondition.push({
    condition: `\${!${live}.exists || contains(${live}.issuers, ${JSON.stringify(name)}) || !contains(${live}.keys, ${JSON.stringify(name)})}`,
    errorMessage: `generation 1 of ${ca.ca} is ACTIVE, but Vault deleted its issuer '${name}' in ${mountPath} (it was RETIRED) and keeps its key: `
      + 'a retired generation cannot come back; add generation 2 instead',
  });
  named(new DataResource(stack, `${prefix}-rotation-guard`, {
    input: {
      mount: mountPath,
      ca: ca.ca,
      prefix,
      active: name,
      generations: [{ generation: 1, name, state: 'active', compromised: false }],
      domains: ca.domains,
      revocations,
    },
    lifecycle: { precondition },
  }), `${prefix}_rotation_guard`);
}

function named<T extends { overrideLogicalId(id: string): void }>(resource: T, logicalId: string): T {
  resource.overrideLogicalId(logicalId);
  return resource;
}

/** Tenant `i` on one cluster: Issuer, service account, RBAC, approver-policy, recording rule and two certificates. */
function placeOn(chart: Chart, cluster: string, i: number): void {
  const ns = tenantNamespace(i);
  const role = `${ns}-${ISSUER}`;
  const tokenRole = `${ISSUER}-vault-token`;
  const useRole = `${ISSUER}-approver-policy`;
  const metadata = (name: string) => ({ name, namespace: ns, labels: LABELS });
  new ApiObject(chart, `${ns}-sa`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata(ISSUER),
    automountServiceAccountToken: false,
  });
  new ApiObject(chart, `${ns}-token-role`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: metadata(tokenRole),
    rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [ISSUER], verbs: ['create'] }],
  });
  new ApiObject(chart, `${ns}-token-binding`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: metadata(tokenRole),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: tokenRole },
    subjects: [CERT_MANAGER],
  });
  new ApiObject(chart, `${ns}-issuer`, {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Issuer',
    metadata: metadata(ISSUER),
    spec: {
      vault: {
        server: ADDRESS,
        path: `pki-int-services/sign/${role}`,
        auth: { kubernetes: { role, mountPath: `/v1/auth/kubernetes-${cluster}`, serviceAccountRef: { name: ISSUER } } },
      },
    },
  });
  new ApiObject(chart, `${ns}-approver-policy`, {
    apiVersion: 'policy.cert-manager.io/v1alpha1',
    kind: 'CertificateRequestPolicy',
    metadata: { name: role, labels: LABELS },
    spec: {
      allowed: {
        dnsNames: {
          values: [`*.${tenantDomain(i)}`],
          required: true,
          validations: [{ rule: "!self.contains('*')", message: `wildcard DNS names are not allowed for Issuer ${ns}/${ISSUER}` }],
        },
        usages: USAGES,
        isCA: false,
      },
      constraints: { maxDuration: '24h', privateKey: { algorithm: 'ECDSA', minSize: 256, maxSize: 256 } },
      selector: {
        issuerRef: { name: ISSUER, kind: 'Issuer', group: 'cert-manager.io' },
        namespace: { matchNames: [ns] },
      },
    },
  });
  new ApiObject(chart, `${ns}-use-role`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: metadata(useRole),
    rules: [{ apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], resourceNames: [role], verbs: ['use'] }],
  });
  new ApiObject(chart, `${ns}-use-binding`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: metadata(useRole),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: useRole },
    subjects: [CERT_MANAGER],
  });
  new ApiObject(chart, `${ns}-recording-rule`, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `${ISSUER}-vault-pki`, namespace: ns, labels: RULE_LABELS },
    spec: {
      groups: [{
        name: `vault-pki.tenant.${ns}.${ISSUER}`,
        rules: [{
          record: 'vault_pki:tenant_max_duration_seconds',
          expr: 'vector(86400)',
          labels: { exported_namespace: ns, issuer_name: ISSUER, issuer_kind: 'Issuer', hierarchy: 'pki', intermediate: 'services' },
        }],
      }],
    },
  });
  for (const service of SCENARIO.services) {
    new ApiObject(chart, `${ns}-${service}`, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: metadata(service),
      spec: {
        secretName: `${service}-tls`,
        issuerRef: { name: ISSUER, kind: 'Issuer', group: 'cert-manager.io' },
        dnsNames: [certificateDnsName(service, i)],
        duration: '24h',
        renewBefore: '8h',
        privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
        isCA: false,
        usages: USAGES,
        secretTemplate: { labels: LABELS },
        revisionHistoryLimit: 1,
      },
    });
  }
}

/**
 * The GitOps tree: `clusters/<cluster>/<namespace or _cluster>/<kind>-<name>.yaml`, a kustomization.yaml per folder
 * and per cluster, and inventory.json. Each ApiObject is rendered once with its own toJson() (nothing to resolve
 * across charts: the baseline has no dependencies and no validations).
 */
function writeGitOpsTree(outdir: string, charts: Chart[], placements: Placement[]): void {
  for (const owned of ['clusters', 'argocd', 'inventory.json']) fs.rmSync(path.join(outdir, owned), { recursive: true, force: true });
  for (const chart of [...charts].sort((a, b) => compare(a.node.id, b.node.id))) {
    const cluster = chart.node.id;
    const folders = new Map<string, Map<string, string>>();
    const add = (object: any) => {
      const folder = object.metadata.namespace ?? '_cluster';
      const files = folders.get(folder) ?? new Map<string, string>();
      files.set(`${String(object.kind).toLowerCase()}-${object.metadata.name}.yaml`, Yaml.stringify(object));
      folders.set(folder, files);
    };
    for (const child of chart.node.children) {
      if (!(child instanceof ApiObject)) continue;
      const object = child.toJson();
      const group = String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/')[0] : '';
      const custom = !(BUILT_IN_GROUPS.has(group) || group.endsWith('.k8s.io'));
      add(custom ? { ...object, metadata: { ...object.metadata, annotations: { [SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true' } } } : object);
    }
    // Every tenant namespace of the cluster, labelled for the trust bundle, never pruned.
    for (const ns of [...new Set(placements.filter((p) => p.cluster === cluster).map((p) => tenantNamespace(p.tenant)))].sort()) {
      add({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { ...SCENARIO.trustNamespaceLabels, 'app.kubernetes.io/managed-by': MANAGED_BY }, annotations: { [SYNC_OPTIONS]: 'Prune=false' } },
      });
    }
    const folderNames = [...folders.keys()].sort();
    for (const folder of folderNames) {
      const dir = path.join(outdir, 'clusters', cluster, folder);
      fs.mkdirSync(dir, { recursive: true });
      const files = folders.get(folder)!;
      const names = [...files.keys()].sort();
      for (const name of names) fs.writeFileSync(path.join(dir, name), files.get(name)!);
      fs.writeFileSync(path.join(dir, 'kustomization.yaml'), kustomization(names));
    }
    fs.writeFileSync(path.join(outdir, 'clusters', cluster, 'kustomization.yaml'), kustomization(folderNames));
  }

  const tenants = placements.map((p) => {
    const ns = tenantNamespace(p.tenant);
    const role = `${ns}-${ISSUER}`;
    return {
      cluster: p.cluster,
      namespace: ns,
      issuer: ISSUER,
      folder: `clusters/${p.cluster}/${ns}`,
      hierarchy: 'pki',
      intermediate: 'services',
      vault: {
        address: ADDRESS,
        terraformStack: p.stack,
        pkiMount: 'pki-int-services',
        pkiRole: role,
        signPath: `pki-int-services/sign/${role}`,
        policy: `pki-tenant-${role}`,
        authMount: `kubernetes-${p.cluster}`,
        authRole: role,
        audience: `vault://${ns}/${ISSUER}`,
        serviceAccount: ISSUER,
      },
      domains: [tenantDomain(p.tenant)],
      maxDuration: '24h',
      keyAlgorithm: 'ECDSA P-256',
      usages: USAGES,
      certificates: SCENARIO.services.map((service) => ({
        name: service,
        secretName: `${service}-tls`,
        dnsNames: [certificateDnsName(service, p.tenant)],
        ipAddresses: [],
        uris: [],
        duration: '24h',
        renewBefore: '8h',
      })),
    };
  }).sort((a, b) => compare(a.cluster, b.cluster) || compare(a.namespace, b.namespace));
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, 'inventory.json'), `${JSON.stringify({ generatedBy: MANAGED_BY, tenants }, undefined, 2)}\n`);
}

function kustomization(resources: string[]): string {
  return Yaml.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
