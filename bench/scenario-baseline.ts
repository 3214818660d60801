// The raw baseline: the very objects the library emits for the scenario, written by hand as plain
// cdk8s ApiObjects and plain cdktf provider-vault resources: no validation, no derivation, no
// intermediate constructs, no generated CRD classes, no cdk8s-plus. The bench checks that both
// outputs are equivalent before it measures anything.
import { AuthBackend } from '@cdktf/provider-vault/lib/auth-backend';
import { KubernetesAuthBackendConfig } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-config';
import { KubernetesAuthBackendRole } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-role';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { PkiSecretBackendConfigAutoTidy } from '@cdktf/provider-vault/lib/pki-secret-backend-config-auto-tidy';
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
import { ApiObject, App, Chart } from 'cdk8s';
import { App as TerraformApp, Fn, LocalBackend, TerraformStack, Token } from 'cdktf';
import {
  BuiltScenario, Outdirs, SCENARIO, tenantCertificateDnsName, tenantDomain, tenantNamespace,
} from './scenarios';

const ADDRESS = SCENARIO.vaultAddress;
const ISSUER = 'vault-services';
const USAGES = ['digital signature', 'server auth', 'client auth'];
const CERT_MANAGER = { kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' };

export function buildBaselineScenario(tenants: number, outdirs: Outdirs): BuiltScenario {
  const k8s = new App({ outdir: outdirs.k8s });
  const tf = new TerraformApp({ outdir: outdirs.tf });
  const stack = new TerraformStack(tf, SCENARIO.stackId);
  new LocalBackend(stack, { path: `terraform.${SCENARIO.stackId}.tfstate` });
  new VaultProvider(stack, 'vault', { address: ADDRESS });
  const chart = new Chart(k8s, SCENARIO.chartId);

  // The hierarchy: Kubernetes auth, root CA mount, intermediate CA mount (Terraform only).
  const auth = new AuthBackend(stack, 'auth_kubernetes', {
    type: 'kubernetes',
    path: 'kubernetes',
    description: 'Kubernetes auth for cert-manager Issuers (cdk8s-vault-pki)',
  });
  new KubernetesAuthBackendConfig(stack, 'auth_kubernetes_config', {
    backend: auth.path,
    kubernetesHost: 'https://kubernetes.default.svc',
  });

  const rootMount = new Mount(stack, 'pki_root_mount', {
    path: 'pki-root',
    type: 'pki',
    description: 'Root CA acme-root-ca (cdk8s-vault-pki): signs intermediates only',
    defaultLeaseTtlSeconds: 315360000,
    maxLeaseTtlSeconds: 315360000,
  });
  new PkiSecretBackendConfigUrls(stack, 'pki_root_urls', {
    backend: rootMount.path,
    issuingCertificates: [`${ADDRESS}/v1/pki-root/ca`],
    crlDistributionPoints: [`${ADDRESS}/v1/pki-root/crl`],
  });
  new PkiSecretBackendCrlConfig(stack, 'pki_root_crl', {
    backend: rootMount.path, expiry: '72h', autoRebuild: true, autoRebuildGracePeriod: '12h',
  });
  new PkiSecretBackendConfigAutoTidy(stack, 'pki_root_auto-tidy', {
    backend: rootMount.path,
    enabled: true,
    intervalDuration: '12h',
    safetyBuffer: '72h',
    tidyCertStore: true,
    tidyRevokedCerts: true,
    tidyRevokedCertIssuerAssociations: true,
  });
  const rootCert = new PkiSecretBackendRootCert(stack, 'pki_root_certificate', {
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
  });

  const intMount = new Mount(stack, 'pki_int_services_mount', {
    path: 'pki-int-services',
    type: 'pki',
    description: 'Intermediate CA services intermediate CA for services.internal (cdk8s-vault-pki)',
    defaultLeaseTtlSeconds: 86400,
    maxLeaseTtlSeconds: 172800,
  });
  new PkiSecretBackendConfigUrls(stack, 'pki_int_services_urls', {
    backend: intMount.path,
    issuingCertificates: [`${ADDRESS}/v1/pki-int-services/ca`],
    crlDistributionPoints: [`${ADDRESS}/v1/pki-int-services/crl`],
  });
  new PkiSecretBackendCrlConfig(stack, 'pki_int_services_crl', {
    backend: intMount.path, expiry: '72h', autoRebuild: true, autoRebuildGracePeriod: '12h',
  });
  new PkiSecretBackendConfigAutoTidy(stack, 'pki_int_services_auto-tidy', {
    backend: intMount.path,
    enabled: true,
    intervalDuration: '12h',
    safetyBuffer: '72h',
    tidyCertStore: true,
    tidyRevokedCerts: true,
    tidyRevokedCertIssuerAssociations: true,
  });
  const csr = new PkiSecretBackendIntermediateCertRequest(stack, 'pki_int_services_csr', {
    backend: intMount.path,
    type: 'internal',
    commonName: 'services intermediate CA',
    keyType: 'ec',
    keyBits: 256,
    keyName: 'services',
    excludeCnFromSans: true,
    format: 'pem',
  });
  const signed = new PkiSecretBackendRootSignIntermediate(stack, 'pki_int_services_signed', {
    backend: rootMount.path,
    issuerRef: rootCert.issuerId,
    csr: csr.csr,
    commonName: 'services intermediate CA',
    ttl: '31536000',
    maxPathLength: 0,
    permittedDnsDomains: [SCENARIO.intermediateDomain],
    excludeCnFromSans: true,
    useCsrValues: false,
    format: 'pem',
  });
  const setSigned = new PkiSecretBackendIntermediateSetSigned(stack, 'pki_int_services_set-signed', {
    backend: intMount.path,
    certificate: signed.certificate,
  });
  const issuer = new PkiSecretBackendIssuer(stack, 'pki_int_services_issuer', {
    backend: intMount.path,
    issuerRef: Token.asString(Fn.element(setSigned.importedIssuers, 0)),
    issuerName: 'services',
    leafNotAfterBehavior: 'err',
  });

  // One token per referenced attribute, reused by every tenant (each `.path` read creates a new token,
  // with a captured stack trace): the library does the same, and it keeps the baseline lean.
  const intMountPath = intMount.path;
  const issuerId = issuer.issuerId;
  const authPath = auth.path;

  for (let i = 0; i < tenants; i++) {
    const ns = tenantNamespace(i);
    const role = `${ns}-${ISSUER}`;
    const signPath = `pki-int-services/sign/${role}`;
    const tfId = `pki_tenant_${role}`;

    // Terraform: PKI role, policy, Kubernetes auth role.
    new PkiSecretBackendRole(stack, `${tfId}_role`, {
      backend: intMountPath,
      name: role,
      issuerRef: issuerId,
      ttl: '86400',
      maxTtl: '86400',
      notBeforeDuration: '30',
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
    });
    const policy = new Policy(stack, `${tfId}_policy`, {
      name: `pki-tenant-${role}`,
      policy: `# Tenant ${ns}/${ISSUER} (cdk8s-vault-pki): may sign CSRs with its own role, nothing else.\n`
        + `path "${signPath}" {\n  capabilities = ["create", "update"]\n}\n`,
    });
    new KubernetesAuthBackendRole(stack, `${tfId}_auth-role`, {
      backend: authPath,
      roleName: role,
      boundServiceAccountNames: [ISSUER],
      boundServiceAccountNamespaces: [ns],
      audience: `vault://${ns}/${ISSUER}`,
      tokenPolicies: [policy.name],
      tokenNoDefaultPolicy: true,
      tokenTtl: 300,
      tokenMaxTtl: 300,
    });

    // Kubernetes: the 7 objects of the TenantIssuer, then the Certificate; all with the same labels.
    const labels = {
      'app.kubernetes.io/managed-by': 'cdk8s-vault-pki',
      'vault-pki.cdk8s.io/hierarchy': 'pki',
      'vault-pki.cdk8s.io/issuer': ISSUER,
    };
    const tokenRole = `${ISSUER}-vault-token`;
    const useRole = `${ISSUER}-approver-policy`;
    new ApiObject(chart, `${ns}-sa`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: ISSUER, namespace: ns, labels },
      automountServiceAccountToken: false,
    });
    new ApiObject(chart, `${ns}-token-role`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: tokenRole, namespace: ns, labels },
      rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [ISSUER], verbs: ['create'] }],
    });
    new ApiObject(chart, `${ns}-token-binding`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: tokenRole, namespace: ns, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: tokenRole },
      subjects: [CERT_MANAGER],
    });
    new ApiObject(chart, `${ns}-issuer`, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name: ISSUER, namespace: ns, labels },
      spec: {
        vault: {
          server: ADDRESS,
          path: signPath,
          auth: { kubernetes: { role, mountPath: '/v1/auth/kubernetes', serviceAccountRef: { name: ISSUER } } },
        },
      },
    });
    new ApiObject(chart, `${ns}-approver-policy`, {
      apiVersion: 'policy.cert-manager.io/v1alpha1',
      kind: 'CertificateRequestPolicy',
      metadata: { name: role, labels },
      spec: {
        allowed: {
          dnsNames: {
            values: [`*.${tenantDomain(i)}`],
            required: true,
            validations: [{ rule: "!self.startsWith('*')", message: `wildcard DNS names are not allowed for Issuer ${ns}/${ISSUER}` }],
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
      metadata: { name: useRole, namespace: ns, labels },
      rules: [{ apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], resourceNames: [role], verbs: ['use'] }],
    });
    new ApiObject(chart, `${ns}-use-binding`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: useRole, namespace: ns, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: useRole },
      subjects: [CERT_MANAGER],
    });

    new ApiObject(chart, `${ns}-mtls`, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: `${ns}-mtls`, namespace: ns, labels },
      spec: {
        secretName: `${ns}-mtls-tls`,
        issuerRef: { name: ISSUER, kind: 'Issuer', group: 'cert-manager.io' },
        dnsNames: [tenantCertificateDnsName(i)],
        duration: '24h',
        renewBefore: '8h',
        privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
        isCA: false,
        usages: USAGES,
        secretTemplate: { labels },
        revisionHistoryLimit: 1,
      },
    });
  }
  return { k8s, tf };
}
