// The audit-first rollout: what the library emits in each phase (cert-manager's Helm values, checked against the
// chart's values.schema.json at v1.21.1; the public policies' use grants; the alerts on approver-policy's metric),
// and the phases' refusals.
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { Testing } from 'cdk8s';
import { errorOf, newScope, objects } from './util';
import { ApprovalPhase, ApprovalRollout, ApprovalSigner } from '../src';

const schema = new Ajv({ allErrors: true, strict: false })
  .compile(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'upstream', 'helm', 'cert-manager-v1.21.1.values.schema.json'), 'utf8')));

describe('ApprovalRollout', () => {
  test.each([
    [ApprovalPhase.OBSERVE, undefined, { disableAutoApproval: false, approveSignerNames: ['issuers.cert-manager.io/*', 'clusterissuers.cert-manager.io/*'] }],
    [ApprovalPhase.MIGRATE, [ApprovalSigner.clusterIssuer('vault-issuer'), ApprovalSigner.issuer('legacy', 'vault-issuer')],
      { disableAutoApproval: false, approveSignerNames: ['clusterissuers.cert-manager.io/vault-issuer', 'issuers.cert-manager.io/legacy.vault-issuer'] }],
    [ApprovalPhase.ENFORCE, undefined, { disableAutoApproval: true }],
  ] as [ApprovalPhase, ApprovalSigner[] | undefined, any][])('%s: cert-manager values pass the chart schema', (phase, legacyIssuers, values) => {
    const scope = newScope();
    const rollout = new ApprovalRollout(scope.chart, 'approval', { phase, legacyIssuers });
    expect(rollout.certManagerHelmValues).toEqual(values);
    expect([schema(rollout.certManagerHelmValues), schema.errors]).toEqual([true, null]);
    expect(rollout.autoApproval).toBe(phase !== ApprovalPhase.ENFORCE);
    const [rule] = objects(Testing.synth(scope.chart), 'PrometheusRule', 'vault-pki-approval');
    expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(rule.spec.groups[0].rules.map((r: any) => [r.alert, r.labels.severity, r.for])).toEqual([
      ['VaultPkiApprovalDenied', 'warning', '1m'],
      ['VaultPkiApprovalPending', phase === ApprovalPhase.OBSERVE ? 'warning' : 'critical', '15m'],
    ]);
    expect(rule.spec.groups[0].rules[1].expr).toBe('max by (exported_namespace) (certmanager_approverpolicy_certificaterequests_approval{status="unmatched"}) > 0');
  });

  test('the schema would catch a misspelt key (the check is not vacuous)', () => {
    expect(schema({ disableAutoAproval: true })).toBe(false);
  });

  test.each([
    ['MIGRATE without legacy issuers (an empty approveSignerNames approves every issuer)', { phase: ApprovalPhase.MIGRATE }, "'legacyIssuers' is empty in ApprovalPhase.MIGRATE"],
    ['legacy issuers in ENFORCE', { phase: ApprovalPhase.ENFORCE, legacyIssuers: [ApprovalSigner.clusterIssuer('vault')] }, 'only apply in ApprovalPhase.MIGRATE'],
    ['an invalid issuer name', { phase: ApprovalPhase.MIGRATE, legacyIssuers: [ApprovalSigner.issuer('Legacy', 'v')] }, 'does not name a valid issuer'],
    ['an unknown phase', { phase: 'audit' }, "'phase' (audit) is not an ApprovalPhase"],
  ] as [string, any, string][])('fails with %s', (_what, props, message) => {
    expect(errorOf(() => new ApprovalRollout(newScope().chart, 'approval', props))).toContain(message);
  });

  test('one per cluster', () => {
    const scope = newScope();
    new ApprovalRollout(scope.chart, 'approval', { phase: ApprovalPhase.OBSERVE });
    expect(errorOf(() => new ApprovalRollout(scope.chart, 'again', { phase: ApprovalPhase.ENFORCE }))).toContain('has an ApprovalRollout already');
  });
});
