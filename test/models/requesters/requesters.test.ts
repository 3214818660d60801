// The requester models against the library's real synthesized objects (the reference and mesh example programs):
// each CertificateRequest is parsed back with @peculiar/x509 and must hold exactly what the upstream source puts in,
// and nothing else. Then the upstream projects' own test tables (upstream-cases.json), and hostile variants.
import * as fs from 'fs';
import * as path from 'path';
import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import {
  annotationsToCopy, certManagerCsrSpec, certManagerKey, certManagerSignatureAlgorithm, certificateRequestFromCertificate, webhookValidationErrors,
} from './cert-manager';
import { csiDriverBundle, csiDriverExpand, certificateRequestFromCsiVolume } from './csi-driver';
import {
  certificateRequestForServiceAccount, certificateRequestFromSpiffeVolume, spiffeDriverCsrSpec, spiffeDriverFromHelmValues, spiffeSanitizeAnnotations,
} from './csi-driver-spiffe';
import {
  certManagerKeyUsages, createCsr, csrPem, EXT_KEY_USAGE_OIDS, formatGoDuration, goDuration, goRdnSequence, goSans, GoName, inspectCsr, keyUsageNames,
  parseGoDuration, requestPem, San, subjectDer,
} from './csr';
import { istioAgentRequest, istioGenCsrSpec, istioGenCsrTemplate } from './istio-agent';
import {
  certificateRequestFromAgentCsr, certificateRequestFromIstioAgent, istioCsrAuthorizationErrors, istioCsrChartLabels, istioCsrFromHelmValues,
  istioCsrServingCertificateRequest, istiodCertificate, istiodCertificateRequest,
} from './istio-csr';
import { hashIdentifier, podFromWorkload } from './pod';
import { buildMeshScenario } from '../../../examples/mesh/scenario';
import { buildReferenceScenario } from '../../../examples/reference/scenario';
import { serviceAccountIdentity } from '../certificate-request';

const find = (objects: any[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};

// The example programs synthesized here (what `npm run synth:examples` writes to examples.out/, which `npm test` cannot
// rely on: CI runs the tests before it). Helm values as a YAML file would carry them: plain JSON.
const referenceBuilt = buildReferenceScenario(K8sTesting.app(), TfTesting.app());
const meshBuilt = buildMeshScenario(K8sTesting.app(), TfTesting.app());
const reference = K8sTesting.synth(referenceBuilt.chart);
const mesh = K8sTesting.synth(meshBuilt.chart);
const spiffeValues = JSON.parse(JSON.stringify(meshBuilt.spiffe.helmValues));
const istioCsrValues = JSON.parse(JSON.stringify(meshBuilt.istioCsr.helmValues));
const api = find(mesh, 'Deployment', 'api');

const OID = {
  san: '2.5.29.17',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  extensionRequest: '1.2.840.113549.1.9.14',
  serverAuth: EXT_KEY_USAGE_OIDS['server auth'],
  clientAuth: EXT_KEY_USAGE_OIDS['client auth'],
};
const EMPTY_SUBJECT = '3000';
const CERT_MANAGER = serviceAccountIdentity('cert-manager', 'cert-manager');
const ekuNames = (oids: string[] | undefined) => oids?.map((oid) => Object.keys(EXT_KEY_USAGE_OIDS).find((k) => EXT_KEY_USAGE_OIDS[k] === oid && k !== 's/mime'));

describe('cert-manager v1.21.1 (a Certificate through the requestmanager)', () => {
  test.each(['payments-mtls', 'auth-mtls', 'api-mtls'])('reference example Certificate %s: the exact request', async (name) => {
    const certificate = find(reference, 'Certificate', name);
    const ns = certificate.metadata.namespace;
    const cr = await certificateRequestFromCertificate(certificate);
    expect(cr.metadata).toEqual({
      name: `${name}-1`,
      namespace: ns,
      labels: certificate.metadata.labels,
      annotations: {
        'cert-manager.io/certificate-name': name,
        'cert-manager.io/certificate-revision': '1',
        'cert-manager.io/private-key-secret-name': expect.stringMatching(new RegExp(`^${name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`)),
      },
    });
    expect(cr.spec).toEqual({
      request: expect.any(String),
      issuerRef: { name: 'vault-services', kind: 'Issuer', group: 'cert-manager.io' },
      duration: '24h0m0s',
      usages: ['digital signature', 'server auth', 'client auth'],
      username: 'system:serviceaccount:cert-manager:cert-manager',
      groups: CERT_MANAGER.groups,
    });
    expect(requestPem(cr)).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n(?:[A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE REQUEST-----\n$/);
    expect(await inspectCsr(cr)).toEqual({
      subjectDer: EMPTY_SUBJECT,
      subject: '',
      commonName: undefined,
      sans: [{ type: 'dns', value: certificate.spec.dnsNames[0] }],
      sanCritical: true,
      keyUsages: ['digital signature'],
      keyUsageCritical: true,
      extKeyUsages: [OID.serverAuth, OID.clientAuth],
      basicConstraints: undefined,
      extensions: [OID.san, OID.keyUsage, OID.extKeyUsage],
      attributes: [OID.extensionRequest],
      key: { algorithm: 'ECDSA', size: 256 },
      signatureAlgorithm: 'ECDSAWithSHA256',
      signatureValid: true,
    });
    expect(await webhookValidationErrors(cr)).toEqual([]);
  });

  test('defaults: RSA 2048 / SHA256-RSA, digital signature + key encipherment in the CSR, no usages, no duration in the request', async () => {
    const certificate = {
      metadata: { name: 'web', namespace: 'team' },
      spec: { secretName: 'web-tls', dnsNames: ['web.team.example'], issuerRef: { name: 'ca' } },
    };
    const cr = await certificateRequestFromCertificate(certificate);
    expect(cr.spec).toEqual({ request: expect.any(String), issuerRef: { name: 'ca' }, username: CERT_MANAGER.username, groups: CERT_MANAGER.groups });
    expect(cr.metadata.labels).toBeUndefined();
    expect(await inspectCsr(cr)).toMatchObject({
      subjectDer: EMPTY_SUBJECT,
      sanCritical: true,
      keyUsages: ['digital signature', 'key encipherment'],
      extKeyUsages: undefined,
      extensions: [OID.san, OID.keyUsage],
      key: { algorithm: 'RSA', size: 2048 },
      signatureAlgorithm: 'SHA256WithRSA',
      signatureValid: true,
    });
    expect(await webhookValidationErrors(cr)).toEqual([]);
  });

  test('a subject: Go order (O before CN), PrintableString, SAN no longer critical; a wildcard CN is a UTF8String', async () => {
    const cr = await certificateRequestFromCertificate({
      metadata: { name: 'named', namespace: 'team' },
      spec: {
        commonName: 'web.team.example',
        subject: { organizations: ['Acme'] },
        dnsNames: ['web.team.example'],
        uris: ['spiffe://td/ns/team/sa/web'],
        ipAddresses: ['10.0.0.1'],
        emailAddresses: ['ops@team.example'],
        issuerRef: { name: 'ca' },
        privateKey: { algorithm: 'ECDSA' },
      },
    });
    const csr = await inspectCsr(cr);
    expect(csr.subjectDer).toBe(subjectDer([[{ type: 'O', value: 'Acme', stringType: 'printableString' }], [{ type: 'CN', value: 'web.team.example', stringType: 'printableString' }]]));
    expect(csr.sanCritical).toBe(false);
    expect(csr.sans).toEqual([
      { type: 'dns', value: 'web.team.example' }, { type: 'email', value: 'ops@team.example' }, { type: 'ip', value: '10.0.0.1' }, { type: 'uri', value: 'spiffe://td/ns/team/sa/web' },
    ]);
    const wildcard = await inspectCsr(await certificateRequestFromCertificate({
      metadata: { name: 'wild', namespace: 'team' }, spec: { commonName: '*.team.example', issuerRef: { name: 'ca' }, privateKey: { algorithm: 'ECDSA' } },
    }));
    expect(wildcard.subjectDer).toBe(subjectDer([[{ type: 'CN', value: '*.team.example', stringType: 'utf8String' }]]));
    expect(wildcard.subjectDer).not.toBe(subjectDer([[{ type: 'CN', value: '*.team.example', stringType: 'printableString' }]]));
    expect(wildcard.sans).toEqual([]);
  });

  test('isCA, annotations (kubectl\'s not copied), a Certificate name over 233 characters, keymanager\'s refusals', async () => {
    const cr = await certificateRequestFromCertificate({
      metadata: { name: 'ca', namespace: 'team', annotations: { 'team.example/owner': 'a', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: { commonName: 'team CA', isCA: true, issuerRef: { name: 'root' }, privateKey: { algorithm: 'ECDSA' }, duration: '2160h' },
      status: { revision: 4 },
    });
    expect(cr.metadata.name).toBe('ca-5');
    expect(cr.metadata.annotations).toMatchObject({ 'team.example/owner': 'a', 'cert-manager.io/certificate-revision': '5' });
    expect(cr.metadata.annotations).not.toHaveProperty('kubectl.kubernetes.io/last-applied-configuration');
    expect(cr.spec).toMatchObject({ isCA: true, duration: '2160h0m0s' });
    expect((await inspectCsr(cr)).keyUsages).toEqual(['digital signature', 'key encipherment', 'cert sign']);
    expect(await webhookValidationErrors(cr)).toEqual([]);
    const long = 'a'.repeat(240);
    const longCr = await certificateRequestFromCertificate({ metadata: { name: long, namespace: 'team' }, spec: { dnsNames: ['a.example'], issuerRef: { name: 'ca' }, privateKey: { algorithm: 'ECDSA' } } });
    expect(longCr.metadata.name).toMatch(new RegExp('^a{168}-[0-9a-f]{64}-1$'));
    expect(() => certManagerKey({ spec: { privateKey: { algorithm: 'RSA', size: 1024 } } })).toThrow(/weak rsa key size specified: 1024/);
    expect(() => certManagerKey({ spec: { privateKey: { algorithm: 'ECDSA', size: 224 } } })).toThrow(/unsupported ecdsa key size/);
    expect(() => certManagerCsrSpec({ spec: { literalSubject: 'CN=x' } })).toThrow(/not modelled/);
    expect(annotationsToCopy({ 'a/b': '1', 'argocd.argoproj.io/x': '2', 'fluxcd.io/y': '3' }, ['*', '-argocd.argoproj.io/', '-fluxcd.io/'])).toEqual({ 'a/b': '1' });
  });
});

describe('cert-manager csi-driver v0.16.0 (an InMemoryCertificate volume)', () => {
  test('the mesh example\'s api pod: the exact request, created by the driver\'s own service account', async () => {
    const cr = await certificateRequestFromCsiVolume(api, 'tls-api-tls');
    const pod = podFromWorkload(api);
    expect(cr.metadata).toEqual({
      name: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/),
      namespace: 'payments',
      labels: {
        'csi.cert-manager.io/node-id-hash': hashIdentifier('node-1'),
        'csi.cert-manager.io/volume-id-hash': expect.stringMatching(/^[bcdfghjklmnpqrstvwxz2456789]+$/),
      },
    });
    expect(pod.metadata.namespace).toBe('payments');
    expect(cr.spec).toEqual({
      request: expect.any(String),
      issuerRef: { name: 'vault-services', kind: 'Issuer', group: 'cert-manager.io' },
      duration: '24h0m0s',
      usages: ['digital signature', 'server auth', 'client auth'],
      username: 'system:serviceaccount:cert-manager:cert-manager-csi-driver',
      groups: serviceAccountIdentity('cert-manager', 'cert-manager-csi-driver').groups,
    });
    expect(await inspectCsr(cr)).toEqual({
      subjectDer: EMPTY_SUBJECT,
      subject: '',
      commonName: undefined,
      sans: [{ type: 'dns', value: 'api.payments.services.internal' }],
      sanCritical: false,
      keyUsages: undefined,
      keyUsageCritical: undefined,
      extKeyUsages: undefined,
      basicConstraints: undefined,
      extensions: [OID.san],
      attributes: [OID.extensionRequest],
      key: { algorithm: 'ECDSA', size: 256 },
      signatureAlgorithm: 'ECDSAWithSHA256',
      signatureValid: true,
    });
    expect(await webhookValidationErrors(cr)).toEqual([]);
  });

  test('defaults when attributes are absent (pkg/apis/defaults): RSA 2048, 2160h, digital signature + key encipherment, Issuer', async () => {
    const pod = {
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'team', uid: '0000' },
      spec: {
        serviceAccountName: 'app',
        volumes: [{
          name: 'tls',
          csi: {
            driver: 'csi.cert-manager.io',
            volumeAttributes: {
              'csi.cert-manager.io/issuer-name': 'ca', 'csi.cert-manager.io/dns-names': '${POD_NAME}.team.svc', 'example.com/team': 'blue',
            },
          },
        }],
      },
    };
    const cr = await certificateRequestFromCsiVolume(pod, 'tls');
    expect(cr.metadata.annotations).toEqual({ 'example.com/team': 'blue' });
    expect(cr.spec).toMatchObject({
      issuerRef: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' }, duration: '2160h0m0s', usages: ['digital signature', 'key encipherment'],
    });
    expect(cr.spec.isCA).toBeUndefined();
    expect(await inspectCsr(cr)).toMatchObject({
      sans: [{ type: 'dns', value: 'p.team.svc' }], sanCritical: false, extensions: [OID.san], key: { algorithm: 'RSA', size: 2048 }, signatureAlgorithm: 'SHA256WithRSA',
    });
    // With --use-token-request the pod's own token creates the request.
    const own = await certificateRequestFromCsiVolume(pod, 'tls', { install: { useTokenRequest: true } });
    expect(own.spec.username).toBe('system:serviceaccount:team:app');
    // A key csi-driver refuses.
    const weak = {
      ...pod,
      spec: {
        ...pod.spec,
        volumes: [{
          name: 'tls',
          csi: {
            driver: 'csi.cert-manager.io',
            volumeAttributes: {
              'csi.cert-manager.io/issuer-name': 'ca', 'csi.cert-manager.io/dns-names': 'a', 'csi.cert-manager.io/key-size': '1024',
            },
          },
        }],
      },
    };
    await expect(certificateRequestFromCsiVolume(weak, 'tls')).rejects.toThrow(/key size must be at least 2048/);
    expect(hashIdentifier('a')).toBe('d8bfb88b'); // FNV-1 32 of "a" is 84696446
  });
});

describe('cert-manager csi-driver-spiffe v0.15.0 (a SpiffeIdentity volume)', () => {
  const install = spiffeDriverFromHelmValues(spiffeValues);

  test('the Helm values the library emits, read as the chart passes them to the driver', () => {
    expect(install).toEqual({
      namespace: 'cert-manager',
      serviceAccountName: 'cert-manager-csi-driver-spiffe',
      driverName: 'spiffe.csi.cert-manager.io',
      trustDomain: 'acme.internal',
      certificateRequestDuration: '1h0m0s',
      issuerRef: { name: 'vault-services', kind: 'Issuer', group: 'cert-manager.io' },
      useOwnServiceAccount: false,
      extraAnnotations: {},
    });
  });

  test('the mesh example\'s api pod: the exact SVID request, created with the pod\'s own token', async () => {
    const cr = await certificateRequestFromSpiffeVolume(api, 'spiffe-api', install);
    expect(cr.metadata).toEqual({
      name: expect.any(String),
      namespace: 'payments',
      labels: { 'csi.cert-manager.io/node-id-hash': hashIdentifier('node-1'), 'csi.cert-manager.io/volume-id-hash': expect.any(String) },
      annotations: { 'spiffe.csi.cert-manager.io/identity': 'spiffe://acme.internal/ns/payments/sa/api' },
    });
    expect(cr.spec).toEqual({
      request: expect.any(String),
      issuerRef: { name: 'vault-services', kind: 'Issuer', group: 'cert-manager.io' },
      duration: '1h0m0s',
      usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
      username: 'system:serviceaccount:payments:api',
      groups: serviceAccountIdentity('payments', 'api').groups,
    });
    expect(await inspectCsr(cr)).toEqual({
      subjectDer: EMPTY_SUBJECT,
      subject: '',
      commonName: undefined,
      sans: [{ type: 'uri', value: 'spiffe://acme.internal/ns/payments/sa/api' }],
      sanCritical: true,
      keyUsages: undefined,
      keyUsageCritical: undefined,
      extKeyUsages: undefined,
      basicConstraints: undefined,
      extensions: [OID.san],
      attributes: [OID.extensionRequest],
      key: { algorithm: 'ECDSA', size: 256 },
      signatureAlgorithm: 'ECDSAWithSHA256',
      signatureValid: true,
    });
    expect(await webhookValidationErrors(cr)).toEqual([]);
  });

  test('useOwnServiceAccount: the driver\'s account creates it; the SPIFFE ID still comes from the pod\'s token', async () => {
    const own = spiffeDriverFromHelmValues({ app: { ...spiffeValues.app, driver: { ...spiffeValues.app.driver, useOwnServiceAccount: true } } });
    const cr = await certificateRequestForServiceAccount(own, 'payments', 'api');
    expect(cr.spec.username).toBe('system:serviceaccount:cert-manager:cert-manager-csi-driver-spiffe');
    expect(cr.metadata.annotations).toEqual({ 'spiffe.csi.cert-manager.io/identity': 'spiffe://acme.internal/ns/payments/sa/api' });
  });
});

describe('the Istio agent (istio 1.30.3) and istio-csr v0.17.0', () => {
  const install = istioCsrFromHelmValues(istioCsrValues);
  const agentOptions = { trustDomain: 'acme.internal', namespace: 'shop', serviceAccount: 'web' };

  test('the agent\'s workload CSR: one empty O (PrintableString), only the SPIFFE URI in a critical SAN, RSA 2048, 24h asked', async () => {
    const agent = await istioAgentRequest(agentOptions);
    expect(agent.validityDuration).toBe(86400);
    const csr = await inspectCsr(agent.csr);
    expect(csr).toEqual({
      subjectDer: subjectDer([[{ type: 'O', value: '', stringType: 'printableString' }]]),
      subject: 'O=',
      commonName: undefined,
      sans: [{ type: 'uri', value: 'spiffe://acme.internal/ns/shop/sa/web' }],
      sanCritical: true,
      keyUsages: undefined,
      keyUsageCritical: undefined,
      extKeyUsages: undefined,
      basicConstraints: undefined,
      extensions: [OID.san],
      attributes: [OID.extensionRequest],
      key: { algorithm: 'RSA', size: 2048 },
      signatureAlgorithm: 'SHA256WithRSA',
      signatureValid: true,
    });
    expect(csr.subjectDer).toBe('300b31093007060355040a1300');
    expect(csr.subjectDer).not.toBe(subjectDer([[{ type: 'O', value: '', stringType: 'utf8String' }]]));
    const ecc = await inspectCsr((await istioAgentRequest({ ...agentOptions, eccSignatureAlgorithm: 'ECDSA', eccCurve: 'P384' })).csr);
    expect(ecc).toMatchObject({ key: { algorithm: 'ECDSA', size: 384 }, signatureAlgorithm: 'ECDSAWithSHA384' });
    await expect(istioAgentRequest({ ...agentOptions, workloadRsaKeySize: 1024 })).rejects.toThrow(/minimum required size of 2048/);
  });

  test('istio-csr\'s configuration from the library\'s Helm values (chart defaults filled in)', () => {
    expect(install).toMatchObject({
      namespace: 'cert-manager',
      name: 'cert-manager-istio-csr',
      certificateNamespace: 'istio-system',
      issuerRef: { name: 'istio-ca', kind: 'Issuer', group: 'cert-manager.io' },
      additionalAnnotations: {},
      trustDomain: 'acme.internal',
      servingDnsNames: ['cert-manager-istio-csr.cert-manager.svc'],
      servingDuration: '1h0m0s',
      servingSignatureAlgorithm: 'RSA',
      servingKeySize: 2048,
      maxClientCertificateDuration: '1h0m0s',
      istioNamespace: 'istio-system',
      revisions: ['default'],
      istiod: { enable: 'true', duration: '1h', renewBefore: '30m', keyAlgorithm: 'RSA', keySize: 2048, additionalDnsNames: [] },
    });
  });

  test('a workload\'s request: istio-csr creates it with its own account in istio-system, the agent\'s CSR verbatim, 1h, client + server auth', async () => {
    const agent = await istioAgentRequest(agentOptions);
    const cr = await certificateRequestFromAgentCsr(agent, install);
    expect(cr.metadata).toEqual({
      name: expect.stringMatching(/^istio-csr-[bcdfghjklmnpqrstvwxz2456789]{5}$/),
      namespace: 'istio-system',
      annotations: { 'istio.cert-manager.io/identities': 'spiffe://acme.internal/ns/shop/sa/web' },
    });
    expect(cr.spec).toEqual({
      request: Buffer.from(agent.csr).toString('base64'),
      issuerRef: { name: 'istio-ca', kind: 'Issuer', group: 'cert-manager.io' },
      duration: '1h0m0s',
      usages: ['client auth', 'server auth'],
      username: 'system:serviceaccount:cert-manager:cert-manager-istio-csr',
      groups: serviceAccountIdentity('cert-manager', 'cert-manager-istio-csr').groups,
    });
    expect(await webhookValidationErrors(cr)).toEqual([]);
    // A shorter SECRET_TTL is kept; a longer one is cut to maxCertificateDuration.
    expect((await certificateRequestFromIstioAgent({ ...agentOptions, secretTtl: '30m' }, install)).spec.duration).toBe('30m0s');
  });

  test('istio-csr\'s serving certificate request', async () => {
    const cr = await istioCsrServingCertificateRequest(install);
    expect(cr.metadata).toEqual({
      name: expect.stringMatching(/^istio-csr-/), namespace: 'istio-system', annotations: { 'istio.cert-manager.io/identities': 'istio-csr-serving' },
    });
    expect(cr.spec).toMatchObject({ duration: '1h0m0s', usages: ['server auth'], username: 'system:serviceaccount:cert-manager:cert-manager-istio-csr' });
    expect(await inspectCsr(cr)).toMatchObject({
      subjectDer: '300b31093007060355040a1300',
      sans: [{ type: 'dns', value: 'cert-manager-istio-csr.cert-manager.svc' }],
      sanCritical: true,
      keyUsages: undefined,
      extKeyUsages: undefined,
      extensions: [OID.san],
      key: { algorithm: 'RSA', size: 2048 },
      signatureAlgorithm: 'SHA256WithRSA',
    });
    expect(await webhookValidationErrors(cr)).toEqual([]);
  });

  test('istiod\'s Certificate as the chart renders it, and its request through cert-manager (no usages at all)', async () => {
    const certificate = istiodCertificate(install);
    expect(certificate).toEqual({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'istiod', namespace: 'istio-system', labels: istioCsrChartLabels(install) },
      spec: {
        commonName: 'istiod.istio-system.svc',
        dnsNames: ['istiod.istio-system.svc'],
        uris: ['spiffe://acme.internal/ns/istio-system/sa/istiod-service-account'],
        secretName: 'istiod-tls',
        duration: '1h',
        renewBefore: '30m',
        privateKey: { rotationPolicy: 'Always', algorithm: 'RSA', size: 2048 },
        revisionHistoryLimit: 1,
        issuerRef: { name: 'istio-ca', kind: 'Issuer', group: 'cert-manager.io' },
      },
    });
    const cr = await istiodCertificateRequest(install);
    expect(cr.metadata).toMatchObject({ name: 'istiod-1', namespace: 'istio-system', labels: istioCsrChartLabels(install) });
    expect(cr.spec).toEqual({
      request: expect.any(String),
      issuerRef: { name: 'istio-ca', kind: 'Issuer', group: 'cert-manager.io' },
      duration: '1h0m0s',
      username: CERT_MANAGER.username,
      groups: CERT_MANAGER.groups,
    });
    expect(await inspectCsr(cr)).toMatchObject({
      subjectDer: subjectDer([[{ type: 'CN', value: 'istiod.istio-system.svc', stringType: 'printableString' }]]),
      sans: [{ type: 'dns', value: 'istiod.istio-system.svc' }, { type: 'uri', value: 'spiffe://acme.internal/ns/istio-system/sa/istiod-service-account' }],
      sanCritical: false,
      keyUsages: ['digital signature', 'key encipherment'],
      extKeyUsages: undefined,
      extensions: [OID.san, OID.keyUsage],
      key: { algorithm: 'RSA', size: 2048 },
      signatureAlgorithm: 'SHA256WithRSA',
    });
    expect(await webhookValidationErrors(cr)).toEqual([]);
    const revisions = istiodCertificate({ ...install, revisions: ['default', 'canary'] });
    expect(revisions.spec.dnsNames).toEqual(['istiod.istio-system.svc', 'istiod-canary.istio-system.svc']);
  });

  test('the library\'s example program still emits the Helm values read above', () => {
    const built = buildMeshScenario(K8sTesting.app(), TfTesting.app());
    expect(JSON.parse(JSON.stringify(built.istioCsr.helmValues))).toEqual(istioCsrValues);
    expect(JSON.parse(JSON.stringify(built.spiffe.helmValues))).toEqual(spiffeValues);
  });
});

describe('hostile variants: each field a policy must refuse can be changed', () => {
  const spiffe = spiffeDriverFromHelmValues(spiffeValues);
  const istio = istioCsrFromHelmValues(istioCsrValues);
  const payments = () => find(reference, 'Certificate', 'payments-mtls');

  test('cert-manager: another name, isCA, a longer duration, a weaker key, an extra URI, another identity', async () => {
    const certificate = payments();
    const evil = await certificateRequestFromCertificate({
      ...certificate,
      spec: { ...certificate.spec, dnsNames: ['mtls.auth.services.internal'], isCA: true, duration: '720h', privateKey: { algorithm: 'RSA', size: 2048 } },
    }, {
      csr: { extraSans: [{ type: 'uri', value: 'spiffe://acme.internal/ns/auth/sa/api' }] },
      cr: { identity: serviceAccountIdentity('payments', 'intruder') },
    });
    expect(evil.spec).toMatchObject({ isCA: true, duration: '720h0m0s', username: 'system:serviceaccount:payments:intruder' });
    expect(await inspectCsr(evil)).toMatchObject({
      sans: [{ type: 'dns', value: 'mtls.auth.services.internal' }, { type: 'uri', value: 'spiffe://acme.internal/ns/auth/sa/api' }],
      keyUsages: ['digital signature', 'cert sign'],
      key: { algorithm: 'RSA', size: 2048 },
    });
    expect(await webhookValidationErrors(evil)).toEqual([]);
    // Weaker than cert-manager would generate: only a hand-made request (the key override), still admitted by the webhook.
    const weak = await certificateRequestFromCertificate(certificate, { csr: { key: { algorithm: 'RSA', size: 1024 } } });
    expect(await inspectCsr(weak)).toMatchObject({ key: { algorithm: 'RSA', size: 1024 }, signatureAlgorithm: 'SHA256WithRSA', signatureValid: true });
    // spec.usages that disagree with the CSR's extensions never get past cert-manager's webhook.
    const mismatch = await certificateRequestFromCertificate(certificate, { cr: { usages: ['digital signature', 'server auth', 'client auth', 'code signing'] } });
    expect(await webhookValidationErrors(mismatch)).toEqual([expect.stringMatching(/ExtKeyUsages .* do not match the expected ExtKeyUsages/)]);
  });

  test('csi-driver: a CA, an IP SAN, a long duration and another account\'s SPIFFE ID, from any pod\'s own volume attributes', async () => {
    const volume = api.spec.template.spec.volumes.find((v: any) => v.name === 'tls-api-tls');
    const evilVolume = {
      ...volume,
      csi: {
        ...volume.csi,
        volumeAttributes: {
          ...volume.csi.volumeAttributes,
          'csi.cert-manager.io/is-ca': 'true',
          'csi.cert-manager.io/duration': '8760h',
          'csi.cert-manager.io/ip-sans': '10.0.0.9',
          'csi.cert-manager.io/uri-sans': 'spiffe://acme.internal/ns/payments/sa/api',
        },
      },
    };
    // A pod running as `billing` names api's SPIFFE ID: the request is the driver's, nothing ties it to the pod's account.
    const cr = await certificateRequestFromCsiVolume(api, evilVolume, { pod: { serviceAccountName: 'billing' } });
    expect(cr.spec).toMatchObject({ isCA: true, duration: '8760h0m0s', username: 'system:serviceaccount:cert-manager:cert-manager-csi-driver' });
    expect((await inspectCsr(cr)).sans).toEqual([
      { type: 'dns', value: 'api.payments.services.internal' }, { type: 'ip', value: '10.0.0.9' }, { type: 'uri', value: 'spiffe://acme.internal/ns/payments/sa/api' },
    ]);
    expect(await webhookValidationErrors(cr)).toEqual([]);
  });

  test('csi-driver-spiffe: a pod running as another service account gets (and asks with) that account\'s identity; a hand-made variant', async () => {
    const other = await certificateRequestFromSpiffeVolume(api, 'spiffe-api', spiffe, { pod: { serviceAccountName: 'billing' } });
    expect(other.spec.username).toBe('system:serviceaccount:payments:billing');
    expect((await inspectCsr(other)).sans).toEqual([{ type: 'uri', value: 'spiffe://acme.internal/ns/payments/sa/billing' }]);
    const forged = await certificateRequestFromSpiffeVolume(api, 'spiffe-api', spiffe, {
      csr: { sans: [{ type: 'uri', value: 'spiffe://acme.internal/ns/payments/sa/admin' }], extraSans: [{ type: 'ip', value: '10.1.2.3' }], key: { algorithm: 'ECDSA', size: 384 } },
      cr: { isCA: true, duration: '720h' },
    });
    expect(forged.spec).toMatchObject({ isCA: true, duration: '720h0m0s', username: 'system:serviceaccount:payments:api' });
    expect(await inspectCsr(forged)).toMatchObject({
      sans: [{ type: 'uri', value: 'spiffe://acme.internal/ns/payments/sa/admin' }, { type: 'ip', value: '10.1.2.3' }],
      key: { algorithm: 'ECDSA', size: 384 },
      signatureAlgorithm: 'ECDSAWithSHA384',
    });
  });

  test('istio-csr refuses an agent CSR with another SPIFFE ID or an extra SAN; past it (authorize: false) the request carries them', async () => {
    const options = { trustDomain: 'acme.internal', namespace: 'shop', serviceAccount: 'web' };
    const spoofed = await istioAgentRequest({ ...options, csr: { sans: [{ type: 'uri', value: 'spiffe://acme.internal/ns/istio-system/sa/istiod-service-account' }] } });
    await expect(certificateRequestFromAgentCsr(spoofed, istio)).rejects.toThrow(/failed to match URIs with identities/);
    const withIp = await istioAgentRequest({ ...options, csr: { extraSans: [{ type: 'ip', value: '10.0.0.1' }] } });
    await expect(certificateRequestFromAgentCsr(withIp, istio)).rejects.toThrow(/non uri san extension given/);
    const withCa = await istioAgentRequest({ ...options, csr: { usages: ['cert sign'] } });
    await expect(certificateRequestFromAgentCsr(withCa, istio)).rejects.toThrow(/forbidden key usage/);
    const passed = await certificateRequestFromAgentCsr(withIp, istio, { authorize: false, cr: { duration: '24h', isCA: true } });
    expect(passed.spec).toMatchObject({ duration: '24h0m0s', isCA: true });
    expect((await inspectCsr(passed)).sans).toContainEqual({ type: 'ip', value: '10.0.0.1' });
    // The caller's own identity is all istio-csr lets through: a pod of istio-system as istiod's account would need that token.
    const asIstiod = await certificateRequestFromIstioAgent({ ...options, namespace: 'istio-system', serviceAccount: 'istiod-service-account' }, istio);
    expect(asIstiod.metadata.annotations).toEqual({ 'istio.cert-manager.io/identities': 'spiffe://acme.internal/ns/istio-system/sa/istiod-service-account' });
    expect(asIstiod.spec.username).toBe('system:serviceaccount:cert-manager:cert-manager-istio-csr');
  });
});

describe('shared encoding (csr.ts)', () => {
  test('Go durations: ParseDuration and Duration.String', () => {
    expect(['24h', '1h', '30m', '90s', '8760h', '1h30m', '1.5s', '500ms', '0', '2160h0m0s'].map(goDuration))
      .toEqual(['24h0m0s', '1h0m0s', '30m0s', '1m30s', '8760h0m0s', '1h30m0s', '1.5s', '500ms', '0s', '2160h0m0s']);
    expect(formatGoDuration(parseGoDuration('-1m'))).toBe('-1m0s');
    expect(() => parseGoDuration('foo')).toThrow(/invalid duration/);
    expect(() => parseGoDuration('')).toThrow(/invalid duration/);
  });

  test('key usage names, Go\'s subject order', () => {
    expect(keyUsageNames(1 + 4 + 32)).toEqual(['digital signature', 'key encipherment', 'cert sign']);
    expect(goRdnSequence({ commonName: 'c', organization: ['o'], country: ['C1', 'C2'], serialNumber: 's' }).map((r) => r.map((a) => a.type)))
      .toEqual([['C', 'C'], ['O'], ['CN'], ['serialNumber']]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Upstream test tables
// ---------------------------------------------------------------------------------------------------------------------

interface UpstreamCase { source: string; test: string; model: string; skip?: string; input?: any; expect?: any }
const upstream: UpstreamCase[] = JSON.parse(fs.readFileSync(path.join(__dirname, 'upstream-cases.json'), 'utf8')).cases;
const CSI_BASE_CONTEXT = {
  'csi.storage.k8s.io/pod.name': 'my-pod-name',
  'csi.storage.k8s.io/pod.namespace': 'my-namespace',
  'csi.storage.k8s.io/pod.uid': 'my-pod-uuid',
  'csi.storage.k8s.io/serviceAccount.name': 'my-service-account',
  'csi.storage.k8s.io/ephemeral': 'true',
};
const sansOf = (sans: readonly San[], type: San['type']) => sans.filter((s) => s.type === type).map((s) => s.value);

async function replay(c: UpstreamCase): Promise<void> {
  const { input, expect: want } = c;
  const attempt = <T>(fn: () => T): T | Error => {
    try {
      return fn();
    } catch (e) {
      return e as Error;
    }
  };
  switch (c.model) {
    case 'keyUsages': {
      const got = certManagerKeyUsages(input.usages, input.isCA);
      if (want.error) return void expect(got.unknown.length).toBeGreaterThan(0);
      expect({ keyUsages: keyUsageNames(got.keyUsage), extKeyUsages: ekuNames(got.extKeyUsages) }).toEqual(want);
      return;
    }
    case 'signatureAlgorithm': {
      const certificate = { spec: { privateKey: { algorithm: input.algorithm, size: input.size }, signatureAlgorithm: input.signatureAlgorithm } };
      const got = attempt(() => ({ signatureAlgorithm: certManagerSignatureAlgorithm(certificate), keyAlgorithm: (input.algorithm || 'RSA') as string }));
      if (want.error) return void expect(got).toBeInstanceOf(Error);
      expect(got).toEqual(want);
      return;
    }
    case 'generateCsr': {
      const got = attempt(() => certManagerCsrSpec({ metadata: { name: 'test', namespace: 'test' }, spec: input.spec }, {
        UseCertificateRequestBasicConstraints: false, NameConstraints: false, OtherNames: false, LiteralCertificateSubject: false, ...input.gates,
      }));
      if (want.error) return void expect(got).toBeInstanceOf(Error);
      if (got instanceof Error) throw got;
      expect(got.subject).toEqual(goRdnSequence(want.subject as GoName));
      expect(got.sans).toEqual(want.sans);
      if (want.sans.length > 0) expect(got.sanCritical).toBe(want.sanCritical);
      expect(keyUsageNames(got.keyUsage ?? 0)).toEqual(want.keyUsages);
      expect(ekuNames([...(got.extKeyUsages ?? [])])).toEqual(want.extKeyUsages);
      expect(got.basicConstraints).toEqual(want.basicConstraints);
      expect(got.signatureAlgorithm).toBe(want.signatureAlgorithm);
      expect(got.key.algorithm).toBe(want.keyAlgorithm);
      return;
    }
    case 'csiDriverBundle': {
      const got = attempt(() => csiDriverBundle({ ...input.volumeContext, ...CSI_BASE_CONTEXT }));
      if (want.error) return void expect(got).toBeInstanceOf(Error);
      if (got instanceof Error) throw got;
      expect({
        subject: got.csr.subject,
        dnsNames: sansOf(got.csr.sans, 'dns'),
        ipAddresses: sansOf(got.csr.sans, 'ip'),
        uris: sansOf(got.csr.sans, 'uri'),
        isCA: got.isCA,
        usages: got.usages,
        namespace: got.namespace,
        issuerRef: got.issuerRef,
        duration: got.duration,
        annotations: got.annotations,
      }).toEqual({ ...want, subject: goRdnSequence(want.subject) });
      return;
    }
    case 'csiDriverExpand': {
      const got = attempt(() => csiDriverExpand(CSI_BASE_CONTEXT, input.text));
      if (want.error) return void expect((got as Error).message).toBe(want.error);
      expect(got).toBe(want.output);
      return;
    }
    case 'spiffeSanitizeAnnotations': {
      const got = spiffeSanitizeAnnotations(input.annotations);
      expect({ error: got.errors.length > 0, annotations: got.annotations }).toEqual(want);
      return;
    }
    case 'spiffeSignRequest': {
      const csr = await inspectCsr(requestPemOf(await createCsr(spiffeDriverCsrSpec(input.spiffeId, goRdnSequence(input.subject)))));
      expect({ sanCritical: csr.sanCritical, uris: sansOf(csr.sans, 'uri') }).toEqual(want);
      return;
    }
    case 'istioGenCsr': {
      const spec = attempt(() => istioGenCsrSpec(input));
      if (want.error) {
        expect(spec).toBeInstanceOf(Error);
        if (typeof want.error === 'string') expect((spec as Error).message).toBe(want.error);
        return;
      }
      if (spec instanceof Error) throw spec;
      const csr = await inspectCsr(requestPemOf(await createCsr(spec)));
      expect(csr.signatureValid).toBe(true);
      expect(csr.subject).toBe(`O=${want.organization}`);
      expect(csr.extensions[0]).toBe(OID.san);
      expect(csr.sans[csr.sans.length - 1].value).toBe(want.lastSan);
      expect(csr.key.algorithm).toBe(want.keyAlgorithm);
      return;
    }
    case 'istioGenCsrTemplate': {
      const template = istioGenCsrTemplate(input);
      const cn = template.subject.flat().find((a) => a.type === 'CN');
      expect(cn?.value).toBe(want.commonName);
      return;
    }
    case 'istioCsrAuthorize': {
      let pem: string;
      if (typeof input.csr === 'string') {
        pem = input.csr;
      } else {
        // istio-csr's test/gen.CSR: GenCSRTemplate without a host (O=""), the standard library's SAN, RSA 2048.
        pem = requestPemOf(await createCsr({
          subject: goRdnSequence({ organization: [''], commonName: input.csr.commonName }),
          sans: goSans(input.csr),
          sanCritical: false,
          key: { algorithm: 'RSA', size: 2048 },
        }));
      }
      expect((await istioCsrAuthorizationErrors(pem, input.identities)).length === 0).toBe(want.authorized);
      return;
    }
    default:
      throw new Error(`unknown model ${c.model}`);
  }
}

const requestPemOf = (csr: { rawData: ArrayBuffer }) => csrPem(csr.rawData);

describe('upstream test tables (upstream-cases.json)', () => {
  const run = upstream.filter((c) => !c.skip);
  test.each(run.map((c) => [`${c.source} ${c.test}`, c] as const))('%s', async (_name, c) => {
    await replay(c);
  });
  test('every skipped case says why', () => {
    for (const c of upstream.filter((u) => u.skip)) expect(c.skip).toMatch(/not modelled|authentication/);
  });
});
