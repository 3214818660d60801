import { goDurationSeconds } from '../../output-index';
import { AuditRule, AuditSeverity } from '../audit-rule';
import { EstateObject } from '../estate';
import { certificateContexts, CertificateContext, nameOf, seconds } from '../facts';

/**
 * Metric names the exporters the library supports really export, by prefix: an alert on another name of these
 * families never fires. cert-manager v1.21.1 `internal/collectors/*.go` and `pkg/metrics/*.go`; prometheus
 * blackbox_exporter v0.28.0 `prober/http.go`, `prober/tcp.go`, `prober/utils.go`; x509-certificate-exporter v3/v4
 * (README: `x509_cert_not_before`, `x509_cert_not_after`, `x509_cert_expired`, the relative
 * `x509_cert_expires_in_seconds` / `x509_cert_valid_since_seconds`, `x509_cert_error`, `x509_read_errors`).
 * @internal
 */
export const KNOWN_METRICS: { prefix: string; names: string[] }[] = [
  {
    prefix: 'certmanager_certificate_',
    names: ['certmanager_certificate_challenge_status', 'certmanager_certificate_expiration_timestamp_seconds',
      'certmanager_certificate_not_after_timestamp_seconds', 'certmanager_certificate_not_before_timestamp_seconds',
      'certmanager_certificate_ready_status', 'certmanager_certificate_renewal_timestamp_seconds'],
  },
  { prefix: 'certmanager_issuer_', names: ['certmanager_issuer_ready_status'] },
  { prefix: 'certmanager_clusterissuer_', names: ['certmanager_clusterissuer_ready_status'] },
  {
    prefix: 'x509_cert_',
    names: ['x509_cert_not_before', 'x509_cert_not_after', 'x509_cert_expired', 'x509_cert_expires_in_seconds', 'x509_cert_valid_since_seconds', 'x509_cert_error'],
  },
  { prefix: 'probe_ssl_', names: ['probe_ssl_earliest_cert_expiry', 'probe_ssl_last_chain_expiry_timestamp_seconds', 'probe_ssl_last_chain_info'] },
];

/** Expiry metrics: `<metric> - time()` (or the metric itself for *_expires_in_seconds) is the time left. */
const EXPIRY = /\b(certmanager_certificate_expiration_timestamp_seconds|certmanager_certificate_not_after_timestamp_seconds|x509_cert_not_after|x509_cert_expires_in_seconds|probe_ssl_earliest_cert_expiry|probe_ssl_last_chain_expiry_timestamp_seconds)\b(\{[^}]*\})?/;

/** What an alerting rule compares the time left with, when it is a constant. */
interface FixedThreshold {
  readonly metric: string;
  readonly selector: string;
  readonly threshold: number;
}

/** `7 * 24 * 3600` and friends: a constant arithmetic expression's value (+ - * / and parentheses), or undefined. */
function constant(text: string): number | undefined {
  const tokens = text.match(/\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[-+*/()]/g) ?? [];
  if (tokens.join('') !== text.replace(/\s+/g, '') || tokens.length === 0) return undefined;
  let i = 0;
  const primary = (): number => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      if (tokens[i++] !== ')') throw new Error('unbalanced');
      return v;
    }
    if (t === '-') return -primary();
    const v = Number(t);
    if (!Number.isFinite(v)) throw new Error('not a number');
    return v;
  };
  const product = (): number => {
    let v = primary();
    while (tokens[i] === '*' || tokens[i] === '/') v = tokens[i++] === '*' ? v * primary() : v / primary();
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  };
  try {
    const v = sum();
    return i === tokens.length && Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The constant an alert compares an expiry's time left with (`X - time() < 604800`, `(X - time()) / 86400 < 7`,
 * `x509_cert_expires_in_seconds < 28 * 86400`), in seconds; undefined when the comparison is relative to the
 * certificate's own renewal (renewal timestamps, notBefore) or not a constant.
 */
export function fixedThreshold(expr: string): FixedThreshold | undefined {
  const match = EXPIRY.exec(expr);
  if (!match || /renewal_timestamp_seconds|not_before/.test(expr)) return undefined;
  const compare = /(<=?)\s*([0-9.eE+\-*/() ]+?)\s*(\)|\band\b|\bor\b|\bunless\b|$)/.exec(expr.slice(match.index));
  if (!compare) return undefined;
  let threshold = constant(compare[2]);
  if (threshold === undefined) return undefined;
  const left = expr.slice(match.index, match.index + compare.index);
  const divisor = /\)\s*\/\s*([0-9.eE+\-* ]+)\s*\)?\s*$/.exec(left);
  if (divisor) threshold *= constant(divisor[1]) ?? 1;
  return { metric: match[1], selector: match[2] ?? '', threshold };
}

/** Whether a label set satisfies a PromQL selector's matchers (=, !=, =~, !~). */
function matches(selector: string, labels: Record<string, string>): boolean {
  const matcher = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;
  for (const [, name, op, raw] of selector.matchAll(matcher)) {
    const value = labels[name] ?? '';
    const pattern = JSON.parse(`"${raw}"`) as string;
    const full = new RegExp(`^(?:${pattern})$`);
    if ((op === '=' && value !== pattern) || (op === '!=' && value === pattern) || (op === '=~' && !full.test(value)) || (op === '!~' && full.test(value))) return false;
  }
  return true;
}

/** The Certificates an expiry selector covers (cert-manager's metric labels, or the exporter's Secret labels). */
function inScope(t: FixedThreshold, certificates: CertificateContext[]): CertificateContext[] {
  if (/subject_CN|issuer_CN|configmap_|filepath/.test(t.selector)) return []; // a named CA or file, not the leaves
  if (t.metric.startsWith('probe_ssl_')) return []; // served certificates: which ones is a probe's business
  return certificates.filter((c) => {
    const cert = c.certificate.object;
    const ref = cert.spec?.issuerRef ?? {};
    const labels: Record<string, string> = t.metric.startsWith('x509_')
      ? { secret_namespace: c.namespace, secret_name: cert.spec?.secretName ?? '', secret_key: 'tls.crt' }
      : { name: cert.metadata?.name ?? '', namespace: c.namespace, exported_namespace: c.namespace, issuer_name: ref.name ?? '', issuer_kind: ref.kind ?? 'Issuer', issuer_group: ref.group ?? 'cert-manager.io' };
    return matches(t.selector, labels);
  });
}

/** Every alerting rule of the estate's PrometheusRules. */
function alertingRules(rules: EstateObject[]): { object: EstateObject; rule: any }[] {
  return rules.flatMap((object) => (object.object.spec?.groups ?? []).flatMap((g: any) => (g.rules ?? [])
    .filter((r: any) => typeof r.alert === 'string' && typeof r.expr === 'string').map((rule: any) => ({ object, rule }))));
}

const list = (cs: CertificateContext[]) => cs.slice(0, 3).map((c) => `${nameOf(c.certificate.object)} (${seconds(c.duration)})`).join(', ') + (cs.length > 3 ? ` and ${cs.length - 3} more` : '');

export const ALERT_AUDIT_RULES: AuditRule[] = [
  {
    id: 'alert-fixed-threshold',
    severity: AuditSeverity.ERROR,
    description: "No certificate expiry alert uses a fixed threshold that fires forever (longer than a certificate's lifetime), before every renewal, or never (shorter than its `for`)",
    source: 'H10 (alerts scaled to the real durations: PkiAlerts compares each certificate with its own renewal window); cert-manager v1.21.1 certificate metrics',
    consistency: false,
    check(estate, report) {
      const certificates = certificateContexts(estate);
      for (const { object, rule } of alertingRules(estate.kind('monitoring.coreos.com', 'PrometheusRule'))) {
        const t = fixedThreshold(rule.expr);
        if (!t) continue;
        const forSeconds = goDurationSeconds(rule.for ?? '0s') ?? 0;
        const where = `alert ${rule.alert} of ${nameOf(object.object)} (${t.metric} ... < ${seconds(t.threshold)})`;
        const fix = 'fix: compare each certificate with its own renewal window, as PkiAlerts does ' +
          '(time() - certmanager_certificate_renewal_timestamp_seconds > 0.25 * (expiration - renewal)), or scale the threshold below every renewBefore in scope';
        if (t.threshold <= forSeconds) {
          report(object, `${where} needs 'for: ${rule.for}' on top: by the time it has held that long the certificate has expired, so it never fires in time (H10); ${fix}`);
          continue;
        }
        const scope = inScope(t, certificates);
        const forever = scope.filter((c) => c.duration <= t.threshold);
        if (forever.length) {
          report(object, `${where} fires for as long as ${list(forever)} exist${forever.length === 1 ? 's' : ''}: ${forever.length === 1 ? 'its' : 'their'} whole lifetime is ` +
            `shorter than the threshold, so the alert is always on and trains everyone to ignore it (H10); ${fix}`);
          continue;
        }
        const early = scope.filter((c) => {
          const before = goDurationSeconds(c.certificate.object.spec?.renewBefore) ?? Math.floor(c.duration / 3);
          return before < t.threshold;
        });
        if (early.length) {
          report(object, `${where} fires before every routine renewal of ${list(early)}: cert-manager renews ${early.length === 1 ? 'it' : 'them'} later than the threshold ` +
            `(H10); ${fix}`, AuditSeverity.WARNING);
        }
      }
    },
  },
  {
    id: 'alert-unknown-metric',
    severity: AuditSeverity.ERROR,
    description: 'No certificate alert reads a metric its exporter does not export (cert-manager, x509-certificate-exporter, blackbox exporter): it would never fire',
    source: 'cert-manager v1.21.1 internal/collectors; blackbox_exporter v0.28.0 prober/http.go; x509-certificate-exporter v4 README',
    consistency: false,
    check(estate, report) {
      for (const { object, rule } of alertingRules(estate.kind('monitoring.coreos.com', 'PrometheusRule'))) {
        const names = new Set<string>(rule.expr.match(/\b(certmanager|x509|probe)_[a-zA-Z0-9_]+\b/g) ?? []);
        for (const name of names) {
          const family = KNOWN_METRICS.find((k) => name.startsWith(k.prefix));
          const base = name.replace(/_(bucket|sum|count)$/, '');
          if (family && !family.names.includes(name) && !family.names.includes(base)) {
            report(object, `alert ${rule.alert} of ${nameOf(object.object)} reads '${name}', which no supported exporter exports ` +
              `(known: ${family.names.join(', ')}): the expression is always empty and the alert never fires; fix: use the real metric name`);
          }
        }
      }
    },
  },
];
