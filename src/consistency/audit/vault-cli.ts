import { EstateStack } from './estate';

/**
 * Vault set up with the CLI has no Terraform: the audit reads `vault read -format=json <path>` output instead, each
 * document with the path it was read from added as `path` (the README's recipe adds it with jq). The documents become
 * the Terraform resources the same rules read, with Vault's API field names (the provider's attribute names are the
 * API's): `<mount>/roles/<name>` a `vault_pki_secret_backend_role` (and its mount a `vault_mount` of type pki),
 * `auth/<path>/role/<name>` a `vault_kubernetes_auth_backend_role` (an AppRole role when it has no bound service
 * accounts: `vault_approle_auth_backend_role`), `sys/policies/acl/<name>` a `vault_policy`, and
 * `<mount>/issuer/<ref>` or `<mount>/cert/ca` a `vault_pki_issuer` holding its certificate. TTLs are seconds, as the
 * API returns them.
 * @internal
 */
export function isVaultRead(value: any): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value) && typeof value.path === 'string'
    && value.data !== null && typeof value.data === 'object' && ('request_id' in value || 'lease_id' in value);
}

/** The resources of `vault read` documents as one stack. @internal */
export function stackFromVaultReads(reads: any[], file: string, text: string): EstateStack {
  const resource: Record<string, Record<string, any>> = {};
  const lines = new Map<string, number>();
  const add = (type: string, name: string, body: any) => {
    resource[type] = { ...(resource[type] ?? {}), [name]: body };
    const at = text.indexOf(`"${name}"`);
    if (at >= 0 && !lines.has(`${type}\u0000${name}`)) lines.set(`${type}\u0000${name}`, text.slice(0, at).split('\n').length);
  };
  for (const read of reads) {
    const p = String(read.path).replace(/^\/+|\/+$/g, '').replace(/^v1\//, '');
    const data = read.data;
    let m: RegExpExecArray | null;
    if ((m = /^sys\/policies\/acl\/([^/]+)$/.exec(p)) || (m = /^sys\/policy\/([^/]+)$/.exec(p))) {
      add('vault_policy', p, { name: data.name ?? m[1], policy: data.policy ?? data.rules ?? '' });
    } else if ((m = /^auth\/(.+)\/role\/([^/]+)$/.exec(p))) {
      const kubernetes = 'bound_service_account_names' in data || 'bound_service_account_namespaces' in data;
      if (kubernetes) {
        add('vault_kubernetes_auth_backend_role', p, { ...data, backend: m[1], role_name: m[2] });
        add('vault_auth_backend', `auth/${m[1]}`, { type: 'kubernetes', path: m[1] });
      } else {
        add('vault_approle_auth_backend_role', p, { ...data, backend: m[1], role_name: m[2] });
        add('vault_auth_backend', `auth/${m[1]}`, { type: 'approle', path: m[1] });
      }
    } else if ((m = /^(.+)\/roles\/([^/]+)$/.exec(p))) {
      add('vault_pki_secret_backend_role', p, { ...data, backend: m[1], name: m[2] });
      add('vault_mount', m[1], { type: 'pki', path: m[1] });
    } else if ((m = /^(.+)\/(?:issuer\/([^/]+)|cert\/ca)$/.exec(p))) {
      add('vault_pki_issuer', p, { backend: m[1], issuer_ref: m[2] ?? 'default', certificate: data.certificate, ca_chain: data.ca_chain });
      add('vault_mount', m[1], { type: 'pki', path: m[1] });
    }
  }
  return { json: { resource }, file, lines, source: 'vault read' };
}
