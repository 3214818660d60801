import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  blackboxProbe, blackboxSettings, blackboxSettingsProblems, claimProbeNames, probeAlerts, probeIdProblems,
} from './blackbox-probes';
import { ClusterChart } from '../cluster/cluster-chart';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { Problems } from '../core/errors';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { PrometheusRule } from '../imports/prometheus-operator-monitoring.coreos.com';

/** Options of a {@link ProbeTarget}. */
export interface ProbeTargetOptions {
  /**
   * The port TLS is served on.
   * @default 443
   */
  readonly port?: number;
  /**
   * Namespace of the Secret the endpoint's certificate comes from (with `secretName`): the served certificate is then
   * compared with the Secret's (x509-certificate-exporter), which shows a server that never reloaded.
   * @default - not compared
   */
  readonly secretNamespace?: string;
  /**
   * Name of that Secret.
   * @default - not compared
   */
  readonly secretName?: string;
}

/** An endpoint whose served certificate is probed: an ingress host or a Service. */
export class ProbeTarget {
  /** A host served by an Ingress (or any TLS endpoint by name). */
  public static host(host: string, options: ProbeTargetOptions = {}): ProbeTarget {
    return new ProbeTarget(host, options);
  }

  /** A Service, by its cluster DNS name `<name>.<namespace>.svc`. */
  public static service(namespace: string, name: string, options: ProbeTargetOptions = {}): ProbeTarget {
    return new ProbeTarget(`${name}.${namespace}.svc`, options);
  }

  /** `host:port`, as blackbox exporter's TCP prober dials it (and sends as TLS server name). */
  public readonly address: string;
  /** The Secret the certificate comes from, as `<namespace>/<name>`, when given. */
  public readonly secret?: string;

  private constructor(public readonly hostname: string, public readonly options: ProbeTargetOptions) {
    this.address = `${hostname}:${options.port ?? 443}`;
    this.secret = options.secretName !== undefined ? `${options.secretNamespace}/${options.secretName}` : undefined;
  }
}

/** Props of {@link CertificateProbes}. */
export interface CertificateProbesProps {
  /** The endpoints to probe. */
  readonly targets: ProbeTarget[];

  /**
   * A regular expression (RE2, anchored) the issuer of every served leaf certificate must match, as blackbox exporter
   * reports it in `probe_ssl_last_chain_info{issuer}` (Go's `pkix.Name.String()`, e.g. `CN=R11,O=Let's Encrypt,C=US`
   * or `CN=services intermediate CA`).
   */
  readonly expectedIssuer: string;

  /**
   * How long before expiry the served certificates are renewed (their Certificates' `renewBefore`: 8h for the library's
   * 24h certificates, 30 days for Let's Encrypt's 90). A served certificate with less than a quarter of that left was
   * renewed but not taken up, or not renewed at all.
   */
  readonly renewBefore: Duration;

  /**
   * Blackbox exporter's address (`host:port`), as the Probes' `prober.url`.
   * @default 'prometheus-blackbox-exporter.monitoring.svc:9115'
   */
  readonly proberUrl?: string;

  /**
   * The blackbox module the Probes use (see `blackboxModule` for its configuration).
   * @default 'vault_pki_tls'
   */
  readonly module?: string;

  /**
   * The CA bundle file blackbox exporter verifies internal certificates with (a TrustBundle mounted into it). Leave out
   * for public certificates (the system roots).
   * @default - the system roots
   */
  readonly trustBundleFile?: string;

  /**
   * Namespace of the Probes and of the alerts' PrometheusRule.
   * @default 'monitoring'
   */
  readonly namespace?: string;

  /**
   * How often each endpoint is probed.
   * @default Duration.seconds(60)
   */
  readonly interval?: Duration;

  /**
   * Base of the alerts' `runbook_url`.
   * @default 'https://github.com/cdk8s-vault-pki/cdk8s-vault-pki/blob/main/docs/runbooks.md'
   */
  readonly runbookBaseUrl?: string;
}

/**
 * Watches the certificates endpoints really serve, which no cert-manager metric sees (a hand-made Secret on an
 * ingress, a server that never reloaded): one prometheus-operator Probe per endpoint for blackbox exporter's TCP
 * prober with TLS (it reports the served chain whatever the HTTP status: blackbox_exporter v0.28.0 `prober/tcp.go`,
 * `prober/query_response.go`, `prober/tls.go`), and alerts:
 *
 * - `VaultPkiServedCertificateExpiring`: the served chain (`probe_ssl_earliest_cert_expiry`) has less than a quarter
 *   of `renewBefore` left;
 * - `VaultPkiServedCertificateUnexpectedIssuer`: the served leaf's issuer (`probe_ssl_last_chain_info{issuer}`) does
 *   not match `expectedIssuer` (a hand-made or default certificate, the ingress controller's fake one);
 * - `VaultPkiServedCertificateStale`: the served chain expires before the one in its Secret
 *   (`x509_cert_not_after{secret_key="tls.crt"}` from x509-certificate-exporter) for 15 minutes: the Secret was
 *   renewed and the server still serves the old certificate (compared by expiry: blackbox writes serial numbers in hex,
 *   the exporter in decimal);
 * - `VaultPkiProbeFailing`: the TLS handshake fails (expired, untrusted or wrong name: blackbox then reports no
 *   certificate at all).
 */
export class CertificateProbes extends Construct {
  /** The job label of every Probe's metrics (`spec.jobName`): the construct's name. */
  public readonly jobName: string;
  /** Namespace of the Probes and the rule. */
  public readonly namespace: string;
  /** The blackbox module's name. */
  public readonly module: string;
  /** The module's configuration for blackbox exporter's `modules` (its Helm chart's `config.modules.<module>`). */
  public readonly blackboxModule: { [key: string]: any };
  /** Name of the alerts' PrometheusRule. */
  public readonly ruleName: string;

  constructor(scope: Construct, id: string, props: CertificateProbesProps) {
    super(scope, id);
    const chart = ClusterChart.containing(this);
    this.jobName = id;
    const settings = blackboxSettings(props, { module: 'vault_pki_tls', interval: Duration.seconds(60) });
    this.namespace = settings.namespace;
    this.module = settings.module;
    this.ruleName = PkiNames.certificateProbeRuleName(id);
    const targets = props?.targets ?? [];
    const renewBefore = props?.renewBefore;
    const problems = new Problems();
    probeIdProblems(problems, id);
    problems.check(targets.length === 0, () => "'targets' is empty: list the hosts or Services whose served certificates to watch");
    for (const t of targets) {
      problems.check(!Dns.isName(t.hostname), () => `target '${t.hostname}' is not a DNS name`);
      const port = t.options.port ?? 443;
      problems.check(!Number.isInteger(port) || port < 1 || port > 65535, () => `target '${t.hostname}': 'port' (${port}) is not a TCP port`);
      problems.check((t.options.secretName === undefined) !== (t.options.secretNamespace === undefined), () =>
        `target '${t.hostname}': give both 'secretNamespace' and 'secretName' (the Secret its certificate comes from), or neither`);
    }
    const addresses = targets.map((t) => t.address);
    problems.check(new Set(addresses).size !== addresses.length, () => `'targets' lists an endpoint twice (${addresses.join(', ')})`);
    problems.check(props?.expectedIssuer === undefined || !isRegex(props.expectedIssuer), () =>
      `'expectedIssuer' (${props?.expectedIssuer}) is not a regular expression; e.g. 'CN=services intermediate CA.*' or 'CN=(R1[0-4]|E[5-9]),O=Let.s Encrypt,C=US'`);
    problems.check(renewBefore === undefined || !(Durations.seconds(renewBefore) >= Durations.seconds(PkiLimits.MIN_RENEW_BEFORE)), () =>
      `'renewBefore' must be the served certificates' renewBefore (at least ${Durations.go(PkiLimits.MIN_RENEW_BEFORE)}): 8h for 24h certificates, Duration.days(30) for Let's Encrypt`);
    blackboxSettingsProblems(problems, settings);
    if (problems.messages.length === 0) claimProbeNames(this, problems, 'CertificateProbes', id, this.namespace, targets.length, this.ruleName);
    problems.throwIfAny(this, 'CertificateProbes');

    this.blackboxModule = {
      prober: 'tcp',
      timeout: '5s',
      tcp: { tls: true, ...(props.trustBundleFile !== undefined ? { tls_config: { ca_file: props.trustBundleFile } } : {}) },
    };
    const labels = { ...PkiNames.labels() };
    targets.forEach((t, i) => {
      blackboxProbe(this, `probe-${i + 1}`, {
        ...settings,
        name: PkiNames.certificateProbeName(id, i + 1),
        jobName: this.jobName,
        labels: { ...labels, ...chart.ruleLabels },
        target: t.address,
        targetLabels: t.secret !== undefined ? { secret_namespace: t.options.secretNamespace!, secret_name: t.options.secretName! } : undefined,
      });
    });

    const job = `job=${JSON.stringify(this.jobName)}`;
    const quarter = Math.floor(Durations.seconds(renewBefore!) / 4);
    const skew = Durations.seconds(PkiLimits.CLOCK_SKEW);
    const alert = probeAlerts(this.jobName, settings.runbookBaseUrl);
    const rules = [
      alert('VaultPkiServedCertificateExpiring', 'critical', '5m',
        `max by (instance) (probe_ssl_earliest_cert_expiry{${job}}) - time() < ${quarter}`,
        '{{ $labels.instance }} serves a certificate that expires in less than a quarter of its renewal window',
        `It should have been renewed ${Durations.describe(renewBefore!)} before expiry and taken up by the server. Compare it with its Secret ` +
        '(VaultPkiServedCertificateStale), then with the Certificate\'s status; a hand-made certificate needs a Certificate (cdk8s-vault-pki audit: secret-unowned).'),
      alert('VaultPkiServedCertificateUnexpectedIssuer', 'critical', '5m',
        `max by (instance, issuer) (probe_ssl_last_chain_info{${job}, issuer!~${JSON.stringify(props.expectedIssuer)}}) == 1`,
        '{{ $labels.instance }} serves a certificate issued by {{ $labels.issuer }}',
        `Expected an issuer matching ${props.expectedIssuer}. A hand-made certificate, the ingress controller's default certificate (a missing or unready Secret), ` +
        'or another CA: check which Secret the Ingress or server uses and which Certificate writes it.'),
      alert('VaultPkiServedCertificateStale', 'warning', Durations.go(PkiLimits.APPROVAL_WINDOW),
        `max by (instance, secret_namespace, secret_name) (probe_ssl_earliest_cert_expiry{${job}, secret_name!=""}) ` +
        `< on (secret_namespace, secret_name) group_left() (min by (secret_namespace, secret_name) (x509_cert_not_after{secret_key="tls.crt"}) - ${skew})`,
        '{{ $labels.instance }} serves an older certificate than Secret {{ $labels.secret_namespace }}/{{ $labels.secret_name }} holds',
        'cert-manager renewed the Secret but the server still serves the previous certificate: it reads the certificate through a subPath mount or an ' +
        'environment variable (never updated: cdk8s-vault-pki audit, workload-renewal-blind), or does not reload changed files. Mount the whole volume and ' +
        'reload on change (CertificateReload), then restart the pods once.'),
      alert('VaultPkiProbeFailing', 'warning', '10m',
        `max by (instance) (probe_success{${job}}) == 0`,
        'The TLS handshake with {{ $labels.instance }} fails: its certificate cannot be watched',
        'blackbox exporter reports no certificate when the handshake fails: an expired or untrusted certificate, a name mismatch, or the endpoint is ' +
        'down. `openssl s_client -connect <instance> -servername <host>` shows which; for internal certificates mount the TrustBundle into blackbox exporter (trustBundleFile).'),
    ];
    new PrometheusRule(this, 'rule', {
      metadata: { name: this.ruleName, namespace: this.namespace, labels: { ...chart.ruleLabels, ...labels } },
      spec: { groups: [{ name: `vault-pki.probes.${this.jobName}`, rules }] },
    });
  }
}

function isRegex(s: string): boolean {
  try {
    new RegExp(s);
    return s.length > 0;
  } catch {
    return false;
  }
}
