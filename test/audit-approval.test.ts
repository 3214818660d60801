// The audit's approval simulation (src/consistency/audit/approval.ts: what approver-policy would decide once
// cert-manager's auto-approval is off) against the approver-policy v0.27.0 model of test/models (checked against
// approver-policy's own test cases), on the requests cert-manager really builds: the same decision for every request,
// except where only a CEL validation denies (the simulation does not run CEL: it reports the policy as unevaluated).
import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import { AcmeIssuer, AcmeSolver } from '../src';
import { evaluate } from './models/approver-policy/model';
import { serviceAccountIdentity } from './models/certificate-request';
import { certificateRequestFromCertificate } from './models/requesters/cert-manager';
import { newScope } from './util';
import { buildReferenceScenario } from '../examples/reference/scenario';
import { requestFromCertificate, simulateApproval } from '../src/consistency/audit/approval';
import { certificateFromIngress } from '../src/consistency/audit/ingress-shim';
import { requestFromCertificateRequest } from '../src/consistency/audit/rules/policy-rules';

const REFERENCE = K8sTesting.synth(buildReferenceScenario(K8sTesting.app(), TfTesting.app()).chart);
const acmeScope = newScope();
new AcmeIssuer(acmeScope.chart, 'shop', { namespace: 'shop', zones: ['shop.example.com'], solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })] });
const PUBLIC = K8sTesting.synth(acmeScope.chart);
/** The guide estate's one policy for everyone, with approver-policy's README ClusterRole binding for cert-manager. */
const ALLOW_ALL = [
  {
    apiVersion: 'policy.cert-manager.io/v1alpha1',
    kind: 'CertificateRequestPolicy',
    metadata: { name: 'allow-all' },
    spec: { allowed: { commonName: { value: '*' }, dnsNames: { values: ['*'] }, usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'] }, selector: { issuerRef: {} } },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'use-all' },
    rules: [{ apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], verbs: ['use'], resourceNames: ['allow-all'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'use-all' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'use-all' },
    subjects: [{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }],
  },
];

const certificate = (name: string, spec: any = {}) => {
  const c = REFERENCE.find((o) => o.kind === 'Certificate' && o.metadata.name === name);
  return { ...c, spec: { ...c.spec, ...spec } };
};
const shim = (ns: string, hosts: string[], annotations: Record<string, string> = { 'cert-manager.io/issuer': 'letsencrypt' }) => certificateFromIngress({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: ns, annotations }, spec: { tls: [{ hosts, secretName: 'web-tls' }] },
})[0];

const CASES: [string, any, any[], any?][] = [
  ['reference payments-mtls', certificate('payments-mtls'), REFERENCE],
  ['reference auth-mtls', certificate('auth-mtls'), REFERENCE],
  ['another team\'s name', certificate('payments-mtls', { dnsNames: ['mtls.auth.services.internal'] }), REFERENCE],
  ['isCA', certificate('payments-mtls', { isCA: true }), REFERENCE],
  ['a longer duration', certificate('payments-mtls', { duration: '72h' }), REFERENCE],
  ['no duration', certificate('payments-mtls', { duration: undefined }), REFERENCE],
  ['a weaker key', certificate('payments-mtls', { privateKey: { algorithm: 'RSA', size: 2048 } }), REFERENCE],
  ['an IP SAN', certificate('payments-mtls', { ipAddresses: ['10.0.0.1'] }), REFERENCE],
  ['a wildcard (only CEL refuses it)', certificate('payments-mtls', { dnsNames: ['*.payments.services.internal'] }), REFERENCE],
  ['an issuer of another namespace', { ...certificate('payments-mtls'), metadata: { name: 'x', namespace: 'shop' } }, REFERENCE],
  ['an ingress-shim certificate of the public issuer', shim('shop', ['a.shop.example.com', 'b.shop.example.com']), PUBLIC],
  ['an ingress-shim certificate outside the zone', shim('shop', ['shop.example.org']), PUBLIC],
  ['an ingress-shim certificate from another namespace', shim('blog', ['a.shop.example.com']), PUBLIC],
  ['an ingress-shim ECDSA certificate where RSA is required', shim('shop', ['a.shop.example.com'], { 'cert-manager.io/issuer': 'letsencrypt', 'cert-manager.io/private-key-algorithm': 'ECDSA' }), PUBLIC],
  ['anything under the allow-all policy', shim('team-a', ['evil.example.org'], { 'cert-manager.io/cluster-issuer': 'vault' }), ALLOW_ALL],
  ['a request by another service account', certificate('payments-mtls'), REFERENCE, { cr: { identity: serviceAccountIdentity('payments', 'intruder') } }],
];

describe('the audit\'s approval simulation agrees with the approver-policy model', () => {
  // Only the names go through test.each: jest formats every row's values, and the clusters are large.
  test.each(CASES.map(([name]) => name))('%s', async (name) => {
    const [, cert, cluster, overrides] = CASES.find(([n]) => n === name)!;
    const cr = await certificateRequestFromCertificate(cert, overrides ?? {});
    const model = evaluate(cr, cluster);
    // From the Certificate (what the audit does for Certificates) and from the request itself (a dump's CertificateRequest).
    const fromCertificate = overrides ? undefined : simulateApproval(requestFromCertificate(cert, 'cert-manager/cert-manager'), cluster);
    const fromRequest = simulateApproval(requestFromCertificateRequest(cr), cluster);
    const celOnly = model.decision === 'denied' && model.reasons.every((r) => /validations/.test(r));
    for (const sim of [fromCertificate, fromRequest].filter((s) => s !== undefined)) {
      if (celOnly) {
        expect([sim!.decision, sim!.unevaluated.length > 0]).toEqual(['approved', true]);
      } else {
        expect([sim!.decision, sim!.approvedBy]).toEqual([model.decision === 'error' ? 'denied' : model.decision, model.approvedBy]);
      }
    }
  });
});
