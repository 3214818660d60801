import { Construct, IConstruct } from 'constructs';
import { ClusterChart } from './cluster-chart';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { Problems } from '../core/errors';
import { KubernetesNames } from '../core/kubernetes-names';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { Urls } from '../core/urls';
import { PrometheusRule, PrometheusRuleSpecGroupsRules, PrometheusRuleSpecGroupsRulesExpr } from '../imports/prometheus-operator-monitoring.coreos.com';

/**
 * Where a cluster is on the way from cert-manager approving every CertificateRequest to approver-policy deciding
 * them all (the hardening recipe: audit first, identify violators, migrate, then enforce).
 */
export enum ApprovalPhase {
  /**
   * cert-manager's own approver approves every request (its chart defaults). approver-policy runs beside it and decides
   * only requests a policy selects: the library's tenant Issuers (new, so no existing request is affected). Public
   * issuers' policies are emitted but not yet usable by cert-manager, so approver-policy leaves their requests alone
   * (`Unprocessed`) and nothing existing can be denied. Run `cdk8s-vault-pki audit` over a dump of the cluster and the
   * ENFORCE phase's output to see what would be denied.
   */
  OBSERVE = 'observe',
  /**
   * cert-manager approves only the issuers listed in `legacyIssuers` (its `approveSignerNames`); approver-policy alone
   * decides every other request, the public issuers' included (their policies are now usable).
   */
  MIGRATE = 'migrate',
  /** cert-manager's approver is off (`disableAutoApproval`): approver-policy decides every request. */
  ENFORCE = 'enforce',
}

/**
 * An issuer whose requests cert-manager keeps approving while the cluster migrates: its signer name, as cert-manager's
 * approval webhook checks it (`issuers.cert-manager.io/<namespace>.<name>`, `clusterissuers.cert-manager.io/<name>`).
 */
export class ApprovalSigner {
  /** A namespaced Issuer. */
  public static issuer(namespace: string, name: string): ApprovalSigner {
    return new ApprovalSigner(namespace, name);
  }

  /** A ClusterIssuer. */
  public static clusterIssuer(name: string): ApprovalSigner {
    return new ApprovalSigner(undefined, name);
  }

  /** The signer name cert-manager's RBAC and webhook use. */
  public readonly signerName: string;

  private constructor(
    /** The Issuer's namespace; undefined for a ClusterIssuer. */
    public readonly namespace: string | undefined,
    /** The issuer's name. */
    public readonly name: string,
  ) {
    this.signerName = PkiNames.signerName(name, namespace);
  }
}

/** Props of {@link ApprovalRollout}. */
export interface ApprovalRolloutProps {
  /** The phase the cluster is in. */
  readonly phase: ApprovalPhase;

  /**
   * In MIGRATE: the issuers cert-manager still approves (not yet covered by a policy). Must be empty in OBSERVE (every
   * issuer is approved) and ENFORCE (none is).
   * @default - none
   */
  readonly legacyIssuers?: ApprovalSigner[];

  /**
   * Namespace of the PrometheusRule watching approver-policy's decisions.
   * @default 'monitoring'
   */
  readonly namespace?: string;

  /**
   * Base of the alerts' `runbook_url`.
   * @default 'https://github.com/cdk8s-vault-pki/cdk8s-vault-pki/blob/main/docs/runbooks.md'
   */
  readonly runbookBaseUrl?: string;
}

const ROLLOUTS = Symbol.for('cdk8s-vault-pki.approval-rollout');

/** Marks a public issuer construct: it reads the rollout's phase when created. @internal */
export const PUBLIC_ISSUER = Symbol.for('cdk8s-vault-pki.public-issuer');

/**
 * The audit-first rollout of approval in one cluster, as a synthesizable phase:
 *
 * | phase | cert-manager (Helm values) | approver-policy decides | the library emits |
 * |---|---|---|---|
 * | OBSERVE | `disableAutoApproval: false` (every signer) | the tenants' Issuers only | every policy; public issuers' policies without their `use` grant |
 * | MIGRATE | `approveSignerNames`: the legacy issuers only | every other issuer | every policy with its grant |
 * | ENFORCE | `disableAutoApproval: true` | everything | every policy with its grant |
 *
 * `certManagerHelmValues` is what `helm upgrade cert-manager -f` takes for the phase (checked against cert-manager
 * v1.21.1's values schema). The PrometheusRule watches approver-policy's own signal,
 * `certmanager_approverpolicy_certificaterequests_approval{status}` (approver-policy v0.27.0
 * `pkg/internal/metrics/metrics.go`): requests denied, and requests neither approved nor denied for 15 minutes (no
 * policy applies: after ENFORCE they never renew). Create it before the issuers of the chart: public issuers read the
 * phase when they are created.
 */
export class ApprovalRollout extends Construct {
  /** The rollout of the ClusterChart `scope` is in, if it has one. */
  public static of(scope: IConstruct): ApprovalRollout | undefined {
    return (ClusterChart.containing(scope) as any)[ROLLOUTS];
  }

  /** The phase. */
  public readonly phase: ApprovalPhase;
  /** The issuers cert-manager still approves (MIGRATE). */
  public readonly legacyIssuers: ApprovalSigner[];
  /** Whether cert-manager's own approver runs in this phase. */
  public readonly autoApproval: boolean;
  /** Whether the `use` of public issuers' policies is granted to cert-manager (MIGRATE and ENFORCE). */
  public readonly publicPoliciesUsable: boolean;
  /** The cert-manager Helm values of this phase (`disableAutoApproval`, `approveSignerNames`). */
  public readonly certManagerHelmValues: { [key: string]: any };
  /** Name of the PrometheusRule. */
  public readonly ruleName: string;

  constructor(scope: Construct, id: string, props: ApprovalRolloutProps) {
    super(scope, id);
    const chart = ClusterChart.containing(this);
    this.phase = props?.phase;
    this.legacyIssuers = [...(props?.legacyIssuers ?? [])];
    const namespace = props?.namespace ?? 'monitoring';
    const runbookBaseUrl = props?.runbookBaseUrl ?? Urls.RUNBOOK_BASE_URL;
    this.ruleName = PkiNames.APPROVAL_RULE_NAME;
    const problems = new Problems();
    problems.check(!Object.values(ApprovalPhase).includes(this.phase), () =>
      `'phase' (${this.phase}) is not an ApprovalPhase; use ApprovalPhase.OBSERVE, MIGRATE or ENFORCE`);
    problems.check(this.phase !== ApprovalPhase.MIGRATE && this.legacyIssuers.length > 0, () =>
      `'legacyIssuers' (${this.legacyIssuers.map((s) => s.signerName).join(', ')}) only apply in ApprovalPhase.MIGRATE: in OBSERVE cert-manager approves ` +
      'every issuer, in ENFORCE none; drop them or set phase MIGRATE');
    problems.check(this.phase === ApprovalPhase.MIGRATE && this.legacyIssuers.length === 0, () =>
      "'legacyIssuers' is empty in ApprovalPhase.MIGRATE: cert-manager's chart reads an empty approveSignerNames as 'approve every issuer'; " +
      'list the issuers not yet covered by a policy, or move to ApprovalPhase.ENFORCE');
    for (const s of this.legacyIssuers) {
      problems.check((s.namespace !== undefined && !Dns.isLabel(s.namespace)) || !Dns.isSubdomain(s.name), () =>
        `'legacyIssuers' entry '${s.signerName}' does not name a valid issuer (namespace: RFC 1123 label; name: RFC 1123 subdomain)`);
    }
    const signers = this.legacyIssuers.map((s) => s.signerName);
    problems.check(new Set(signers).size !== signers.length, () => `'legacyIssuers' lists an issuer twice (${signers.join(', ')})`);
    problems.check(!Dns.isLabel(namespace), () => `'namespace' (${namespace}) is not a valid namespace name (RFC 1123 label)`);
    Urls.problems('runbookBaseUrl', runbookBaseUrl, ['https:', 'http:'], 'use the URL of your runbooks page', { allowPath: true }).forEach((p) => problems.add(p));
    problems.check((chart as any)[ROLLOUTS] !== undefined, () => 'the ClusterChart has an ApprovalRollout already: a cluster is in one phase');
    problems.check(chart.node.findAll().some((c) => (c as any)[PUBLIC_ISSUER] === true), () =>
      'public issuers were created in this ClusterChart before the ApprovalRollout: create the ApprovalRollout first (they read its phase)');
    if (problems.messages.length === 0) {
      KubernetesNames.claim(this, [{
        kind: 'monitoring.coreos.com/PrometheusRule', namespace, name: this.ruleName, from: 'the approval rollout', fix: 'create one ApprovalRollout per cluster',
      }]).forEach((p) => problems.add(p));
    }
    problems.throwIfAny(this, 'ApprovalRollout');
    (chart as any)[ROLLOUTS] = this;

    this.autoApproval = this.phase !== ApprovalPhase.ENFORCE;
    this.publicPoliciesUsable = this.phase !== ApprovalPhase.OBSERVE;
    this.certManagerHelmValues = this.phase === ApprovalPhase.ENFORCE ? { disableAutoApproval: true }
      : this.phase === ApprovalPhase.MIGRATE ? { disableAutoApproval: false, approveSignerNames: signers }
        : { disableAutoApproval: false, approveSignerNames: ['issuers.cert-manager.io/*', 'clusterissuers.cert-manager.io/*'] };

    const ns = chart.certificateNamespaceLabel;
    const metric = 'certmanager_approverpolicy_certificaterequests_approval';
    const alert = (name: string, severity: string, forDuration: string, expr: string, summary: string,
      description: string): PrometheusRuleSpecGroupsRules => ({
      alert: name,
      expr: PrometheusRuleSpecGroupsRulesExpr.fromString(expr),
      for: forDuration,
      labels: { severity, phase: this.phase },
      annotations: { summary, description, runbook_url: `${runbookBaseUrl}#${name.toLowerCase()}` },
    });
    const window = Durations.go(PkiLimits.APPROVAL_WINDOW);
    new PrometheusRule(this, 'rule', {
      metadata: { name: this.ruleName, namespace, labels: { ...chart.ruleLabels, ...PkiNames.labels() } },
      spec: {
        groups: [{
          name: 'vault-pki.approval',
          rules: [
            alert('VaultPkiApprovalDenied', 'warning', '1m',
              `sum by (${ns}) (delta(${metric}{status="denied"}[${window}])) > 0`,
              'approver-policy denied a CertificateRequest in namespace {{ $labels.' + ns + ' }}',
              'A request broke every policy that applies to it, so its Certificate is not renewed until it changes. `kubectl get events -n <namespace> ' +
              '--field-selector reason=Denied` names the request and the policy\'s reasons; fix the Certificate or the policy, then `cmctl renew`.'),
            alert('VaultPkiApprovalPending', this.phase === ApprovalPhase.OBSERVE ? 'warning' : 'critical', window,
              `max by (${ns}) (${metric}{status="unmatched"}) > 0`,
              'CertificateRequests in namespace {{ $labels.' + ns + ' }} have been neither approved nor denied for ' + window,
              'No approver decided them: approver-policy found no policy that selects their issuer and namespace and that their requester may use ' +
              '(`kubectl get events --field-selector reason=Unprocessed`), and cert-manager does not approve their issuer in this phase. Add the policy ' +
              '(Tenant.placeOn, AcmeIssuer), or keep the issuer in legacyIssuers until it has one; run `cdk8s-vault-pki audit` on a dump of the cluster.'),
          ],
        }],
      },
    });
  }
}
