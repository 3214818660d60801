// Scenarios for the alerts on the CA that really signs, on the reference scenario's rules: x509-certificate-exporter's
// series for the tenants' leaf Secrets (`tls.crt` = leaf + the intermediate that signed it) next to the CA ConfigMap.
import { certManagerScraped, Issuer } from './cert-manager';
import { DAY, HOUR, MINUTE } from './notation';
import { RuleBook } from './rule-book';
import { Scenario } from './scenario';
import { CaCertificates, exporterScraped, referenceLeafChains } from './x509-exporter';

export function signerScenarios(book: RuleBook, cas: CaCertificates): Scenario[] {
  const until = 2 * HOUR;
  const background = [certManagerScraped(), exporterScraped(), ...['payments', 'auth', 'api'].flatMap((namespace) => new Issuer({ namespace }).series())];
  const signing = (severity: 'warning' | 'critical') =>
    book.alert('VaultPkiSigningCaExpiring', { subject_CN: 'services intermediate CA' }, { ca: 'services', generation: '1', severity });
  return [
    {
      name: 's1. leaves chain to services, 80d from expiry (its ConfigMap copy too): one alert, SigningCaExpiring (CaExpiring gives way); ' +
        'ingress 80d with no leaf: CaExpiring',
      step: MINUTE,
      until,
      series: [...background, cas.series('root', 9 * 365), cas.series('services', 80), cas.series('ingress', 80), cas.series('mtls', 300),
        ...referenceLeafChains(80)],
      checks: [
        { at: HOUR - MINUTE, firing: [] },
        { at: HOUR, firing: [signing('warning'), cas.expiring('ingress', 'warning')] },
        { at: until, firing: [signing('warning'), cas.expiring('ingress', 'warning')] },
      ],
    },
    {
      name: 's2. the ConfigMap says services has 300d, but the leaves chain to a services CA 20d from expiry (Vault signs with another copy): ' +
        'SigningCaExpiring warning and critical',
      step: MINUTE,
      until,
      series: [...background, ...cas.healthy(), ...referenceLeafChains(20)],
      checks: [
        { at: HOUR - MINUTE, firing: [] },
        { at: HOUR, firing: [signing('warning'), signing('critical')] },
      ],
    },
    {
      name: 's3. healthy: leaves chain to services 300d from expiry, every CA far from expiry: nothing fires',
      step: 10 * MINUTE,
      until: DAY,
      series: [...background, ...cas.healthy(), ...referenceLeafChains(300)],
      checks: [0, HOUR, DAY].map((at) => ({ at, firing: [] })),
    },
  ];
}
