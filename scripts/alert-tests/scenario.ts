// A test scenario: input series, and the exact set of firing alerts at chosen times. Compiled into one promtool test group
// that asserts, at every checked time, every alert name of the rule file: an alert not listed must not fire.
import { duration, Labels, sampleValues, selector } from './notation';
import { ExpectedAlert, RuleBook } from './rule-book';

/** promtool's rule evaluation interval (`evaluation_interval`); checks fall on evaluations. */
export const EVALUATION_INTERVAL = 60;

/** One input series, its value a function of time (seconds since the start); `undefined` is no sample. */
export interface Series {
  readonly metric: string;
  readonly labels: Labels;
  readonly value: (t: number) => number | undefined;
}

/** At `at`, exactly `firing` fire (no other alert of any name). */
export interface Check {
  readonly at: number;
  readonly firing: readonly ExpectedAlert[];
}

/** A PromQL query and its exact result at `at`. */
export interface ExprCheck {
  readonly at: number;
  readonly expr: string;
  /** Result samples; `metric` is the name a sample keeps (a selector's or recording rule's result), none for computed ones. */
  readonly samples: readonly { readonly metric?: string; readonly labels: Labels; readonly value: number }[];
}

export interface Scenario {
  readonly name: string;
  /** Seconds between samples of every input series. */
  readonly step: number;
  /** Time of the last sample. */
  readonly until: number;
  readonly series: readonly Series[];
  readonly checks: readonly Check[];
  readonly exprChecks?: readonly ExprCheck[];
}

/** promtool's `tests[]` entry. */
export interface PromtoolTestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: { series: string; values: string }[];
  readonly alert_rule_test: { eval_time: string; alertname: string; exp_alerts: { exp_labels: Labels; exp_annotations: Labels }[] }[];
  readonly promql_expr_test?: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[];
}

/** What a compiled scenario asserts. */
export interface Tally {
  groups: number;
  evalTimes: number;
  alertAssertions: number;
  firingAlerts: number;
  exprAssertions: number;
}

export function compile(scenario: Scenario, book: RuleBook, tally: Tally): PromtoolTestGroup {
  const names = book.alertNames;
  const seen = new Set<number>();
  for (const check of scenario.checks) {
    if (seen.has(check.at)) throw new Error(`${scenario.name}: two checks at ${duration(check.at)}`);
    seen.add(check.at);
    if (check.at > scenario.until) throw new Error(`${scenario.name}: check at ${duration(check.at)} is after the last sample`);
    if (check.at % EVALUATION_INTERVAL !== 0) throw new Error(`${scenario.name}: check at ${duration(check.at)} is not on an evaluation`);
    for (const alert of check.firing) {
      if (!names.includes(alert.alertname)) throw new Error(`${scenario.name}: no alerting rule ${alert.alertname}`);
    }
  }
  const keys = new Set<string>();
  for (const series of scenario.series) {
    const key = selector(series.metric, series.labels);
    if (keys.has(key)) throw new Error(`${scenario.name}: series ${key} given twice`);
    keys.add(key);
  }

  const alertTests = [...scenario.checks].sort((a, b) => a.at - b.at).flatMap((check) => names.map((alertname) => ({
    eval_time: duration(check.at),
    alertname,
    exp_alerts: check.firing.filter((alert) => alert.alertname === alertname)
      .map((alert) => ({ exp_labels: alert.labels, exp_annotations: alert.annotations })),
  })));
  const exprTests = (scenario.exprChecks ?? []).map((check) => ({
    expr: check.expr,
    eval_time: duration(check.at),
    exp_samples: check.samples.map((sample) => ({ labels: selector(sample.metric ?? '', sample.labels), value: sample.value })),
  }));

  tally.groups++;
  tally.evalTimes += scenario.checks.length;
  tally.alertAssertions += alertTests.length;
  tally.firingAlerts += scenario.checks.reduce((n, check) => n + check.firing.length, 0);
  tally.exprAssertions += exprTests.length;
  return {
    name: scenario.name,
    interval: duration(scenario.step),
    input_series: scenario.series.map((series) => ({
      series: selector(series.metric, series.labels),
      values: sampleValues(scenario.step, scenario.until, series.value),
    })),
    alert_rule_test: alertTests,
    ...(exprTests.length ? { promql_expr_test: exprTests } : {}),
  };
}
