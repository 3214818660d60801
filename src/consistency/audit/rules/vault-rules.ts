import { Durations } from '../../../core/durations';
import { MIN_KEY_BITS } from '../../../core/key-minimums';
import { PkiLimits } from '../../../core/limits';
import { goDurationSeconds } from '../../output-index';
import { AuditRule, AuditSeverity } from '../audit-rule';
import { certificatesOf } from '../der';
import { Estate, EstateResource } from '../estate';
import { seconds } from '../facts';

/**
 * Defaults of `vault_pki_secret_backend_role` attributes left out of a configuration: hashicorp/vault provider 5.6.0's
 * schema (upstream/tf-providers/vault-5.6.0.schema.json; test/audit.test.ts holds them equal), which are also Vault's
 * own defaults for a role written with the CLI (`vault read` shows every field).
 * @internal
 */
export const ROLE_DEFAULTS: Record<string, boolean | number | string> = {
  allow_any_name: false,
  allow_bare_domains: false,
  allow_glob_domains: false,
  allow_ip_sans: true,
  allow_localhost: true,
  allow_subdomains: false,
  allow_wildcard_certificates: true,
  enforce_hostnames: true,
  generate_lease: false,
  key_bits: 2048,
  key_type: 'rsa',
  no_store: false,
};

/** A role attribute, or its default. */
const attr = (r: EstateResource, name: string) => (r.body[name] === undefined || r.body[name] === null ? ROLE_DEFAULTS[name] : r.body[name]);

/** A Vault TTL (seconds as a number or string, or a Go duration) in seconds; 0 and absent mean "the mount's default". */
function ttlSeconds(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return v;
  if (/^\d+$/.test(String(v))) return Number(v);
  return goDurationSeconds(String(v)) ?? (/^\d+d$/.test(String(v)) ? Number(String(v).slice(0, -1)) * Durations.DAY : undefined);
}

/** The address of a PKI mount a role or CA resource belongs to. */
const backendOf = (r: EstateResource) => String(r.body.backend ?? r.body.path ?? '');

/** The mounts that hold a root CA (a leaf role there signs with the root). */
function rootMounts(estate: Estate): Set<string> {
  const mounts = new Set(estate.resourcesOf('vault_pki_secret_backend_root_cert').map(backendOf));
  for (const issuer of estate.resourcesOf('vault_pki_issuer')) {
    if (certificatesOf(String(issuer.body.certificate ?? '')).some((c) => c.isCA && c.selfSigned)) mounts.add(backendOf(issuer));
  }
  return mounts;
}

const roles = (estate: Estate) => estate.resourcesOf('vault_pki_secret_backend_role');
const roleName = (r: EstateResource) => `Vault role '${r.body.name ?? r.name}' on mount '${backendOf(r)}'`;

export const VAULT_AUDIT_RULES: AuditRule[] = [
  {
    id: 'vault-role-lifetime',
    severity: AuditSeverity.ERROR,
    description: `Every Vault PKI role caps leaf lifetimes: max_ttl at most ${Durations.go(PkiLimits.LEAF_MAX_DURATION)} (default ttl ${Durations.go(PkiLimits.LEAF_DEFAULT_DURATION)})`,
    source: 'H3; hashicorp/vault provider 5.6.0 vault_pki_secret_backend_role max_ttl (unset: the mount\'s max, 32 days by default)',
    consistency: false,
    check(estate, report) {
      const max = Durations.seconds(PkiLimits.LEAF_MAX_DURATION);
      for (const r of roles(estate)) {
        const maxTtl = ttlSeconds(r.body.max_ttl);
        if (!maxTtl) {
          report(r, `${roleName(r)} has no max_ttl: Vault signs up to the mount's maximum (768h unless tuned) whatever cert-manager asks (H3); ` +
            `fix: max_ttl ${max} (${Durations.go(PkiLimits.LEAF_MAX_DURATION)}) or less, ttl ${Durations.seconds(PkiLimits.LEAF_DEFAULT_DURATION)}`);
        } else if (maxTtl > max) {
          report(r, `${roleName(r)} has max_ttl ${r.body.max_ttl} (${seconds(maxTtl)}), above ${Durations.go(PkiLimits.LEAF_MAX_DURATION)}: a stolen key stays valid that long (H3); ` +
            `fix: max_ttl ${Durations.seconds(PkiLimits.LEAF_DEFAULT_DURATION)} (Tenant maxDuration)`);
        }
      }
    },
  },
  {
    id: 'vault-role-names',
    severity: AuditSeverity.ERROR,
    description: 'Every Vault PKI role signs only names under its allowed domains: no any-name, glob, bare-domain or localhost names, hostnames enforced, no leaf role on the root mount',
    source: 'H1/H3; provider 5.6.0 defaults (allow_localhost, allow_ip_sans, allow_wildcard_certificates default to true)',
    consistency: false,
    check(estate, report) {
      const rootsAt = rootMounts(estate);
      for (const r of roles(estate)) {
        const flags: [string, boolean, AuditSeverity, string][] = [
          ['allow_any_name', attr(r, 'allow_any_name') === true, AuditSeverity.ERROR, 'signs any name at all, every other team\'s and public domains included'],
          ['allow_glob_domains', attr(r, 'allow_glob_domains') === true, AuditSeverity.ERROR, 'lets globs in allowed_domains match names across labels'],
          ['allow_bare_domains', attr(r, 'allow_bare_domains') === true, AuditSeverity.ERROR, 'signs the domain itself, not only hosts under it'],
          ['allow_localhost', attr(r, 'allow_localhost') === true, AuditSeverity.ERROR, "signs 'localhost', which every machine is"],
          ['enforce_hostnames', attr(r, 'enforce_hostnames') === false, AuditSeverity.ERROR, 'signs strings that are not hostnames'],
          ['allow_ip_sans', attr(r, 'allow_ip_sans') === true, AuditSeverity.WARNING, 'signs any IP address (Vault cannot limit them: keep it off unless the policy limits IPs)'],
          ['allow_wildcard_certificates', attr(r, 'allow_wildcard_certificates') === true, AuditSeverity.WARNING, 'signs wildcard names (one key for every host)'],
        ];
        for (const [name, , severity, why] of flags.filter((f) => f[1])) {
          const value = r.body[name] === undefined ? `${ROLE_DEFAULTS[name]} (the provider's default when left out)` : String(r.body[name]);
          report(r, `${roleName(r)} has ${name} = ${value}: it ${why} (H3); fix: set ${name} = ${name === 'enforce_hostnames' ? 'true' : 'false'} explicitly`, severity);
        }
        const domains: string[] = Array.isArray(r.body.allowed_domains) ? r.body.allowed_domains
          : typeof r.body.allowed_domains === 'string' && r.body.allowed_domains ? r.body.allowed_domains.split(',') : [];
        const wide = domains.filter((d) => d.includes('*') || !d.includes('.'));
        if (wide.length) {
          report(r, `${roleName(r)} allows domains ${wide.join(', ')}: every name under a top-level domain or a glob (H3); fix: the team's own domain only (e.g. payments.services.internal)`);
        }
        if (rootsAt.has(backendOf(r))) {
          report(r, `${roleName(r)} is on mount '${backendOf(r)}', which holds the root CA: leaves are signed by the root itself, so the root's key is used ` +
            'every day and cannot be kept offline or rotated without reissuing everything (H1); fix: sign leaves on an intermediate mount (PkiHierarchy)');
        }
      }
    },
  },
  {
    id: 'vault-role-key',
    severity: AuditSeverity.ERROR,
    description: `Every Vault PKI role fixes the key: key_type ec (>= ${MIN_KEY_BITS.leaf.ECDSA}) or rsa (>= ${MIN_KEY_BITS.leaf.RSA}), never 'any'`,
    source: 'H3 (key type and bits match the certificates); H11 (weak keys)',
    consistency: false,
    check(estate, report) {
      for (const r of roles(estate)) {
        const type = String(attr(r, 'key_type'));
        const bits = Number(attr(r, 'key_bits')) || (type === 'rsa' ? 2048 : type === 'ec' ? 256 : 0);
        if (type === 'any') {
          report(r, `${roleName(r)} has key_type = any: it signs whatever key a CSR carries, RSA 1024 included (H3); fix: key_type ec, key_bits 256 (or rsa, 2048+)`);
        } else if ((type === 'rsa' && bits < MIN_KEY_BITS.leaf.RSA) || (type === 'ec' && bits < MIN_KEY_BITS.leaf.ECDSA)) {
          report(r, `${roleName(r)} accepts ${type} keys of ${bits} bits, below the minimum (H11); fix: key_bits ${type === 'rsa' ? MIN_KEY_BITS.leaf.RSA : MIN_KEY_BITS.leaf.ECDSA} or more`);
        }
      }
    },
  },
  {
    id: 'vault-role-storage',
    severity: AuditSeverity.WARNING,
    description: 'Every Vault PKI role for short-lived leaves has no_store = true and generate_lease = false',
    source: 'H3 (no_store, generate_lease)',
    consistency: false,
    check(estate, report) {
      for (const r of roles(estate)) {
        if (attr(r, 'no_store') !== true) {
          report(r, `${roleName(r)} stores every certificate it signs (no_store = ${r.body.no_store ?? 'false, the default'}): with daily renewals Vault's storage ` +
            'and tidy work grow with every workload (H3); fix: no_store = true (revocation then relies on short lifetimes)');
        }
        if (attr(r, 'generate_lease') === true) {
          report(r, `${roleName(r)} creates a lease per certificate (generate_lease = true) (H3); fix: generate_lease = false`);
        }
      }
    },
  },
  {
    id: 'vault-auth-role',
    severity: AuditSeverity.ERROR,
    description: `Every Vault auth role cert-manager logs in with binds one service account in one namespace, an audience, and tokens of at most ${Durations.go(PkiLimits.TOKEN_MAX_TTL)}`,
    source: 'H5; provider 5.6.0 vault_kubernetes_auth_backend_role (token_ttl unset: the system default, 768h)',
    consistency: false,
    check(estate, report) {
      const maxToken = Durations.seconds(PkiLimits.TOKEN_MAX_TTL);
      for (const r of estate.resourcesOf('vault_kubernetes_auth_backend_role')) {
        const name = `Kubernetes auth role '${r.body.role_name ?? r.name}' of '${r.body.backend ?? 'kubernetes'}'`;
        const accounts: string[] = r.body.bound_service_account_names ?? [];
        const namespaces: string[] = r.body.bound_service_account_namespaces ?? [];
        const fix = 'fix: one auth role per tenant Issuer: its service account, its namespace, audience vault://<namespace>/<issuer>, token_ttl 300 (TenantIssuer)';
        if (accounts.includes('*') || namespaces.includes('*')) {
          report(r, `${name} binds service accounts ${JSON.stringify(accounts)} in namespaces ${JSON.stringify(namespaces)}: any pod there can log in and sign with its policies (H5); ${fix}`);
        } else if (namespaces.length > 1 || accounts.length > 1) {
          report(r, `${name} binds ${accounts.length} service accounts in namespaces ${namespaces.join(', ')}: several teams share one login and one policy (H5); ${fix}`);
        }
        const ttl = ttlSeconds(r.body.token_ttl);
        if (!ttl || ttl > maxToken) {
          report(r, `${name} issues tokens of ${ttl ? seconds(ttl) : 'the system default (768h unless tuned): token_ttl is not set'}, above ${Durations.go(PkiLimits.TOKEN_MAX_TTL)} (H5); ${fix}`);
        }
        if (!r.body.audience) {
          report(r, `${name} has no audience: a service account token minted for anything else (another API, another Issuer) logs in as well (H5); ${fix}`);
        }
      }
      for (const r of estate.resourcesOf('vault_approle_auth_backend_role')) {
        const secretTtl = ttlSeconds(r.body.secret_id_ttl);
        report(r, `AppRole '${r.body.role_name ?? r.name}' of '${r.body.backend ?? 'approle'}' logs in with a secret ID kept in a Kubernetes Secret` +
          `${secretTtl ? ` valid ${seconds(secretTtl)}` : ' that never expires (secret_id_ttl unset)'} (H5); fix: Kubernetes auth with short-lived service account tokens (TenantIssuer)`,
        secretTtl ? AuditSeverity.WARNING : undefined);
      }
    },
  },
  {
    id: 'vault-policy-broad',
    severity: AuditSeverity.ERROR,
    description: "Every Vault policy an auth role hands out allows create/update on exactly one role's sign path: no globs, sign-verbatim, issue or CA administration",
    source: 'H4 (create/update on exactly <mount>/sign/<role>)',
    consistency: false,
    check(estate, report) {
      const handedOut = new Set<string>();
      for (const r of [...estate.resourcesOf('vault_kubernetes_auth_backend_role'), ...estate.resourcesOf('vault_approle_auth_backend_role')]) {
        for (const p of [...(r.body.token_policies ?? []), ...(r.body.policies ?? [])]) handedOut.add(String(p));
      }
      for (const p of estate.resourcesOf('vault_policy')) {
        const name = String(p.body.name ?? p.name);
        if (!handedOut.has(name)) continue;
        const text = String(p.body.policy ?? '').replace(/#.*$/gm, '');
        for (const [, path, caps] of text.matchAll(/path\s+"([^"]+)"\s*\{[^}]*?capabilities\s*=\s*\[([^\]]*)\]/g)) {
          const capabilities = caps.split(',').map((c) => c.trim().replace(/"/g, '')).filter(Boolean);
          const problems: string[] = [];
          if (/[*+]/.test(path)) problems.push('a glob: every path it matches (every role of the mount, every other team\'s included)');
          if (/sign-verbatim/.test(path)) problems.push('sign-verbatim: any name the CSR asks for, no role limits');
          if (/\/issue\//.test(path)) problems.push('issue: Vault generates the private key and returns it over the API');
          if (/\/(root|intermediate|config|issuers?|keys?)\b/.test(path) && !/\/(sign|issue)\//.test(path)) problems.push('CA administration');
          if (capabilities.some((c) => c === 'sudo' || c === 'delete')) problems.push(`capabilities ${capabilities.join(', ')}`);
          if (problems.length) {
            report(p, `Vault policy '${name}', used to log in by cert-manager's Issuers, grants path "${path}" [${capabilities.join(', ')}]: ${problems.join('; ')} (H4); ` +
              'fix: one policy per tenant with exactly path "<mount>/sign/<role>" { capabilities = ["create", "update"] } (Tenant)');
          }
        }
      }
    },
  },
  {
    id: 'vault-ca-key',
    severity: AuditSeverity.ERROR,
    description: 'Every CA key is generated inside Vault and never leaves it (type internal, not exported)',
    source: 'H1/H2/H12 (keys generated in Vault; no private key material in outputs or Terraform state)',
    consistency: false,
    check(estate, report) {
      for (const type of ['vault_pki_secret_backend_root_cert', 'vault_pki_secret_backend_intermediate_cert_request', 'vault_pki_secret_backend_key']) {
        for (const r of estate.resourcesOf(type)) {
          if (r.body.type === 'exported') {
            report(r, `${type} '${r.name}' has type = exported: Vault returns the CA's private key, which lands in Terraform state and in every plan output (H1, H12); ` +
              'fix: type = internal (the key never leaves Vault), and treat the exported key as compromised: rotate the CA');
          }
        }
      }
    },
  },
  {
    id: 'intermediate-constraints',
    severity: AuditSeverity.ERROR,
    description: 'Every intermediate CA is signed with path length 0 and DNS name constraints (its domains): a mis-issued CA is useless outside its subtree',
    source: 'H2/H4 (max_path_length = 0, permitted_dns_domains); RFC 5280 4.2.1.9, 4.2.1.10',
    consistency: false,
    check(estate, report) {
      for (const r of estate.resourcesOf('vault_pki_secret_backend_root_sign_intermediate')) {
        const pathLength = r.body.max_path_length ?? -1;
        const permitted: string[] = r.body.permitted_dns_domains ?? [];
        const problems = [
          ...(Number(pathLength) !== 0 ? [`max_path_length = ${pathLength}${r.body.max_path_length === undefined ? " (the provider's default: unlimited)" : ''}: it may sign further CAs`] : []),
          ...(permitted.length === 0 ? ['no permitted_dns_domains: it may sign any name'] : []),
        ];
        if (problems.length) {
          report(r, `intermediate '${r.body.common_name ?? r.name}' signed by '${r.name}' has ${problems.join('; ')} (H2); ` +
            'fix: max_path_length = 0 and permitted_dns_domains = its domains (IntermediateCa), then re-sign it as a new generation');
        }
      }
      for (const r of [...estate.resourcesOf('vault_pki_issuer'), ...estate.resourcesOf('vault_pki_secret_backend_intermediate_set_signed')]) {
        for (const c of certificatesOf(String(r.body.certificate ?? ''))) {
          if (!c.isCA || c.selfSigned) continue;
          const problems = [
            ...(c.pathLength === undefined || c.pathLength > 0 ? [`path length ${c.pathLength ?? 'unlimited'}`] : []),
            ...(c.permittedDnsDomains.length === 0 ? ['no DNS name constraints'] : []),
          ];
          if (problems.length) {
            report(r, `intermediate CA '${c.subject}' (issued by '${c.issuer}') has ${problems.join(' and ')}: a CA it signs by mistake is valid for every name (H2); ` +
              'fix: re-sign the intermediate with max_path_length = 0 and permitted_dns_domains = its domains (IntermediateCa)');
          }
        }
      }
    },
  },
];
