// The README's adoption section lists every audit rule as the rules themselves describe it, and every alert the
// adoption constructs emit is in the alert table and has a runbook (as test/readme.test.ts does for PkiAlerts).
import * as fs from 'fs';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import { newScope } from './util';
import { AcmeIssuer, AcmeSolver, ApprovalPhase, ApprovalRollout, Audit, CertificateProbes, ProbeTarget } from '../src';

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const RUNBOOKS = fs.readFileSync(path.join(ROOT, 'docs', 'runbooks.md'), 'utf8');

test('every audit rule is in the README with its severity, description and source (ConsistencyCheck\'s by id)', () => {
  for (const r of Audit.rules()) {
    if (r.consistency) expect(README).toContain(`\`${r.id}\` (${r.severity}`);
    else expect(README).toContain(`| \`${r.id}\` | ${r.severity} | ${r.description.replace(/\|/g, '\\|')} | ${r.source.replace(/\|/g, '\\|')} |`);
  }
});

test('every alert of AcmeIssuer, ApprovalRollout and CertificateProbes is in the alert table and has a runbook', () => {
  const scope = newScope();
  new ApprovalRollout(scope.chart, 'approval', { phase: ApprovalPhase.ENFORCE });
  new AcmeIssuer(scope.chart, 'le', { namespace: 'shop', zones: ['example.com'], solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })] });
  new CertificateProbes(scope.chart, 'served', { targets: [ProbeTarget.host('example.com')], expectedIssuer: 'CN=.*', renewBefore: Duration.days(30) });
  const names = Testing.synth(scope.chart).filter((o) => o.kind === 'PrometheusRule')
    .flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules)).map((r: any) => r.alert).filter(Boolean);
  expect(names).toHaveLength(10);
  for (const name of names) {
    expect([name, README.includes(`| \`${name}\` |`)]).toEqual([name, true]);
    expect([name, RUNBOOKS.includes(`\n## ${name}\n`)]).toEqual([name, true]);
  }
});
