import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { PkiAlerts, PkiAlertsProps, PkiHierarchy } from '../src';
import { errorOf, hierarchyOf, newScope, newTenant, objects, ScopeOptions, synthBoth } from './util';

function setup(props: Partial<PkiAlertsProps> = {}, scopeOptions: ScopeOptions = {}) {
  const scope = newScope(scopeOptions);
  const pki = hierarchyOf(scope);
  newTenant(scope);
  const alerts = new PkiAlerts(scope.chart, 'alerts', { hierarchy: pki, ...props });
  newTenant(scope, { namespace: 'auth', domains: ['auth.services.internal'], maxDuration: Duration.hours(48) }, 'auth');
  const { manifests, terraform, publication } = synthBoth(scope);
  const [rule] = objects(manifests, 'PrometheusRule', 'pki-pki-alerts');
  const rules = rule.spec.groups.flatMap((g: any) => g.rules);
  return { scope, pki, alerts, rule, rules, terraform, publication, manifests };
}

const alertsNamed = (rules: any[], name: string) => rules.filter((r) => r.alert === name);

describe('PkiAlerts', () => {
  test('snapshot', () => {
    expect(setup().rule).toMatchSnapshot();
  });

  test('a namespaced PrometheusRule the operator selects', () => {
    const { rule } = setup({ namespace: 'observability' }, { chart: { ruleLabels: { release: 'kps' } } });
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toMatchObject({ name: 'pki-pki-alerts', namespace: 'observability', labels: { release: 'kps' } });
    expect(rule.spec.groups.map((g: any) => g.name)).toEqual(['vault-pki.pki.certificates', 'vault-pki.pki.ca', 'vault-pki.pki.signers', 'vault-pki.pki.monitoring']);
  });

  test('every tenant placed on the cluster brings its own recording rule (its maximum), so alerts cover tenants of any program', () => {
    const { manifests } = setup();
    const tenantRules = objects(manifests, 'PrometheusRule').filter((r: any) => r.metadata.name === 'vault-services-vault-pki');
    expect(tenantRules.map((r: any) => [r.metadata.namespace, r.metadata.labels.release, r.spec.groups[0].rules])).toEqual([
      ['payments', 'kube-prometheus-stack', [{
        record: PkiAlerts.TENANT_RECORD,
        expr: 'vector(86400)',
        labels: { exported_namespace: 'payments', issuer_name: 'vault-services', issuer_kind: 'Issuer', hierarchy: 'pki', intermediate: 'services' },
      }]],
      ['auth', 'kube-prometheus-stack', [expect.objectContaining({ expr: 'vector(172800)' })]],
    ]);
  });

  test('H10: every required alert exists, with a summary, a description and the conventional runbook_url', () => {
    const { rules } = setup();
    const names = ['VaultPkiCertificateRenewalOverdue', 'VaultPkiCertificateExpiryImminent', 'VaultPkiCertificateNotReady',
      'VaultPkiIssuerNotReady', 'VaultPkiCertificateLongerLivedThanPolicy', 'VaultPkiCertificateLifetimeUnmonitored',
      'VaultPkiCaExpiring', 'VaultPkiCaExpiryUnmonitored', 'VaultPkiCertManagerMetricsAbsent', 'VaultPkiCaExporterMetricsAbsent',
      'VaultPkiIssuerReadinessUnmonitored', 'VaultPkiSigningCaExpiring', 'VaultPkiSignerUnmonitored'];
    expect([...new Set(rules.filter((r: any) => r.alert).map((r: any) => r.alert))].sort()).toEqual([...names].sort());
    const runbooks = fs.readFileSync(path.join(__dirname, '..', 'docs', 'runbooks.md'), 'utf8');
    for (const r of rules.filter((x: any) => x.alert)) {
      expect(Object.keys(r.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(r.annotations.summary).toMatch(/\S/);
      expect(r.annotations.description).toMatch(/\S/);
      expect(r.annotations.runbook_url).toBe(`${PkiAlerts.DEFAULT_RUNBOOK_BASE_URL}#${r.alert.toLowerCase()}`);
      // The anchor exists: docs/runbooks.md has a heading for every alert.
      expect([r.alert, runbooks.includes(`\n## ${r.alert}\n`)]).toEqual([r.alert, true]);
      expect(['warning', 'critical']).toContain(r.labels.severity);
    }
  });

  test('silence never passes for health: alerts when cert-manager or the exporter is not scraped, or cert-manager is too old', () => {
    const { rules } = setup();
    expect(alertsNamed(rules, 'VaultPkiCertManagerMetricsAbsent')[0]).toMatchObject({ expr: 'absent(certmanager_clock_time_seconds_gauge)', for: '10m' });
    expect(alertsNamed(rules, 'VaultPkiCaExporterMetricsAbsent')[0]).toMatchObject({ expr: 'absent(x509_exporter_build_info)', for: '10m' });
    expect(alertsNamed(rules, 'VaultPkiIssuerReadinessUnmonitored')[0].expr).toContain('unless on () (count(certmanager_issuer_ready_status) > 0)');
  });

  test('fails: no ruleLabels on the cluster (a rule the operator never selects never alerts), invalid labels, a missing hierarchy', () => {
    expect(errorOf(() => newScope({ chart: { ruleLabels: undefined } })))
      .toMatch(/'ruleLabels' is missing; give the labels your Prometheus operator's ruleSelector selects, e.g. \{ release: 'kube-prometheus-stack' \}/);
    expect(errorOf(() => newScope({ chart: { ruleLabels: { 'release!': 'x y' } } })))
      .toMatch(/'ruleLabels' key 'release!' is not a label key[\s\S]*'ruleLabels' value 'x y' of 'release!' is not a label value/);
    const scope = newScope();
    expect(errorOf(() => new PkiAlerts(scope.chart, 'c', {} as unknown as PkiAlertsProps)))
      .toMatch(/PkiAlerts 'pki\/c': 'hierarchy' is missing; pass the PkiHierarchy/);
    const imported = PkiHierarchy.fromAttributes(scope.tf, 'imported', { root: { commonName: 'acme-root-ca' }, intermediates: [{ name: 'services', domains: ['services.internal'] }] });
    expect(() => new PkiAlerts(scope.chart, 'from-attributes', { hierarchy: imported, namespace: 'observability' })).not.toThrow();
  });

  test('H10: certificate alerts are scaled by each certificate\'s own renewal window, not by fixed days', () => {
    const { rules } = setup();
    const certificateRules = ['VaultPkiCertificateRenewalOverdue', 'VaultPkiCertificateExpiryImminent'].map((n) => alertsNamed(rules, n)[0].expr);
    for (const expr of certificateRules) {
      expect(expr).toContain('0.25 * (certmanager_certificate_expiration_timestamp_seconds - certmanager_certificate_renewal_timestamp_seconds)');
      expect(expr).not.toMatch(/\d{5,}/); // no absolute thresholds such as 3 days in seconds
      expect(expr).toContain(`and on (exported_namespace, issuer_name) ${PkiAlerts.TENANT_RECORD}{hierarchy="pki"}`);
    }
  });

  test('H10: longer-lived than policy compares notAfter - notBefore with the tenant maximum plus Vault\'s 30s back-dating', () => {
    const { rules } = setup();
    expect(alertsNamed(rules, 'VaultPkiCertificateLongerLivedThanPolicy')[0].expr).toBe('max by (exported_namespace, name, issuer_name) ('
      + '(certmanager_certificate_not_after_timestamp_seconds{issuer_kind=~"|Issuer", issuer_group=~"|cert-manager.io"} '
      + '- certmanager_certificate_not_before_timestamp_seconds) '
      + `> on (exported_namespace, issuer_name) group_left() (${PkiAlerts.TENANT_RECORD}{hierarchy="pki"} + 90))`);
  });

  test('certificate alerts concern namespaced Issuers only and carry one series per Certificate (no scrape target labels)', () => {
    const { rules } = setup();
    for (const name of ['VaultPkiCertificateRenewalOverdue', 'VaultPkiCertificateExpiryImminent', 'VaultPkiCertificateNotReady',
      'VaultPkiCertificateLongerLivedThanPolicy']) {
      const expr = alertsNamed(rules, name)[0].expr;
      expect([name, expr.startsWith('max by (exported_namespace, name, issuer_name) (')]).toEqual([name, true]);
      expect([name, expr.includes('issuer_kind=~"|Issuer", issuer_group=~"|cert-manager.io"')]).toEqual([name, true]);
    }
  });

  test('H10: CA expiry well ahead of time, scaled to each CA\'s lifetime', () => {
    const { rules } = setup();
    const thresholds = alertsNamed(rules, 'VaultPkiCaExpiring').map((r: any) => [r.labels.ca, r.labels.severity, Number(/< (\d+)( unless .*)?$/.exec(r.expr)![1]) / 86400]);
    expect(thresholds).toEqual([
      ['root', 'warning', 365], ['root', 'critical', 90],
      ['services', 'warning', 91], ['services', 'critical', 36],
      ['ingress', 'warning', 91], ['ingress', 'critical', 36],
      ['mtls', 'warning', 91], ['mtls', 'critical', 36],
    ]);
    const root = alertsNamed(rules, 'VaultPkiCaExpiring')[0].expr;
    expect(root).toContain('x509_cert_not_after{configmap_namespace="cert-manager", configmap_name="pki-ca-certificates", '
      + 'configmap_key="ca-certificates.crt", subject_CN="acme-root-ca"}');
    expect(alertsNamed(rules, 'VaultPkiCaExpiryUnmonitored')).toHaveLength(4);
  });

  test('the alerts make Terraform publish the CA certificates they watch into their cluster', () => {
    const { terraform, publication } = setup();
    expect(terraform.resource.kubernetes_config_map_v1).toBeUndefined();
    expect(Object.keys(publication.resource.kubernetes_config_map_v1)).toEqual(['primary_pki_ca-certificates']);
  });

  test('the namespace label is configurable per cluster (honorLabels: true)', () => {
    const { rules, manifests } = setup({}, { chart: { certificateNamespaceLabel: 'namespace' } });
    expect(objects(manifests, 'PrometheusRule', 'vault-services-vault-pki')[0].spec.groups[0].rules[0].labels.namespace).toBe('payments');
    expect(alertsNamed(rules, 'VaultPkiCertificateNotReady')[0].expr).toContain('max by (namespace, name, issuer_name)');
  });

  test('errors', () => {
    const scope = newScope();
    const pki = hierarchyOf(scope);
    expect(errorOf(() => new PkiAlerts(scope.chart, 'a', { hierarchy: pki, namespace: 'Monitoring' })))
      .toMatch(/PkiAlerts 'pki\/a': 'namespace' \(Monitoring\) is not a valid namespace name/);
    expect(errorOf(() => newScope({ chart: { certificateNamespaceLabel: 'exported-namespace' } })))
      .toMatch(/'certificateNamespaceLabel' \(exported-namespace\) is not a Prometheus label name/);
    new PkiAlerts(scope.chart, 'alerts', { hierarchy: pki });
    expect(errorOf(() => new PkiAlerts(scope.chart, 'again', { hierarchy: pki })))
      .toMatch(/would emit PrometheusRule 'monitoring\/pki-pki-alerts', which 'pki\/alerts' already emits in this cluster/);
  });
});
