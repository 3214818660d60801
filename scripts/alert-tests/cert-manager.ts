// cert-manager's metrics for Certificates and Issuers, as Prometheus stores them when it scrapes cert-manager
// through the chart's ServiceMonitor (honorLabels false): the object's namespace is `exported_namespace`, and
// `namespace`/`job`/`instance` are the scrape target's (cert-manager's own pod).
import { HOUR, Labels, MINUTE, only, without } from './notation';
import { Series } from './scenario';

/** cert-manager's default `duration` and the reference scenario's `renewBefore`. */
export const DURATION = 24 * HOUR;
export const RENEW_BEFORE = 8 * HOUR;
/** Vault back-dates notBefore by 30s (the tenant role's not_before_duration). */
export const BACKDATE = 30;
/** How long cert-manager takes from the renewal time to the new certificate showing in the metrics. */
export const RENEWAL_LATENCY = MINUTE;
/** The reference scenario's tenant issuer. */
export const TENANT_ISSUER = 'vault-services';

const SCRAPE: Labels = { namespace: 'cert-manager', job: 'cert-manager', instance: '10.244.1.7:9402' };
type Condition = 'True' | 'False' | 'Unknown';
const CONDITIONS: readonly Condition[] = ['True', 'False', 'Unknown'];

/** One issued certificate: signed at `at` for `lifetime` (what cert-manager requested; Vault adds the back-dating). */
export interface Issuance {
  readonly at: number;
  readonly lifetime?: number;
}

/** A span of time `[from, to)` during which a condition is not True. */
export interface NotReady {
  readonly from: number;
  readonly to: number;
  readonly condition?: 'False' | 'Unknown';
}

export interface CertificateProps {
  readonly namespace: string;
  readonly name: string;
  /** Issuances in time order; the first at or before 0 (the certificate exists when the test starts). */
  readonly issuances: readonly Issuance[];
  readonly issuer?: string;
  /** issuerRef.kind; '' when the Certificate omits it (cert-manager then exports no issuer_kind label). @default 'Issuer' */
  readonly issuerKind?: string;
  /** issuerRef.group; '' when omitted. @default 'cert-manager.io' */
  readonly issuerGroup?: string;
  readonly notReady?: readonly NotReady[];
  /** cert-manager before 1.18: no notAfter/notBefore series. @default false */
  readonly legacyMetrics?: boolean;
  /** How long before notAfter cert-manager renews (a public CA's certificates: a third of its lifetime). @default RENEW_BEFORE */
  readonly renewBefore?: number;
  /** Vault's back-dating of notBefore (none for a public ACME CA). @default BACKDATE */
  readonly backdate?: number;
}

/** A cert-manager Certificate and the series cert-manager exports for it. */
export class Certificate {
  public readonly props: CertificateProps;

  constructor(props: CertificateProps) {
    if (props.issuances.length === 0 || props.issuances[0].at > 0) throw new Error(`${props.name}: the first issuance must be at or before 0`);
    this.props = props;
  }

  /** The labels cert-manager puts on each Certificate series (plus the scrape target's); empty labels do not exist. */
  public get labels(): Labels {
    const labels = {
      exported_namespace: this.props.namespace,
      name: this.props.name,
      issuer_name: this.props.issuer ?? TENANT_ISSUER,
      issuer_kind: this.props.issuerKind ?? 'Issuer',
      issuer_group: this.props.issuerGroup ?? 'cert-manager.io',
      ...SCRAPE,
    };
    return Object.fromEntries(Object.entries(labels).filter(([, value]) => value !== ''));
  }

  /** Labels of every certificate alert: `max by (exported_namespace, name, issuer_name)`, no scrape target labels. */
  public get alertLabels(): Labels {
    return only(this.labels, 'exported_namespace', 'name', 'issuer_name');
  }

  /** The renewal times (cert-manager's status.renewalTime) of every issuance. */
  public get renewalTimes(): number[] {
    return this.props.issuances.map((issuance) => this.current(issuance.at).renewal);
  }

  public series(): Series[] {
    const timestamps: [string, (t: number) => number][] = [
      ['certmanager_certificate_expiration_timestamp_seconds', (t) => this.current(t).notAfter],
      ['certmanager_certificate_renewal_timestamp_seconds', (t) => this.current(t).renewal],
      ...(this.props.legacyMetrics ? [] : [
        ['certmanager_certificate_not_after_timestamp_seconds', (t: number) => this.current(t).notAfter],
        ['certmanager_certificate_not_before_timestamp_seconds', (t: number) => this.current(t).notBefore],
      ] as [string, (t: number) => number][]),
    ];
    return [
      ...timestamps.map(([metric, value]) => ({ metric, labels: this.labels, value })),
      ...CONDITIONS.map((condition) => ({
        metric: 'certmanager_certificate_ready_status',
        labels: { ...this.labels, condition },
        value: (t: number) => (conditionAt(this.props.notReady ?? [], t) === condition ? 1 : 0),
      })),
    ];
  }

  /** The certificate in the Secret at `t`: the latest issuance at or before `t`. */
  private current(t: number): { notBefore: number; notAfter: number; renewal: number } {
    const issuance = [...this.props.issuances].reverse().find((i) => i.at <= t)!;
    const notAfter = issuance.at + (issuance.lifetime ?? DURATION);
    return { notBefore: issuance.at - (this.props.backdate ?? BACKDATE), notAfter, renewal: notAfter - (this.props.renewBefore ?? RENEW_BEFORE) };
  }
}

export interface IssuerProps {
  readonly namespace: string;
  readonly name?: string;
  readonly notReady?: readonly NotReady[];
}

/** A cert-manager Issuer and its `certmanager_issuer_ready_status` series. */
export class Issuer {
  constructor(public readonly props: IssuerProps) {}

  public get labels(): Labels {
    return { exported_namespace: this.props.namespace, name: this.props.name ?? TENANT_ISSUER, ...SCRAPE };
  }

  /** Labels of an IssuerNotReady alert: `max by (exported_namespace, name)`. */
  public get alertLabels(): Labels {
    return without(this.labels, ...Object.keys(SCRAPE));
  }

  public series(): Series[] {
    return CONDITIONS.map((condition) => ({
      metric: 'certmanager_issuer_ready_status',
      labels: { ...this.labels, condition },
      value: (t: number) => (conditionAt(this.props.notReady ?? [], t) === condition ? 1 : 0),
    }));
  }
}

/**
 * `certmanager_clock_time_seconds_gauge`: no labels of its own, on every scrape of cert-manager's controller
 * (cert-manager v1.21.1 pkg/metrics/metrics.go), so its absence means cert-manager is not scraped. Present while `present(t)`.
 */
export function certManagerScraped(present: (t: number) => boolean = () => true): Series {
  return { metric: 'certmanager_clock_time_seconds_gauge', labels: SCRAPE, value: (t) => (present(t) ? 1_700_000_000 + t : undefined) };
}

function conditionAt(spans: readonly NotReady[], t: number): Condition {
  const span = spans.find((s) => s.from <= t && t < s.to);
  return span ? span.condition ?? 'False' : 'True';
}

/**
 * Issuances of a healthy 24h certificate first issued at `first`, renewed by cert-manager at each renewal time
 * (notAfter - 8h, so every 16h) plus its latency, up to `until`.
 */
export function renewedOnSchedule(first: number, until: number): Issuance[] {
  const issuances: Issuance[] = [{ at: first }];
  for (let next = first + DURATION - RENEW_BEFORE + RENEWAL_LATENCY; next <= until; next += DURATION - RENEW_BEFORE + RENEWAL_LATENCY) {
    issuances.push({ at: next });
  }
  return issuances;
}
