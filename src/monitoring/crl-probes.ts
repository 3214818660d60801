import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  blackboxProbe, blackboxSettings, blackboxSettingsProblems, claimProbeNames, probeAlerts, probeIdProblems,
} from './blackbox-probes';
import { ClusterChart } from '../cluster/cluster-chart';
import { Durations } from '../core/durations';
import { Problems } from '../core/errors';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { Urls } from '../core/urls';
import { PrometheusRule } from '../imports/prometheus-operator-monitoring.coreos.com';

/**
 * The `If-Modified-Since` the CRL probes send: a date after any CRL Vault can have built, so that Vault answers
 * `304 Not Modified` with the CRL's `Last-Modified` (the only response of Vault that carries it).
 */
const IF_MODIFIED_SINCE = 'Fri, 01 Jan 2100 00:00:00 GMT';

/** Props of {@link CrlProbes}. */
export interface CrlProbesProps {
  /**
   * The CRL distribution points to watch, as clients fetch them: `<aiaBaseUrl>/v1/<mount>/crl` of every mount
   * (`VaultPkiStack.crlUrl(mountPath)`). http is allowed (CRLs are signed; RFC 5280 clients fetch them over http).
   */
  readonly urls: string[];

  /**
   * Blackbox exporter's address (`host:port`), as the Probes' `prober.url`.
   * @default 'prometheus-blackbox-exporter.monitoring.svc:9115'
   */
  readonly proberUrl?: string;

  /**
   * The blackbox module the Probes use (see `blackboxModule` for its configuration).
   * @default 'vault_pki_crl'
   */
  readonly module?: string;

  /**
   * Namespace of the Probes and of the alerts' PrometheusRule.
   * @default 'monitoring'
   */
  readonly namespace?: string;

  /**
   * How often each CRL is fetched.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;

  /**
   * Base of the alerts' `runbook_url`.
   * @default 'https://github.com/cdk8s-vault-pki/cdk8s-vault-pki/blob/main/docs/runbooks.md'
   */
  readonly runbookBaseUrl?: string;
}

/**
 * Watches the CRLs Vault publishes, as clients fetch them: one prometheus-operator Probe per CRL URL for blackbox
 * exporter's HTTP prober, and alerts:
 *
 * - `VaultPkiCrlUnreachable`: the CRL cannot be fetched (or Vault never built one) for 15 minutes;
 * - `VaultPkiCrlStale`: the CRL is older than Vault's automatic rebuild allows (CRL expiry minus its rebuild grace,
 *   60h of the mounts' 72h, plus an hour): the rebuild stopped, and revocations since are not published;
 * - `VaultPkiCrlExpiring`: less than 6 hours of the CRL's validity are left: clients that check CRLs will refuse
 *   every certificate of the CA when it expires.
 *
 * How the CRL's age is read: Vault sends `Last-Modified` only in a `304 Not Modified` answer to `If-Modified-Since`
 * (Vault `builtin/logical/pki/util.go` sendNotModifiedResponseIfNecessary, isIfModifiedSinceBeforeLastModified:
 * the CRL config's `LastModified`; `path_fetch.go` pathFetchRead), so the module asks with an `If-Modified-Since`
 * far in the future and expects 304; blackbox exporter v0.28.0 (`prober/http.go`) exports the header as
 * `probe_http_last_modified_timestamp_seconds` whatever the status. Vault passes the header to the PKI backend and
 * the answer back only on mounts tuned for it: every mount of the library is
 * (`passthrough_request_headers = ["If-Modified-Since"]`, `allowed_response_headers = ["Last-Modified"]`).
 */
export class CrlProbes extends Construct {
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

  constructor(scope: Construct, id: string, props: CrlProbesProps) {
    super(scope, id);
    const chart = ClusterChart.containing(this);
    this.jobName = id;
    const settings = blackboxSettings(props, { module: 'vault_pki_crl', interval: Duration.minutes(5) });
    this.namespace = settings.namespace;
    this.module = settings.module;
    this.ruleName = PkiNames.certificateProbeRuleName(id);
    const urls = props?.urls ?? [];
    const problems = new Problems();
    probeIdProblems(problems, id);
    problems.check(!Array.isArray(urls) || urls.length === 0, () => "'urls' is empty: list the CRL URLs of the mounts (VaultPkiStack.crlUrl(mountPath))");
    if (Array.isArray(urls)) {
      urls.forEach((u, i) => Urls.problems(`urls[${i}]`, u, ['http:', 'https:'], 'give the CRL URL clients fetch, e.g. http://pki.internal/v1/pki-root/crl',
        { allowPath: true }).forEach((p) => problems.add(p)));
      problems.check(new Set(urls).size !== urls.length, () => `'urls' lists a CRL twice (${urls.join(', ')})`);
    }
    blackboxSettingsProblems(problems, settings);
    if (problems.messages.length === 0) claimProbeNames(this, problems, 'CrlProbes', id, this.namespace, urls.length, this.ruleName);
    problems.throwIfAny(this, 'CrlProbes');

    this.blackboxModule = {
      prober: 'http',
      timeout: '10s',
      http: { method: 'GET', headers: { 'If-Modified-Since': IF_MODIFIED_SINCE }, valid_status_codes: [304] },
    };
    const labels = { ...PkiNames.labels() };
    urls.forEach((url, i) => {
      blackboxProbe(this, `probe-${i + 1}`, {
        ...settings,
        name: PkiNames.certificateProbeName(id, i + 1),
        jobName: this.jobName,
        labels: { ...labels, ...chart.ruleLabels },
        target: url,
      });
    });

    const job = `job=${JSON.stringify(this.jobName)}`;
    const expiry = Durations.seconds(PkiLimits.CRL_EXPIRY);
    const rebuiltBy = expiry - Durations.seconds(PkiLimits.CRL_REBUILD_GRACE);
    const age = `time() - max by (instance) (probe_http_last_modified_timestamp_seconds{${job}})`;
    const alert = probeAlerts(this.jobName, settings.runbookBaseUrl);
    const rules = [
      alert('VaultPkiCrlUnreachable', 'warning', '15m',
        `max by (instance) (probe_success{${job}}) == 0`,
        'The CRL {{ $labels.instance }} cannot be fetched, or Vault has not built it',
        'Clients that check revocation cannot fetch it (or get it without its age: Vault answers 304 with Last-Modified only on a mount tuned for ' +
        'If-Modified-Since). `curl -sv -H "If-Modified-Since: ' + IF_MODIFIED_SINCE + '" <instance>` shows which; `vault read <mount>/crl/rotate` ' +
        'rebuilds it.'),
      alert('VaultPkiCrlStale', 'warning', '10m',
        `${age} > ${rebuiltBy + 3600}`,
        'The CRL {{ $labels.instance }} is older than Vault\'s automatic rebuild allows: the rebuild stopped',
        `Vault rebuilds a CRL ${Durations.describe(PkiLimits.CRL_REBUILD_GRACE)} before its ${Durations.describe(PkiLimits.CRL_EXPIRY)} expiry ` +
        '(auto_rebuild). Certificates revoked since it was built are not on it. Check the mount\'s crl config and Vault\'s logs; ' +
        '`vault read <mount>/crl/rotate` rebuilds it now.'),
      alert('VaultPkiCrlExpiring', 'critical', '5m',
        `${age} > ${expiry - 6 * 3600}`,
        'The CRL {{ $labels.instance }} expires in less than 6 hours',
        'When it expires, clients that check CRLs refuse every certificate of its CA. Rebuild it now (`vault read <mount>/crl/rotate`), then find ' +
        'why the automatic rebuild stopped (VaultPkiCrlStale).'),
    ];
    new PrometheusRule(this, 'rule', {
      metadata: { name: this.ruleName, namespace: this.namespace, labels: { ...chart.ruleLabels, ...labels } },
      spec: { groups: [{ name: `vault-pki.crl.${this.jobName}`, rules }] },
    });
  }
}
