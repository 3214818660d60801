import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { Problems } from '../core/errors';
import { KubernetesNames } from '../core/kubernetes-names';
import { PkiNames } from '../core/names';
import { Urls } from '../core/urls';
import { Probe } from '../imports/probe-monitoring.coreos.com';
import { PrometheusRuleSpecGroupsRules, PrometheusRuleSpecGroupsRulesExpr } from '../imports/prometheus-operator-monitoring.coreos.com';

/** What every blackbox exporter probe construct (CertificateProbes, CrlProbes) is configured with. @internal */
export interface BlackboxSettings {
  readonly proberUrl: string;
  readonly module: string;
  readonly namespace: string;
  readonly interval: Duration;
  readonly runbookBaseUrl: string;
}

/** blackbox exporter's address as the Probes' `prober.url` by default. @internal */
export const DEFAULT_PROBER_URL = 'prometheus-blackbox-exporter.monitoring.svc:9115';

/** The props every probe construct takes for blackbox exporter (CertificateProbesProps, CrlProbesProps). @internal */
export interface BlackboxProps {
  readonly proberUrl?: string;
  readonly module?: string;
  readonly namespace?: string;
  readonly interval?: Duration;
  readonly runbookBaseUrl?: string;
}

/** A probe construct's settings: its props, else the shared defaults and the construct's own module and interval. @internal */
export function blackboxSettings(props: BlackboxProps | undefined,
  defaults: { readonly module: string; readonly interval: Duration }): BlackboxSettings {
  return {
    proberUrl: props?.proberUrl ?? DEFAULT_PROBER_URL,
    module: props?.module ?? defaults.module,
    namespace: props?.namespace ?? 'monitoring',
    interval: props?.interval ?? defaults.interval,
    runbookBaseUrl: props?.runbookBaseUrl ?? Urls.RUNBOOK_BASE_URL,
  };
}

/** The construct id names the Probes and their job: a DNS label. @internal */
export function probeIdProblems(problems: Problems, id: string): void {
  problems.check(!Dns.isLabel(id), () => `the construct id (${id}) names the Probes and their job; use lower-case letters, digits and '-'`);
}

/**
 * Claims the names of a probe construct's `probes` Probes (`<id>-<n>`) and of its PrometheusRule in the chart, adding a
 * problem for each name another construct holds. @internal
 */
export function claimProbeNames(scope: Construct, problems: Problems, construct: string, id: string, namespace: string, probes: number,
  ruleName: string): void {
  const from = `${construct} '${id}'`;
  const fix = `give each ${construct} its own id`;
  KubernetesNames.claim(scope, [
    ...Array.from({ length: probes }, (_p, i) => ({ kind: 'monitoring.coreos.com/Probe', namespace, name: PkiNames.certificateProbeName(id, i + 1), from, fix })),
    { kind: 'monitoring.coreos.com/PrometheusRule', namespace, name: ruleName, from, fix },
  ]).forEach((p) => problems.add(p));
}

/** The problems of the settings every probe construct shares. @internal */
export function blackboxSettingsProblems(problems: Problems, s: BlackboxSettings): void {
  problems.check(!/^[^/:]+:\d+$/.test(s.proberUrl), () => `'proberUrl' (${s.proberUrl}) is not host:port of blackbox exporter`);
  problems.check(!/^[A-Za-z0-9_]+$/.test(s.module), () => `'module' (${s.module}) is not a blackbox module name (letters, digits, '_')`);
  problems.check(!Dns.isLabel(s.namespace), () => `'namespace' (${s.namespace}) is not a valid namespace name (RFC 1123 label)`);
  problems.check(!Durations.isWholePositive(s.interval), () => "'interval' must be a whole number of seconds");
  Urls.problems('runbookBaseUrl', s.runbookBaseUrl, ['https:', 'http:'], 'use the URL of your runbooks page', { allowPath: true }).forEach((p) => problems.add(p));
}

/** One prometheus-operator Probe of `target` for blackbox exporter. @internal */
export function blackboxProbe(scope: Construct, id: string, s: BlackboxSettings & {
  readonly name: string;
  readonly jobName: string;
  readonly labels: { [key: string]: string };
  readonly target: string;
  readonly targetLabels?: { [key: string]: string };
}): Probe {
  return new Probe(scope, id, {
    metadata: { name: s.name, namespace: s.namespace, labels: s.labels },
    spec: {
      jobName: s.jobName,
      module: s.module,
      interval: Durations.go(s.interval),
      prober: { url: s.proberUrl },
      targets: { staticConfig: { static: [s.target], labels: s.targetLabels } },
    },
  });
}

/** A builder of the probe constructs' alerts: labelled with their job, annotated with their runbook. @internal */
export function probeAlerts(jobName: string, runbookBaseUrl: string) {
  return (name: string, severity: string, forDuration: string, expr: string, summary: string,
    description: string): PrometheusRuleSpecGroupsRules => ({
    alert: name,
    expr: PrometheusRuleSpecGroupsRulesExpr.fromString(expr),
    for: forDuration,
    labels: { severity, probes: jobName },
    annotations: { summary, description, runbook_url: `${runbookBaseUrl}#${name.toLowerCase()}` },
  });
}
