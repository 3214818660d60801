// The synthesized rule groups, and what an alert of one of their rules looks like when it fires.
import { Labels } from './notation';

/** A rule as the PrometheusRule's `spec.groups[].rules[]` holds it (and a Prometheus rule file). */
export interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** A rule group. */
export interface RuleGroup {
  readonly name: string;
  readonly rules: Rule[];
}

/** A firing alert, as promtool's `exp_alerts` states it (without `alertname`, which promtool adds). */
export interface ExpectedAlert {
  readonly alertname: string;
  readonly labels: Labels;
  readonly annotations: Labels;
}

/** Finds alerting rules by name and rule labels, and derives the labels and annotations their alerts carry. */
export class RuleBook {
  constructor(public readonly groups: readonly RuleGroup[]) {
    for (const group of groups) {
      for (const rule of group.rules) {
        if (typeof rule.expr !== 'string') throw new Error(`rule ${rule.alert ?? rule.record} in ${group.name}: expr is not a string`);
      }
    }
  }

  /** Every alert name, in file order, once. */
  public get alertNames(): string[] {
    return [...new Set(this.alertingRules().map((rule) => rule.alert!))];
  }

  /** Number of rules (recording and alerting). */
  public get ruleCount(): number {
    return this.groups.reduce((n, group) => n + group.rules.length, 0);
  }

  /** Every alerting rule `alertname`, in file order. */
  public rules(alertname: string): Rule[] {
    return this.alertingRules().filter((rule) => rule.alert === alertname);
  }

  /** The one alerting rule `alertname` whose labels include `ruleLabels`. */
  public rule(alertname: string, ruleLabels: Labels = {}): Rule {
    const found = this.alertingRules().filter((rule) => rule.alert === alertname &&
      Object.entries(ruleLabels).every(([name, value]) => rule.labels?.[name] === value));
    if (found.length !== 1) {
      throw new Error(`expected one alerting rule ${alertname} with labels ${JSON.stringify(ruleLabels)}, found ${found.length}`);
    }
    return found[0];
  }

  /**
   * The alert `alertname` fires for the result sample `sample` (the expression's output labels): Prometheus
   * adds the rule's labels and expands the annotations with `$labels` = the sample's labels.
   */
  public alert(alertname: string, sample: Labels, ruleLabels: Labels = {}): ExpectedAlert {
    const rule = this.rule(alertname, ruleLabels);
    const annotations = Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([name, text]) => [name, expand(text, sample)]));
    return { alertname, labels: { ...sample, ...rule.labels }, annotations };
  }

  private alertingRules(): Rule[] {
    return this.groups.flatMap((group) => group.rules.filter((rule) => rule.alert !== undefined));
  }
}

/**
 * Expands the Go template subset the rules use, `{{ $labels.<name> }}`, the way Prometheus does (text/template,
 * no escaping). Anything else in `{{ }}` is refused rather than guessed; a missing label is an error in the test.
 */
export function expand(template: string, labels: Labels): string {
  const out = template.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, name: string) => {
    const value = labels[name];
    if (value === undefined) throw new Error(`template ${JSON.stringify(template)} uses $labels.${name}, which the alert does not have`);
    return value;
  });
  if (out.includes('{{')) throw new Error(`template ${JSON.stringify(template)} uses more than {{ $labels.<name> }}: extend expand()`);
  return out;
}

/**
 * The equality matchers of the `metric{...}` selector in `expr` (the labels `absent()` of it returns).
 * Refuses regex and negative matchers, which `absent()` would not turn into labels.
 */
export function selectorLabels(expr: string, metric: string): Labels {
  const match = new RegExp(`${metric}\\{([^}]*)\\}`).exec(expr);
  if (!match) throw new Error(`no ${metric}{...} selector in ${expr}`);
  const labels: Record<string, string> = {};
  const matcher = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let rest = match[1];
  while (rest.trim() !== '') {
    matcher.lastIndex = 0;
    const m = matcher.exec(rest);
    if (!m) throw new Error(`cannot read matchers ${match[1]} in ${expr}`);
    if (m[2] !== '=') throw new Error(`matcher ${m[0].trim()} in ${expr} is not an equality matcher`);
    labels[m[1]] = JSON.parse(`"${m[3]}"`) as string;
    rest = rest.slice(m[0].length);
  }
  return labels;
}
