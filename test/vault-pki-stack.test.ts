import { Testing as TfTesting } from 'cdktf';
import { StateBackend, VaultPkiStack, VaultPkiStackProps, VaultServerCa } from '../src';
import { errorOf, EXAMPLE_CA_PEM, EXAMPLE_SERVER_PEM, KUBERNETES_CA_PEM, newHierarchy, newScope, newTenant, objects, resource, resources, synthBoth } from './util';

const CA = EXAMPLE_CA_PEM;
const stack = (props: Partial<VaultPkiStackProps>) => new VaultPkiStack(TfTesting.app(), 'vault', {
  address: 'https://vault.internal:8200', serverCa: VaultServerCa.fromPem(CA), ...props,
});

describe('VaultPkiStack', () => {
  test('the Vault provider with the address, no credentials, a relative local state path outside cdktf.out', () => {
    const tf = JSON.parse(TfTesting.synth(stack({}), true));
    expect(tf.provider.vault).toEqual([{ address: 'https://vault.internal:8200' }]);
    // Terraform runs in cdktf.out/stacks/vault/: the state goes to terraform-state/ beside cdktf.out/, which a
    // synthesis may rewrite and git ignores (it was cdktf.out/stacks/vault/terraform.vault.tfstate).
    expect(tf.terraform.backend).toEqual({ local: { path: '../../../terraform-state/vault.tfstate' } });
    expect(JSON.stringify(tf)).not.toMatch(/token|password|secret_id/i);
  });

  test('Vault Enterprise namespace: provider, issuing URLs and Issuers all carry it', () => {
    const scope = newScope({ vault: { vaultNamespace: 'admin/pki' } });
    newTenant(scope, { namespace: 't', domains: ['t.services.internal'] });
    const { manifests, terraform } = synthBoth(scope);
    expect(terraform.provider.vault).toEqual([{ address: 'https://vault.internal:8200', namespace: 'admin/pki' }]);
    expect(resource(terraform, 'vault_pki_secret_backend_config_urls', (u) => u.issuing_certificates[0].includes('pki-root')).issuing_certificates)
      .toEqual(['https://vault.internal:8200/v1/admin/pki/pki-root/ca']);
    expect(objects(manifests, 'Issuer')[0].spec.vault.namespace).toBe('admin/pki');
  });

  test('how cert-manager verifies Vault: system trust, inline PEM, or a Secret', () => {
    const issuerVault = (serverCa: VaultServerCa) => {
      const scope = newScope({ vault: { serverCa } });
      newTenant(scope, { namespace: 't', domains: ['t.services.internal'] });
      return objects(synthBoth(scope).manifests, 'Issuer')[0].spec.vault;
    };
    const system = issuerVault(VaultServerCa.systemTrust());
    expect([system.caBundle, system.caBundleSecretRef]).toEqual([undefined, undefined]);
    expect(Buffer.from(issuerVault(VaultServerCa.fromPem(CA)).caBundle, 'base64').toString()).toBe(CA);
    expect(issuerVault(VaultServerCa.fromSecret('vault-ca')).caBundleSecretRef).toEqual({ name: 'vault-ca', key: 'ca.crt' });
  });

  test('state backends: each stack its own state and lock (S3 + DynamoDB, GCS, Terraform Cloud), or none', () => {
    const backendOf = (backend: StateBackend, id = 'tenants-03') =>
      JSON.parse(TfTesting.synth(new VaultPkiStack(TfTesting.app(), id, { address: 'https://vault.internal:8200', serverCa: VaultServerCa.fromPem(CA), backend })))
        .terraform.backend;
    expect(backendOf(StateBackend.s3({ bucket: 'state', region: 'eu-central-1', dynamodbTable: 'locks' }))).toEqual({
      s3: { bucket: 'state', region: 'eu-central-1', key: 'cdk8s-vault-pki/tenants-03.tfstate', dynamodb_table: 'locks', encrypt: true },
    });
    expect(backendOf(StateBackend.gcs({ bucket: 'state', prefix: 'pki' }))).toEqual({ gcs: { bucket: 'state', prefix: 'pki/tenants-03' } });
    expect(JSON.parse(TfTesting.synth(new VaultPkiStack(TfTesting.app(), 'x', {
      address: 'https://vault.internal:8200', serverCa: VaultServerCa.fromPem(CA), backend: StateBackend.terraformCloud({ organization: 'acme', workspacePrefix: 'pki-' }),
    }))).terraform.cloud).toEqual({ organization: 'acme', workspaces: { name: 'pki-x' } });
    expect(backendOf(StateBackend.none())).toBeUndefined();
    expect(errorOf(() => backendOf(StateBackend.s3({ bucket: 'state', region: 'eu-central-1', dynamodbTable: '' }))))
      .toMatch(/'backend' \(s3\): 'dynamodbTable' is empty; S3 state needs a lock table/);
  });

  test('local state: a folder beside cdktf.out (never inside it); every backend says where each stack\'s state lives', () => {
    const backendOf = (backend: StateBackend, id = 'tenants-03') =>
      JSON.parse(TfTesting.synth(new VaultPkiStack(TfTesting.app(), id, { address: 'https://vault.internal:8200', serverCa: VaultServerCa.fromPem(CA), backend })))
        .terraform.backend;
    expect(backendOf(StateBackend.local({ directory: 'state/pki' }))).toEqual({ local: { path: '../../../state/pki/tenants-03.tfstate' } });
    expect(errorOf(() => backendOf(StateBackend.local({ directory: 'cdktf.out/state' })))).toMatch(/'directory' \(cdktf.out\/state\) is inside cdktf.out/);
    expect(errorOf(() => backendOf(StateBackend.local({ directory: '../elsewhere' })))).toMatch(/must be a relative folder without '.' or '..' segments/);
    expect(StateBackend.local().stateLocation('pki-platform')).toBe('local:terraform-state/pki-platform.tfstate');
    expect(StateBackend.s3({ bucket: 'b', region: 'r', dynamodbTable: 't', keyPrefix: 'vault-pki' }).stateLocation('team-shop-00'))
      .toBe('s3://b/vault-pki/team-shop-00.tfstate');
    expect(StateBackend.gcs({ bucket: 'b' }).stateLocation('x')).toBe('gs://b/cdk8s-vault-pki/x');
    expect(StateBackend.terraformCloud({ organization: 'acme', workspacePrefix: 'pki-' }).stateLocation('x')).toBe('cloud://app.terraform.io/acme/pki-x');
    expect(StateBackend.none().stateLocation('x')).toBeUndefined();
  });

  test('errors', () => {
    expect(errorOf(() => stack({ address: 'http://vault:8200' })))
      .toMatch(/VaultPkiStack 'vault': 'address' \(http:\/\/vault:8200\) must use https; cert-manager sends service account tokens and CSRs to it/);
    expect(() => stack({ address: 'http://127.0.0.1:8200', allowInsecureHttp: true })).not.toThrow();
    expect(errorOf(() => stack({ address: 'vault:8200' }))).toMatch(/must use https|is not a URL/);
    expect(errorOf(() => stack({ address: 'not a url' }))).toMatch(/'address' \(not a url\) is not a URL/);
    expect(errorOf(() => stack({ address: 'https://vault:8200/v1' }))).toMatch(/must be a base address without a path; drop '\/v1'/);
    expect(errorOf(() => stack({ vaultNamespace: 'bad ns' }))).toMatch(/'vaultNamespace' \(bad ns\) is not a Vault namespace path/);
    expect(errorOf(() => stack({ serverCa: VaultServerCa.fromPem('nope') }))).toMatch(/'serverCa' is not PEM certificates only/);
    expect(errorOf(() => stack({ serverCa: VaultServerCa.fromPem(`${CA}-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----`) })))
      .toMatch(/'serverCa' contains a private key/);
    expect(errorOf(() => stack({ serverCa: VaultServerCa.fromSecret('Vault_CA') }))).toMatch(/'serverCa' Secret name \(Vault_CA\) is not a valid Kubernetes name/);
    expect(errorOf(() => newScope({ cluster: { kubernetesCaCertificate: 'x' } }))).toMatch(/'kubernetesCaCertificate' is not PEM certificates only/);
  });

  test('fails: no serverCa (an internal Vault would leave every Issuer not Ready), with the choice spelled out', () => {
    expect(errorOf(() => new VaultPkiStack(TfTesting.app(), 'vault', { address: 'https://vault.internal:8200' } as VaultPkiStackProps)))
      .toMatch(/'serverCa' is missing; say how cert-manager verifies Vault's TLS certificate: VaultServerCa.fromPem\(.*VaultServerCa.systemTrust\(\) only when it chains to a public CA/);
  });

  test('fails: a CA PEM that is not X.509, or not a CA', () => {
    const garbled = CA.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
    expect(errorOf(() => stack({ serverCa: VaultServerCa.fromPem(garbled) }))).toMatch(/'serverCa' does not parse as an X.509 certificate/);
    expect(errorOf(() => stack({ serverCa: VaultServerCa.fromPem(EXAMPLE_SERVER_PEM) })))
      .toMatch(/'serverCa' \(CN=vault.internal\) is not a CA certificate \(no basicConstraints CA:TRUE\); pass the CA that issued the server certificate/);
    expect(errorOf(() => stack({ serverCa: VaultServerCa.fromPem(`${CA}${EXAMPLE_SERVER_PEM}`) }))).toMatch(/'serverCa' \(certificate 2 of 2\)/);
    expect(() => stack({ serverCa: VaultServerCa.fromPem(`${CA}${KUBERNETES_CA_PEM}`) })).not.toThrow();
  });

  test('fails: credentials in the Vault address or the AIA base URL (they would reach every Issuer and certificate)', () => {
    expect(errorOf(() => stack({ address: 'https://admin:s3cret@vault.internal:8200' })))
      .toMatch(/'address' must not carry credentials \('user:password@'\)/);
    expect(errorOf(() => stack({ aiaBaseUrl: 'http://u:p@pki.internal' }))).toMatch(/'aiaBaseUrl' must not carry credentials/);
    expect(errorOf(() => stack({ aiaBaseUrl: 'ftp://pki.internal' }))).toMatch(/'aiaBaseUrl' \(ftp:\/\/pki.internal\) must use http or https/);
  });

  test('AIA and CRL URLs: the Vault address by default, a separate (http) base URL when given', () => {
    const urls = (props: Partial<VaultPkiStackProps>) => {
      const scope = newScope({ vault: props });
      newHierarchy(scope);
      return Object.values(resources(synthBoth(scope).terraform, 'vault_pki_secret_backend_config_urls'))
        .map((u: any) => [u.issuing_certificates, u.crl_distribution_points]).filter(([i]) => i[0].includes('int-services'))[0];
    };
    expect(urls({})).toEqual([['https://vault.internal:8200/v1/pki-int-services/ca'], ['https://vault.internal:8200/v1/pki-int-services/crl']]);
    expect(urls({ aiaBaseUrl: 'http://pki.internal' })).toEqual([['http://pki.internal/v1/pki-int-services/ca'], ['http://pki.internal/v1/pki-int-services/crl']]);
  });
});
