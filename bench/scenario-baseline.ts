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
import { App as TerraformApp, Fn, LocalBackend, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ALERTS_SPEC } from './baseline-alerts';
import {
  BuiltScenario, certificateDnsName, clusterName, FleetSize, Outdirs, SCENARIO, tenantDomain, tenantNamespace,
} from './scenarios';

const ADDRESS = SCENARIO.vaultAddress;
const ISSUER = 'vault-services';
const USAGES = ['digital signature', 'server auth', 'client auth'];
const CERT_MANAGER = { kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' };
const MANAGED_BY = 'cdk8s-vault-pki';
const HIERARCHY_LABELS = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'vault-pki.cdk8s.io/hierarchy': 'pki' };
const LABELS = { ...HIERARCHY_LABELS, 'vault-pki.cdk8s.io/issuer': ISSUER };
const RULE_LABELS = { ...SCENARIO.ruleLabels, ...LABELS };

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
  new LocalBackend(platform, { path: `terraform.${SCENARIO.platformStack}.tfstate` });
  new VaultProvider(platform, 'vault', { address: ADDRESS });
  const { rootCertificate, intermediateCertificate } = hierarchy(platform);
  // The CA ConfigMap's keys: per CA generation, every root generation, every intermediate generation, all of them.
  const caData = {
    'root.crt': rootCertificate,
    'intermediate-services.crt': intermediateCertificate,
    'roots.crt': Token.asString(Fn.join('\n', [rootCertificate])),
    'intermediates.crt': Token.asString(Fn.join('\n', [intermediateCertificate])),
    'ca-certificates.crt': Token.asString(Fn.join('\n', [rootCertificate, intermediateCertificate])),
  };
  for (const cluster of clusters) {
    const authPath = `kubernetes-${cluster}`;
    const auth = named(new AuthBackend(platform, `auth_${authPath}`, {
      type: 'kubernetes',
      path: authPath,
      description: `Kubernetes auth of cluster ${cluster} for cert-manager Issuers (cdk8s-vault-pki)`,
    }), `auth_${authPath}`);
    named(new KubernetesAuthBackendConfig(platform, `auth_${authPath}_config`, {
      backend: auth.path,
      kubernetesHost: 'https://kubernetes.default.svc',
      disableIssValidation: true,
      disableLocalCaJwt: false,
    }), `auth_${authPath}_config`);
    const provider = new KubernetesProvider(platform, `kubernetes-${cluster}`, { alias: `kubernetes-${cluster}`, configContext: cluster });
    named(new ConfigMapV1(platform, `${cluster}_pki_ca-certificates`, {
      provider,
      metadata: { name: 'pki-ca-certificates', namespace: 'cert-manager', labels: HIERARCHY_LABELS },
      data: caData,
    }), `${cluster}_pki_ca-certificates`);
  }

  // Terraform, the tenant shards (a tenant's shard: the first 8 hex digits of its namespace's SHA-256, modulo 10).
  const shards = Array.from({ length: SCENARIO.shards }, (_, s) => {
    const id = `${SCENARIO.tenantStacks}-${String(s).padStart(2, '0')}`;
    const stack = new TerraformStack(tf, id);
    new LocalBackend(stack, { path: `terraform.${id}.tfstate` });
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

/** Terraform refuses to destroy or replace CA material. */
const PROTECTED = { preventDestroy: true };
/** Usage of an ACTIVE CA issuer. */
const ISSUER_USAGE = 'crl-signing,issuing-certificates,ocsp-signing,read-only';

/** The hierarchy's Vault resources (root and intermediate mounts, one generation each) in the platform stack. */
function hierarchy(stack: TerraformStack): { rootCertificate: string; intermediateCertificate: string } {
  const rootMount = mount(stack, 'pki_root', 'pki-root', 'Root CA acme-root-ca (cdk8s-vault-pki): signs intermediates only', 315360000, 315360000);
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

  const intMount = mount(stack, 'pki_int_services', 'pki-int-services',
    'Intermediate CA services intermediate CA for services.internal (cdk8s-vault-pki)', 86400, 172800);
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
    lifecycle: PROTECTED,
  }), `${id}_mount`);
  named(new PkiSecretBackendConfigUrls(stack, `${id}_urls`, {
    backend: m.path,
    issuingCertificates: [`${ADDRESS}/v1/${mountPath}/ca`],
    crlDistributionPoints: [`${ADDRESS}/v1/${mountPath}/crl`],
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
    for (const child of chart.node.children) {
      if (!(child instanceof ApiObject)) continue;
      const object = child.toJson();
      const folder = object.metadata.namespace ?? '_cluster';
      const files = folders.get(folder) ?? new Map<string, string>();
      files.set(`${String(object.kind).toLowerCase()}-${object.metadata.name}.yaml`, Yaml.stringify(object));
      folders.set(folder, files);
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
