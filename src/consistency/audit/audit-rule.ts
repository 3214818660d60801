import type { Estate, EstateObject, EstateResource } from './estate';

/** How bad an audit finding is. */
export enum AuditSeverity {
  /** A violation of the hardened defaults, or something that breaks: `audit` exits 1. */
  ERROR = 'error',
  /** Weaker than the library's defaults, or a risk to check; does not fail the audit. */
  WARNING = 'warning',
  /** Information: what an object is and what it needs (public certificates, the rollout). */
  NOTE = 'note',
}

/**
 * What a finding is about: a Kubernetes object (`kind`, `namespace`, `name`) or a Terraform resource / Vault object
 * (`type`, `name`). Exactly one of `kind` and `type` is set.
 */
export interface AuditObject {
  /** The Kubernetes kind (`Certificate`, `ClusterIssuer`, ...), for Kubernetes objects. */
  readonly kind?: string;
  /**
   * The namespace of a namespaced Kubernetes object.
   * @default - cluster-scoped, or not a Kubernetes object
   */
  readonly namespace?: string;
  /** The Terraform resource type (`vault_pki_secret_backend_role`, ...), for Terraform resources and Vault objects. */
  readonly type?: string;
  /** The object's name (for Terraform: its address). */
  readonly name: string;
}

/** One finding of the audit. */
export interface AuditFinding {
  /** The id of the rule that found it (`audit --list-rules`). */
  readonly rule: string;
  /** How bad it is. */
  readonly severity: AuditSeverity;
  /** The object it is about. */
  readonly object: AuditObject;
  /** The file the object was read from (relative to the working directory when given on the command line). */
  readonly file: string;
  /**
   * The line of the file where the object starts.
   * @default - unknown
   */
  readonly line?: number;
  /** The value found, the rule it breaks and the fix. */
  readonly message: string;
}

/** An audit rule, as `Audit.rules()` and `audit --list-rules` list it. */
export interface AuditRuleInfo {
  /** The rule's id: what `--skip` and the skip annotation name. */
  readonly id: string;
  /** The severity of its findings (a rule may report a finding with a lower severity, e.g. a note). */
  readonly severity: AuditSeverity;
  /** What the rule checks. */
  readonly description: string;
  /** The hardened default (DESIGN.md H1..H13) or upstream behaviour the rule comes from. */
  readonly source: string;
  /** The rule is a ConsistencyCheck rule, run over the estate with the same id. */
  readonly consistency: boolean;
}

/** Where a rule reports a finding: the object (from the estate) and the message. @internal */
export type AuditReport = (subject: EstateObject | EstateResource, message: string, severity?: AuditSeverity) => void;

/**
 * An audit rule: an id, a severity, a description, its source and a check over the estate. Rules are data (cdk-nag's
 * `{ id, description, check }`): a concern adds its rules as a file under `audit/rules/` and lists them in
 * `audit/rules/index.ts`.
 * @internal
 */
export interface AuditRule extends AuditRuleInfo {
  check(estate: Estate, report: AuditReport): void;
}
