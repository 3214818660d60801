/** URL props: Vault's address, the AIA base URL, Kubernetes API servers. @internal */
export class Urls {
  /** The library's runbooks (docs/runbooks.md), where every alert's and rollout's `runbookBaseUrl` points by default. */
  public static readonly RUNBOOK_BASE_URL = 'https://github.com/cdk8s-vault-pki/cdk8s-vault-pki/blob/main/docs/runbooks.md';

  /**
   * The problems of `value` as the URL prop `prop`: a URL of one of `protocols`, with no credentials, path,
   * query or fragment (credentials would be copied into every Issuer and certificate).
   */
  public static problems(prop: string, value: string, protocols: string[], hint: string, options: { allowPath?: boolean } = {}): string[] {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return [`'${prop}' (${value || '<empty>'}) is not a URL; ${hint}`];
    }
    const problems: string[] = [];
    if (!protocols.includes(url.protocol)) problems.push(`'${prop}' (${value}) must use ${protocols.map((p) => p.replace(':', '')).join(' or ')}; ${hint}`);
    if (url.username || url.password) {
      problems.push(`'${prop}' must not carry credentials ('user:password@'): they would be copied into every Issuer and certificate; ` +
        'Terraform reads VAULT_TOKEN from its environment, cert-manager logs in with Kubernetes auth');
    }
    if (!options.allowPath && (url.pathname !== '/' || url.search || url.hash)) {
      problems.push(`'${prop}' (${url.origin}${url.pathname}${url.search}${url.hash}) must be a base address without a path; drop '${url.pathname}${url.search}${url.hash}'`);
    }
    return problems;
  }

  private constructor() {}
}
