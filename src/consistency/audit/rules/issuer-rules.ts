import { AuditRule, AuditSeverity } from '../audit-rule';
import { EstateObject } from '../estate';
import { certificateContexts, issuerType, nameOf } from '../facts';

/** Every Issuer and ClusterIssuer of the estate. */
function issuers(estate: { kind(g: string, k: string): EstateObject[] }): EstateObject[] {
  return [...estate.kind('cert-manager.io', 'ClusterIssuer'), ...estate.kind('cert-manager.io', 'Issuer')];
}

export const ISSUER_AUDIT_RULES: AuditRule[] = [
  {
    id: 'cluster-issuer-shared',
    severity: AuditSeverity.ERROR,
    description: 'No ClusterIssuer of the internal PKI: any namespace can use one, so every team can request every name it allows',
    source: 'H6 (namespaced Issuers only); cert-manager ClusterIssuer (cluster-scoped, usable from every namespace)',
    consistency: false,
    check(estate, report) {
      const users = new Map<string, Set<string>>();
      for (const c of certificateContexts(estate)) {
        if (c.issuer?.object.kind === 'ClusterIssuer') users.set(c.issuer.object.metadata.name, (users.get(c.issuer.object.metadata.name) ?? new Set()).add(c.namespace));
      }
      for (const issuer of estate.kind('cert-manager.io', 'ClusterIssuer')) {
        const type = issuerType(issuer.object);
        if (type === 'public-acme') continue; // public-issuer reports it
        const name = issuer.object.metadata?.name;
        const used = [...(users.get(name) ?? [])].sort();
        const what = type === 'vault' ? `signs at Vault path '${issuer.object.spec.vault.path}'` : `is a ${type} issuer`;
        report(issuer, `ClusterIssuer '${name}' ${what} for a Certificate in any namespace` +
          `${used.length ? ` (used from ${used.join(', ')})` : ''}: every team can obtain every name it allows, another team's included; ` +
          'the hardened default is one namespaced Issuer per team (H6); fix: give each team its own Issuer, Vault role and policy ' +
          "(Tenant + placeOn), move each namespace's Certificates to it, then delete the ClusterIssuer");
      }
    },
  },
  {
    id: 'vault-issuer-auth',
    severity: AuditSeverity.ERROR,
    description: 'Every Vault Issuer logs in with Kubernetes auth and a service account token cert-manager requests (short-lived, audience-bound), not a static token or AppRole secret',
    source: 'H5/H6; cert-manager v1.21.1 pkg/issuer/vault (tokenSecretRef, appRole, kubernetes.serviceAccountRef)',
    consistency: false,
    check(estate, report) {
      for (const issuer of issuers(estate)) {
        const vault = issuer.object.spec?.vault;
        if (!vault) continue;
        const auth = vault.auth ?? {};
        const fix = "fix: use Kubernetes auth with 'serviceAccountRef' (cert-manager requests a 10-minute token with audience " +
          'vault://<namespace>/<issuer>) and a Vault Kubernetes auth role bound to that one service account and namespace (TenantIssuer does both)';
        if (auth.tokenSecretRef) {
          report(issuer, `${nameOf(issuer.object)} logs in to Vault with the static token in Secret '${auth.tokenSecretRef.name}': ` +
            `whoever reads that Secret can sign with its policy until the token is revoked (H5: short-lived, audience-bound tokens); ${fix}`);
        } else if (auth.appRole) {
          report(issuer, `${nameOf(issuer.object)} logs in to Vault with AppRole '${auth.appRole.roleId}' and the secret ID in Secret ` +
            `'${auth.appRole.secretRef?.name}': a long-lived credential in a Secret (H5); ${fix}`);
        } else if (auth.kubernetes?.secretRef) {
          report(issuer, `${nameOf(issuer.object)} logs in with the long-lived service account token Secret '${auth.kubernetes.secretRef.name}' ` +
            `(no expiry, no audience) (H5); ${fix}`);
        } else if (auth.kubernetes && !auth.kubernetes.serviceAccountRef) {
          report(issuer, `${nameOf(issuer.object)} has Kubernetes auth without 'serviceAccountRef' (H5); ${fix}`);
        }
      }
    },
  },
  {
    id: 'issuer-shared-role',
    severity: AuditSeverity.ERROR,
    description: 'No two Issuers (of different namespaces) sign with the same Vault role or log in with the same auth role: one role per team',
    source: 'H3/H4/H5 (one Vault role, policy and auth role per tenant)',
    consistency: false,
    check(estate, report) {
      const byPath = new Map<string, EstateObject[]>();
      const byAuth = new Map<string, EstateObject[]>();
      for (const issuer of issuers(estate)) {
        const vault = issuer.object.spec?.vault;
        if (!vault?.path) continue;
        byPath.set(vault.path, [...(byPath.get(vault.path) ?? []), issuer]);
        const role = vault.auth?.kubernetes?.role ?? vault.auth?.appRole?.roleId;
        if (role) {
          const key = `${vault.auth?.kubernetes?.mountPath ?? vault.auth?.appRole?.path ?? ''} ${role}`;
          byAuth.set(key, [...(byAuth.get(key) ?? []), issuer]);
        }
      }
      const scopeOf = (i: EstateObject) => (i.object.kind === 'ClusterIssuer' ? '*' : i.object.metadata?.namespace);
      for (const [what, groups] of [['Vault role (path)', byPath], ['Vault auth role', byAuth]] as const) {
        for (const [key, list] of groups) {
          const scopes = new Set(list.map(scopeOf));
          if (list.length < 2 || scopes.size < 2) continue;
          for (const issuer of list) {
            report(issuer, `${nameOf(issuer.object)} shares its ${what} '${key.trim()}' with ${list.filter((i) => i !== issuer).map((i) => nameOf(i.object)).join(', ')}: ` +
              'each team can obtain every name the shared role allows, the other teams\' included, and one compromised namespace signs for all (H3/H5); ' +
              'fix: one Vault role, policy and Kubernetes auth role per team, limited to its own domains (Tenant)');
          }
        }
      }
    },
  },
];
