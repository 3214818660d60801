import { AuditResult } from './audit';
import { AuditFinding, AuditRuleInfo, AuditSeverity } from './audit-rule';

/** The library's home: SARIF's informationUri and every rule's help link. @internal */
export const AUDIT_HOME = 'https://github.com/cdk8s-vault-pki/cdk8s-vault-pki';

const describe = (f: AuditFinding) => (f.object.type !== undefined ? `${f.object.type} ${f.object.name}`
  : `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`);

/** Counts by severity. @internal */
export function counts(result: AuditResult): Record<AuditSeverity, number> {
  const out = { [AuditSeverity.ERROR]: 0, [AuditSeverity.WARNING]: 0, [AuditSeverity.NOTE]: 0 };
  for (const f of result.findings) out[f.severity]++;
  return out;
}

/** The summary line: what was read and how many findings of each severity. @internal */
export function auditSummary(result: AuditResult): string {
  const c = counts(result);
  return `== cdk8s-vault-pki audit: ${result.objects} object(s), ${result.resources} Terraform/Vault resource(s), ${result.rules} rules: ` +
    `${c.error} error(s), ${c.warning} warning(s), ${c.note} note(s)${result.ignoredFiles.length ? `; ${result.ignoredFiles.length} file(s) with nothing to audit` : ''}`;
}

/** One block per finding (`severity rule  Kind ns/name  (file:line)` and the message) and the summary. @internal */
export function auditText(result: AuditResult): string {
  const lines = result.findings.map((f) => `${f.severity.padEnd(7)} ${f.rule}  ${describe(f)}  (${f.file}${f.line ? `:${f.line}` : ''})\n        ${f.message}`);
  lines.push(auditSummary(result));
  return lines.join('\n');
}

/** `{"findings": [{rule, severity, object, file, line?, message}], "summary": {...}}`. @internal */
export function auditJson(result: AuditResult): string {
  return JSON.stringify({
    findings: result.findings.map((f) => ({
      rule: f.rule, severity: f.severity, object: f.object, file: f.file, ...(f.line ? { line: f.line } : {}), message: f.message,
    })),
    summary: { ...counts(result), objects: result.objects, resources: result.resources, rules: result.rules, ignoredFiles: result.ignoredFiles },
  }, null, 2);
}

const LEVEL: Record<AuditSeverity, string> = { [AuditSeverity.ERROR]: 'error', [AuditSeverity.WARNING]: 'warning', [AuditSeverity.NOTE]: 'note' };

/**
 * SARIF 2.1.0 (OASIS), as code scanning reads it (GitHub's `upload-sarif`): one run, the rules in
 * `tool.driver.rules`, each finding a result with its rule, level, message, the file and line of its object and the
 * object as a logical location, and a stable fingerprint (rule + object) so a finding keeps its identity across runs.
 * @internal
 */
export function auditSarif(result: AuditResult, rules: AuditRuleInfo[], version: string): string {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'cdk8s-vault-pki audit',
          version,
          informationUri: AUDIT_HOME,
          rules: rules.map((r) => ({
            id: r.id,
            name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
            shortDescription: { text: r.description },
            fullDescription: { text: `${r.description}. Source: ${r.source}.` },
            helpUri: `${AUDIT_HOME}#the-audit-rules`,
            help: { text: `${r.description}. Source: ${r.source}. Suppress with --skip ${r.id} or the annotation audit.vault-pki.cdk8s.io/skip.` },
            defaultConfiguration: { level: LEVEL[r.severity] },
            properties: { tags: ['security', 'pki', ...(r.consistency ? ['consistency'] : [])] },
          })),
        },
      },
      results: result.findings.map((f) => ({
        ruleId: f.rule,
        ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [{
          physicalLocation: { artifactLocation: { uri: f.file.split('\\').join('/') }, region: { startLine: f.line ?? 1 } },
          logicalLocations: [{ fullyQualifiedName: describe(f), kind: f.object.type !== undefined ? 'resource' : 'object' }],
        }],
        partialFingerprints: { 'auditObject/v1': `${f.rule}:${describe(f)}` },
      })),
    }],
  }, null, 2);
}
