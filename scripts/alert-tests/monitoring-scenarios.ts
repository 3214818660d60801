// Scenarios for the alerts on silence: cert-manager or x509-certificate-exporter not scraped, and cert-manager too old
// to export Issuer readiness. Without them, a broken scrape would look exactly like a healthy PKI.
import { Certificate, certManagerScraped, Issuer, renewedOnSchedule } from './cert-manager';
import { HOUR, MINUTE } from './notation';
import { ExpectedAlert, RuleBook } from './rule-book';
import { Scenario, Series } from './scenario';
import { CaCertificates, exporterScraped, REFERENCE_CAS, referenceLeafChains } from './x509-exporter';

const TENANTS = ['payments', 'auth', 'api'];

export function monitoringScenarios(book: RuleBook, cas: CaCertificates): Scenario[] {
  const until = 2 * HOUR;
  const absent = (alertname: string): ExpectedAlert => book.alert(alertname, {}, { hierarchy: 'pki' });
  /** Every series cert-manager exports for the tenants (certificates, Issuers, its clock), present while `present(t)`. */
  const certManager = (present: (t: number) => boolean, issuers = true): Series[] => {
    const only = (s: Series): Series => ({ ...s, value: (t) => (present(t) ? s.value(t) : undefined) });
    return [
      ...TENANTS.flatMap((namespace) => new Certificate({ namespace, name: 'mtls', issuances: renewedOnSchedule(-HOUR, until) }).series()),
      ...(issuers ? TENANTS.flatMap((namespace) => new Issuer({ namespace }).series()) : []),
      certManagerScraped(),
    ].map(only);
  };
  return [
    {
      name: 'm1. cert-manager scraped for 1h, then not at all (ServiceMonitor lost its release label): CertManagerMetricsAbsent 10m after its series go stale',
      step: MINUTE,
      until,
      series: [...certManager((t) => t < HOUR), ...cas.healthy(), ...referenceLeafChains(), exporterScraped()],
      // The last sample is at 59m; Prometheus's 5m lookback makes the series absent from 64m, `for: 10m` fires at 74m.
      checks: [
        { at: HOUR, firing: [] },
        { at: HOUR + 13 * MINUTE, firing: [] },
        { at: HOUR + 15 * MINUTE, firing: [absent('VaultPkiCertManagerMetricsAbsent')] },
        { at: until, firing: [absent('VaultPkiCertManagerMetricsAbsent')] },
      ],
    },
    {
      name: 'm2. x509-certificate-exporter never scraped: CaExporterMetricsAbsent after 10m, every CA unmonitored after 1h',
      step: MINUTE,
      until,
      series: certManager(() => true),
      checks: [
        { at: 9 * MINUTE, firing: [] },
        { at: 10 * MINUTE, firing: [absent('VaultPkiCaExporterMetricsAbsent')] },
        { at: HOUR, firing: [absent('VaultPkiCaExporterMetricsAbsent'), ...REFERENCE_CAS.map((ca) => cas.unmonitored(ca.ca))] },
      ],
    },
    {
      name: 'm3. cert-manager 1.19 (no certmanager_issuer_ready_status): IssuerReadinessUnmonitored after 1h',
      step: MINUTE,
      until,
      series: [...certManager(() => true, false), ...cas.healthy(), ...referenceLeafChains(), exporterScraped()],
      checks: [
        { at: 59 * MINUTE, firing: [] },
        { at: HOUR, firing: [absent('VaultPkiIssuerReadinessUnmonitored')] },
        { at: until, firing: [absent('VaultPkiIssuerReadinessUnmonitored')] },
      ],
    },
    {
      name: 'm4. the exporter is scraped but reads no tenant Secret (includeNamespaces left out the tenants): SignerUnmonitored after 1h; ' +
        'quiet again 5m after the leaf Secrets appear',
      step: MINUTE,
      until: 3 * HOUR,
      series: [...certManager(() => true), ...cas.healthy(), ...referenceLeafChains(300, (t) => t >= 2 * HOUR), exporterScraped()],
      checks: [
        { at: 59 * MINUTE, firing: [] },
        { at: HOUR, firing: [absent('VaultPkiSignerUnmonitored')] },
        { at: 2 * HOUR - MINUTE, firing: [absent('VaultPkiSignerUnmonitored')] },
        { at: 2 * HOUR, firing: [] },
        { at: 3 * HOUR, firing: [] },
      ],
    },
  ];
}
