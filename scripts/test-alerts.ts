// `npm run test:alerts`: proves the synthesized PrometheusRules with Prometheus's own tools. Synthesizes the reference
// scenario and the switch phase of a CA rotation (examples/rotation) in memory, writes each one's PrometheusRule groups as
// a rule file, checks it (`promtool check rules`) and unit-tests it (`promtool test rules`) against synthetic cert-manager
// and x509-certificate-exporter series (scripts/alert-tests).
//
// Options: --keep keeps the temporary directory (rules.yaml, tests.yaml) even when everything passes.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { Testing as TerraformTesting } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { adoptionRuleGroups, adoptionScenarios } from './alert-tests/adoption-scenarios';
import { caScenarios } from './alert-tests/ca-scenarios';
import { certificateScenarios } from './alert-tests/certificate-scenarios';
import { monitoringScenarios } from './alert-tests/monitoring-scenarios';
import { duration } from './alert-tests/notation';
import { rotationScenarios } from './alert-tests/rotation-scenarios';
import { RuleBook, RuleGroup } from './alert-tests/rule-book';
import { compile, EVALUATION_INTERVAL, Scenario, Tally } from './alert-tests/scenario';
import { signerScenarios } from './alert-tests/signer-scenarios';
import { CaCertificates } from './alert-tests/x509-exporter';
import { buildReferenceScenario, CaGenerations } from '../examples/reference/scenario';
import { SWITCH, SWITCHED_AT } from '../examples/rotation/phases';

/** One rule file and the scenarios that test it. */
interface Suite {
  readonly name: string;
  readonly generations: CaGenerations;
  readonly scenarios: (book: RuleBook) => Scenario[];
  /** The rule groups, when not the reference scenario's (tenants' recording rules and PkiAlerts) at `generations`. */
  readonly ruleGroups?: () => RuleGroup[];
}

const SUITES: Suite[] = [
  {
    name: 'reference scenario',
    generations: {},
    scenarios: (book) => {
      const cas = new CaCertificates(book);
      return [...certificateScenarios(book, cas), ...caScenarios(cas), ...monitoringScenarios(book, cas), ...signerScenarios(book, cas)];
    },
  },
  {
    name: 'rotation, switch phase (examples/rotation/2-switch)',
    generations: SWITCH,
    scenarios: (book) => rotationScenarios(book, Date.parse(SWITCHED_AT) / 1000),
  },
  {
    name: 'adoption, enforce phase (examples/adoption/3-enforce): public ACME issuers, the approval rollout, served-certificate probes',
    generations: {},
    ruleGroups: adoptionRuleGroups,
    scenarios: adoptionScenarios,
  },
];

const PROMTOOL = 'promtool';

function main(argv: string[]): number {
  const keep = argv.includes('--keep');
  const unknown = argv.filter((arg) => arg !== '--keep');
  if (unknown.length) {
    console.error(`test:alerts: unknown argument(s) ${unknown.join(' ')}; the only option is --keep`);
    return 2;
  }

  const version = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
  if (version.error) {
    console.error(`test:alerts: cannot run '${PROMTOOL}' (${(version.error as NodeJS.ErrnoException).code ?? version.error.message}): ` +
      'it must be on PATH. Install it with the Prometheus release tarball or the Debian/Ubuntu package `prometheus`.');
    return 2;
  }
  console.log(`== ${(version.stdout || version.stderr).split('\n')[0]}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-alerts-'));
  const tally: Tally = { groups: 0, evalTimes: 0, alertAssertions: 0, firingAlerts: 0, exprAssertions: 0 };
  let rules = 0;
  const alertNames = new Set<string>();
  for (const [i, suite] of SUITES.entries()) {
    const book = new RuleBook(suite.ruleGroups ? suite.ruleGroups() : synthesizeRuleGroups(suite.generations));
    rules += book.ruleCount;
    book.alertNames.forEach((name) => alertNames.add(name));
    const rulesFile = path.join(dir, `rules-${i}.yaml`);
    fs.writeFileSync(rulesFile, stringify({ groups: book.groups }, { lineWidth: 0 }));

    console.log(`== ${suite.name}: promtool check rules (${book.ruleCount} rules in ${book.groups.length} groups)`);
    if (!run(['check', 'rules', '--lint=all', '--lint-fatal', rulesFile])) return fail(dir);

    const tests = suite.scenarios(book).map((scenario) => compile(scenario, book, tally));
    const testsFile = path.join(dir, `tests-${i}.yaml`);
    fs.writeFileSync(testsFile, stringify({
      rule_files: [path.basename(rulesFile)],
      evaluation_interval: duration(EVALUATION_INTERVAL),
      // Recording rules (the tenants) before the alerts that join on them, as Prometheus converges to anyway.
      group_eval_order: book.groups.map((group) => group.name),
      tests,
    }, { lineWidth: 0 }));

    console.log(`== ${suite.name}: promtool test rules (${tests.length} test groups)`);
    if (!run(['test', 'rules', testsFile])) return fail(dir);
  }

  console.log(`test:alerts: OK: promtool check rules passed (${SUITES.length} rule files, ${rules} rules); promtool test rules passed ` +
    `${tally.groups} test groups: ${tally.alertAssertions} alert assertions (${alertNames.size} alert names, ${tally.evalTimes} eval times, ` +
    `${tally.firingAlerts} firing alerts expected) and ${tally.exprAssertions} PromQL assertions.`);
  if (keep) console.log(`test:alerts: files kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
  return 0;
}

/**
 * Every rule group the reference scenario's cluster carries (its CAs at `generations`), synthesized in memory: the
 * tenants' recording rules (one PrometheusRule per tenant, in its namespace) first, then the cluster's PkiAlerts, as
 * Prometheus evaluates them all.
 */
function synthesizeRuleGroups(generations: CaGenerations): RuleGroup[] {
  const { chart } = buildReferenceScenario(Testing.app(), TerraformTesting.app() as Construct, generations);
  const rules = Testing.synth(chart).filter((o) => o.apiVersion === 'monitoring.coreos.com/v1' && o.kind === 'PrometheusRule');
  const alerts = rules.filter((r) => r.metadata.name === 'pki-pki-alerts');
  if (alerts.length !== 1) throw new Error(`expected one PkiAlerts PrometheusRule in the reference scenario, found ${alerts.length}`);
  const tenants = rules.filter((r) => r !== alerts[0]);
  if (tenants.length !== 3) throw new Error(`expected a recording-rule PrometheusRule per tenant (3), found ${tenants.length}`);
  const groups = [...tenants, ...alerts].flatMap((r) => r.spec?.groups as RuleGroup[]);
  if (groups.some((g) => !g || !Array.isArray(g.rules))) throw new Error('a PrometheusRule has no spec.groups');
  return groups;
}

/** Runs promtool with its output on ours; whether it succeeded. */
function run(args: string[]): boolean {
  const result = spawnSync(PROMTOOL, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.replace(/\n{3,}/g, '\n\n').trimEnd();
  if (output) console.log(output.split('\n').map((line) => `  ${line}`).join('\n'));
  if (result.error) console.error(`test:alerts: promtool ${args[0]} ${args[1]} could not run: ${result.error.message}`);
  else if (result.status !== 0) console.error(`test:alerts: promtool ${args[0]} ${args[1]} failed (exit ${result.status ?? result.signal})`);
  return !result.error && result.status === 0;
}

function fail(dir: string): number {
  console.error(`test:alerts: FAILED; the rule file and promtool test file are in ${dir}`);
  return 1;
}

process.exitCode = main(process.argv.slice(2));
