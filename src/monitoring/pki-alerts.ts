import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterChart } from '../cluster/cluster-chart';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { Problems } from '../core/errors';
import { KubernetesNames } from '../core/kubernetes-names';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { Provenance } from '../core/provenance';
import { Urls } from '../core/urls';
import { GenerationState } from '../vault/ca-generation';
import { isLive, mayIssue, ResolvedGeneration, resolveGenerations } from '../vault/generation-rules';
import { PkiCluster } from '../vault/pki-cluster';
import { IPkiHierarchy } from '../vault/pki-hierarchy';

/** Props of {@link PkiAlerts}. */
export interface PkiAlertsProps {
  /** The hierarchy to alert on: its CAs, and the certificates of every tenant of its intermediates in this cluster. */
  readonly hierarchy: IPkiHierarchy;

  /**
   * Namespace of the PrometheusRule.
   * @default 'monitoring'
   */
  readonly namespace?: string;


  /**
   * Base of every alert's `runbook_url` annotation (the alert name in lower case is appended as the anchor).
   * @default 'https://github.com/cdk8s-vault-pki/cdk8s-vault-pki/blob/main/docs/runbooks.md'
   */
  readonly runbookBaseUrl?: string;
}

/** A CA the alerts watch, with the thresholds derived from its lifetime. */
interface WatchedCa {
  /** `root` or the intermediate's name (the `ca` label). */
  readonly name: string;
  readonly commonName: string;
  readonly ttl: Duration;
  readonly generations: readonly ResolvedGeneration[];
}

/** Warning and critical thresholds of a CA (seconds before expiry): a quarter of its lifetime (at most a year), a tenth (at most 90 days). */
function thresholds(ttl: Duration): { warning: number; critical: number } {
  const s = Durations.seconds(ttl);
  return {
    warning: Math.min(Math.floor(s / 4 / Durations.DAY), 365) * Durations.DAY,
    critical: Math.min(Math.floor(s / 10 / Durations.DAY), 90) * Durations.DAY,
  };
}

/** A PromQL string literal (label values are user text: a quote or backslash must not end the string). */
function promString(value: string): string {
  return JSON.stringify(value);
}

/**
 * A prometheus-operator `PrometheusRule` for a hierarchy (H10), scaled to the real durations:
 *
 * - certificate alerts compare each certificate with its own renewal window (cert-manager's
 *   `renewal` and `expiration` timestamps), so 24h certificates do not fire "expires in < 3 days"
 *   forever: renewal overdue, expiry imminent, not ready, and longer-lived than the tenant's policy;
 * - issuer not ready;
 * - root and intermediate CA expiry well ahead of time (a quarter of the CA's lifetime, at most a
 *   year; critical at a tenth, at most 90 days), per generation, from x509-certificate-exporter watching the CA
 *   ConfigMap Terraform publishes, plus an alert when that metric is missing;
 * - the CA that really signs: the intermediate generation in the leaf Secrets' chains (`tls.crt`), its expiry, and
 *   leaves signed by a generation after it stopped signing (the switch not applied in Vault);
 * - silence: cert-manager or the exporter not scraped, no leaf Secret visible, cert-manager too old.
 *
 * Only certificates and issuers of this hierarchy's tenants are considered: every TenantIssuer emits a recording rule
 * (`vault_pki:tenant_max_duration_seconds`) with its identity and maximum duration, and the alerts join on it, so they
 * cover tenants placed on the cluster by any program. The PrometheusRule carries the ClusterChart's `ruleLabels` and
 * watches the CA ConfigMap Terraform publishes into the cluster.
 */
export class PkiAlerts extends Construct {
  /** Name of the recording rule each tenant emits with its maximum certificate lifetime. */
  public static readonly TENANT_RECORD = PkiNames.TENANT_RECORD;
  /** Default base of the `runbook_url` annotations: the library's runbooks. */
  public static readonly DEFAULT_RUNBOOK_BASE_URL = Urls.RUNBOOK_BASE_URL;
  /** Slack for "longer-lived than policy": Vault back-dates certificates by 30s; allow clock skew too. */
  public static readonly LIFETIME_TOLERANCE = Duration.seconds(Durations.seconds(PkiLimits.LEAF_BACKDATE) + Durations.seconds(PkiLimits.CLOCK_SKEW));

  /** Name of the PrometheusRule. */
  public readonly ruleName: string;
  /** Namespace of the PrometheusRule. */
  public readonly namespace: string;
  /** The label carrying the certificate's namespace in cert-manager's metrics. */
  public readonly certificateNamespaceLabel: string;
  /** Base of every alert's `runbook_url`. */
  public readonly runbookBaseUrl: string;

  private readonly hierarchy: IPkiHierarchy;

  constructor(scope: Construct, id: string, props: PkiAlertsProps) {
    super(scope, id);
    const chart = ClusterChart.containing(this);
    this.hierarchy = props?.hierarchy;
    this.namespace = props?.namespace ?? 'monitoring';
    this.certificateNamespaceLabel = chart.certificateNamespaceLabel;
    this.runbookBaseUrl = props?.runbookBaseUrl ?? PkiAlerts.DEFAULT_RUNBOOK_BASE_URL;
    const problems = new Problems();
    problems.check(!Provenance.is(props?.hierarchy, 'PkiHierarchy'), () =>
      "'hierarchy' is missing; pass the PkiHierarchy (or PkiHierarchy.fromAttributes()) to alert on");
    problems.throwIfAny(this, 'PkiAlerts');
    problems.check(!Dns.isLabel(this.namespace), () => `'namespace' (${this.namespace}) is not a valid namespace name (RFC 1123 label)`);
    Urls.problems('runbookBaseUrl', this.runbookBaseUrl, ['https:', 'http:'], 'use the URL of your runbooks page', { allowPath: true })
      .forEach((p) => problems.add(p));
    this.ruleName = PkiNames.alertRuleName(props.hierarchy.name);
    if (problems.messages.length === 0) {
      KubernetesNames.claim(this, [{
        kind: 'monitoring.coreos.com/PrometheusRule',
        namespace: this.namespace,
        name: this.ruleName,
        from: `'hierarchy' (${props.hierarchy.name})`,
        fix: 'create one PkiAlerts per hierarchy and cluster',
      }]).forEach((p) => problems.add(p));
    }
    problems.throwIfAny(this, 'PkiAlerts');

    const hierarchy = props.hierarchy;
    if (chart.cluster instanceof PkiCluster && chart.cluster._canPublish(hierarchy)) chart.cluster.publishCaCertificates(hierarchy);
    // Written in its wire form (the generated class in src/imports renders the same object; see `wireObject`).
    new ApiObject(this, 'rule', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: this.ruleName,
        namespace: this.namespace,
        labels: { ...chart.ruleLabels, ...PkiNames.labels(hierarchy.name) },
      },
      spec: {
        groups: [
          this.certificateGroup(),
          this.caGroup(hierarchy.caPublicationNamespace, PkiNames.caConfigMapName(hierarchy.name), PkiNames.ALL_CAS_KEY),
          this.signerGroup(),
          this.monitoringGroup(),
        ],
      },
    });
  }

  /**
   * One alerting rule: `summary` says what is wrong, `description` what to do, `runbook_url` (the conventional
   * annotation) links the runbook of the alert.
   */
  private alert(name: string, severity: string, forDuration: string, expr: string, summary: string,
    description: string): RuleSpec {
    return {
      alert: name,
      expr,
      for: forDuration === '0m' ? undefined : forDuration,
      labels: { severity },
      annotations: { summary, description, runbook_url: `${this.runbookBaseUrl}#${name.toLowerCase()}` },
    };
  }

  private get prefix(): string {
    return `vault-pki.${this.hierarchy.name}`;
  }

  private certificateGroup(): GroupSpec {
    const ns = this.certificateNamespaceLabel;
    const tenants = `${PkiAlerts.TENANT_RECORD}{hierarchy="${this.hierarchy.name}"}`;
    const ours = `on (${ns}, issuer_name) ${tenants}`;
    // Namespaced Issuers only (cert-manager leaves kind/group out when the Certificate does), and
    // one series per Certificate: without the scrape target's labels, a cert-manager restart
    // neither resets `for` nor duplicates alerts, and `namespace` does not route to cert-manager's owners.
    const issuerKind = 'issuer_kind=~"|Issuer", issuer_group=~"|cert-manager.io"';
    const perCertificate = (expr: string) => `max by (${ns}, name, issuer_name) (${expr})`;
    const issued = 'certmanager_certificate_renewal_timestamp_seconds > 0 and certmanager_certificate_expiration_timestamp_seconds > 0';
    const window = '(certmanager_certificate_expiration_timestamp_seconds - certmanager_certificate_renewal_timestamp_seconds)';
    const who = `{{ $labels.${ns} }}/{{ $labels.name }}`;
    const rules: RuleSpec[] = [
      this.alert('VaultPkiCertificateRenewalOverdue', 'warning', '5m',
        perCertificate(`(time() - certmanager_certificate_renewal_timestamp_seconds{${issuerKind}} > 0.25 * ${window}) and (${issued}) and ${ours}`),
        `Certificate ${who} was due for renewal and has not been renewed`,
        'It is past its renewal time by more than a quarter of its renewal window. Check `kubectl describe certificate` and the latest CertificateRequest: ' +
        'denied by approver-policy (policy, RBAC `use`), Vault errors (role, policy, Kubernetes auth audience), or cert-manager cannot reach Vault.'),
      this.alert('VaultPkiCertificateExpiryImminent', 'critical', '0m',
        perCertificate(`(certmanager_certificate_expiration_timestamp_seconds{${issuerKind}} - time() < 0.25 * ${window}) and (${issued}) and ${ours}`),
        `Certificate ${who} expires in less than a quarter of its renewal window`,
        'Renewal has failed for most of the renewal window; the workload loses TLS at expiry. Fix issuance now (see VaultPkiCertificateRenewalOverdue), ' +
        'then `cmctl renew` the certificate.'),
      this.alert('VaultPkiCertificateNotReady', 'warning', '15m',
        perCertificate(`certmanager_certificate_ready_status{condition!="True", ${issuerKind}} == 1`) + ` and ${ours}`,
        `Certificate ${who} is not Ready`,
        'Read the Ready condition with `kubectl describe certificate`; then the CertificateRequest (approved? signed?) and the Issuer status.'),
      this.alert('VaultPkiCertificateLongerLivedThanPolicy', 'critical', '0m',
        perCertificate(`(certmanager_certificate_not_after_timestamp_seconds{${issuerKind}} - certmanager_certificate_not_before_timestamp_seconds) ` +
          `> on (${ns}, issuer_name) group_left() (${tenants} + ${Durations.seconds(PkiAlerts.LIFETIME_TOLERANCE)})`),
        `Certificate ${who} lives longer than its tenant's policy allows`,
        'A certificate outlives the maximum the Vault role and approver-policy allow: a policy or role was changed by hand, or a request bypassed approval. ' +
        'Compare the Vault role max_ttl and the CertificateRequestPolicy maxDuration with the Terraform; revoke the certificate if it was not expected.'),
      this.alert('VaultPkiIssuerNotReady', 'critical', '10m',
        `max by (${ns}, name) (certmanager_issuer_ready_status{condition!="True"} == 1) ` +
        `and on (${ns}, name) label_replace(${tenants}, "name", "$1", "issuer_name", "(.+)")`,
        `Issuer {{ $labels.${ns} }}/{{ $labels.name }} is not Ready: its certificates cannot renew`,
        'Check `kubectl describe issuer`: Vault reachable and its TLS CA trusted, the Kubernetes auth role and audience `vault://<ns>/<issuer>` ' +
        'match (run the library ConsistencyCheck), cert-manager may create tokens for the issuer service account.'),
      this.alert('VaultPkiCertificateLifetimeUnmonitored', 'warning', '1h',
        `(count(certmanager_certificate_expiration_timestamp_seconds and ${ours}) > 0) ` +
        'unless on () (count(certmanager_certificate_not_after_timestamp_seconds) > 0)',
        'cert-manager exports no notAfter/notBefore metrics: VaultPkiCertificateLongerLivedThanPolicy cannot fire',
        'certmanager_certificate_not_after_timestamp_seconds and ..._not_before_... exist from cert-manager 1.18: upgrade cert-manager.'),
    ];
    return { name: `${this.prefix}.certificates`, rules };
  }

  private get cas(): WatchedCa[] {
    return [
      {
        name: 'root',
        commonName: this.hierarchy.rootCommonName,
        ttl: this.hierarchy.rootTtl,
        generations: resolveGenerations(this.hierarchy.rootGenerations),
      },
      ...this.hierarchy.intermediates.map((i) => ({
        name: i.name, commonName: i.commonName, ttl: i.ttl, generations: resolveGenerations(i.generations),
      })),
    ];
  }

  /**
   * CA expiry from the certificates Terraform published (x509-certificate-exporter on the CA ConfigMap), for every
   * generation that signs or is about to (PREPARED, ACTIVE). An intermediate generation that leaves already chain to
   * is left to VaultPkiSigningCaExpiring (same thresholds, one alert per CA).
   */
  private caGroup(namespace: string, configMap: string, key: string): GroupSpec {
    const rules = this.cas.flatMap((ca) => ca.generations.filter(mayIssue).flatMap((g) => {
      const cn = promString(PkiNames.generationCommonName(ca.commonName, g.generation));
      const selector = `x509_cert_not_after{configmap_namespace="${namespace}", configmap_name="${configMap}", configmap_key="${key}", subject_CN=${cn}}`;
      const signing = ca.name === 'root' ? '' : ` unless on (subject_CN) x509_cert_not_after{secret_key="tls.crt", subject_CN=${cn}}`;
      const { warning, critical } = thresholds(ca.ttl);
      const what = `${ca.name === 'root' ? 'Root' : 'Intermediate'} CA ${PkiNames.generationCommonName(ca.commonName, g.generation)}`;
      const runbook = g.state === GenerationState.PREPARED
        ? 'A PREPARED generation is expiring before it signed: make a newer generation instead (see the runbook).'
        : `Rotate ${ca.name === 'root' ? 'the root' : `intermediate '${ca.name}'`}: add generation ${this.nextGeneration(ca)} as PREPARED, ` +
          'switch after the trust propagation wait, retire the old one after draining (README, "CA lifecycle"). Do not `terraform apply -replace` ' +
          'a CA resource and do not raise its ttl: provider 5.6 re-signs nothing in place.';
      const labels = { ca: ca.name, generation: String(g.generation), hierarchy: this.hierarchy.name };
      return [
        withLabels(this.alert('VaultPkiCaExpiring', 'warning', '1h', `${selector} - time() < ${warning}${signing}`,
          `${what} expires in less than ${warning / Durations.DAY} days`, runbook), labels),
        withLabels(this.alert('VaultPkiCaExpiring', 'critical', '1h', `${selector} - time() < ${critical}${signing}`,
          `${what} expires in less than ${critical / Durations.DAY} days`, runbook), labels),
        withLabels(this.alert('VaultPkiCaExpiryUnmonitored', 'warning', '1h', `absent(${selector})`,
          `No expiry metric for ${what}: its expiry alerts cannot fire`,
          `Configure x509-certificate-exporter (v4) to watch key '${key}' of ConfigMaps (secretsExporter.configMapKeys) in namespace '${namespace}', ` +
          `and check Terraform published ConfigMap '${configMap}'.`), labels),
      ];
    }));
    return { name: `${this.prefix}.ca`, rules };
  }

  /**
   * The CAs that really sign: every leaf Secret's `tls.crt` is the leaf and its intermediate (Vault returns the issuing
   * generation; cert-manager stores the chain), and x509-certificate-exporter exports each certificate of it. So the
   * intermediate generation that signed today's leaves is watched whatever Terraform believes, and a generation that
   * should have stopped signing is caught by its leaves.
   */
  private signerGroup(): GroupSpec {
    const intermediates = this.cas.filter((ca) => ca.name !== 'root');
    const expiring = intermediates.flatMap((ca) => ca.generations.filter(isLive).flatMap((g) => {
      const commonName = PkiNames.generationCommonName(ca.commonName, g.generation);
      const chains = `min by (subject_CN) (x509_cert_not_after{secret_key="tls.crt", subject_CN=${promString(commonName)}})`;
      const { warning, critical } = thresholds(ca.ttl);
      const labels = { ca: ca.name, generation: String(g.generation), hierarchy: this.hierarchy.name };
      const runbook = g.state === GenerationState.ACTIVE
        ? `Leaves are signed by it today: rotate intermediate '${ca.name}' (add generation ${this.nextGeneration(ca)} as PREPARED, switch, retire; ` +
          'README "CA lifecycle").'
        : `It is ${g.state.toUpperCase()} in the program, yet leaf Secrets still chain to it: check that the switch was applied ` +
          `(\`vault read ${this.mountPathOf(ca.name)}/config/issuers\`) and renew the leaves (\`cmctl renew\`).`;
      return [
        withLabels(this.alert('VaultPkiSigningCaExpiring', 'warning', '1h', `${chains} - time() < ${warning}`,
          `Intermediate CA ${commonName}, which signed leaves in use, expires in less than ${warning / Durations.DAY} days`, runbook), labels),
        withLabels(this.alert('VaultPkiSigningCaExpiring', 'critical', '1h', `${chains} - time() < ${critical}`,
          `Intermediate CA ${commonName}, which signed leaves in use, expires in less than ${critical / Durations.DAY} days`, runbook), labels),
      ];
    }));
    // A leaf signed after its generation stopped signing has a notBefore after `drainingSince` (x509-certificate-exporter
    // with exposeNotBeforeMetric), or, with the exporter's defaults, a notAfter more than the longest leaf lifetime after it.
    const skew = Durations.seconds(PkiLimits.ROTATION_CLOCK_SKEW);
    const leafMax = Durations.seconds(PkiLimits.LEAF_MAX_DURATION);
    const retired = intermediates.flatMap((ca) => ca.generations
      .filter((g) => !mayIssue(g) && g.drainingSince !== undefined && !Number.isNaN(g.drainingSince))
      .map((g) => {
        const commonName = PkiNames.generationCommonName(ca.commonName, g.generation);
        const since = Math.floor(g.drainingSince! / 1000);
        const leaves = (metric: string, after: number) =>
          `max by (secret_namespace, secret_name) (${metric}{secret_key="tls.crt", issuer_CN=${promString(commonName)}} > ${after})`;
        return withLabels(this.alert('VaultPkiRetiredGenerationSigns', 'critical', '5m',
          `${leaves('x509_cert_not_before', since + skew)} or ${leaves('x509_cert_not_after', since + leafMax + skew)}`,
          `Secret {{ $labels.secret_namespace }}/{{ $labels.secret_name }} holds a leaf signed by ${commonName} after it stopped signing (${g.raw.drainingSince})`,
          `Generation ${g.generation} of intermediate '${ca.name}' is ${g.state.toUpperCase()} in the program, but Vault still signs with it: the switch ` +
          `was not applied, or the mount's default issuer was changed by hand. Run \`vault read ${this.mountPathOf(ca.name)}/config/issuers\` and ` +
          '`terraform apply` the Vault stack; do not retire the generation until this alert is resolved and its leaves are renewed.'),
        { ca: ca.name, generation: String(g.generation), hierarchy: this.hierarchy.name });
      }));
    return { name: `${this.prefix}.signers`, rules: [...expiring, ...retired] };
  }

  /** Every leaf chain's copy of a live intermediate generation of this hierarchy, one selector per common name. */
  private signerSelectors(): string {
    return this.cas.filter((ca) => ca.name !== 'root').flatMap((ca) => ca.generations.filter(isLive).map((g) =>
      `x509_cert_not_after{secret_key="tls.crt", subject_CN=${promString(PkiNames.generationCommonName(ca.commonName, g.generation))}}`)).join(' or ');
  }

  private nextGeneration(ca: WatchedCa): number {
    return Math.max(...ca.generations.map((g) => g.generation)) + 1;
  }

  private mountPathOf(intermediate: string): string {
    return PkiNames.intermediateMountPath(this.hierarchy.name, intermediate);
  }

  /**
   * Alerts on silence: without cert-manager's or x509-certificate-exporter's metrics no other alert can fire, and
   * before cert-manager 1.20 there is no Issuer readiness metric (`certmanager_issuer_ready_status`).
   * `certmanager_clock_time_seconds_gauge` (no labels, registered on every scrape of the controller) and
   * `x509_exporter_build_info` are always present while the targets are scraped (cert-manager v1.21.1
   * `pkg/metrics/metrics.go`, x509-certificate-exporter v4 `internal/metrics.go`).
   */
  private monitoringGroup(): GroupSpec {
    const absentFor = Durations.go(PkiLimits.METRICS_ABSENT_FOR);
    const labels = { hierarchy: this.hierarchy.name };
    const tenants = `${PkiAlerts.TENANT_RECORD}{hierarchy="${this.hierarchy.name}"}`;
    const rules = [
      withLabels(this.alert('VaultPkiCertManagerMetricsAbsent', 'critical', absentFor, 'absent(certmanager_clock_time_seconds_gauge)',
        'Prometheus scrapes no cert-manager metrics: every certificate and Issuer alert is silent',
        'Install kube-prometheus-stack (the ServiceMonitor CRD) first, then cert-manager with prometheus.servicemonitor.enabled=true and ' +
        'prometheus.servicemonitor.labels.release=<the kube-prometheus-stack release>; check the target in Prometheus (Status > Targets).'), labels),
      withLabels(this.alert('VaultPkiCaExporterMetricsAbsent', 'critical', absentFor, 'absent(x509_exporter_build_info)',
        'Prometheus scrapes no x509-certificate-exporter metrics: every CA expiry alert is silent',
        'Install x509-certificate-exporter v4 with prometheusServiceMonitor.extraLabels.release=<the kube-prometheus-stack release> and ' +
        'secretsExporter.configMapKeys={ca-certificates.crt}; check the target in Prometheus (Status > Targets).'), labels),
      withLabels(this.alert('VaultPkiSignerUnmonitored', 'warning', '1h',
        `(count(certmanager_certificate_expiration_timestamp_seconds and on (${this.certificateNamespaceLabel}, issuer_name) ${tenants}) > 0) ` +
        `and on () (count(x509_exporter_build_info) > 0) unless on () (count(${this.signerSelectors()}) > 0)`,
        "x509-certificate-exporter sees no leaf Secret of this hierarchy's tenants: the alerts on the CA that really signs cannot fire",
        "Let x509-certificate-exporter read the tenants' kubernetes.io/tls Secrets (secretsExporter.secretTypes with key tls.crt, the chart's default; " +
        'includeNamespaces must include the tenant namespaces).'), labels),
      withLabels(this.alert('VaultPkiIssuerReadinessUnmonitored', 'warning', '1h',
        `(count(certmanager_clock_time_seconds_gauge) > 0) unless on () (count(certmanager_issuer_ready_status) > 0) and on () (count(${tenants}) > 0)`,
        'cert-manager exports no Issuer readiness metric: VaultPkiIssuerNotReady cannot fire',
        'certmanager_issuer_ready_status exists from cert-manager 1.20: upgrade cert-manager.'), labels),
    ];
    return { name: `${this.prefix}.monitoring`, rules };
  }
}

/** A rule of a PrometheusRule group, in its wire form (the keys of the generated class's `PrometheusRuleSpecGroupsRules`). */
interface RuleSpec {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
}

/** A group of a PrometheusRule, in its wire form. */
interface GroupSpec {
  readonly name: string;
  readonly rules: RuleSpec[];
}

function withLabels(rule: RuleSpec, labels: { [key: string]: string }): RuleSpec {
  return { ...rule, labels: { ...rule.labels, ...labels } };
}
