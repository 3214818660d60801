import { ALERT_AUDIT_RULES } from './alert-rules';
import { CERTIFICATE_AUDIT_RULES } from './certificate-rules';
import { CONSISTENCY_AUDIT_RULES } from './consistency-rules';
import { ISSUER_AUDIT_RULES } from './issuer-rules';
import { POLICY_AUDIT_RULES } from './policy-rules';
import { PUBLIC_AUDIT_RULES } from './public-rules';
import { SECRET_AUDIT_RULES } from './secret-rules';
import { TRUST_AUDIT_RULES } from './trust-rules';
import { VAULT_AUDIT_RULES } from './vault-rules';
import { WORKLOAD_AUDIT_RULES } from './workload-rules';
import { AuditRule } from '../audit-rule';

/** Every audit rule, in the order findings are reported. @internal */
export const AUDIT_RULES: AuditRule[] = [
  ...ISSUER_AUDIT_RULES, ...POLICY_AUDIT_RULES, ...CERTIFICATE_AUDIT_RULES, ...SECRET_AUDIT_RULES, ...WORKLOAD_AUDIT_RULES,
  ...TRUST_AUDIT_RULES, ...ALERT_AUDIT_RULES, ...VAULT_AUDIT_RULES, ...PUBLIC_AUDIT_RULES, ...CONSISTENCY_AUDIT_RULES,
];
