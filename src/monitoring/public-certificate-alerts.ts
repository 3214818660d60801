import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterChart } from '../cluster/cluster-chart';
import { Durations } from '../core/durations';
import { PkiNames } from '../core/names';
import { PrometheusRule, PrometheusRuleSpecGroupsRules, PrometheusRuleSpecGroupsRulesExpr } from '../imports/prometheus-operator-monitoring.coreos.com';

/** What the alerts of a public ACME issuer watch. @internal */
export interface PublicCertificateAlertsProps {
  readonly issuerName: string;
  /** The Issuer's namespace; undefined for a ClusterIssuer. */
  readonly issuerNamespace?: string;
  /** The namespaces whose Certificates use it. */
  readonly namespaces: string[];
  /** The CA's certificate lifetime (for the descriptions; the expressions use each certificate's own window). */
  readonly certificateLifetime: Duration;
  readonly caName: string;
  /** Namespace of the PrometheusRule. */
  readonly namespace: string;
  readonly runbookBaseUrl: string;
}

/**
 * The alerts of a public ACME issuer's certificates, scaled to the window the CA imposes: cert-manager renews at a
 * third of the lifetime it receives (30 days before expiry for Let's Encrypt's 90), and each certificate is compared
 * with its own renewal window (`certmanager_certificate_renewal_timestamp_seconds` and `..._expiration_...`), so a
 * shorter lifetime (Let's Encrypt's announced 45 days, a 6-day profile) needs no change: overdue once a quarter of the
 * window has passed without renewal (7.5 days for 90-day certificates: time for rate limits and challenge retries),
 * imminent when a quarter of the window is left; not Ready for an hour (challenges take minutes); the issuer not Ready
 * (its ACME account, `certmanager_issuer_ready_status` / `certmanager_clusterissuer_ready_status`, cert-manager 1.20+).
 * @internal
 */
export class PublicCertificateAlerts extends Construct {
  public readonly ruleName: string;

  constructor(scope: Construct, id: string, props: PublicCertificateAlertsProps) {
    super(scope, id);
    const chart = ClusterChart.containing(this);
    const ns = chart.certificateNamespaceLabel;
    const cluster = props.issuerNamespace === undefined;
    this.ruleName = PkiNames.publicIssuerAlertRuleName(props.issuerName, props.issuerNamespace);
    const namespaces = [...props.namespaces].sort().map(escapeRegex).join('|');
    const kind = cluster ? 'issuer_kind="ClusterIssuer"' : 'issuer_kind=~"|Issuer"';
    const mine = `issuer_name=${JSON.stringify(props.issuerName)}, ${kind}, issuer_group=~"|cert-manager.io", ${ns}=~${JSON.stringify(namespaces)}`;
    const perCertificate = (expr: string) => `max by (${ns}, name, issuer_name) (${expr})`;
    const issued = 'certmanager_certificate_renewal_timestamp_seconds > 0 and certmanager_certificate_expiration_timestamp_seconds > 0';
    const window = '(certmanager_certificate_expiration_timestamp_seconds - certmanager_certificate_renewal_timestamp_seconds)';
    const who = `{{ $labels.${ns} }}/{{ $labels.name }}`;
    const lifetime = Durations.describe(props.certificateLifetime);
    const issuerMetric = cluster
      ? `certmanager_clusterissuer_ready_status{name=${JSON.stringify(props.issuerName)}, condition!="True"}`
      : `certmanager_issuer_ready_status{name=${JSON.stringify(props.issuerName)}, ${ns}=${JSON.stringify(props.issuerNamespace)}, condition!="True"}`;
    const alert = (name: string, severity: string, forDuration: string | undefined, expr: string, summary: string,
      description: string): PrometheusRuleSpecGroupsRules => ({
      alert: name,
      expr: PrometheusRuleSpecGroupsRulesExpr.fromString(expr),
      for: forDuration,
      labels: { severity, issuer: props.issuerName, issuer_kind: cluster ? 'ClusterIssuer' : 'Issuer' },
      annotations: { summary, description, runbook_url: `${props.runbookBaseUrl}#${name.toLowerCase()}` },
    });
    new PrometheusRule(this, 'rule', {
      metadata: { name: this.ruleName, namespace: props.namespace, labels: { ...chart.ruleLabels, ...PkiNames.labels(undefined, props.issuerName) } },
      spec: {
        groups: [{
          name: `vault-pki.public.${props.issuerNamespace ?? 'cluster'}.${props.issuerName}`,
          rules: [
            alert('VaultPkiPublicCertificateRenewalOverdue', 'warning', '1h',
              perCertificate(`(time() - certmanager_certificate_renewal_timestamp_seconds{${mine}} > 0.25 * ${window}) and (${issued})`),
              `Public certificate ${who} (${props.caName}) was due for renewal and has not been renewed`,
              `It is past its renewal time by a quarter of its renewal window (${props.caName} issues ${lifetime}; cert-manager renews a third before expiry). ` +
              'Read `kubectl describe certificate`, the latest CertificateRequest (approved by the issuer\'s CertificateRequestPolicy?), its Order and Challenges ' +
              '(`kubectl get challenges -n <namespace>`): an unreachable HTTP-01 path, DNS-01 credentials, or the CA\'s rate limits.'),
            alert('VaultPkiPublicCertificateExpiryImminent', 'critical', undefined,
              perCertificate(`(certmanager_certificate_expiration_timestamp_seconds{${mine}} - time() < 0.25 * ${window}) and (${issued})`),
              `Public certificate ${who} (${props.caName}) expires in less than a quarter of its renewal window`,
              'Renewal has failed for most of the window; browsers reject the site at expiry. Fix the challenge or approval (see VaultPkiPublicCertificateRenewalOverdue), then `cmctl renew`.'),
            alert('VaultPkiPublicCertificateNotReady', 'warning', '1h',
              perCertificate(`certmanager_certificate_ready_status{${mine}, condition!="True"} == 1`),
              `Public certificate ${who} (${props.caName}) is not Ready`,
              'Challenges normally complete in minutes: read the Certificate, CertificateRequest, Order and Challenge conditions.'),
            alert('VaultPkiPublicIssuerNotReady', 'critical', '10m',
              `max by (${cluster ? 'name' : `${ns}, name`}) (${issuerMetric} == 1)`,
              `ACME issuer ${props.issuerName} (${props.caName}) is not Ready: its certificates cannot renew`,
              'Its ACME account could not be registered or verified: `kubectl describe ' + (cluster ? 'clusterissuer' : `issuer -n ${props.issuerNamespace}`) +
              ` ${props.issuerName}\` (server URL, e-mail, account key Secret, external account binding).`),
          ],
        }],
      },
    });
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
