// The baseline's PrometheusRule of the hierarchy's alerts, written out as a raw object: the rules the library's
// PkiAlerts derives for this scenario (hierarchy `pki`, root `acme-root-ca` 3650d, intermediate `services` 365d,
// certificate namespace label `exported_namespace`). One constant object, shared by every cluster's chart.

const RUNBOOK = 'https://github.com/cdk8s-vault-pki/cdk8s-vault-pki/blob/main/docs/runbooks.md';
const TENANTS = 'vault_pki:tenant_max_duration_seconds{hierarchy="pki"}';
const OURS = `on (exported_namespace, issuer_name) ${TENANTS}`;
const ISSUER_KIND = 'issuer_kind=~"|Issuer", issuer_group=~"|cert-manager.io"';
const ISSUED = 'certmanager_certificate_renewal_timestamp_seconds > 0 and certmanager_certificate_expiration_timestamp_seconds > 0';
const WINDOW = '(certmanager_certificate_expiration_timestamp_seconds - certmanager_certificate_renewal_timestamp_seconds)';
const WHO = '{{ $labels.exported_namespace }}/{{ $labels.name }}';
const CA_SOURCE = 'configmap_namespace="cert-manager", configmap_name="pki-ca-certificates", configmap_key="ca-certificates.crt"';
const rotate = (what: string) => `Rotate ${what}: add generation 2 as PREPARED, switch after the trust propagation wait, retire the old one after `
  + 'draining (README, "CA lifecycle"). Do not `terraform apply -replace` a CA resource and do not raise its ttl: provider 5.6 re-signs nothing in place.';
const ROOT_RUNBOOK = rotate('the root');
const INTERMEDIATE_RUNBOOK = rotate("intermediate 'services'");
const LEAF_CHAIN = 'x509_cert_not_after{secret_key="tls.crt", subject_CN="services intermediate CA"}';

function rule(alert: string, severity: string, forDuration: string | undefined, expr: string, summary: string, description: string,
  labels: Record<string, string> = {}): any {
  return {
    alert,
    expr,
    for: forDuration,
    labels: { severity, ...labels },
    annotations: { summary, description, runbook_url: `${RUNBOOK}#${alert.toLowerCase()}` },
  };
}

function caRules(ca: string, what: string, commonName: string, warningDays: number, criticalDays: number, runbook: string): any[] {
  const selector = `x509_cert_not_after{${CA_SOURCE}, subject_CN="${commonName}"}`;
  const labels = { ca, generation: '1', hierarchy: 'pki' };
  // An intermediate that leaves chain to is left to VaultPkiSigningCaExpiring.
  const signing = ca === 'root' ? '' : ` unless on (subject_CN) x509_cert_not_after{secret_key="tls.crt", subject_CN="${commonName}"}`;
  return [
    rule('VaultPkiCaExpiring', 'warning', '1h', `${selector} - time() < ${warningDays * 86400}${signing}`,
      `${what} expires in less than ${warningDays} days`, runbook, labels),
    rule('VaultPkiCaExpiring', 'critical', '1h', `${selector} - time() < ${criticalDays * 86400}${signing}`,
      `${what} expires in less than ${criticalDays} days`, runbook, labels),
    rule('VaultPkiCaExpiryUnmonitored', 'warning', '1h', `absent(${selector})`,
      `No expiry metric for ${what}: its expiry alerts cannot fire`,
      "Configure x509-certificate-exporter (v4) to watch key 'ca-certificates.crt' of ConfigMaps (secretsExporter.configMapKeys) in namespace "
      + "'cert-manager', and check Terraform published ConfigMap 'pki-ca-certificates'.", labels),
  ];
}

/** `spec` of the PrometheusRule `monitoring/pki-pki-alerts`. */
export const ALERTS_SPEC = {
  groups: [
    {
      name: 'vault-pki.pki.certificates',
      rules: [
        rule('VaultPkiCertificateRenewalOverdue', 'warning', '5m',
          `max by (exported_namespace, name, issuer_name) ((time() - certmanager_certificate_renewal_timestamp_seconds{${ISSUER_KIND}} > 0.25 * ${WINDOW}) `
          + `and (${ISSUED}) and ${OURS})`,
          `Certificate ${WHO} was due for renewal and has not been renewed`,
          'It is past its renewal time by more than a quarter of its renewal window. Check `kubectl describe certificate` and the latest CertificateRequest: '
          + 'denied by approver-policy (policy, RBAC `use`), Vault errors (role, policy, Kubernetes auth audience), or cert-manager cannot reach Vault.'),
        rule('VaultPkiCertificateExpiryImminent', 'critical', undefined,
          `max by (exported_namespace, name, issuer_name) ((certmanager_certificate_expiration_timestamp_seconds{${ISSUER_KIND}} - time() < 0.25 * ${WINDOW}) `
          + `and (${ISSUED}) and ${OURS})`,
          `Certificate ${WHO} expires in less than a quarter of its renewal window`,
          'Renewal has failed for most of the renewal window; the workload loses TLS at expiry. Fix issuance now (see VaultPkiCertificateRenewalOverdue), '
          + 'then `cmctl renew` the certificate.'),
        rule('VaultPkiCertificateNotReady', 'warning', '15m',
          `max by (exported_namespace, name, issuer_name) (certmanager_certificate_ready_status{condition!="True", ${ISSUER_KIND}} == 1) and ${OURS}`,
          `Certificate ${WHO} is not Ready`,
          'Read the Ready condition with `kubectl describe certificate`; then the CertificateRequest (approved? signed?) and the Issuer status.'),
        rule('VaultPkiCertificateLongerLivedThanPolicy', 'critical', undefined,
          `max by (exported_namespace, name, issuer_name) ((certmanager_certificate_not_after_timestamp_seconds{${ISSUER_KIND}} `
          + `- certmanager_certificate_not_before_timestamp_seconds) > on (exported_namespace, issuer_name) group_left() (${TENANTS} + 90))`,
          `Certificate ${WHO} lives longer than its tenant's policy allows`,
          'A certificate outlives the maximum the Vault role and approver-policy allow: a policy or role was changed by hand, or a request bypassed approval. '
          + 'Compare the Vault role max_ttl and the CertificateRequestPolicy maxDuration with the Terraform; revoke the certificate if it was not expected.'),
        rule('VaultPkiIssuerNotReady', 'critical', '10m',
          'max by (exported_namespace, name) (certmanager_issuer_ready_status{condition!="True"} == 1) '
          + `and on (exported_namespace, name) label_replace(${TENANTS}, "name", "$1", "issuer_name", "(.+)")`,
          `Issuer ${WHO} is not Ready: its certificates cannot renew`,
          'Check `kubectl describe issuer`: Vault reachable and its TLS CA trusted, the Kubernetes auth role and audience `vault://<ns>/<issuer>` '
          + 'match (run the library ConsistencyCheck), cert-manager may create tokens for the issuer service account.'),
        rule('VaultPkiCertificateLifetimeUnmonitored', 'warning', '1h',
          `(count(certmanager_certificate_expiration_timestamp_seconds and ${OURS}) > 0) `
          + 'unless on () (count(certmanager_certificate_not_after_timestamp_seconds) > 0)',
          'cert-manager exports no notAfter/notBefore metrics: VaultPkiCertificateLongerLivedThanPolicy cannot fire',
          'certmanager_certificate_not_after_timestamp_seconds and ..._not_before_... exist from cert-manager 1.18: upgrade cert-manager.'),
      ],
    },
    {
      name: 'vault-pki.pki.ca',
      rules: [
        ...caRules('root', 'Root CA acme-root-ca', 'acme-root-ca', 365, 90, ROOT_RUNBOOK),
        ...caRules('services', 'Intermediate CA services intermediate CA', 'services intermediate CA', 91, 36, INTERMEDIATE_RUNBOOK),
      ],
    },
    {
      name: 'vault-pki.pki.signers',
      rules: [[91, 'warning'], [36, 'critical']].map(([days, severity]) => rule('VaultPkiSigningCaExpiring', String(severity), '1h',
        `min by (subject_CN) (${LEAF_CHAIN}) - time() < ${Number(days) * 86400}`,
        `Intermediate CA services intermediate CA, which signed leaves in use, expires in less than ${days} days`,
        "Leaves are signed by it today: rotate intermediate 'services' (add generation 2 as PREPARED, switch, retire; README \"CA lifecycle\").",
        { ca: 'services', generation: '1', hierarchy: 'pki' })),
    },
    {
      name: 'vault-pki.pki.monitoring',
      rules: [
        rule('VaultPkiCertManagerMetricsAbsent', 'critical', '10m', 'absent(certmanager_clock_time_seconds_gauge)',
          'Prometheus scrapes no cert-manager metrics: every certificate and Issuer alert is silent',
          'Install kube-prometheus-stack (the ServiceMonitor CRD) first, then cert-manager with prometheus.servicemonitor.enabled=true and '
          + 'prometheus.servicemonitor.labels.release=<the kube-prometheus-stack release>; check the target in Prometheus (Status > Targets).',
          { hierarchy: 'pki' }),
        rule('VaultPkiCaExporterMetricsAbsent', 'critical', '10m', 'absent(x509_exporter_build_info)',
          'Prometheus scrapes no x509-certificate-exporter metrics: every CA expiry alert is silent',
          'Install x509-certificate-exporter v4 with prometheusServiceMonitor.extraLabels.release=<the kube-prometheus-stack release> and '
          + 'secretsExporter.configMapKeys={ca-certificates.crt}; check the target in Prometheus (Status > Targets).',
          { hierarchy: 'pki' }),
        rule('VaultPkiSignerUnmonitored', 'warning', '1h',
          `(count(certmanager_certificate_expiration_timestamp_seconds and ${OURS}) > 0) `
          + `and on () (count(x509_exporter_build_info) > 0) unless on () (count(${LEAF_CHAIN}) > 0)`,
          "x509-certificate-exporter sees no leaf Secret of this hierarchy's tenants: the alerts on the CA that really signs cannot fire",
          "Let x509-certificate-exporter read the tenants' kubernetes.io/tls Secrets (secretsExporter.secretTypes with key tls.crt, the chart's default; "
          + 'includeNamespaces must include the tenant namespaces).',
          { hierarchy: 'pki' }),
        rule('VaultPkiIssuerReadinessUnmonitored', 'warning', '1h',
          '(count(certmanager_clock_time_seconds_gauge) > 0) unless on () (count(certmanager_issuer_ready_status) > 0) '
          + `and on () (count(${TENANTS}) > 0)`,
          'cert-manager exports no Issuer readiness metric: VaultPkiIssuerNotReady cannot fire',
          'certmanager_issuer_ready_status exists from cert-manager 1.20: upgrade cert-manager.',
          { hierarchy: 'pki' }),
      ],
    },
  ],
};
