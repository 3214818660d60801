// Maturity level 3: in-memory keys (csi-driver), SPIFFE SVIDs per pod (csi-driver-spiffe), istio-csr on Vault. What each
// emits, the identity that requests being exactly the one allowed, the Helm values against the charts' own schemas, and
// every bad input refused at synth or found by ConsistencyCheck.
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { Duration, Testing as K8sTesting } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Testing as TfTesting } from 'cdktf';
import { errorOf, hierarchyOf, newScope, newTenant, objects, synthBoth, TestScope } from './util';
import { buildMeshScenario, TRUST_DOMAIN } from '../examples/mesh/scenario';
import { csiVolumeProblems } from '../scripts/csi-volumes';
import {
  ConsistencyCheck, ConsistencyFindingKind, InMemoryCertificate, IstioCsr, KeyAlgorithm, PrivateKeyEncoding, SpiffeCsiDriver, SpiffeIdentity,
  TrustBundle,
} from '../src';
import { RequesterPolicy } from '../src/tenants/requester-policy';

const HELM = path.join(__dirname, '..', 'upstream', 'helm');
const ajv = new Ajv({ allErrors: true, strict: false });
const chartSchema = (file: string) => ajv.compile(JSON.parse(fs.readFileSync(path.join(HELM, file), 'utf8')));
const istioCsrSchema = chartSchema('istio-csr-v0.17.0.values.schema.json');
const spiffeSchema = chartSchema('csi-driver-spiffe-v0.15.0.values.schema.json');

function mesh() {
  const built = buildMeshScenario(K8sTesting.app(), TfTesting.app());
  return { ...built, manifests: K8sTesting.synth(built.chart), terraform: JSON.parse(TfTesting.synth(built.vault, true)) };
}

function deployment(scope: TestScope, id: string, namespace = 'payments', serviceAccount?: string) {
  return new kplus.Deployment(scope.chart, id, {
    metadata: { name: id, namespace },
    serviceAccount: serviceAccount ? kplus.ServiceAccount.fromServiceAccountName(scope.chart, `${id}-sa`, serviceAccount) : undefined,
    containers: [{ name: 'app', image: 'registry.acme.internal/app:1' }],
  });
}

const volumeOf = (manifests: any[], name: string, volume: string) =>
  objects(manifests, 'Deployment', name)[0].spec.template.spec.volumes.find((v: any) => v.name === volume);

describe('InMemoryCertificate (csi-driver v0.16.0)', () => {
  test('every attribute explicit: the tenant\'s key, 24h (never the driver\'s 2160h), renewal at a third, usages, fs-group; read-only', () => {
    const scope = newScope();
    const issuer = newTenant(scope);
    const app = deployment(scope, 'web');
    new InMemoryCertificate(scope.chart, 'web-tls', { issuer, dnsNames: ['web.payments.services.internal'] }).mount(app);
    const { manifests } = synthBoth(scope);
    const volume = volumeOf(manifests, 'web', 'tls-web-tls');
    expect(volume.csi).toEqual({
      driver: 'csi.cert-manager.io',
      readOnly: true,
      volumeAttributes: {
        'csi.cert-manager.io/issuer-name': 'vault-services',
        'csi.cert-manager.io/issuer-kind': 'Issuer',
        'csi.cert-manager.io/issuer-group': 'cert-manager.io',
        'csi.cert-manager.io/dns-names': 'web.payments.services.internal',
        'csi.cert-manager.io/duration': '24h',
        'csi.cert-manager.io/renew-before': '8h',
        'csi.cert-manager.io/is-ca': 'false',
        'csi.cert-manager.io/key-algorithm': 'ECDSA',
        'csi.cert-manager.io/key-size': '256',
        'csi.cert-manager.io/key-encoding': 'PKCS8',
        'csi.cert-manager.io/key-usages': 'digital signature,server auth,client auth',
        'csi.cert-manager.io/fs-group': '26000',
      },
    });
    const pod = objects(manifests, 'Deployment', 'web')[0].spec.template.spec;
    expect(pod.securityContext.fsGroup).toBe(26000);
    expect(pod.containers[0].volumeMounts).toEqual([{ mountPath: '/etc/tls/web-tls', name: 'tls-web-tls', readOnly: true }]);
    expect(csiVolumeProblems(objects(manifests, 'Deployment', 'web')[0])).toEqual([]);
    // The identity that creates the requests (csi-driver's service account) may use the tenant's policy, nothing else.
    const binding = objects(manifests, 'RoleBinding', 'vault-services-approver-policy-csi-driver')[0];
    expect(binding).toMatchObject({
      metadata: { namespace: 'payments' },
      roleRef: { kind: 'Role', name: 'vault-services-approver-policy' },
      subjects: [{ kind: 'ServiceAccount', name: 'cert-manager-csi-driver', namespace: 'cert-manager' }],
    });
    expect(objects(manifests, 'Role', 'vault-services-approver-policy')[0].rules).toEqual([{
      apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], resourceNames: ['payments-vault-services'], verbs: ['use'],
    }]);
  });

  test('the pod\'s fsGroup wins; a custom csi-driver installation is granted instead; RSA may use PKCS1', () => {
    const scope = newScope();
    const issuer = newTenant(scope, { keyAlgorithm: KeyAlgorithm.rsa(3072) });
    const app = new kplus.Deployment(scope.chart, 'web', {
      metadata: { name: 'web', namespace: 'payments' }, securityContext: { fsGroup: 4321 }, containers: [{ image: 'app:1' }],
    });
    new InMemoryCertificate(scope.chart, 'web-tls', {
      issuer,
      dnsNames: ['web.payments.services.internal'],
      keyEncoding: PrivateKeyEncoding.PKCS1,
      csiDriver: { namespace: 'csi', serviceAccountName: 'csi-driver' },
    }).mount(app);
    const { manifests } = synthBoth(scope);
    expect(volumeOf(manifests, 'web', 'tls-web-tls').csi.volumeAttributes).toMatchObject({
      'csi.cert-manager.io/fs-group': '4321',
      'csi.cert-manager.io/key-algorithm': 'RSA',
      'csi.cert-manager.io/key-size': '3072',
      'csi.cert-manager.io/key-encoding': 'PKCS1',
      'csi.cert-manager.io/key-usages': 'digital signature,key encipherment,server auth,client auth',
    });
    expect(objects(manifests, 'RoleBinding', 'vault-services-approver-policy-csi-driver')[0].subjects)
      .toEqual([{ kind: 'ServiceAccount', name: 'csi-driver', namespace: 'csi' }]);
  });

  test('refused: a 720h certificate, a name outside the tenant, PKCS1 for an EC key, a workload of another namespace', () => {
    const scope = newScope();
    const issuer = newTenant(scope);
    expect(errorOf(() => new InMemoryCertificate(scope.chart, 'long', { issuer, dnsNames: ['a.payments.services.internal'], duration: Duration.hours(720) })))
      .toMatch(/InMemoryCertificate 'pki\/long': 'duration' \(720h \(30d\)\) must not exceed the tenant's 'maxDuration' \(24h\); lower 'duration' or raise 'maxDuration'/);
    expect(errorOf(() => new InMemoryCertificate(scope.chart, 'outside', { issuer, dnsNames: ['a.auth.services.internal'] })))
      .toMatch(/'dnsNames' \(a.auth.services.internal\) is outside the tenant's domains/);
    expect(errorOf(() => new InMemoryCertificate(scope.chart, 'pkcs1', { issuer, dnsNames: ['a.payments.services.internal'], keyEncoding: PrivateKeyEncoding.PKCS1 })))
      .toMatch(/'keyEncoding' \(PKCS1\) is for RSA keys only; the tenant's key is ECDSA P-256: use PrivateKeyEncoding.PKCS8/);
    const cert = new InMemoryCertificate(scope.chart, 'ok', { issuer, dnsNames: ['a.payments.services.internal'] });
    expect(errorOf(() => cert.mount(deployment(scope, 'elsewhere', 'auth'))))
      .toMatch(/cannot mount into workload 'pki\/elsewhere' of namespace 'auth'; csi-driver requests the certificate in the pod's namespace/);
  });
});

describe('SpiffeIdentity (csi-driver-spiffe v0.15.0)', () => {
  function spiffeScope(tenant: Parameters<typeof newTenant>[1] = {}) {
    const scope = newScope();
    const issuer = newTenant(scope, { spiffeTrustDomain: 'acme.internal', spiffeServiceAccounts: ['api'], ...tenant });
    const bundle = new TrustBundle(scope.chart, 'internal-ca', { hierarchy: hierarchyOf(scope), namespaceLabels: { 'inject-ca': 'true' } });
    const driver = new SpiffeCsiDriver(scope.chart, 'spiffe', { trustDomain: 'acme.internal', issuerName: issuer.issuerName, trustBundle: bundle });
    return { scope, issuer, driver, bundle };
  }

  test('the pod\'s own account creates its request: it alone may create requests and use the policy; the volume is read-only with fs-group', () => {
    const { scope, issuer, driver } = spiffeScope();
    const identity = new SpiffeIdentity(scope.chart, 'api-svid', { driver, issuer, serviceAccount: 'api' });
    identity.mount(deployment(scope, 'api', 'payments', 'api'));
    const { manifests } = synthBoth(scope);
    expect(identity.spiffeId).toBe('spiffe://acme.internal/ns/payments/sa/api');
    expect(volumeOf(manifests, 'api', 'spiffe-api').csi).toEqual({
      driver: 'spiffe.csi.cert-manager.io', readOnly: true, volumeAttributes: { 'spiffe.csi.cert-manager.io/fs-group': '26000' },
    });
    expect(objects(manifests, 'Role', 'api-certificate-requests')[0].rules)
      .toEqual([{ apiGroups: ['cert-manager.io'], resources: ['certificaterequests'], verbs: ['create'] }]);
    for (const name of ['api-certificate-requests', 'vault-services-approver-policy-sa-api']) {
      expect(objects(manifests, 'RoleBinding', name)[0].subjects).toEqual([{ kind: 'ServiceAccount', name: 'api', namespace: 'payments' }]);
    }
    // Its own policy: exactly its SPIFFE ID, the driver's usages, duration and key, bound to the account; use of it for that account only.
    expect(identity.policyName).toBe('payments-vault-services-sa-api');
    const policy = objects(manifests, 'CertificateRequestPolicy', 'payments-vault-services-sa-api')[0];
    expect(policy.spec).toEqual({
      allowed: {
        uris: {
          values: ['spiffe://acme.internal/ns/payments/sa/api'],
          required: true,
          validations: [{ rule: "cr.username == 'system:serviceaccount:payments:api'", message: 'only payments/api may request this from Issuer payments/vault-services' }],
        },
        usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
        isCA: false,
      },
      constraints: { maxDuration: '1h', privateKey: { algorithm: 'ECDSA', minSize: 256, maxSize: 256 } },
      selector: { issuerRef: { name: 'vault-services', kind: 'Issuer', group: 'cert-manager.io' }, namespace: { matchNames: ['payments'] } },
    });
    expect(objects(manifests, 'Role', 'vault-services-approver-policy-sa-api')[0].rules).toEqual([{
      apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], resourceNames: ['payments-vault-services-sa-api'], verbs: ['use'],
    }]);
    // The tenant's own policy is not the account's to use.
    expect(objects(manifests, 'RoleBinding', 'vault-services-approver-policy')[0].subjects).toEqual([{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }]);
  });

  test('refused: a SPIFFE ID for another service account, a workload running as another account, another issuer, trust domain or key', () => {
    const { scope, issuer, driver } = spiffeScope();
    expect(errorOf(() => new SpiffeIdentity(scope.chart, 'other', { driver, issuer, serviceAccount: 'admin' })))
      .toMatch(/'serviceAccount' \(admin\) is not one of the tenant's 'spiffeServiceAccounts' \(api\); Vault and approver-policy allow exactly those SPIFFE IDs: add it to the Tenant/);
    const identity = new SpiffeIdentity(scope.chart, 'api-svid', { driver, issuer, serviceAccount: 'api' });
    expect(errorOf(() => identity.mount(deployment(scope, 'admin', 'payments', 'admin'))))
      .toMatch(/workload 'pki\/admin' runs as service account 'admin', but this identity is 'api'/);
    const rsa = spiffeScope({ keyAlgorithm: KeyAlgorithm.rsa(2048) });
    expect(errorOf(() => new SpiffeIdentity(rsa.scope.chart, 'x', { driver: rsa.driver, issuer: rsa.issuer, serviceAccount: 'api' })))
      .toMatch(/the driver always generates ECDSA P-256 keys .*use keyAlgorithm ECDSA_P256 for this tenant/);
    const other = spiffeScope({ issuerName: 'vault-other', spiffeTrustDomain: 'other.internal' });
    const otherDriver = new SpiffeCsiDriver(other.scope.chart, 'spiffe2', { trustDomain: 'acme.internal', issuerName: 'spiffe', trustBundle: other.bundle });
    const error = errorOf(() => new SpiffeIdentity(other.scope.chart, 'x', { driver: otherDriver, issuer: other.issuer, serviceAccount: 'api' }));
    expect(error).toMatch(/the driver requests every SVID from Issuer 'spiffe' of the pod's namespace, but the tenant's Issuer is 'payments\/vault-other'/);
    expect(error).toMatch(/the tenant's 'spiffeTrustDomain' \(other.internal\) is not the driver's trust domain \(acme.internal\)/);
  });

  test('Helm values pass the chart\'s values.schema.json; the driver pins the bundle as ca.crt; a misspelt key is caught', () => {
    const { driver } = spiffeScope();
    expect(spiffeSchema(driver.helmValues)).toBe(true);
    expect(driver.helmValues.app).toMatchObject({
      trustDomain: 'acme.internal',
      certificateRequestDuration: '1h',
      issuer: { name: 'vault-services', kind: 'Issuer', group: 'cert-manager.io' },
      // approver-policy alone decides: the driver's approver is not run and holds no signer (see SpiffeCsiDriver).
      approver: { replicaCount: 0, signerName: 'issuers.cert-manager.io/NONE', autoApproveNonSPIFFE: false },
      driver: { useOwnServiceAccount: false, sourceCABundle: '/var/run/secrets/cdk8s-vault-pki/trust-bundle/ca-bundle.crt' },
    });
    expect(spiffeSchema({ app: { ...driver.helmValues.app, trustDomian: 'x' } })).toBe(false);
    const { scope, bundle } = spiffeScope();
    expect(errorOf(() => new SpiffeCsiDriver(scope.chart, 'long', { trustDomain: 'acme.internal', issuerName: 'x', trustBundle: bundle, certificateRequestDuration: Duration.hours(720) })))
      .toMatch(/'certificateRequestDuration' \(720h \(30d\)\) must be from 1h/);
  });
});

describe('IstioCsr (istio-csr v0.17.0) and the mesh example', () => {
  const built = mesh();

  test('Helm values pass the chart\'s values.schema.json, with the root pinned from the published roots, never discovered', () => {
    const values = built.istioCsr.helmValues;
    expect(istioCsrSchema(values)).toBe(true);
    expect(values.app.tls.rootCAFile).toBe('/var/run/secrets/cdk8s-vault-pki/root-ca/ca-bundle.crt');
    expect(values.volumes).toEqual([{ name: 'root-ca', configMap: { name: 'internal-ca', items: [{ key: 'ca-bundle.crt', path: 'ca-bundle.crt' }] } }]);
    expect(values.app.server.maxCertificateDuration).toBe('1h');
    expect(values.app.certmanager).toEqual({
      namespace: 'istio-system',
      preserveCertificateRequests: false,
      issuer: { enabled: true, name: 'istio-ca', kind: 'Issuer', group: 'cert-manager.io' },
    });
    expect(istioCsrSchema({ ...values, app: { ...values.app, tls: { ...values.app.tls, rootCaFile: 'x' } } })).toBe(false);
    expect(built.istioCsr.istioOperator.spec).toEqual({
      meshConfig: { trustDomain: TRUST_DOMAIN },
      values: { global: { caAddress: 'cert-manager-istio-csr.cert-manager.svc:443' } },
      components: { pilot: { k8s: { env: [{ name: 'ENABLE_CA_SERVER', value: 'false' }] } } },
    });
  });

  test('istio-csr\'s account alone may use its policy: the mesh namespaces\' identities, its serving name, the empty Organization; istiod\'s policy', () => {
    expect(objects(built.manifests, 'RoleBinding', 'istio-ca-approver-policy-istio-csr')[0]).toMatchObject({
      metadata: { namespace: 'istio-system' },
      subjects: [{ kind: 'ServiceAccount', name: 'cert-manager-istio-csr', namespace: 'cert-manager' }],
    });
    expect(built.istioCsr.policyNames).toEqual(['istio-system-istio-ca-istio-csr', 'istio-system-istio-ca-istiod']);
    const workloads = objects(built.manifests, 'CertificateRequestPolicy', 'istio-system-istio-ca-istio-csr')[0].spec.allowed;
    const bound = { rule: "cr.username == 'system:serviceaccount:cert-manager:cert-manager-istio-csr'", message: 'only cert-manager/cert-manager-istio-csr may request this from Issuer istio-system/istio-ca' };
    expect(workloads).toEqual({
      uris: {
        values: ['spiffe://acme.internal/ns/istio-system/sa/*', 'spiffe://acme.internal/ns/shop/sa/*'],
        validations: [{ rule: RequesterPolicy.spiffeShapeRule(TRUST_DOMAIN), message: 'mesh identities are spiffe://acme.internal/ns/<namespace>/sa/<service account>' }, bound],
      },
      dnsNames: { values: ['cert-manager-istio-csr.cert-manager.svc'], validations: [bound] },
      subject: { organizations: { values: [''], validations: [{ rule: "self == ''", message: 'Istio requests carry an empty Organization, nothing else' }] } },
      usages: ['client auth', 'server auth'],
      isCA: false,
    });
    const istiod = objects(built.manifests, 'CertificateRequestPolicy', 'istio-system-istio-ca-istiod')[0].spec.allowed;
    expect(istiod).toMatchObject({
      commonName: { value: 'istiod.istio-system.svc', required: true },
      dnsNames: { values: ['istiod.istio-system.svc'], required: true },
      uris: { values: ['spiffe://acme.internal/ns/istio-system/sa/istiod-service-account'], required: true },
      isCA: false,
    });
    expect(istiod.uris.validations).toEqual([{ rule: "cr.username == 'system:serviceaccount:cert-manager:cert-manager'", message: 'only cert-manager/cert-manager may request this from Issuer istio-system/istio-ca' }]);
    // The mesh tenant's own policy (cert-manager, DNS names only) allows no identity and no common name.
    const own = objects(built.manifests, 'CertificateRequestPolicy', 'istio-system-istio-ca')[0].spec.allowed;
    expect([own.uris, own.commonName]).toEqual([undefined, undefined]);
    const role = Object.values<any>(built.terraform.resource.vault_pki_secret_backend_role).find((r) => r.name === 'istio-system-istio-ca');
    expect(role).toMatchObject({
      allowed_uri_sans: ['spiffe://acme.internal/ns/istio-system/sa/*', 'spiffe://acme.internal/ns/shop/sa/*'],
      use_csr_sans: true,
      key_type: 'rsa',
      key_bits: 2048,
      max_ttl: '3600',
    });
    expect(JSON.stringify(built.terraform)).not.toContain('permitted_uri_domains');
  });

  test('the mesh example is consistent, and its workload volumes pass the drivers\' own checks', () => {
    // The CA ConfigMap the bundle reads is published by the cluster's own publication stack.
    const publication = JSON.parse(TfTesting.synth(built.cluster.caPublicationStack!, true));
    expect(ConsistencyCheck.check(built.manifests, [built.terraform, publication], { cluster: 'primary' })).toEqual([]);
    for (const w of objects(built.manifests, 'Deployment')) expect(csiVolumeProblems(w)).toEqual([]);
  });

  test('refused: istio-csr on a tenant without Istio\'s namespace, with an EC key, without the service names, longer than the tenant', () => {
    const scope = newScope();
    const bundle = new TrustBundle(scope.chart, 'internal-ca', { hierarchy: hierarchyOf(scope), namespaceLabels: { 'inject-ca': 'true' } });
    const issuer = newTenant(scope, { namespace: 'istio-system', issuerName: 'istio-ca', domains: ['istio.services.internal'], spiffeTrustDomain: 'acme.internal', spiffeNamespaces: ['shop'], allowOtherNamespaceIdentities: true }, 'mesh');
    const error = errorOf(() => new IstioCsr(scope.chart, 'istio-csr', { issuer, trustBundle: bundle, maxCertificateDuration: Duration.hours(48) }));
    expect(error).toMatch(/'spiffeNamespaces' \(shop\) leave out Istio's namespace 'istio-system'/);
    expect(error).toMatch(/do not cover 'istiod.istio-system.svc'/);
    expect(error).toMatch(/do not cover 'cert-manager-istio-csr.cert-manager.svc'/);
    expect(error).toMatch(/the mesh tenant's key is ECDSA P-256, .*use KeyAlgorithm.rsa\(2048\) for the mesh tenant/);
    expect(error).toMatch(/'maxCertificateDuration' \(48h\) must be from 1h .* to the mesh tenant's 'maxDuration' \(24h\)/);
    // The mesh root istio-csr pins, and every SVID's ca.crt, are the hierarchy's roots only.
    const wide = new TrustBundle(scope.chart, 'wide', { hierarchy: hierarchyOf(scope), namespaceLabels: { 'inject-ca': 'true' }, includeDefaultCAs: true, includeIntermediates: true });
    expect(errorOf(() => new IstioCsr(scope.chart, 'istio-csr-2', { issuer, trustBundle: wide }))).toContain(
      "'trustBundle' (wide) also carries 'includeDefaultCAs' (public CAs), 'includeIntermediates': the mesh root istio-csr pins would trust them, " +
      "so any certificate they sign could pass for a workload; give istio-csr a TrustBundle of the hierarchy's roots only");
    expect(errorOf(() => new SpiffeCsiDriver(scope.chart, 'spiffe', { trustDomain: 'acme.internal', issuerName: 'x', trustBundle: wide }))).toContain(
      "'trustBundle' (wide) also carries 'includeDefaultCAs' (public CAs), 'includeIntermediates': every SVID volume's ca.crt would trust them");
  });
});

describe('ConsistencyCheck rules for the new paths', () => {
  const built = mesh();
  const copy = () => JSON.parse(JSON.stringify({ manifests: built.manifests, terraform: built.terraform }));
  const findings = (m: any[], t: any) => ConsistencyCheck.check(m, t, { cluster: 'primary' });

  test('csi-volume: a 720h volume, a foreign key, csi-driver without use of the policy', () => {
    const { manifests, terraform } = copy();
    const attrs = volumeOf(manifests, 'api', 'tls-api-tls').csi.volumeAttributes;
    attrs['csi.cert-manager.io/duration'] = '720h';
    attrs['csi.cert-manager.io/key-algorithm'] = 'RSA';
    attrs['csi.cert-manager.io/key-size'] = '2048';
    const found = findings(manifests, terraform).filter((f) => f.kind === ConsistencyFindingKind.CSI_VOLUME).map((f) => f.message);
    expect(found).toEqual(expect.arrayContaining([
      'duration 720h exceeds max_ttl 86400s of Vault role \'payments-vault-services\' (Vault would shorten it)',
      'duration 720h exceeds maxDuration 24h of CertificateRequestPolicy \'payments-vault-services\'',
      "key RSA 2048 is refused by CertificateRequestPolicy 'payments-vault-services' (algorithm ECDSA, maxSize 256)",
      "key RSA 2048 is refused by Vault role 'payments-vault-services' (key_type ec, key_bits 256)",
    ]));
    const noUse = copy();
    noUse.manifests = noUse.manifests.filter((m: any) => m.metadata?.name !== 'vault-services-approver-policy-csi-driver');
    expect(findings(noUse.manifests, noUse.terraform).map((f) => f.message)).toContainEqual(expect.stringMatching(
      /csi-driver creates the requests with service account cert-manager\/cert-manager-csi-driver, which may not 'use' any CertificateRequestPolicy/));
  });

  test('spiffe-volume: a pod running as another service account gets no policy that allows its own ID', () => {
    const { manifests, terraform } = copy();
    objects(manifests, 'Deployment', 'api')[0].spec.template.spec.serviceAccountName = 'admin';
    const found = findings(manifests, terraform).filter((f) => f.kind === ConsistencyFindingKind.SPIFFE_VOLUME).map((f) => f.message);
    expect(found).toEqual([
      "service account 'admin' may not create CertificateRequests in 'payments' (csi-driver-spiffe requests with the pod's token)",
      "no CertificateRequestPolicy that service account 'admin' may use allows its own SPIFFE ID (spiffe://<td>/ns/payments/sa/admin)",
    ]);
  });

  test('uri-patterns: a glob that crosses "/" in the Vault role, or a policy and role that disagree', () => {
    const { manifests, terraform } = copy();
    const role = Object.values<any>(terraform.resource.vault_pki_secret_backend_role).find((r) => r.name === 'payments-vault-services');
    role.allowed_uri_sans = ['spiffe://acme.internal/ns/*/sa/api'];
    const found = findings(manifests, terraform).filter((f) => f.kind === ConsistencyFindingKind.URI_PATTERNS).map((f) => f.message);
    expect(found).toEqual([expect.stringMatching(/^URI pattern 'spiffe:\/\/acme.internal\/ns\/\*\/sa\/api' has a '\*' that can cross '\/'/)]);
    // A policy that approves an identity the Vault role would refuse to sign.
    role.allowed_uri_sans = ['spiffe://acme.internal/ns/payments/sa/web'];
    expect(findings(manifests, terraform).filter((f) => f.kind === ConsistencyFindingKind.URI_PATTERNS).map((f) => f.message)).toEqual([
      "allows URI SAN 'spiffe://acme.internal/ns/payments/sa/api', which Vault role 'payments-vault-services' does not allow (its allowed_uri_sans: " +
      'spiffe://acme.internal/ns/payments/sa/web)',
    ]);
  });

  test('policy-identity and is-ca: escape hatches that drop an identity rule, widen who may use an identity policy, or allow a CA', () => {
    const { manifests, terraform } = copy();
    const svid = objects(manifests, 'CertificateRequestPolicy', 'payments-vault-services-sa-api')[0];
    svid.spec.allowed.uris.validations = [];
    objects(manifests, 'RoleBinding', 'vault-services-approver-policy-sa-api')[0].subjects.push({ kind: 'ServiceAccount', name: 'billing', namespace: 'payments' });
    const istioCsr = objects(manifests, 'CertificateRequestPolicy', 'istio-system-istio-ca-istio-csr')[0];
    objects(manifests, 'RoleBinding', 'istio-ca-approver-policy-istio-csr')[0].subjects.push({ kind: 'Group', name: 'system:authenticated' });
    istioCsr.spec.allowed.isCA = true;
    const kinds = [ConsistencyFindingKind.POLICY_IDENTITY, ConsistencyFindingKind.IS_CA];
    const found = findings(manifests, terraform).filter((f) => kinds.includes(f.kind));
    expect(found.map((f) => `${f.kind} ${f.object}: ${f.message}`)).toEqual([
      'policy-identity CertificateRequestPolicy payments-vault-services-sa-api: allows URI SANs without a validation binding them to the one requester ' +
      "meant to ask for them (cr.username == 'system:serviceaccount:<namespace>:<name>'): anyone who may use the policy could obtain those identities",
      'policy-identity CertificateRequestPolicy istio-system-istio-ca-istio-csr: Group system:authenticated may use it, but its identities are bound to ' +
      'ServiceAccount cert-manager/cert-manager-istio-csr: grant its use to that account alone',
      "is-ca CertificateRequestPolicy istio-system-istio-ca-istio-csr: allows isCA: a workload could issue itself a CA (the intermediates' path length 0 " +
      'would still refuse its leaves, but the CA certificate itself is issued); set allowed.isCA to false',
    ]);
  });

  test('the drivers\' own volume checks catch a writable volume and an attribute the driver does not know', () => {
    const { manifests } = copy();
    const api = objects(manifests, 'Deployment', 'api')[0];
    const volume = api.spec.template.spec.volumes.find((v: any) => v.name === 'tls-api-tls');
    volume.csi.readOnly = false;
    volume.csi.volumeAttributes['csi.cert-manager.io/durration'] = '1h';
    expect(csiVolumeProblems(api)).toEqual([
      'volumes[0] (tls-api-tls): readOnly must be true (the driver refuses writable volumes)',
      'volumes[0] (tls-api-tls): unknown csi-driver attribute csi.cert-manager.io/durration',
    ]);
  });
});
