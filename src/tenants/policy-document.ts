/** H4: `create`/`update` on exactly `<mount>/sign/<role>`, nothing else. @internal */
export function tenantPolicyDocument(signPath: string, tenant: string): string {
  return [
    `# Tenant ${tenant} (cdk8s-vault-pki): may sign CSRs with its own role, nothing else.`,
    `path "${signPath}" {`,
    '  capabilities = ["create", "update"]',
    '}',
    '',
  ].join('\n');
}
