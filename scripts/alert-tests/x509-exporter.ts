// x509-certificate-exporter (v4) series for the CA certificates Terraform publishes, with the selectors read from the
// synthesized rules (so a test fails when the rules watch something else than the ConfigMap, key and common names below).
import { DAY, Labels } from './notation';
import { ExpectedAlert, RuleBook, selectorLabels } from './rule-book';
import { Series } from './scenario';

/** The reference scenario's CAs: the `ca` label of their alerts, common name and issuer. */
export const REFERENCE_CAS = [
  { ca: 'root', commonName: 'acme-root-ca', issuerCommonName: 'acme-root-ca' },
  { ca: 'services', commonName: 'services intermediate CA', issuerCommonName: 'acme-root-ca' },
  { ca: 'ingress', commonName: 'ingress intermediate CA', issuerCommonName: 'acme-root-ca' },
  { ca: 'mtls', commonName: 'mtls intermediate CA', issuerCommonName: 'acme-root-ca' },
] as const;
export type CaName = typeof REFERENCE_CAS[number]['ca'];

/** Where Terraform publishes the CA certificates (PkiHierarchy.publishCaCertificates()). */
const PUBLISHED = { configmap_namespace: 'cert-manager', configmap_name: 'pki-ca-certificates', configmap_key: 'ca-certificates.crt' };
const SCRAPE: Labels = { namespace: 'monitoring', job: 'x509-certificate-exporter', instance: '10.244.2.9:9793' };

export class CaCertificates {
  private readonly selectors = new Map<CaName, Labels>();
  private readonly serials = new Map<CaName, string>();

  constructor(private readonly book: RuleBook) {
    REFERENCE_CAS.forEach((ca, i) => {
      const rules = ['warning', 'critical'].map((severity) => book.rule('VaultPkiCaExpiring', { ca: ca.ca, severity }))
        .concat(book.rule('VaultPkiCaExpiryUnmonitored', { ca: ca.ca }));
      const labels = selectorLabels(rules[0].expr, 'x509_cert_not_after');
      for (const rule of rules) {
        const other = selectorLabels(rule.expr, 'x509_cert_not_after');
        if (JSON.stringify(other) !== JSON.stringify(labels)) throw new Error(`CA ${ca.ca}: rules select different series: ${rule.expr}`);
      }
      const expected = { ...PUBLISHED, subject_CN: ca.commonName };
      if (JSON.stringify(sorted(labels)) !== JSON.stringify(sorted(expected))) {
        throw new Error(`CA ${ca.ca}: rules select ${JSON.stringify(labels)}, expected the published CA ${JSON.stringify(expected)}`);
      }
      this.selectors.set(ca.ca, labels);
      this.serials.set(ca.ca, `${4096 + i * 7919}`);
    });
  }

  /** The exporter's labels for CA `ca` in the published ConfigMap (or in another ConfigMap/key via `where`). */
  public labels(ca: CaName, where: Partial<typeof PUBLISHED> = {}): Labels {
    const info = REFERENCE_CAS.find((c) => c.ca === ca)!;
    return { ...this.selector(ca), ...where, issuer_CN: info.issuerCommonName, serial_number: this.serials.get(ca)!, ...SCRAPE };
  }

  /** The selector's equality matchers: the labels of `absent(...)`. */
  public selector(ca: CaName): Labels {
    return this.selectors.get(ca)!;
  }

  /** `x509_cert_not_after` of CA `ca`, expiring `days` after the test starts; present while `present(t)`. */
  public series(ca: CaName, days: number, present: (t: number) => boolean = () => true, where: Partial<typeof PUBLISHED> = {}): Series {
    return { metric: 'x509_cert_not_after', labels: this.labels(ca, where), value: (t) => (present(t) ? days * DAY : undefined) };
  }

  /** All four CAs comfortably far from expiry (root 9 years, intermediates 300 days). */
  public healthy(): Series[] {
    return REFERENCE_CAS.map((ca) => this.series(ca.ca, ca.ca === 'root' ? 9 * 365 : 300));
  }

  /** The alert `VaultPkiCaExpiring` of `severity` for CA `ca`. */
  public expiring(ca: CaName, severity: 'warning' | 'critical'): ExpectedAlert {
    return this.book.alert('VaultPkiCaExpiring', this.labels(ca), { ca, severity });
  }

  /** The alert `VaultPkiCaExpiryUnmonitored` for CA `ca`. */
  public unmonitored(ca: CaName): ExpectedAlert {
    return this.book.alert('VaultPkiCaExpiryUnmonitored', this.selector(ca), { ca });
  }
}

/** `x509_exporter_build_info`, exported on every scrape of x509-certificate-exporter v4: its absence means no scrape. */
export function exporterScraped(): Series {
  return { metric: 'x509_exporter_build_info', labels: { ...SCRAPE, version: '4.2.0', revision: 'b5c7f0e', built: '2025-06-01' }, value: () => 1 };
}

function sorted(labels: Labels): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
}

/** Where x509-certificate-exporter (v4) reads a tenant's leaf: the `tls.crt` key of its kubernetes.io/tls Secret. */
export interface LeafSecret {
  readonly namespace: string;
  readonly name: string;
}

/** The leaf and the intermediate that signed it, as cert-manager stores them in `tls.crt` (Vault returns the chain). */
export interface LeafChainProps {
  readonly secret: LeafSecret;
  readonly leafCommonName: string;
  /** The leaf's notAfter (seconds since the epoch: promtool's time starts at 0). */
  readonly leafNotAfter: number;
  readonly intermediateCommonName: string;
  readonly intermediateNotAfter: number;
  readonly rootCommonName: string;
  /**
   * The leaf's notBefore: also exports `x509_cert_not_before` for it, as the exporter does with
   * `exposeNotBeforeMetric: true` (off in the chart's defaults).
   * @default - no notBefore series
   */
  readonly leafNotBefore?: number;
  /** Present while `present(t)`. */
  readonly present?: (t: number) => boolean;
}

/**
 * The two `x509_cert_not_after` series the exporter exports for one leaf Secret's `tls.crt` (it splits a PEM bundle into
 * one series per certificate, pkg/cert/pem/pem.go of v4.2.0): the leaf (issuer_CN = the intermediate) and the
 * intermediate (subject_CN = the intermediate, issuer_CN = the root).
 */
export function leafChain(props: LeafChainProps): Series[] {
  const where: Labels = { secret_namespace: props.secret.namespace, secret_name: props.secret.name, secret_key: 'tls.crt', ...SCRAPE };
  const present = props.present ?? (() => true);
  const leaf: Labels = { ...where, subject_CN: props.leafCommonName, issuer_CN: props.intermediateCommonName, serial_number: `${props.leafNotAfter}` };
  const notBefore = props.leafNotBefore;
  return [
    { metric: 'x509_cert_not_after', labels: leaf, value: (t) => (present(t) ? props.leafNotAfter : undefined) },
    ...(notBefore !== undefined ? [{ metric: 'x509_cert_not_before', labels: leaf, value: (t: number) => (present(t) ? notBefore : undefined) }] : []),
    {
      metric: 'x509_cert_not_after',
      labels: { ...where, subject_CN: props.intermediateCommonName, issuer_CN: props.rootCommonName, serial_number: `${props.intermediateNotAfter}` },
      value: (t) => (present(t) ? props.intermediateNotAfter : undefined),
    },
  ];
}

/** The reference scenario's tenants (all on the services intermediate), each with its mTLS certificate's Secret. */
export const REFERENCE_LEAVES: readonly LeafSecret[] = ['payments', 'auth', 'api'].map((namespace) => ({ namespace, name: `${namespace}-mtls-tls` }));

/** Every reference tenant's leaf chain, the services intermediate `intermediateDays` from expiry. */
export function referenceLeafChains(intermediateDays = 300, present?: (t: number) => boolean): Series[] {
  return REFERENCE_LEAVES.flatMap((secret) => leafChain({
    secret,
    leafCommonName: `mtls.${secret.namespace}.services.internal`,
    leafNotAfter: DAY,
    intermediateCommonName: 'services intermediate CA',
    intermediateNotAfter: intermediateDays * DAY,
    rootCommonName: 'acme-root-ca',
    present,
  }));
}

/**
 * Every CA generation the rules watch in the published ConfigMap, read off the `VaultPkiCaExpiryUnmonitored` rules (one
 * per generation that signs or is about to), `days` from expiry (roots: 9 years).
 */
export function publishedCas(book: RuleBook, days = 300): Series[] {
  return book.rules('VaultPkiCaExpiryUnmonitored').map((rule, i) => {
    const labels = selectorLabels(rule.expr, 'x509_cert_not_after');
    const lifetime = rule.labels?.ca === 'root' ? 9 * 365 : days;
    return { metric: 'x509_cert_not_after', labels: { ...labels, serial_number: `${8192 + i}`, ...SCRAPE }, value: () => lifetime * DAY };
  });
}
