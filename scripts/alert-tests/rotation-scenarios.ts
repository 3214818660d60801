// Scenarios for the rotation alerts, on the rules of the switch phase of examples/rotation (generation 2 of every CA
// signs, generation 1 drains since SWITCHED_AT): a leaf Secret that still gets leaves from a draining generation after the
// switch is what VaultPkiRetiredGenerationSigns catches.
import { certManagerScraped, Issuer } from './cert-manager';
import { DAY, HOUR, MINUTE } from './notation';
import { RuleBook } from './rule-book';
import { Scenario, Series } from './scenario';
import { exporterScraped, leafChain, LeafSecret, publishedCas, REFERENCE_LEAVES } from './x509-exporter';

/** A 24h leaf of `secret` signed at `signedAt` (epoch seconds) by generation `generation` of the services intermediate. */
function leaf(secret: LeafSecret, generation: 1 | 2, signedAt: number,
  options: { notBefore?: boolean; present?: (t: number) => boolean } = {}): Series[] {
  const suffix = generation === 1 ? '' : ' g2';
  return leafChain({
    secret,
    leafCommonName: `mtls.${secret.namespace}.services.internal`,
    // Vault back-dates notBefore by 30s; the lifetime is the reference tenants' 24h.
    leafNotBefore: options.notBefore ? signedAt - 30 : undefined,
    leafNotAfter: signedAt + DAY,
    intermediateCommonName: `services intermediate CA${suffix}`,
    intermediateNotAfter: 300 * DAY,
    rootCommonName: `acme-root-ca${suffix}`,
    present: options.present,
  });
}

export function rotationScenarios(book: RuleBook, switchedAt: number): Scenario[] {
  const [payments, auth, api] = REFERENCE_LEAVES;
  const background = [certManagerScraped(), exporterScraped(), ...publishedCas(book),
    ...['payments', 'auth', 'api'].flatMap((namespace) => new Issuer({ namespace }).series())];
  const stillSigns = (secret: LeafSecret) => book.alert('VaultPkiRetiredGenerationSigns',
    { secret_namespace: secret.namespace, secret_name: secret.name }, { ca: 'services', generation: '1' });
  return [
    {
      name: 'r1. after the switch (exporter with exposeNotBeforeMetric): payments renewed under services g2 and auth holds a g1 leaf signed 1h ' +
        'before the switch (quiet); from 30m api holds a g1 leaf signed 3h after the switch: RetiredGenerationSigns 5m later',
      step: MINUTE,
      until: 2 * HOUR,
      series: [
        ...background,
        ...leaf(payments, 2, switchedAt + HOUR, { notBefore: true }),
        ...leaf(auth, 1, switchedAt - HOUR, { notBefore: true }),
        ...leaf(api, 1, switchedAt + 3 * HOUR, { notBefore: true, present: (t) => t >= 30 * MINUTE }),
      ],
      checks: [
        { at: 0, firing: [] },
        { at: 34 * MINUTE, firing: [] },
        { at: 35 * MINUTE, firing: [stillSigns(api)] },
        { at: 2 * HOUR, firing: [stillSigns(api)] },
      ],
    },
    {
      name: 'r2. exporter defaults (no notBefore metric): a 24h g1 leaf signed 23h after the switch is not seen (notAfter within 48h of it), ' +
        'one signed 25h after the switch is (notAfter past the longest leaf lifetime after the switch)',
      step: MINUTE,
      until: HOUR,
      series: [
        ...background,
        ...leaf(payments, 2, switchedAt + HOUR),
        ...leaf(auth, 1, switchedAt + 23 * HOUR),
        ...leaf(api, 1, switchedAt + 25 * HOUR),
      ],
      checks: [
        { at: 4 * MINUTE, firing: [] },
        { at: 5 * MINUTE, firing: [stillSigns(api)] },
        { at: HOUR, firing: [stillSigns(api)] },
      ],
    },
  ];
}
