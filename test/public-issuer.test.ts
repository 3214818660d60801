// Public certificates beside the private PKI: AcmeIssuer's defaults and refusals, and proof with the approver-policy
// v0.27.0 model (test/models/approver-policy) that the requests cert-manager really sends for an Ingress annotated the
// way ingress-shim reads it (cert-manager v1.21.1 pkg/controller/certificate-shim/sync.go, built here by the audit's
// ingress-shim module and then by the cert-manager requester model) are approved by the issuer's own policy, and that
// other names, namespaces, wildcards, keys and requesters are not.
import { Duration, Testing } from 'cdk8s';
import {
  AcmeIssuer, AcmeIssuerProps, AcmeServer, AcmeSolver, ApprovalPhase, ApprovalRollout, KeyAlgorithm, PublicCertificate,
} from '../src';
import { evaluate } from './models/approver-policy/model';
import { serviceAccountIdentity } from './models/certificate-request';
import { certificateRequestFromCertificate } from './models/requesters/cert-manager';
import { errorOf, newScope, objects, TestScope } from './util';
import { certificateFromIngress } from '../src/consistency/audit/ingress-shim';

const HTTP01 = AcmeSolver.http01Ingress({ ingressClassName: 'nginx' });

function shopIssuer(scope: TestScope, props: Partial<AcmeIssuerProps> = {}): AcmeIssuer {
  return new AcmeIssuer(scope.chart, 'shop-letsencrypt', { namespace: 'shop', zones: ['shop.example.com'], solvers: [HTTP01], ...props });
}

/** An Ingress with ingress-shim's annotations, as a team writes it. */
function ingress(namespace: string, hosts: string[], annotations: Record<string, string>): any {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'storefront', namespace, annotations },
    spec: { ingressClassName: 'nginx', tls: [{ hosts, secretName: 'storefront-tls' }], rules: [{ host: hosts[0] }] },
  };
}

/** What approver-policy decides for the request cert-manager sends for the Ingress's one Certificate. */
async function decide(cluster: any[], ing: any, overrides: any = {}) {
  const [certificate] = certificateFromIngress(ing);
  expect(certificate).toBeDefined();
  return evaluate(await certificateRequestFromCertificate(certificate, overrides), cluster);
}

describe('AcmeIssuer', () => {
  test('defaults: a namespaced Issuer for Let\'s Encrypt, its own policy, cert-manager may use it in that namespace, alerts', () => {
    const scope = newScope();
    const issuer = shopIssuer(scope);
    const manifests = Testing.synth(scope.chart);
    const [acme] = objects(manifests, 'Issuer', 'letsencrypt');
    expect(acme.metadata.namespace).toBe('shop');
    expect(acme.spec.acme).toEqual({
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      privateKeySecretRef: { name: 'letsencrypt-acme-account' },
      solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } }, selector: { dnsZones: ['shop.example.com'] } }],
    });
    expect(objects(manifests, 'ClusterIssuer')).toEqual([]);
    const [policy] = objects(manifests, 'CertificateRequestPolicy', 'shop-letsencrypt-acme');
    expect(policy.spec.selector).toEqual({ issuerRef: { name: 'letsencrypt', kind: 'Issuer', group: 'cert-manager.io' }, namespace: { matchNames: ['shop'] } });
    expect(policy.spec.allowed.dnsNames.values).toEqual(['*.shop.example.com']);
    expect(policy.spec.allowed.isCA).toBe(false);
    expect(policy.spec.constraints).toEqual({ privateKey: { algorithm: 'RSA', minSize: 2048 } });
    const [role] = objects(manifests, 'Role', 'letsencrypt-approver-policy');
    expect([role.metadata.namespace, role.rules]).toEqual(['shop', [{
      apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], resourceNames: ['shop-letsencrypt-acme'], verbs: ['use'],
    }]]);
    const [binding] = objects(manifests, 'RoleBinding', 'letsencrypt-approver-policy');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }]);
    const [rule] = objects(manifests, 'PrometheusRule', 'shop-letsencrypt-acme-alerts');
    expect(rule.spec.groups[0].rules.map((r: any) => r.alert)).toEqual([
      'VaultPkiPublicCertificateRenewalOverdue', 'VaultPkiPublicCertificateExpiryImminent', 'VaultPkiPublicCertificateNotReady', 'VaultPkiPublicIssuerNotReady',
    ]);
    expect([issuer.policyUsable, issuer.certificateLifetime.toDays()]).toEqual([true, 90]);
  });

  test('a ClusterIssuer only when asked: its policy admits only the namespaces listed, each with its own use grant', () => {
    const scope = newScope();
    new AcmeIssuer(scope.chart, 'prod', { clusterIssuer: true, issuerName: 'letsencrypt-prod', namespaces: ['shop', 'blog'], zones: ['example.com'], solvers: [HTTP01] });
    const manifests = Testing.synth(scope.chart);
    const [ci] = objects(manifests, 'ClusterIssuer', 'letsencrypt-prod');
    expect(ci.metadata.namespace).toBeUndefined();
    const [policy] = objects(manifests, 'CertificateRequestPolicy', 'cluster-letsencrypt-prod-acme');
    expect(policy.spec.selector).toEqual({ issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer', group: 'cert-manager.io' }, namespace: { matchNames: ['blog', 'shop'] } });
    expect(objects(manifests, 'RoleBinding', 'letsencrypt-prod-approver-policy').map((b) => b.metadata.namespace).sort()).toEqual(['blog', 'shop']);
  });

  test('while the rollout observes, the policy exists but cert-manager may not use it (nothing existing can be denied)', () => {
    const scope = newScope();
    new ApprovalRollout(scope.chart, 'approval', { phase: ApprovalPhase.OBSERVE });
    const issuer = shopIssuer(scope);
    const manifests = Testing.synth(scope.chart);
    expect(issuer.policyUsable).toBe(false);
    expect(objects(manifests, 'CertificateRequestPolicy', 'shop-letsencrypt-acme')).toHaveLength(1);
    expect(objects(manifests, 'RoleBinding', 'letsencrypt-approver-policy')).toEqual([]);
  });

  test.each([
    ['no namespace', {}, { namespace: undefined }, "'namespace' is missing"],
    ['a ClusterIssuer without namespaces', {}, { namespace: undefined, clusterIssuer: true }, "'namespaces' is empty"],
    ['no zones', {}, { zones: [] }, "'zones' is empty"],
    ['a wildcard zone', {}, { zones: ['*.example.com'] }, "zone '*.example.com' is not a DNS zone"],
    ['a top-level domain', {}, { zones: ['com'] }, "zone 'com' is not a DNS zone"],
    ['overlapping zones', {}, { zones: ['example.com', 'shop.example.com'] }, "'zones' overlap"],
    ['no solver', {}, { solvers: [] }, "'solvers' is empty"],
    ['wildcards without DNS-01', {}, { allowWildcards: true }, "'allowWildcards' needs a DNS-01 solver"],
    ['a weak key', {}, { keyAlgorithm: KeyAlgorithm.rsa(1024) }, "'keyAlgorithm' (RSA 1024) is too weak"],
    ['a solver for another zone', {}, { solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx', zones: ['other.org'] })] }, "solver zone 'other.org' is not one of 'zones'"],
    ['an http server', {}, { server: AcmeServer.custom('http://acme.example.com/directory', Duration.days(90)) }, "'server'"],
  ] as [string, any, any, string][])('fails with %s', (_what, _unused, props, message) => {
    const scope = newScope();
    expect(errorOf(() => shopIssuer(scope, props))).toContain(message);
  });

  test('the rollout must come first: public issuers read its phase', () => {
    const scope = newScope();
    shopIssuer(scope);
    expect(errorOf(() => new ApprovalRollout(scope.chart, 'approval', { phase: ApprovalPhase.ENFORCE }))).toContain('create the ApprovalRollout first');
  });
});

describe('approver-policy v0.27.0 decides the requests ingress-shim\'s Certificates send (model)', () => {
  const scope = newScope();
  shopIssuer(scope, { allowApex: true });
  new AcmeIssuer(scope.chart, 'prod', {
    clusterIssuer: true,
    issuerName: 'letsencrypt-prod',
    namespaces: ['shop', 'marketing'],
    zones: ['example.com'],
    allowWildcards: true,
    solvers: [HTTP01, AcmeSolver.dns01Route53({ region: 'eu-west-1' })],
  });
  const cluster = Testing.synth(scope.chart);
  const issuerAnnotation = { 'cert-manager.io/issuer': 'letsencrypt' };

  test.each([
    ['two hosts under the zone, cert-manager\'s defaults (RSA 2048, no duration, default usages)', ['shop.example.com', 'www.shop.example.com'], issuerAnnotation, 'shop-letsencrypt-acme'],
    ['a common name and server auth from annotations', ['www.shop.example.com'], { ...issuerAnnotation, 'cert-manager.io/common-name': 'www.shop.example.com', 'cert-manager.io/usages': 'digital signature,key encipherment,server auth' }, 'shop-letsencrypt-acme'],
    ['a larger RSA key', ['shop.example.com'], { ...issuerAnnotation, 'cert-manager.io/private-key-size': '3072' }, 'shop-letsencrypt-acme'],
    ['the ClusterIssuer, from marketing, with a wildcard', ['*.example.com', 'www.example.com'], { 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' }, 'cluster-letsencrypt-prod-acme'],
  ] as [string, string[], Record<string, string>, string][])('approved: %s', async (_what, hosts, annotations, policy) => {
    const ns = annotations['cert-manager.io/cluster-issuer'] ? 'marketing' : 'shop';
    const decision = await decide(cluster, ingress(ns, hosts, annotations));
    expect([decision.decision, decision.approvedBy]).toEqual(['approved', [policy]]);
  });

  test.each([
    ['a name outside the zone', 'shop', ['shop.example.org'], issuerAnnotation],
    ['another team\'s zone under the ClusterIssuer\'s parent, through the namespaced Issuer', 'shop', ['blog.example.com'], issuerAnnotation],
    ['a wildcard on the HTTP-01 Issuer', 'shop', ['*.shop.example.com'], issuerAnnotation],
    ['the namespaced Issuer from another namespace', 'marketing', ['shop.example.com'], issuerAnnotation],
    ['the ClusterIssuer from a namespace it does not serve', 'payments', ['pay.example.com'], { 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' }],
    ['an ECDSA key where RSA is required', 'shop', ['shop.example.com'], { ...issuerAnnotation, 'cert-manager.io/private-key-algorithm': 'ECDSA' }],
    ['a common name outside the zone', 'shop', ['shop.example.com'], { ...issuerAnnotation, 'cert-manager.io/common-name': 'evil.example.org' }],
    ['an IP address', 'shop', ['shop.example.com', '203.0.113.7'], issuerAnnotation],
  ] as [string, string, string[], Record<string, string>][])('not approved: %s', async (_what, ns, hosts, annotations) => {
    const decision = await decide(cluster, ingress(ns, hosts, annotations));
    expect([decision.decision, decision.approvedBy]).toEqual([expect.stringMatching(/^(denied|unprocessed)$/), []]);
  });

  test('not approved: another requester (a pod\'s service account) sends cert-manager\'s request for the shop\'s names', async () => {
    const decision = await decide(cluster, ingress('shop', ['shop.example.com'], issuerAnnotation), { cr: { identity: serviceAccountIdentity('shop', 'storefront') } });
    expect([decision.decision, decision.approvedBy]).toEqual([expect.stringMatching(/^(denied|unprocessed)$/), []]);
  });

  test('why the policy has no maxDuration: approver-policy refuses every request without a duration under one, and ingress-shim sends none', async () => {
    const capped = cluster.map((o) => (o.kind === 'CertificateRequestPolicy' && o.metadata.name === 'shop-letsencrypt-acme'
      ? { ...o, spec: { ...o.spec, constraints: { ...o.spec.constraints, maxDuration: '2160h' } } } : o));
    const decision = await decide(capped, ingress('shop', ['shop.example.com'], issuerAnnotation));
    expect(decision.decision).toBe('denied');
    expect(decision.reasons.join(' ')).toContain('maxDuration');
  });

  test('a PublicCertificate of the issuer is approved too', async () => {
    const s = newScope();
    const issuer = shopIssuer(s, { allowApex: true });
    new PublicCertificate(s.chart, 'storefront', { issuer, dnsNames: ['shop.example.com', 'www.shop.example.com'] });
    const manifests = Testing.synth(s.chart);
    const [certificate] = objects(manifests, 'Certificate', 'storefront');
    expect(certificate.spec.duration).toBeUndefined();
    expect(certificate.spec.privateKey).toEqual({ algorithm: 'RSA', size: 2048, rotationPolicy: 'Always' });
    const decision = evaluate(await certificateRequestFromCertificate(certificate), manifests);
    expect([decision.decision, decision.approvedBy]).toEqual(['approved', ['shop-letsencrypt-acme']]);
    expect(errorOf(() => new PublicCertificate(s.chart, 'evil', { issuer, dnsNames: ['evil.example.org'] }))).toContain("'dnsNames' (evil.example.org) is not allowed by issuer 'letsencrypt'");
  });
});
