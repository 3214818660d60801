import { Duration, Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import {
  ClusterChart, IntermediateCa, KeyAlgorithm, KeyUsage, PkiCluster, PkiNames, Tenant, TenantProps, VaultPkiStack, VaultServerCa,
} from '../src';
import {
  celAccepts, errorOf, EXAMPLE_CA_PEM, hierarchyOf, newScope, newTenant, objects, resolveRef, resource, resources, synthBoth,
} from './util';
import { RequesterPolicy } from '../src/tenants/requester-policy';

/** Only the tenant's Terraform resources (role, policy, auth role). */
function tenantTerraform(terraform: any) {
  return {
    role: resource(terraform, 'vault_pki_secret_backend_role'),
    policy: resource(terraform, 'vault_policy'),
    authRole: resource(terraform, 'vault_kubernetes_auth_backend_role'),
  };
}

describe('Tenant (Vault half) placed on a cluster (TenantIssuer)', () => {
  test('snapshot of a default tenant (both sides)', () => {
    const scope = newScope();
    newTenant(scope);
    const { manifests, terraform } = synthBoth(scope);
    expect({ manifests, terraform: tenantTerraform(terraform) }).toMatchSnapshot();
  });

  describe('defaults', () => {
    const scope = newScope();
    const tenant = newTenant(scope);
    const { manifests, terraform } = synthBoth(scope);
    const { role, policy, authRole } = tenantTerraform(terraform);

    test('H3: a hardened PKI role on the intermediate, every permissive switch explicitly off', () => {
      // Plain values (an imported intermediate derives the same), ordered after the issuer exists in this stack.
      expect(role.backend).toBe('pki-int-services');
      expect(role.name).toBe('payments-vault-services');
      expect(role.issuer_ref).toBe('default');
      expect(role.depends_on).toEqual(['vault_pki_secret_backend_config_issuers.pki_int_services_default-issuer']);
      expect([role.ttl, role.max_ttl]).toEqual(['86400', '86400']);
      for (const flag of ['allow_localhost', 'allow_ip_sans', 'allow_wildcard_certificates', 'allow_glob_domains', 'allow_any_name',
        'allow_bare_domains', 'generate_lease', 'require_cn', 'code_signing_flag', 'email_protection_flag', 'basic_constraints_valid_for_non_ca',
        'allowed_domains_template', 'allowed_uri_sans_template']) {
        expect([flag, role[flag]]).toEqual([flag, false]);
      }
      expect(role.allow_subdomains).toBe(true);
      expect(role.enforce_hostnames).toBe(true);
      expect(role.no_store).toBe(true);
      expect(role.allowed_domains).toEqual(['payments.services.internal']);
      expect(role.allowed_uri_sans).toEqual([]);
      expect([role.key_type, role.key_bits, role.key_usage, role.ext_key_usage]).toEqual(['ec', 256, ['DigitalSignature'], []]);
      expect([role.server_flag, role.client_flag]).toEqual([true, true]);
    });

    test('H4: a policy with create/update on exactly <mount>/sign/<role>', () => {
      expect(policy.name).toBe('pki-tenant-payments-vault-services');
      const rules = [...policy.policy.matchAll(/path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]\s*\}/g)];
      expect(rules.map((r: string[]) => [r[1], r[2]])).toEqual([['pki-int-services/sign/payments-vault-services', '"create", "update"']]);
      expect(policy.policy.replace(/#.*$/gm, '').replace(/path "[^"]+" \{[^}]*\}/g, '').trim()).toBe('');
    });

    test('H5: an auth role bound to one service account in one namespace, tenant policy only, short tokens', () => {
      expect(resolveRef(terraform, authRole.backend)).toBe('kubernetes-primary');
      expect(authRole.role_name).toBe('payments-vault-services');
      expect(authRole.bound_service_account_names).toEqual(['vault-services']);
      expect(authRole.bound_service_account_namespaces).toEqual(['payments']);
      expect(authRole.audience).toBe('vault://payments/vault-services');
      expect(authRole.token_policies.map((p: string) => resolveRef(terraform, p))).toEqual([policy.name]);
      expect(authRole.token_no_default_policy).toBe(true);
      expect(authRole.token_ttl).toBeLessThanOrEqual(600);
      expect(authRole.token_max_ttl).toBe(authRole.token_ttl);
    });

    test('H6: a namespaced Issuer whose path, role, mountPath and service account equal the Terraform', () => {
      expect(objects(manifests, 'ClusterIssuer')).toEqual([]);
      const [issuer] = objects(manifests, 'Issuer');
      expect(issuer.metadata).toMatchObject({ name: 'vault-services', namespace: 'payments' });
      expect(issuer.spec.vault.server).toBe('https://vault.internal:8200');
      expect(issuer.spec.vault.path).toBe(`${role.backend}/sign/${role.name}`);
      expect(issuer.spec.vault.auth.kubernetes).toEqual({
        role: authRole.role_name,
        mountPath: `/v1/auth/${resolveRef(terraform, authRole.backend)}`,
        serviceAccountRef: { name: authRole.bound_service_account_names[0] },
      });
      expect(tenant.tenant.signPath).toBe(issuer.spec.vault.path);
    });

    test('H6: the service account mounts no token; cert-manager may create tokens for it only', () => {
      const [sa] = objects(manifests, 'ServiceAccount');
      expect(sa).toMatchObject({ metadata: { name: 'vault-services', namespace: 'payments' }, automountServiceAccountToken: false });
      const tokenRole = objects(manifests, 'Role', 'vault-services-vault-token')[0];
      expect(tokenRole.metadata.namespace).toBe('payments');
      expect(tokenRole.rules).toEqual([{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['vault-services'], verbs: ['create'] }]);
      const binding = objects(manifests, 'RoleBinding', 'vault-services-vault-token')[0];
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'vault-services-vault-token' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }]);
    });

    test('H7: a CertificateRequestPolicy selecting that Issuer in that namespace, with real field names', () => {
      const [crp] = objects(manifests, 'CertificateRequestPolicy');
      expect(crp.apiVersion).toBe('policy.cert-manager.io/v1alpha1');
      expect(crp.metadata.namespace).toBeUndefined(); // cluster-scoped
      expect(crp.spec.selector).toEqual({
        issuerRef: { name: 'vault-services', kind: 'Issuer', group: 'cert-manager.io' },
        namespace: { matchNames: ['payments'] },
      });
      expect(crp.spec.constraints).toEqual({ maxDuration: '24h', privateKey: { algorithm: 'ECDSA', minSize: 256, maxSize: 256 } });
      expect(crp.spec.allowed.duration).toBeUndefined(); // the blog-post mistake: duration lives in constraints
      expect(crp.spec.allowed.isCA).toBe(false);
      expect(crp.spec.allowed.dnsNames).toEqual({
        values: ['*.payments.services.internal'],
        required: true,
        validations: [{ rule: "!self.contains('*')", message: 'wildcard DNS names are not allowed for Issuer payments/vault-services' }],
      });
      expect(crp.spec.allowed.usages).toEqual(['digital signature', 'server auth', 'client auth']);
      expect(crp.spec.allowed.commonName).toBeUndefined();
      expect(crp.spec.allowed.ipAddresses).toBeUndefined();
      expect(crp.spec.allowed.uris).toBeUndefined();
    });

    test('H7: cert-manager may `use` the policy in the tenant namespace only (Role, not ClusterRole)', () => {
      expect(objects(manifests, 'ClusterRole')).toEqual([]);
      expect(objects(manifests, 'ClusterRoleBinding')).toEqual([]);
      const useRole = objects(manifests, 'Role', 'vault-services-approver-policy')[0];
      expect(useRole.metadata.namespace).toBe('payments');
      expect(useRole.rules).toEqual([{
        apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], resourceNames: ['payments-vault-services'], verbs: ['use'],
      }]);
      const binding = objects(manifests, 'RoleBinding', 'vault-services-approver-policy')[0];
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }]);
    });

    test('every object carries the library labels', () => {
      for (const m of manifests) {
        expect(m.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': PkiNames.MANAGED_BY, [PkiNames.ISSUER_LABEL]: 'vault-services' });
      }
    });
  });

  describe('options', () => {
    test('a custom issuer name, cert-manager identity, maxDuration, token TTL and RSA keys flow to both sides', () => {
      const scope = newScope({ chart: { certManagerNamespace: 'security', certManagerServiceAccount: 'cm' } });
      newTenant(scope, {
        issuerName: 'payments-ca',
        maxDuration: Duration.hours(48),
        tokenTtl: Duration.minutes(10),
        keyAlgorithm: KeyAlgorithm.rsa(3072),
        serverAuth: false,
      });
      const { manifests, terraform } = synthBoth(scope);
      const { role, authRole } = tenantTerraform(terraform);
      expect([role.name, role.ttl, role.max_ttl, role.key_type, role.key_bits]).toEqual(['payments-payments-ca', '86400', '172800', 'rsa', 3072]);
      expect(role.key_usage).toEqual(['DigitalSignature', 'KeyEncipherment']);
      expect([role.server_flag, role.client_flag]).toEqual([false, true]);
      expect([authRole.audience, authRole.token_ttl]).toEqual(['vault://payments/payments-ca', 600]);
      const [crp] = objects(manifests, 'CertificateRequestPolicy');
      expect(crp.spec.constraints).toEqual({ maxDuration: '48h', privateKey: { algorithm: 'RSA', minSize: 3072, maxSize: 3072 } });
      expect(crp.spec.allowed.usages).toEqual(['digital signature', 'key encipherment', 'client auth']);
      for (const b of objects(manifests, 'RoleBinding')) expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cm', namespace: 'security' }]);
    });

    test('Ed25519: no key size in the policy, key_bits 0 in Vault', () => {
      const scope = newScope();
      newTenant(scope, { keyAlgorithm: KeyAlgorithm.ED25519 });
      const { manifests, terraform } = synthBoth(scope);
      expect([tenantTerraform(terraform).role.key_type, tenantTerraform(terraform).role.key_bits]).toEqual(['ed25519', 0]);
      expect(objects(manifests, 'CertificateRequestPolicy')[0].spec.constraints.privateKey).toEqual({ algorithm: 'Ed25519' });
    });

    test('opt-in wildcards', () => {
      const scope = newScope();
      newTenant(scope, { allowWildcards: true });
      const { manifests, terraform } = synthBoth(scope);
      expect(tenantTerraform(terraform).role.allow_wildcard_certificates).toBe(true);
      expect(objects(manifests, 'CertificateRequestPolicy')[0].spec.allowed.dnsNames.validations).toEqual([{
        rule: "self.matches('^([*][.])?[^*]+$')",
        message: 'a wildcard is allowed only as the whole leftmost label (*.name) for Issuer payments/vault-services',
      }]);
    });

    test("approver-policy's CEL rules, evaluated: no '*' anywhere without the opt-in, a whole leftmost label with it", () => {
      // approver-policy v0.27.0 runs each rule once per requested DNS name with `self` = the name.
      const verdicts = (allowWildcards: boolean) => {
        const scope = newScope();
        newTenant(scope, { allowWildcards });
        const [rule] = objects(synthBoth(scope).manifests, 'CertificateRequestPolicy')[0].spec.allowed.dnsNames.validations;
        return ['a.payments.services.internal', '*.a.payments.services.internal', 'a.*.payments.services.internal', 'a*.payments.services.internal', '*']
          .map((name) => celAccepts(rule.rule, name));
      };
      expect(verdicts(false)).toEqual([true, false, false, false, false]);
      expect(verdicts(true)).toEqual([true, true, false, false, false]);
    });

    test('opt-in SPIFFE URI SANs for the tenant namespace service accounts: Vault allows exact IDs, the tenant\'s own policy none', () => {
      const scope = newScope();
      const t = newTenant(scope, { spiffeTrustDomain: 'cluster.local', spiffeServiceAccounts: ['web', 'worker'] });
      const { manifests, terraform } = synthBoth(scope);
      // Exact IDs: a '.../sa/*' pattern would also match '.../sa/a/b' (go-glob and approver-policy's '*' cross '/').
      const ids = ['spiffe://cluster.local/ns/payments/sa/web', 'spiffe://cluster.local/ns/payments/sa/worker'];
      expect(tenantTerraform(terraform).role.allowed_uri_sans).toEqual(ids);
      expect(t.spiffeId('web')).toBe('spiffe://cluster.local/ns/payments/sa/web');
      // The tenant's own policy is what cert-manager and csi-driver use: requests anyone in the namespace can shape. It
      // never allows a URI; each identity gets a policy bound to its own account (SpiffeIdentity, test/mesh.test.ts).
      const allowed = objects(manifests, 'CertificateRequestPolicy')[0].spec.allowed;
      expect(allowed.uris).toBeUndefined();
      expect(allowed.dnsNames.required).toBe(true);
      expect(allowed.usages).toEqual(['digital signature', 'server auth', 'client auth']);
      expect(objects(manifests, 'CertificateRequestPolicy')).toHaveLength(1);
    });

    test('opt-in mesh namespaces (istio-csr): Vault allows any service account of a listed namespace, the tenant\'s own policy no URI', () => {
      const scope = newScope();
      newTenant(scope, { spiffeTrustDomain: 'mesh.acme', spiffeNamespaces: ['shop', 'payments'], allowOtherNamespaceIdentities: true });
      const { manifests, terraform } = synthBoth(scope);
      const patterns = ['spiffe://mesh.acme/ns/shop/sa/*', 'spiffe://mesh.acme/ns/payments/sa/*'];
      expect(tenantTerraform(terraform).role.allowed_uri_sans).toEqual(patterns);
      expect(objects(manifests, 'CertificateRequestPolicy')[0].spec.allowed.uris).toBeUndefined();
      // istio-csr's own policy admits one path segment after /sa/ (test/mesh.test.ts); '*' of the values crosses '/'.
      const shape = RequesterPolicy.spiffeShapeRule('mesh.acme');
      expect(celAccepts(shape, 'spiffe://mesh.acme/ns/shop/sa/cart')).toBe(true);
      expect(celAccepts(shape, 'spiffe://mesh.acme/ns/shop/sa/cart/ns/kube-system/sa/admin')).toBe(false);
      expect(celAccepts(shape, 'spiffe://mesh.acme/ns/shop/sa/')).toBe(false);
      expect(celAccepts(shape, 'spiffe://meshXacme/ns/shop/sa/cart')).toBe(false);
      // Identities of other teams' namespaces, or of system namespaces, only on purpose.
      expect(errorOf(() => newTenant(newScope(), { spiffeTrustDomain: 'mesh.acme', spiffeNamespaces: ['payments', 'shop'] }))).toBe(
        "Tenant 'vault/payments': 'spiffeNamespaces' (shop) is not the tenant's own namespace (payments): its Vault role would sign the identity " +
        "of every service account of 'shop', another team's; only a mesh CA (istio-csr, which binds each identity to the caller's token) should: " +
        "set 'allowOtherNamespaceIdentities' on the Tenant, or remove it");
      expect(errorOf(() => newTenant(newScope(), { spiffeTrustDomain: 'mesh.acme', spiffeNamespaces: ['kube-system'], allowOtherNamespaceIdentities: true })))
        .toBe("Tenant 'vault/payments': 'spiffeNamespaces' (kube-system) is a system namespace, whose service accounts belong to the platform " +
          "(their identities open every door a mesh policy keeps for them); remove it, or set 'allowSystemNamespace' on the Tenant");
      expect(errorOf(() => newTenant(newScope(), { spiffeTrustDomain: 'mesh.acme', spiffeNamespaces: ['*'] })))
        .toMatch(/'spiffeNamespaces' \(\*\) is not a valid namespace name \(RFC 1123 label\): a pattern such as 'ns\/\*' crosses '\/'/);
      expect(errorOf(() => newTenant(newScope(), { spiffeTrustDomain: 'mesh.acme', spiffeServiceAccounts: ['web/*'] })))
        .toMatch(/'spiffeServiceAccounts' \(web\/\*\) is not a valid service account name .*list each service account/);
    });

    test('opt-in IP SANs for listed ranges', () => {
      const scope = newScope();
      newTenant(scope, { allowedIpRanges: ['10.20.0.0/16', '10.30.4.0/22', '192.168.1.7/32', 'fd00::1/128'] });
      const { manifests, terraform } = synthBoth(scope);
      expect(tenantTerraform(terraform).role.allow_ip_sans).toBe(true);
      expect(objects(manifests, 'CertificateRequestPolicy')[0].spec.allowed.ipAddresses).toEqual({
        values: ['10.20.*', '10.30.4.*', '10.30.5.*', '10.30.6.*', '10.30.7.*', '192.168.1.7', 'fd00::1'],
        required: false,
      });
    });

    test('several tenants on one intermediate, one role, policy and auth role each', () => {
      const scope = newScope();
      for (const team of ['payments', 'auth', 'api']) newTenant(scope, { namespace: team, domains: [`${team}.services.internal`] }, team);
      const { terraform } = synthBoth(scope);
      expect(Object.values(resources(terraform, 'vault_pki_secret_backend_role')).map((r) => r.name).sort())
        .toEqual(['api-vault-services', 'auth-vault-services', 'payments-vault-services']);
      expect(Object.keys(resources(terraform, 'vault_policy'))).toHaveLength(3);
      expect(Object.keys(resources(terraform, 'vault_kubernetes_auth_backend_role'))).toHaveLength(3);
    });

    test('usages the tenant allows', () => {
      const t = newTenant(newScope(), { clientAuth: false });
      expect(t.allowedUsages).toEqual([KeyUsage.DIGITAL_SIGNATURE, KeyUsage.SERVER_AUTH]);
    });
  });

  describe('errors (H11)', () => {
    const invalid = (props: Partial<TenantProps>) => errorOf(() => newTenant(newScope(), props));

    test('names the construct, the value, the limit and the fix', () => {
      expect(invalid({ maxDuration: Duration.hours(72) }))
        .toBe("Tenant 'vault/payments': 'maxDuration' (72h) must not exceed 48h; lower 'maxDuration' (short-lived certificates are the point)");
    });

    test('maxDuration, tokenTtl out of range', () => {
      expect(invalid({ maxDuration: Duration.minutes(30) })).toMatch(/'maxDuration' \(30m\) must be at least 1h/);
      expect(invalid({ tokenTtl: Duration.minutes(11) })).toMatch(/'tokenTtl' \(11m\) must not exceed 10m; lower 'tokenTtl'/);
      expect(invalid({ tokenTtl: Duration.millis(10) })).toMatch(/'tokenTtl' .* must be a positive whole number of seconds/);
    });

    test('invalid namespace, issuer name and cert-manager identity', () => {
      expect(invalid({ namespace: 'Payments' })).toMatch(/'namespace' \(Payments\) is not a valid namespace name \(RFC 1123 label/);
      expect(invalid({ namespace: 'a'.repeat(64) })).toMatch(/is not a valid namespace name/);
      expect(invalid({ issuerName: 'vault.services' })).toMatch(/'issuerName' \(vault.services\) is not a valid Issuer name/);
      expect(errorOf(() => newScope({ chart: { certManagerNamespace: 'Cert_Manager' } }))).toMatch(/ClusterChart 'pki': 'certManagerNamespace' \(Cert_Manager\)/);
      expect(errorOf(() => newScope({ chart: { certManagerServiceAccount: 'CM' } }))).toMatch(/'certManagerServiceAccount' \(CM\)/);
    });

    test('domains: empty, wildcard, invalid, outside the intermediate, overlapping its own', () => {
      expect(invalid({ domains: [] })).toMatch(/'domains' is empty; give the DNS domains the tenant owns, inside services.internal, e.g. 'payments.services.internal'/);
      expect(invalid({ domains: ['*.payments.services.internal'] })).toMatch(/'domains' \(\*.payments.services.internal\) must not be a wildcard/);
      expect(invalid({ domains: ['Payments.services.internal'] })).toMatch(/'domains' \(Payments.services.internal\) has upper-case letters; use lower case/);
      expect(invalid({ domains: ['payments.mtls.internal'] }))
        .toMatch(/'domains' \(payments.mtls.internal\) is outside intermediate 'services' \(services.internal\); its name constraints would reject it/);
      expect(invalid({ domains: ['evilservices.internal'] })).toMatch(/is outside intermediate 'services'/);
      expect(invalid({ domains: ['payments.services.internal', 'eu.payments.services.internal'] }))
        .toMatch(/'domains' \(eu.payments.services.internal\) overlaps 'payments.services.internal' of the same tenant/);
    });

    test('two tenants claiming overlapping domains', () => {
      const scope = newScope();
      newTenant(scope);
      expect(errorOf(() => newTenant(scope, { namespace: 'checkout', domains: ['cart.payments.services.internal'] }, 'checkout')))
        .toMatch(/'domains' \(cart.payments.services.internal\) overlaps 'payments.services.internal' of the tenant at 'vault\/payments'; tenants must not share names/);
      expect(errorOf(() => newTenant(scope, { namespace: 'platform', domains: ['services.internal'], allowIntermediateDomain: true }, 'platform')))
        .toMatch(/'domains' \(services.internal\) overlaps 'payments.services.internal' of the tenant at 'vault\/payments'/);
    });

    test('duplicate tenants: the same (namespace, issuer) on one intermediate, or the same derived role name', () => {
      const scope = newScope();
      newTenant(scope);
      expect(errorOf(() => newTenant(scope, { domains: ['other.services.internal'] }, 'again')))
        .toMatch(/Tenant 'vault\/again': namespace 'payments' with issuer 'vault-services' derives the Vault role 'payments-vault-services', already used by the tenant at 'vault\/payments'/);
      expect(errorOf(() => newTenant(scope, { namespace: 'payments-vault', issuerName: 'services', domains: ['x.services.internal'] }, 'ambiguous')))
        .toMatch(/derives the Vault role 'payments-vault-services', already used/);
    });

    test('a tenant placed twice on one cluster, or two tenants emitting the same names into one cluster', () => {
      const scope = newScope();
      const issuer = newTenant(scope);
      expect(errorOf(() => new (issuer.constructor as any)(scope.chart, 'again', { tenant: issuer.tenant })))
        .toMatch(/TenantIssuer 'pki\/again':[\s\S]*would emit Issuer 'payments\/vault-services', which 'pki\/payments-vault-services' already emits in this cluster/);
      // Another program's tenant of the same names, through another Vault stack, into the same cluster.
      const otherTf = TfTesting.app();
      const otherVault = new VaultPkiStack(otherTf, 'other', { address: 'https://vault.internal:8200', serverCa: VaultServerCa.fromPem(EXAMPLE_CA_PEM) });
      const imported = IntermediateCa.fromAttributes(otherTf, 'services', { hierarchyName: 'pki', name: 'services', domains: ['services.internal'] });
      const twin = new Tenant(otherVault, 'payments', { intermediate: imported, namespace: 'payments', domains: ['payments.services.internal'] });
      expect(errorOf(() => twin.placeOn(scope.chart)))
        .toMatch(/would emit Issuer 'payments\/vault-services', which 'pki\/payments-vault-services' already emits in this cluster/);
    });

    test('the same tenant in two clusters: one role and policy, one auth role per cluster', () => {
      const scope = newScope();
      const second = new PkiCluster(scope.vault, 'secondary', { kubernetesHost: 'https://api.secondary.internal:6443' });
      const chart2 = new ClusterChart(K8sTesting.app(), 'pki2', { cluster: second, ruleLabels: {} });
      const issuer = newTenant(scope);
      issuer.tenant.placeOn(chart2);
      const { terraform } = synthBoth(scope);
      expect(Object.keys(resources(terraform, 'vault_pki_secret_backend_role'))).toHaveLength(1);
      expect(Object.keys(resources(terraform, 'vault_policy'))).toHaveLength(1);
      expect(Object.values(resources(terraform, 'vault_kubernetes_auth_backend_role')).map((r: any) => resolveRef(terraform, r.backend)).sort())
        .toEqual(['kubernetes-primary', 'kubernetes-secondary']);
      expect(objects(K8sTesting.synth(chart2), 'Issuer')[0].spec.vault.auth.kubernetes.mountPath).toBe('/v1/auth/kubernetes-secondary');
    });

    test('a system namespace, or the whole domain of the intermediate, only with an explicit opt-in', () => {
      expect(invalid({ namespace: 'kube-system', domains: ['k.services.internal'] }))
        .toMatch(/'namespace' \(kube-system\) is a system namespace, whose service accounts and RBAC belong to the platform; .* or set 'allowSystemNamespace'/);
      expect(invalid({ namespace: 'cert-manager', domains: ['cm.services.internal'] }))
        .toMatch(/TenantIssuer 'pki\/cert-manager-vault-services': the tenant's namespace \(cert-manager\) is cert-manager's own in cluster 'primary'/);
      expect(() => newTenant(newScope(), { namespace: 'kube-system', domains: ['k.services.internal'], allowSystemNamespace: true })).not.toThrow();
      expect(invalid({ domains: ['services.internal'] }))
        .toMatch(/'domains' \(services.internal\) is the whole domain of intermediate 'services': .* choose a subdomain, e.g. 'payments.services.internal', or set 'allowIntermediateDomain'/);
      expect(() => newTenant(newScope(), { domains: ['services.internal'], allowIntermediateDomain: true })).not.toThrow();
    });

    test('a hand-made IIntermediateCa is refused (it could put a tenant role on the root mount)', () => {
      const scope = newScope();
      const real = hierarchyOf(scope).intermediate('services');
      const forged = Object.create(real, { mountPath: { value: 'pki-root' } });
      expect(errorOf(() => new Tenant(scope.vault, 'evil', { intermediate: forged, namespace: 'evil', domains: ['evil.services.internal'] })))
        .toMatch(/Tenant 'vault\/evil': 'intermediate' \(services\) was not made by this library; pass hierarchy.intermediate\('<name>'\)/);
      const forgedTenant = Object.create(newTenant(scope).tenant);
      expect(errorOf(() => new (newTenant(newScope(), {}, 'x').constructor as any)(scope.chart, 'evil2', { tenant: forgedTenant })))
        .toMatch(/'tenant' is missing or not made by this library/);
    });

    test('public arrays are copies frozen at construction: pushing to them cannot change the outputs', () => {
      const scope = newScope();
      const tenant = newTenant(scope);
      expect(() => tenant.domains.push('google.com')).toThrow(TypeError);
      expect(() => tenant.tenant.domains.push('google.com')).toThrow(TypeError);
      expect(() => (tenant.allowedUsages as any).push('cert sign')).toThrow(TypeError);
      expect(() => (tenant.intermediate.domains as string[]).push('google.com')).toThrow(TypeError);
      expect(resource(synthBoth(scope).terraform, 'vault_pki_secret_backend_role').allowed_domains).toEqual(['payments.services.internal']);
    });

    test('weak keys, no usage, bad SPIFFE trust domain, bad IP ranges', () => {
      expect(invalid({ keyAlgorithm: KeyAlgorithm.rsa(1024) })).toMatch(/'keyAlgorithm' \(RSA 1024\) is too weak for leaf certificates/);
      expect(invalid({ keyAlgorithm: KeyAlgorithm.ecdsa(192) })).toMatch(/'keyAlgorithm' \(ECDSA P-192\) is too weak/);
      expect(invalid({ serverAuth: false, clientAuth: false })).toMatch(/'serverAuth' and 'clientAuth' are both false/);
      expect(invalid({ spiffeTrustDomain: 'Cluster Local' })).toMatch(/'spiffeTrustDomain' \(Cluster Local\) is not a SPIFFE trust domain/);
      expect(invalid({ allowedIpRanges: ['10.0.0.0'] })).toMatch(/'allowedIpRanges' \(10.0.0.0\) is not in CIDR notation/);
      expect(invalid({ allowedIpRanges: ['10.0.0.1/24'] })).toMatch(/has host bits set; use the network address \(10.0.0.0\/24\)/);
      expect(invalid({ allowedIpRanges: ['0.0.0.0/0'] })).toMatch(/is broader than \/8/);
      expect(invalid({ allowedIpRanges: ['fd00::/64'] })).toMatch(/only single IPv6 addresses/);
    });

    test('all problems at once', () => {
      const message = invalid({ namespace: 'X', maxDuration: Duration.hours(49), domains: [] });
      expect(message.split('\n  - ')).toHaveLength(4);
    });
  });
});
