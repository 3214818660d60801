import * as path from 'path';
import { AuditFinding, AuditObject, AuditRuleInfo, AuditSeverity } from './audit-rule';
import { Estate, EstateInput, EstateObject, EstateResource, EstateStack } from './estate';
import { readEstate } from './estate-reader';
import { estateScopes } from './estate-scopes';
import { AUDIT_RULES } from './rules';
import { stackFromTerraformShow } from './terraform-show';

/** Options of an audit. */
export interface AuditOptions {
  /**
   * Findings not to report: a rule id (`cluster-issuer-shared`) skips the rule; `<rule>@<object>` skips it for one
   * object, named `Kind/namespace/name`, `Kind/name` (cluster-scoped) or `<type>/<address>` (Terraform), `*` matching
   * any run of characters. An object can also carry the annotation `audit.vault-pki.cdk8s.io/skip: "<rule>,<rule>"`.
   * @default - every rule runs on every object
   */
  readonly skip?: string[];

  /**
   * The time expiry is judged at.
   * @default - now
   */
  readonly now?: Date;

  /**
   * cert-manager's controller service account (`<namespace>/<name>`): who creates the requests of Certificates.
   * @default 'cert-manager/cert-manager'
   */
  readonly certManagerServiceAccount?: string;

  /**
   * cert-manager csi-driver's service account (`<namespace>/<name>`).
   * @default 'cert-manager/cert-manager-csi-driver'
   */
  readonly csiDriverServiceAccount?: string;

  /**
   * Audit everything given as one estate. Without it, every program output found in a folder (its manifests and
   * cdktf.out/) is an estate of its own and a fleet's GitOps trees are audited cluster by cluster, so that objects of
   * different clusters never stand in for each other; the other files and folders given form one estate together.
   * @default false
   */
  readonly merge?: boolean;
}

/** What an audit read and found. */
export interface AuditResult {
  /** Every finding, in rule order, then by file and line. */
  readonly findings: AuditFinding[];
  /** Number of Kubernetes objects audited (one per identity). */
  readonly objects: number;
  /** Number of Terraform resources (and Vault objects) audited. */
  readonly resources: number;
  /** Files read that held nothing the audit reads (Helm values, kustomization.yaml, inventories). */
  readonly ignoredFiles: string[];
  /** Number of rules run (after `skip`). */
  readonly rules: number;
}

/**
 * `cdk8s-vault-pki audit`, as an API: reads an estate that was not built with this library (Kubernetes manifests:
 * `kubectl get -A -o yaml` dumps, Helm output, GitOps trees; Terraform: cdk.tf.json and `terraform show -json` of a
 * state or a plan; Vault CLI output) and reports, per object, every violation of the hardened defaults (DESIGN.md
 * H1..H13) and every inconsistency ConsistencyCheck knows, plus what only an estate has: shared ClusterIssuers and
 * roles, policies crossing namespaces, long-lived or never-rotated certificates, TLS Secrets no Certificate owns,
 * alerts that fire forever or never, trust bundles built from an intermediate, workloads that cannot see a renewal,
 * weak Vault roles and auth roles, unconstrained intermediates; public ACME issuers and their certificates are
 * reported as public (notes), with what they need before approval is enforced. Offline: nothing is contacted.
 */
export class Audit {
  /** The annotation listing rule ids (comma-separated) not to report on the object that carries it. */
  public static readonly SKIP_ANNOTATION = 'audit.vault-pki.cdk8s.io/skip';

  /** Every rule: its id, severity, description and source. */
  public static rules(): AuditRuleInfo[] {
    return AUDIT_RULES.map(({ id, severity, description, source, consistency }) => ({ id, severity, description, source, consistency }));
  }

  /**
   * Audits files and folders (folders recursively). File names in the findings are relative to `baseDir`.
   * @param paths files or folders to read
   * @param baseDir what file names are relative to (default: the current directory)
   */
  public static run(paths: string[], options: AuditOptions = {}, baseDir?: string): AuditResult {
    const base = baseDir ?? process.cwd();
    const show = (f: string) => path.relative(base, f) || f;
    const results = estateScopes(paths.map((p) => path.resolve(base, p)), options.merge ?? false, show)
      .map((scope) => Audit.auditInput(readEstate(scope.paths, show), options));
    const seen = new Set<string>();
    return {
      // A Terraform stack shared by several clusters of a fleet is audited with each: report its findings once.
      findings: results.flatMap((r) => r.findings).filter((f) => {
        const key = JSON.stringify([f.rule, f.object, f.file, f.message]);
        return seen.has(key) ? false : (seen.add(key), true);
      }),
      objects: results.reduce((n, r) => n + r.objects, 0),
      resources: results.reduce((n, r) => n + r.resources, 0),
      ignoredFiles: [...new Set(results.flatMap((r) => r.ignoredFiles))],
      rules: results[0]?.rules ?? Audit.rules().length - new Set(options.skip ?? []).size,
    };
  }

  /**
   * Audits parsed objects: Kubernetes objects (or `List`s) and Terraform JSON (cdk.tf.json or `terraform show -json`).
   * Findings name the file `<objects>` and `<terraform #n>`.
   */
  public static auditObjects(manifests: any[], terraform: any[] = [], options: AuditOptions = {}): AuditResult {
    const objects: EstateObject[] = (manifests ?? []).flatMap((m) => (m && typeof m.kind === 'string' && m.kind.endsWith('List') && Array.isArray(m.items) ? m.items : [m]))
      .map((object) => ({ object, file: '<objects>' }));
    const stacks: EstateStack[] = (terraform ?? []).map((t, i) => (typeof t?.format_version === 'string'
      ? stackFromTerraformShow(t, `<terraform #${i + 1}>`, '')
      : { json: t ?? {}, file: `<terraform #${i + 1}>`, lines: new Map(), source: 'cdk.tf.json' as const }));
    return Audit.auditInput({ objects, stacks, ignored: [] }, options);
  }

  /** Whether a result has a finding of severity error (the command then exits 1). */
  public static hasErrors(result: AuditResult): boolean {
    return result.findings.some((f) => f.severity === AuditSeverity.ERROR);
  }

  private static auditInput(input: EstateInput, options: AuditOptions): AuditResult {
    const known = new Set(AUDIT_RULES.map((r) => r.id));
    const skips = (options.skip ?? []).map((s) => {
      const at = s.indexOf('@');
      return at < 0 ? { rule: s } : { rule: s.slice(0, at), object: s.slice(at + 1) };
    });
    const unknown = skips.filter((s) => !known.has(s.rule)).map((s) => s.rule);
    if (unknown.length) throw new Error(`unknown audit rule ${unknown.join(', ')}; rules: ${[...known].join(', ')}`);
    const skipped = new Set(skips.filter((s) => s.object === undefined).map((s) => s.rule));

    const estate = new Estate(input, {
      now: options.now, certManagerServiceAccount: options.certManagerServiceAccount, csiDriverServiceAccount: options.csiDriverServiceAccount,
    });
    const findings: AuditFinding[] = [];
    const seen = new Set<string>();
    const rules = AUDIT_RULES.filter((r) => !skipped.has(r.id));
    for (const rule of rules) {
      const ofRule: AuditFinding[] = [];
      rule.check(estate, (subject, message, severity) => {
        const reported = 'object' in subject ? (subject.origin ?? subject) : subject;
        const object = 'object' in reported ? kubernetesObject(reported) : terraformObject(reported);
        if (isSuppressed(rule.id, object, 'object' in reported ? reported : undefined, skips)) return;
        const finding: AuditFinding = {
          rule: rule.id,
          severity: severity ?? rule.severity,
          object,
          file: reported.file || input.objects[0]?.file || input.stacks[0]?.file || '',
          ...(reported.line !== undefined ? { line: reported.line } : {}),
          message,
        };
        const key = JSON.stringify([finding.rule, finding.object, finding.message]);
        if (seen.has(key)) return;
        seen.add(key);
        ofRule.push(finding);
      });
      ofRule.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
      findings.push(...ofRule);
    }
    return { findings, objects: estate.objects.length, resources: estate.resources.length, ignoredFiles: estate.ignored, rules: rules.length };
  }

  private constructor() {}
}

function kubernetesObject(o: EstateObject): AuditObject {
  const ns = o.object.metadata?.namespace;
  return { kind: String(o.object.kind), ...(ns ? { namespace: String(ns) } : {}), name: String(o.object.metadata?.name ?? '<unnamed>') };
}

function terraformObject(r: EstateResource): AuditObject {
  return { type: r.type, name: r.name };
}

/** `Kind/namespace/name`, `Kind/name` or `<type>/<address>`. */
function objectPath(o: AuditObject): string {
  return o.type !== undefined ? `${o.type}/${o.name}` : [o.kind, o.namespace, o.name].filter((x) => x !== undefined).join('/');
}

function isSuppressed(rule: string, object: AuditObject, estateObject: EstateObject | undefined,
  skips: { rule: string; object?: string }[]): boolean {
  const annotation = estateObject?.object.metadata?.annotations?.[Audit.SKIP_ANNOTATION];
  if (typeof annotation === 'string' && annotation.split(',').map((s) => s.trim()).includes(rule)) return true;
  const name = objectPath(object);
  return skips.some((s) => s.rule === rule && s.object !== undefined
    && new RegExp(`^${s.object.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name));
}
