// Scenarios for the alerts of adoption (examples/adoption/3-enforce): public ACME certificates scaled to Let's
// Encrypt's 90 days, approver-policy's own decisions during a rollout, and what endpoints really serve (blackbox
// exporter's probe_ssl_* series next to x509-certificate-exporter's view of the Secrets). Series are what each exporter
// exports: cert-manager v1.21.1 internal/collectors; approver-policy v0.27.0 pkg/internal/metrics/metrics.go
// (`certmanager_approverpolicy_certificaterequests_approval{namespace, status}`, renamed `exported_namespace` by a
// ServiceMonitor without honorLabels); blackbox_exporter v0.28.0 prober/tls.go and prober/query_response.go.
import { Testing } from 'cdk8s';
import { Testing as TerraformTesting } from 'cdktf';
import { Construct } from 'constructs';
import { Certificate } from './cert-manager';
import { DAY, HOUR, Labels, MINUTE } from './notation';
import { RuleBook, RuleGroup } from './rule-book';
import { Scenario, Series } from './scenario';
import { buildAdoption } from '../../examples/adoption/phases';
import { ApprovalPhase } from '../../src';

/** The adoption-only rule groups of the ENFORCE phase: public issuers' alerts, the rollout's, the probes'. */
export function adoptionRuleGroups(): RuleGroup[] {
  const built = buildAdoption(Testing.app(), TerraformTesting.app() as Construct, ApprovalPhase.ENFORCE);
  const names = ['shop-letsencrypt-acme-alerts', 'cluster-letsencrypt-prod-acme-alerts', 'vault-pki-approval', 'served-public-alerts', 'served-internal-alerts',
    'crls-alerts'];
  const rules = Testing.synth(built.chart).filter((o) => o.kind === 'PrometheusRule' && names.includes(o.metadata.name));
  if (rules.length !== names.length) throw new Error(`expected the PrometheusRules ${names.join(', ')}, found ${rules.map((r) => r.metadata.name).join(', ')}`);
  return names.flatMap((name) => rules.find((r) => r.metadata.name === name)!.spec.groups as RuleGroup[]);
}

const LIFETIME = 90 * DAY;
const RENEW_BEFORE = 30 * DAY;
const APPROVER_POLICY: Labels = { namespace: 'cert-manager', job: 'cert-manager-approver-policy-metrics', instance: '10.244.1.9:9402' };
const approval = (namespace: string, status: string, value: (t: number) => number): Series =>
  ({ metric: 'certmanager_approverpolicy_certificaterequests_approval', labels: { ...APPROVER_POLICY, exported_namespace: namespace, status }, value });

const SHOP = { instance: 'shop.example.com:443', job: 'served-public', secret_namespace: 'shop', secret_name: 'storefront-tls' };
const API = { instance: 'api.payments.svc:8443', job: 'served-internal', secret_namespace: 'payments', secret_name: 'payments-mtls-tls' };
/** blackbox exporter's series for a served leaf (probe_ssl_*) and its Secret's copy (x509_cert_not_after), expiring at `served`/`stored`. */
function served(target: Labels, issuer: string, servedNotAfter: (t: number) => number | undefined, storedNotAfter: (t: number) => number,
  success: (t: number) => number = () => 1): Series[] {
  return [
    { metric: 'probe_success', labels: target, value: success },
    { metric: 'probe_ssl_earliest_cert_expiry', labels: target, value: (t) => (success(t) ? servedNotAfter(t) : undefined) },
    { metric: 'probe_ssl_last_chain_info', labels: { ...target, fingerprint_sha256: 'ab12', subject: 'CN=x', issuer, subjectalternative: 'x', serialnumber: '03a1' }, value: (t) => (success(t) ? 1 : undefined) },
    { metric: 'x509_cert_not_after', labels: { secret_namespace: target.secret_namespace, secret_name: target.secret_name, secret_key: 'tls.crt', subject_CN: 'x', namespace: 'monitoring', job: 'x509-certificate-exporter', instance: '10.244.2.9:9793' }, value: storedNotAfter },
  ];
}

const ROOT_CRL = 'https://vault.internal:8200/v1/pki-root/crl';
const SERVICES_CRL = 'https://vault.internal:8200/v1/pki-int-services/crl';
const INGRESS_CRL = 'https://vault.internal:8200/v1/pki-int-ingress/crl';
/** blackbox exporter's series for a CRL probe: the CRL's Last-Modified at `builtAt(t)` while the fetch succeeds. */
function crl(instance: string, builtAt: (t: number) => number, success: (t: number) => number = () => 1): Series[] {
  const target = { instance, job: 'crls' };
  return [
    { metric: 'probe_success', labels: target, value: success },
    { metric: 'probe_http_last_modified_timestamp_seconds', labels: target, value: (t) => (success(t) ? builtAt(t) : undefined) },
  ];
}

export function adoptionScenarios(book: RuleBook): Scenario[] {
  const publicAlert = (name: string, cert: Certificate, issuerKind: string) =>
    book.alert(name, cert.alertLabels, { issuer: cert.props.issuer!, issuer_kind: issuerKind });
  // Let's Encrypt's 90 days, renewed 30 days before expiry: a quarter of that window is 7.5 days. promtool's clock starts
  // at the Unix epoch, so each certificate is one issued 59d23h before the test, as its series read then: 30d1h left,
  // renewal due at 1h. Renewed at 2h, the blog's is a fresh 90-day certificate.
  const issued = (namespace: string, name: string, issuer: string, issuerKind: string, renewedAt?: number) => new Certificate({
    namespace,
    name,
    issuer,
    issuerKind,
    renewBefore: RENEW_BEFORE,
    backdate: 0,
    issuances: [{ at: 0, lifetime: RENEW_BEFORE + HOUR }, ...(renewedAt !== undefined ? [{ at: renewedAt, lifetime: LIFETIME }] : [])],
  });
  const overdue = issued('shop', 'storefront', 'letsencrypt', 'Issuer');
  const marketing = issued('marketing', 'www', 'letsencrypt-prod', 'ClusterIssuer');
  const elsewhere = issued('payments', 'www', 'letsencrypt-prod', 'ClusterIssuer');
  const healthy = issued('shop', 'blog', 'letsencrypt', 'Issuer', 2 * HOUR);
  // The same alerts scale to any lifetime: a 24-hour ACME certificate (renewed 8h before expiry, a quarter is 2h).
  const daily = new Certificate({ namespace: 'shop', name: 'api', issuer: 'letsencrypt', issuerKind: 'Issuer', issuances: [{ at: 0, lifetime: 24 * HOUR }], renewBefore: 8 * HOUR, backdate: 0 });
  const probe = (name: string, labels: Labels, rule: string) => book.alert(name, labels, { probes: rule });
  const le = 'CN=R11,O=Let\'s Encrypt,C=US';
  const dueAt = HOUR;
  return [
    {
      name: 'p1. a Let\'s Encrypt certificate whose renewal (due at 1h) never happens: overdue a quarter of its 30-day window (7.5d) later, after the ' +
        'alert\'s 1h; the ClusterIssuer\'s in marketing too, not the one in a namespace the ClusterIssuer does not serve; one renewed at 2h stays quiet',
      step: 5 * MINUTE,
      until: dueAt + 7.5 * DAY + 2 * HOUR,
      series: [...overdue.series(), ...marketing.series(), ...elsewhere.series(), ...healthy.series()],
      checks: [
        { at: dueAt + 7.5 * DAY + 59 * MINUTE, firing: [] },
        { at: dueAt + 7.5 * DAY + 62 * MINUTE, firing: [publicAlert('VaultPkiPublicCertificateRenewalOverdue', overdue, 'Issuer'), publicAlert('VaultPkiPublicCertificateRenewalOverdue', marketing, 'ClusterIssuer')] },
      ],
    },
    {
      name: 'p2. a 24-hour ACME certificate never renewed (due at 16h): RenewalOverdue a quarter of its 8h window (2h) after it was due and the alert\'s 1h, ExpiryImminent with 2h left',
      step: MINUTE,
      until: 23 * HOUR,
      series: daily.series(),
      checks: [
        { at: 18 * HOUR + 59 * MINUTE, firing: [] },
        { at: 19 * HOUR + 2 * MINUTE, firing: [publicAlert('VaultPkiPublicCertificateRenewalOverdue', daily, 'Issuer')] },
        { at: 22 * HOUR + 2 * MINUTE, firing: [publicAlert('VaultPkiPublicCertificateRenewalOverdue', daily, 'Issuer'), publicAlert('VaultPkiPublicCertificateExpiryImminent', daily, 'Issuer')] },
      ],
    },
    {
      name: 'p3. the shop\'s certificate not Ready for 2h (a challenge failing) and its Issuer not Ready for 30m: NotReady after 1h, IssuerNotReady after 10m',
      step: MINUTE,
      until: 3 * HOUR,
      series: [
        ...new Certificate({ namespace: 'shop', name: 'storefront', issuer: 'letsencrypt', issuances: [{ at: 0, lifetime: LIFETIME }], renewBefore: RENEW_BEFORE, backdate: 0 }).series().map((s) => (s.metric === 'certmanager_certificate_ready_status'
          ? { ...s, value: (t: number) => (s.labels.condition === (t >= 10 * MINUTE && t < 130 * MINUTE ? 'False' : 'True') ? 1 : 0) } : s)),
        ...['True', 'False', 'Unknown'].map((condition) => ({
          metric: 'certmanager_issuer_ready_status',
          labels: { exported_namespace: 'shop', name: 'letsencrypt', condition, namespace: 'cert-manager', job: 'cert-manager', instance: '10.244.1.7:9402' },
          value: (t: number) => (condition === (t >= HOUR && t < 90 * MINUTE ? 'False' : 'True') ? 1 : 0),
        })),
      ],
      checks: [
        { at: 69 * MINUTE, firing: [] },
        {
          at: 71 * MINUTE,
          firing: [
            book.alert('VaultPkiPublicCertificateNotReady', { exported_namespace: 'shop', name: 'storefront', issuer_name: 'letsencrypt' }, { issuer: 'letsencrypt', issuer_kind: 'Issuer' }),
            book.alert('VaultPkiPublicIssuerNotReady', { exported_namespace: 'shop', name: 'letsencrypt' }, { issuer: 'letsencrypt', issuer_kind: 'Issuer' }),
          ],
        },
        { at: 3 * HOUR, firing: [] },
      ],
    },
    {
      name: 'a1. approver-policy denies a request in shop at 30m: ApprovalDenied for the 15 minutes the denial is new; a request no approver decides for 15m: ApprovalPending',
      step: MINUTE,
      until: HOUR + 30 * MINUTE,
      series: [
        approval('shop', 'approved', () => 3),
        approval('shop', 'denied', (t) => (t >= 30 * MINUTE ? 1 : 0)),
        approval('payments', 'unmatched', (t) => (t >= 50 * MINUTE && t < 80 * MINUTE ? 1 : 0)),
      ],
      checks: [
        { at: 29 * MINUTE, firing: [] },
        { at: 32 * MINUTE, firing: [book.alert('VaultPkiApprovalDenied', { exported_namespace: 'shop' }, { phase: 'enforce' })] },
        { at: 64 * MINUTE, firing: [] },
        { at: 66 * MINUTE, firing: [book.alert('VaultPkiApprovalPending', { exported_namespace: 'payments' }, { phase: 'enforce' })] },
        { at: HOUR + 30 * MINUTE, firing: [] },
      ],
    },
    {
      name: 's1. what endpoints serve: the shop serves the ingress controller\'s fake certificate; the payments API still serves yesterday\'s certificate (1h left) ' +
        'while its Secret holds today\'s; both healthy again once reloaded at 2h',
      step: MINUTE,
      until: 3 * HOUR,
      series: [
        ...served(SHOP, 'CN=Kubernetes Ingress Controller Fake Certificate,O=Acme Co', () => 400 * DAY, () => 60 * DAY).map((s) => (s.metric === 'probe_ssl_last_chain_info'
          ? { ...s, value: (t: number) => (t < 2 * HOUR ? 1 : undefined) } : s)),
        ...served(SHOP, le, () => 60 * DAY, () => 60 * DAY).filter((s) => s.metric === 'probe_ssl_last_chain_info').map((s) => ({ ...s, value: (t: number) => (t >= 2 * HOUR ? 1 : undefined) })),
        ...served(API, 'CN=services intermediate CA', (t) => (t < 2 * HOUR ? 3 * HOUR : 24 * HOUR), () => 24 * HOUR),
      ],
      checks: [
        { at: 4 * MINUTE, firing: [] },
        {
          at: 16 * MINUTE,
          firing: [
            probe('VaultPkiServedCertificateUnexpectedIssuer', { instance: SHOP.instance, issuer: 'CN=Kubernetes Ingress Controller Fake Certificate,O=Acme Co' }, 'served-public'),
            probe('VaultPkiServedCertificateStale', { instance: API.instance, secret_namespace: 'payments', secret_name: 'payments-mtls-tls' }, 'served-internal'),
          ],
        },
        {
          at: 67 * MINUTE,
          firing: [
            probe('VaultPkiServedCertificateUnexpectedIssuer', { instance: SHOP.instance, issuer: 'CN=Kubernetes Ingress Controller Fake Certificate,O=Acme Co' }, 'served-public'),
            probe('VaultPkiServedCertificateStale', { instance: API.instance, secret_namespace: 'payments', secret_name: 'payments-mtls-tls' }, 'served-internal'),
            probe('VaultPkiServedCertificateExpiring', { instance: API.instance }, 'served-internal'),
          ],
        },
        { at: 3 * HOUR, firing: [] },
      ],
    },
    {
      name: 's2. the TLS handshake with the shop fails for 20m (expired or untrusted: no certificate is reported at all): ProbeFailing after 10m',
      step: MINUTE,
      until: HOUR,
      series: served(SHOP, le, () => 60 * DAY, () => 60 * DAY, (t) => (t >= 10 * MINUTE && t < 30 * MINUTE ? 0 : 1)),
      checks: [
        { at: 19 * MINUTE, firing: [] },
        { at: 21 * MINUTE, firing: [probe('VaultPkiProbeFailing', { instance: SHOP.instance }, 'served-public')] },
        { at: HOUR, firing: [] },
      ],
    },
    {
      name: 'c1. the CRLs as clients fetch them (Vault\'s 304 with Last-Modified, read by blackbox as probe_http_last_modified_timestamp_seconds): the ' +
        'root\'s rebuilt 10h ago stays quiet; the services CRL built 61h ago (the rebuild is due at 60h of its 72h) turns stale, and expiring 5h later; ' +
        'the ingress CRL unfetchable for 30m',
      step: MINUTE,
      until: 6 * HOUR,
      series: [
        ...crl(ROOT_CRL, (t) => t - 10 * HOUR),
        ...crl(SERVICES_CRL, () => -61 * HOUR),
        ...crl(INGRESS_CRL, (t) => t - 2 * HOUR, (t) => (t >= 10 * MINUTE && t < 40 * MINUTE ? 0 : 1)),
      ],
      checks: [
        { at: 9 * MINUTE, firing: [] },
        { at: 13 * MINUTE, firing: [probe('VaultPkiCrlStale', { instance: SERVICES_CRL }, 'crls')] },
        { at: 27 * MINUTE, firing: [probe('VaultPkiCrlStale', { instance: SERVICES_CRL }, 'crls'), probe('VaultPkiCrlUnreachable', { instance: INGRESS_CRL }, 'crls')] },
        { at: 5 * HOUR + 15 * MINUTE, firing: [probe('VaultPkiCrlStale', { instance: SERVICES_CRL }, 'crls'), probe('VaultPkiCrlExpiring', { instance: SERVICES_CRL }, 'crls')] },
      ],
    },
  ];
}
