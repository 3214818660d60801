// Who gets a certificate: every request each requester really sends (built as its source builds it, test/models/
// requesters) decided by approver-policy v0.27.0 as its source decides (test/models/approver-policy, checked against
// approver-policy's own 194 test cases) over every object the example programs emit into the cluster (policies, Roles,
// RoleBindings). Each intended request is approved by exactly the policy meant for its requester; every hostile
// variant (another team's name, another service account's SPIFFE ID, isCA, a longer duration, a weaker key, an extra
// URI or IP, another requester) is not.
import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import { FleetContract } from '../src';
import { Decision, evaluate } from './models/approver-policy/model';
import { CertificateRequestObject, serviceAccountIdentity } from './models/certificate-request';
import { certificateRequestFromCertificate } from './models/requesters/cert-manager';
import { certificateRequestFromCsiVolume } from './models/requesters/csi-driver';
import { certificateRequestFromSpiffeVolume, spiffeDriverFromHelmValues } from './models/requesters/csi-driver-spiffe';
import { certificateRequestFromIstioAgent, istioCsrFromHelmValues, istioCsrServingCertificateRequest, istiodCertificateRequest } from './models/requesters/istio-csr';
import { buildPlatform } from '../examples/fleet/platform/program';
import { buildTeamShop } from '../examples/fleet/team-shop/program';
import { buildMeshScenario } from '../examples/mesh/scenario';
import { buildReferenceScenario } from '../examples/reference/scenario';

const meshBuilt = buildMeshScenario(K8sTesting.app(), TfTesting.app());
const MESH = K8sTesting.synth(meshBuilt.chart);
const SPIFFE = spiffeDriverFromHelmValues(JSON.parse(JSON.stringify(meshBuilt.spiffe.helmValues)));
const ISTIO_CSR = istioCsrFromHelmValues(JSON.parse(JSON.stringify(meshBuilt.istioCsr.helmValues)));
const REFERENCE = K8sTesting.synth(buildReferenceScenario(K8sTesting.app(), TfTesting.app()).chart);

// The fleet: the platform program and a team program (its own repository), read through the platform's contract as the
// team's main.ts does; a cluster holds what both programs sync into it.
const platform = buildPlatform(K8sTesting.app(), TfTesting.app());
const shopCharts = buildTeamShop(K8sTesting.app(), TfTesting.app(),
  FleetContract.fromJson(JSON.parse(JSON.stringify(platform.contract.toJson())), { program: 'team-shop' })).charts;
const platformProdEu = platform.clusters.find((c) => c.cluster.name === 'prod-eu')!.chart;
const FLEET_PROD_EU = [...K8sTesting.synth(platformProdEu), ...K8sTesting.synth(shopCharts.get('prod-eu')!)];

const find = (objects: any[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const API = find(MESH, 'Deployment', 'api');
const TD = 'acme.internal';
const spiffeId = (ns: string, sa: string) => `spiffe://${TD}/ns/${ns}/sa/${sa}`;
const certificate = (name: string, spec: any = {}) => {
  const c = find(REFERENCE, 'Certificate', name);
  return { ...c, spec: { ...c.spec, ...spec } };
};

interface Case {
  readonly name: string;
  readonly cluster: any[];
  readonly request: () => Promise<CertificateRequestObject>;
  /** The policy that must approve it, alone; undefined: it must not be approved. */
  readonly approvedBy?: string;
}

const decide = async (c: Case): Promise<Decision> => evaluate(await c.request(), c.cluster);

/** The requests the example programs exist to get approved. */
const INTENDED: Case[] = [
  ...['payments', 'auth', 'api'].map((team) => ({
    name: `cert-manager: Certificate ${team}-mtls (reference scenario)`,
    cluster: REFERENCE,
    request: () => certificateRequestFromCertificate(find(REFERENCE, 'Certificate', `${team}-mtls`)),
    approvedBy: `${team}-vault-services`,
  })),
  ...['api', 'ledger'].map((service) => ({
    name: `cert-manager: Certificate payments/${service} of the fleet's team-shop program in cluster prod-eu`,
    cluster: FLEET_PROD_EU,
    request: () => certificateRequestFromCertificate(find(FLEET_PROD_EU, 'Certificate', service)),
    approvedBy: 'payments-vault-services',
  })),
  {
    name: "csi-driver: the api pod's in-memory TLS certificate",
    cluster: MESH,
    request: () => certificateRequestFromCsiVolume(API, 'tls-api-tls'),
    approvedBy: 'payments-vault-services',
  },
  {
    name: "csi-driver-spiffe: the api pod's SVID, requested with its own token",
    cluster: MESH,
    request: () => certificateRequestFromSpiffeVolume(API, 'spiffe-api', SPIFFE),
    approvedBy: 'payments-vault-services-sa-api',
  },
  {
    name: "istio-csr: an Istio agent's workload certificate (shop/web), O=\"\" as Istio builds every CSR",
    cluster: MESH,
    request: () => certificateRequestFromIstioAgent({ trustDomain: TD, namespace: 'shop', serviceAccount: 'web' }, ISTIO_CSR),
    approvedBy: 'istio-system-istio-ca-istio-csr',
  },
  {
    name: "istio-csr: an Istio agent's workload certificate in Istio's own namespace (the ingress gateway)",
    cluster: MESH,
    request: () => certificateRequestFromIstioAgent({ trustDomain: TD, namespace: 'istio-system', serviceAccount: 'istio-ingressgateway' }, ISTIO_CSR),
    approvedBy: 'istio-system-istio-ca-istio-csr',
  },
  {
    name: 'istio-csr: its own serving certificate (pkg/tls), O=""',
    cluster: MESH,
    request: () => istioCsrServingCertificateRequest(ISTIO_CSR),
    approvedBy: 'istio-system-istio-ca-istio-csr',
  },
  {
    name: "cert-manager: istiod's Certificate as istio-csr's chart renders it",
    cluster: MESH,
    request: () => istiodCertificateRequest(ISTIO_CSR),
    approvedBy: 'istio-system-istio-ca-istiod',
  },
];

const INTRUDER = serviceAccountIdentity('payments', 'intruder');
/** Requests no policy may approve. */
const HOSTILE: Case[] = [
  // A Certificate of the payments namespace (cert-manager requests it, whoever wrote the Certificate).
  ...([
    ['another team\'s name', { dnsNames: ['mtls.auth.services.internal'] }],
    ['a name outside every tenant', { dnsNames: ['evil.example.com'] }],
    ['isCA', { isCA: true }],
    ['a longer duration', { duration: '72h' }],
    ['a weaker key (RSA 2048 where the tenant signs ECDSA P-256)', { privateKey: { algorithm: 'RSA', size: 2048, rotationPolicy: 'Always' } }],
    ['an IP SAN', { ipAddresses: ['10.0.0.1'] }],
    ['a wildcard', { dnsNames: ['*.payments.services.internal'] }],
  ] as [string, any][]).map(([what, spec]) => ({
    name: `cert-manager: Certificate payments-mtls with ${what}`,
    cluster: REFERENCE,
    request: () => certificateRequestFromCertificate(certificate('payments-mtls', spec)),
  })),
  {
    name: 'cert-manager: a Certificate in the payments namespace claiming the api service account\'s SPIFFE ID',
    cluster: MESH,
    request: () => certificateRequestFromCertificate({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'stolen', namespace: 'payments' },
      spec: {
        secretName: 'stolen',
        issuerRef: { name: 'vault-services', kind: 'Issuer', group: 'cert-manager.io' },
        duration: '24h0m0s',
        dnsNames: ['x.payments.services.internal'],
        uris: [spiffeId('payments', 'api')],
        privateKey: { algorithm: 'ECDSA', size: 256 },
        usages: ['digital signature', 'server auth', 'client auth'],
      },
    }),
  },
  {
    name: 'cert-manager: a fleet Certificate of team-shop (payments) naming the search team\'s domain',
    cluster: FLEET_PROD_EU,
    request: () => {
      const c = find(FLEET_PROD_EU, 'Certificate', 'api');
      return certificateRequestFromCertificate({ ...c, spec: { ...c.spec, dnsNames: ['api.search.services.internal'] } });
    },
  },
  {
    name: 'cert-manager: a weak-key request made by hand (RSA 1024) from a Certificate\'s CSR',
    cluster: REFERENCE,
    request: () => certificateRequestFromCertificate(certificate('payments-mtls'), { csr: { key: { algorithm: 'RSA', size: 1024 } } }),
  },
  {
    name: 'cert-manager\'s request with another team\'s issuer (payments asks vault-services in namespace auth)',
    cluster: REFERENCE,
    request: () => certificateRequestFromCertificate(certificate('payments-mtls'), { cr: { namespace: 'auth' } }),
  },
  {
    name: 'csi-driver: a pod running as `billing` lists the api account\'s SPIFFE ID in uri-sans (csi-driver requests with its own account)',
    cluster: MESH,
    request: () => {
      const volume = API.spec.template.spec.volumes.find((v: any) => v.name === 'tls-api-tls');
      const evil = { ...volume, csi: { ...volume.csi, volumeAttributes: { ...volume.csi.volumeAttributes, 'csi.cert-manager.io/uri-sans': spiffeId('payments', 'api') } } };
      return certificateRequestFromCsiVolume(API, evil, { pod: { serviceAccountName: 'billing' } });
    },
  },
  {
    name: 'csi-driver: a CA and a year-long certificate from volume attributes',
    cluster: MESH,
    request: () => {
      const volume = API.spec.template.spec.volumes.find((v: any) => v.name === 'tls-api-tls');
      const attrs = { ...volume.csi.volumeAttributes, 'csi.cert-manager.io/is-ca': 'true', 'csi.cert-manager.io/duration': '8760h' };
      return certificateRequestFromCsiVolume(API, { ...volume, csi: { ...volume.csi, volumeAttributes: attrs } });
    },
  },
  {
    name: 'csi-driver-spiffe: the api account asks for another account\'s SPIFFE ID',
    cluster: MESH,
    request: () => certificateRequestFromSpiffeVolume(API, 'spiffe-api', SPIFFE, { csr: { sans: [{ type: 'uri', value: spiffeId('payments', 'admin') }] } }),
  },
  {
    name: 'csi-driver-spiffe: the api account, allowed to create requests for its SVID, asks for the tenant\'s DNS names',
    cluster: MESH,
    request: () => certificateRequestFromCertificate({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'dns', namespace: 'payments' },
      spec: {
        secretName: 'dns',
        issuerRef: { name: 'vault-services', kind: 'Issuer', group: 'cert-manager.io' },
        duration: '1h0m0s',
        dnsNames: ['api.payments.services.internal'],
        privateKey: { algorithm: 'ECDSA', size: 256 },
        usages: ['digital signature', 'server auth', 'client auth'],
      },
    }, { cr: { identity: serviceAccountIdentity('payments', 'api') } }),
  },
  ...([
    ['isCA', { cr: { isCA: true } }],
    ['a longer duration', { cr: { duration: '48h' } }],
    ['a weaker key', { csr: { key: { algorithm: 'RSA', size: 2048 } } }],
    ['an extra URI', { csr: { extraSans: [{ type: 'uri', value: spiffeId('payments', 'other') }] } }],
    ['an extra IP', { csr: { extraSans: [{ type: 'ip', value: '10.1.2.3' }] } }],
  ] as [string, any][]).map(([what, overrides]) => ({
    name: `csi-driver-spiffe: the api SVID with ${what}`,
    cluster: MESH,
    request: () => certificateRequestFromSpiffeVolume(API, 'spiffe-api', SPIFFE, overrides),
  })),
  {
    name: 'csi-driver-spiffe: a service account that is not one of the tenant\'s asks for its own SVID',
    cluster: MESH,
    request: () => certificateRequestFromSpiffeVolume(API, 'spiffe-api', SPIFFE, { pod: { serviceAccountName: 'billing' } } as any),
  },
  {
    name: 'istio-csr: a workload of a namespace outside the mesh tenant\'s (payments)',
    cluster: MESH,
    request: () => certificateRequestFromIstioAgent({ trustDomain: TD, namespace: 'payments', serviceAccount: 'api' }, ISTIO_CSR),
  },
  {
    name: 'istio-csr: a workload CSR with an organization',
    cluster: MESH,
    request: () => certificateRequestFromIstioAgent({
      trustDomain: TD, namespace: 'shop', serviceAccount: 'web', csr: { subject: [[{ type: 'O', value: 'acme' }]] } as any,
    }, ISTIO_CSR),
  },
  {
    // istio-csr refuses such a CSR itself (pkg/server/auth.go); the policy refuses it too, had istio-csr not checked.
    name: 'istio-csr: a workload certificate that also names istiod\'s DNS name (past istio-csr\'s own check)',
    cluster: MESH,
    request: () => certificateRequestFromIstioAgent({
      trustDomain: TD, namespace: 'shop', serviceAccount: 'web', csr: { extraSans: [{ type: 'dns', value: 'istiod.istio-system.svc' }] },
    }, ISTIO_CSR, { authorize: false }),
  },
  {
    name: 'istio-csr: a workload certificate longer than the mesh tenant allows',
    cluster: MESH,
    request: () => certificateRequestFromIstioAgent({ trustDomain: TD, namespace: 'shop', serviceAccount: 'web' }, { ...ISTIO_CSR, maxClientCertificateDuration: '24h' }),
  },
  {
    name: 'a workload account of the mesh namespace makes istio-csr\'s request itself',
    cluster: MESH,
    request: () => certificateRequestFromIstioAgent({ trustDomain: TD, namespace: 'shop', serviceAccount: 'web' }, ISTIO_CSR)
      .then((cr) => ({ ...cr, spec: { ...cr.spec, username: 'system:serviceaccount:istio-system:istio-ingressgateway' } })),
  },
  {
    name: 'cert-manager: istiod\'s Certificate with an extra DNS name',
    cluster: MESH,
    request: () => istiodCertificateRequest(ISTIO_CSR, { csr: { extraSans: [{ type: 'dns', value: 'evil.istio-system.svc' }] } }),
  },
  {
    name: 'cert-manager: a Certificate in istio-system claiming a workload\'s mesh identity',
    cluster: MESH,
    request: () => istiodCertificateRequest(ISTIO_CSR, { csr: { sans: [{ type: 'uri', value: spiffeId('shop', 'web') }] } }),
  },
  {
    name: 'an intruder account of the payments namespace sends cert-manager\'s request itself',
    cluster: REFERENCE,
    request: () => certificateRequestFromCertificate(certificate('payments-mtls'), { cr: { identity: INTRUDER } }),
  },
];

describe('approver-policy v0.27.0 decides every real request of the examples', () => {
  test.each(INTENDED.map((c) => [c.name, c] as const))('approved: %s', async (_name, c) => {
    const decision = await decide(c);
    expect({ decision: decision.decision, approvedBy: decision.approvedBy, reasons: decision.decision === 'approved' ? [] : decision.reasons })
      .toEqual({ decision: 'approved', approvedBy: [c.approvedBy], reasons: [] });
  });

  test.each(HOSTILE.map((c) => [c.name, c] as const))('not approved: %s', async (_name, c) => {
    const decision = await decide(c);
    expect([decision.decision, decision.approvedBy]).toEqual([expect.stringMatching(/^(denied|unprocessed)$/), []]);
  });
});
