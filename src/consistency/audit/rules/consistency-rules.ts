import { ConsistencyFindingKind } from '../../consistency-rule';
import { BUILT_IN_RULES } from '../../rules';
import { AuditRule, AuditSeverity } from '../audit-rule';

/**
 * The ConsistencyCheck rules that are the same rule in an estate, run over the estate's objects and Terraform with
 * their own ids: `[id, severity, needs Terraform]`. A rule that compares the manifests with Vault runs only when
 * Terraform (or Vault CLI output) was given: without it every Vault Issuer would be reported as unresolvable.
 * Not run on an estate: `duplicate-object` (the audit keeps one copy per identity by design: a dump and the planned
 * manifests overlap), `bundle-source` and the rotation rules (`role-issuer`, `rotation-*`: the library's CA
 * publication and generations, which an estate's own CAs do not have), and the fleet, GitOps and ownership rules
 * (they need the programs of a fleet: `cdk8s-vault-pki check`).
 */
const SHARED: [ConsistencyFindingKind, AuditSeverity, boolean, string][] = [
  [ConsistencyFindingKind.ISSUER_PATH, AuditSeverity.ERROR, true, "point spec.vault.path at '<mount>/sign/<role>' of the team's own role"],
  [ConsistencyFindingKind.ISSUER_SERVER, AuditSeverity.ERROR, true, 'use the address and Vault namespace the Terraform configures'],
  [ConsistencyFindingKind.ISSUER_MOUNT_PATH, AuditSeverity.ERROR, true, "set auth.kubernetes.mountPath to '/v1/auth/<path>' of the cluster's Kubernetes auth method"],
  [ConsistencyFindingKind.ISSUER_AUTH_ROLE, AuditSeverity.ERROR, true, 'create the auth role, or name an existing one'],
  [ConsistencyFindingKind.ISSUER_SERVICE_ACCOUNT, AuditSeverity.ERROR, true, "log in with 'serviceAccountRef' naming the one service account the auth role binds (TenantIssuer)"],
  [ConsistencyFindingKind.ISSUER_NAMESPACE, AuditSeverity.ERROR, true, "bind the auth role to exactly the Issuer's namespace (H5)"],
  [ConsistencyFindingKind.ISSUER_AUDIENCE, AuditSeverity.ERROR, true, 'set the auth role\'s audience to vault://<namespace>/<issuer> (H5)'],
  [ConsistencyFindingKind.ISSUER_POLICY, AuditSeverity.ERROR, true, 'give the auth role one policy with create/update on exactly the Issuer\'s sign path (H4)'],
  [ConsistencyFindingKind.ISSUER_VAULT, AuditSeverity.ERROR, true, "use the Vault (address, namespace) that holds the Issuer's mount and roles"],
  [ConsistencyFindingKind.ISSUER_TOKEN_REVIEW, AuditSeverity.ERROR, true, "add the API server's audience to the Issuer and let its service account create TokenReviews"],
  [ConsistencyFindingKind.ROLE_DOMAINS, AuditSeverity.ERROR, true, "give each team's role its own, non-overlapping domains (H3)"],
  [ConsistencyFindingKind.ROLE_CONSTRAINTS, AuditSeverity.ERROR, true, "keep the role's allowed domains inside its intermediate's permitted DNS domains (H2)"],
  [ConsistencyFindingKind.ISSUER_APPROVER_POLICY, AuditSeverity.WARNING, false, 'add a CertificateRequestPolicy for it before cert-manager\'s auto-approval is off (TenantIssuer emits one)'],
  [ConsistencyFindingKind.CERTIFICATE_ISSUER, AuditSeverity.WARNING, false, 'include the issuer in the audit, or point issuerRef at an existing one'],
  [ConsistencyFindingKind.CERTIFICATE_KEY_ALGORITHM, AuditSeverity.ERROR, false, 'request the key the policy and the Vault role accept'],
  [ConsistencyFindingKind.CERTIFICATE_DURATION, AuditSeverity.ERROR, false, "lower the duration to the policy's maxDuration and the role's max_ttl"],
  [ConsistencyFindingKind.CERTIFICATE_SECRET, AuditSeverity.ERROR, false, 'give each Certificate its own secretName'],
  [ConsistencyFindingKind.CSI_VOLUME, AuditSeverity.ERROR, false, 'ask for what the policy and role allow, and grant csi-driver use of the policy'],
  [ConsistencyFindingKind.SPIFFE_VOLUME, AuditSeverity.ERROR, false, "allow the pod's SPIFFE ID in its own requester policy and the Vault role (SpiffeIdentity)"],
  [ConsistencyFindingKind.URI_PATTERNS, AuditSeverity.ERROR, false, "allow exactly the role's URI SANs, with patterns that cannot cross '/'"],
  [ConsistencyFindingKind.POLICY_IDENTITY, AuditSeverity.ERROR, false, 'bind identity policies to their one requester with a cr.username rule and one RoleBinding'],
  [ConsistencyFindingKind.IS_CA, AuditSeverity.ERROR, false, 'set isCA: false; CAs come from the PKI hierarchy, never from a request (H4)'],
];

export const CONSISTENCY_AUDIT_RULES: AuditRule[] = SHARED.map(([id, severity, needsTerraform, fix]) => {
  const rule = BUILT_IN_RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`audit: no ConsistencyCheck rule '${id}'`);
  return {
    id,
    severity,
    description: rule.description,
    source: `ConsistencyCheck rule '${id}'${needsTerraform ? ' (runs when Terraform or Vault CLI output is given)' : ''}`,
    consistency: true,
    check(estate, report) {
      if (needsTerraform && !estate.hasTerraform) return;
      rule.check(estate.index, (object, message) => {
        const subject = estate.described(object);
        report(subject ?? { object: { kind: object.split(' ')[0], metadata: { name: object.split(' ').slice(1).join(' ') } }, file: '' },
          `${object}: ${message}; fix: ${fix}`);
      });
    },
  };
});
