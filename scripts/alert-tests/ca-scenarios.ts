// Scenarios for the CA alerts, on x509-certificate-exporter's series for the ConfigMap Terraform publishes.
// Thresholds scale with the CA's lifetime: intermediates (1 year) warn at 91 days and are critical at 36; the root
// (10 years) warns at 365 days and is critical at 90. Every CA alert waits 1h (`for`).
import { certManagerScraped, Issuer } from './cert-manager';
import { HOUR, MINUTE } from './notation';
import { Scenario } from './scenario';
import { CaCertificates, exporterScraped } from './x509-exporter';

/** cert-manager and the exporter scraped, the tenants' Issuers Ready: the CA scenarios' background. */
function scraped(scenario: Scenario): Scenario {
  const issuers = ['payments', 'auth', 'api'].flatMap((namespace) => new Issuer({ namespace }).series());
  return { ...scenario, series: [...scenario.series, certManagerScraped(), exporterScraped(), ...issuers] };
}

export function caScenarios(cas: CaCertificates): Scenario[] {
  const until = 2 * HOUR;
  return ([
    {
      name: 'g1. intermediates expiring in 200d (quiet), 80d (warning), 20d (warning + critical); root in 400d (quiet)',
      step: MINUTE,
      until,
      series: [cas.series('root', 400), cas.series('services', 200), cas.series('ingress', 80), cas.series('mtls', 20)],
      checks: [
        { at: 0, firing: [] },
        { at: HOUR - MINUTE, firing: [] },
        ...[HOUR, until].map((at) => ({
          at,
          firing: [cas.expiring('ingress', 'warning'), cas.expiring('mtls', 'warning'), cas.expiring('mtls', 'critical')],
        })),
      ],
    },
    {
      name: 'g2. root expiring in 300d (warning); services CA only seen in a trust-manager copy, not the published ConfigMap (unmonitored)',
      step: MINUTE,
      until,
      series: [
        cas.series('root', 300),
        cas.series('services', 200, () => true, { configmap_namespace: 'payments', configmap_name: 'internal-ca', configmap_key: 'ca.crt' }),
        cas.series('ingress', 200),
        cas.series('mtls', 200),
      ],
      checks: [
        { at: 0, firing: [] },
        { at: HOUR - MINUTE, firing: [] },
        ...[HOUR, until].map((at) => ({ at, firing: [cas.expiring('root', 'warning'), cas.unmonitored('services')] })),
      ],
    },
    {
      name: 'g3. thresholds, just inside: root in 364d (warning); intermediates in 90d (warning), 37d (warning only); 92d (quiet)',
      step: MINUTE,
      until,
      series: [cas.series('root', 364), cas.series('services', 92), cas.series('ingress', 90), cas.series('mtls', 37)],
      checks: [HOUR - MINUTE, HOUR, until].map((at) => ({
        at,
        firing: at < HOUR ? [] : [cas.expiring('root', 'warning'), cas.expiring('ingress', 'warning'), cas.expiring('mtls', 'warning')],
      })),
    },
    {
      name: 'g4. critical thresholds: root in 89d, services in 35d (warning + critical each); ingress and mtls in 300d (quiet)',
      step: MINUTE,
      until,
      series: [cas.series('root', 89), cas.series('services', 35), cas.series('ingress', 300), cas.series('mtls', 300)],
      checks: [HOUR - MINUTE, HOUR, until].map((at) => ({
        at,
        firing: at < HOUR ? [] : (['root', 'services'] as const).flatMap((ca) => [cas.expiring(ca, 'warning'), cas.expiring(ca, 'critical')]),
      })),
    },
    {
      name: 'g5. exporter stops reporting at 30m: every CA unmonitored 1h after its series went stale',
      step: MINUTE,
      until: 2 * HOUR,
      series: (['root', 'services', 'ingress', 'mtls'] as const).map((ca) => cas.series(ca, ca === 'root' ? 3000 : 300, (t) => t <= 30 * MINUTE)),
      checks: [
        { at: 30 * MINUTE, firing: [] },
        { at: HOUR + 30 * MINUTE, firing: [] },
        { at: HOUR + 40 * MINUTE, firing: (['root', 'services', 'ingress', 'mtls'] as const).map((ca) => cas.unmonitored(ca)) },
        { at: 2 * HOUR, firing: (['root', 'services', 'ingress', 'mtls'] as const).map((ca) => cas.unmonitored(ca)) },
      ],
    },
  ] as Scenario[]).map(scraped);
}
