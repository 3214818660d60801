import { Durations } from '../../../core/durations';
import { MIN_KEY_BITS } from '../../../core/key-minimums';
import { PkiLimits } from '../../../core/limits';
import { goDurationSeconds } from '../../output-index';
import { mayUse, requestFromCertificate, simulateApproval, SimulatedRequest, wildcardMatch } from '../approval';
import { AuditRule, AuditSeverity } from '../audit-rule';
import { csrFacts } from '../der';
import { Estate, EstateObject } from '../estate';
import { certificateContexts, issuerType, nameOf, refName, seconds } from '../facts';

const POLICY_GROUP = 'policy.cert-manager.io';

/** The issuers of the estate a policy's selector matches (its namespaces aside). @internal */
export function selectedIssuers(estate: Estate, policy: any): EstateObject[] {
  const ref = policy.spec?.selector?.issuerRef;
  return [...estate.kind('cert-manager.io', 'Issuer'), ...estate.kind('cert-manager.io', 'ClusterIssuer')].filter((i) => !ref
    || ((ref.name == null || wildcardMatch(ref.name, i.object.metadata?.name ?? ''))
      && (ref.kind == null || wildcardMatch(ref.kind, i.object.kind))
      && (ref.group == null || wildcardMatch(ref.group, 'cert-manager.io'))));
}

/** Whether every issuer a policy selects is a public ACME CA (and it selects at least one). */
function forPublicIssuers(estate: Estate, policy: any): boolean {
  const selected = selectedIssuers(estate, policy);
  return selected.length > 0 && selected.every((i) => issuerType(i.object) === 'public-acme');
}

/** The namespaces a policy applies in, or why it applies in more than one. */
function namespaceScope(policy: any): { many: boolean; text: string } {
  const sel = policy.spec?.selector?.namespace;
  if (!sel) return { many: true, text: 'every namespace (no namespace selector)' };
  const names: string[] = sel.matchNames ?? [];
  if (names.length === 0) return { many: true, text: `every namespace labelled ${JSON.stringify(sel.matchLabels ?? {})}` };
  if (names.length > 1 || names.some((n) => n.includes('*'))) return { many: true, text: `namespaces ${names.join(', ')}` };
  return { many: false, text: `namespace ${names[0]}` };
}

const policies = (estate: Estate) => estate.kind(POLICY_GROUP, 'CertificateRequestPolicy');

export const POLICY_AUDIT_RULES: AuditRule[] = [
  {
    id: 'policy-scope',
    severity: AuditSeverity.ERROR,
    description: "Every CertificateRequestPolicy selects one team's Issuer in one namespace, so no namespace can request another's names",
    source: 'H7; approver-policy v0.27.0 predicate.go (no namespace selector = every namespace; no issuerRef selector = every issuer)',
    consistency: false,
    check(estate, report) {
      for (const p of policies(estate)) {
        const policy = p.object;
        const ref = policy.spec?.selector?.issuerRef;
        const scope = namespaceScope(policy);
        const cn = policy.spec?.allowed?.commonName;
        const names = [...(policy.spec?.allowed?.dnsNames?.values ?? []), ...(cn?.value && !(cn.validations ?? []).length ? [cn.value] : [])];
        const boundToNamespace = JSON.stringify(policy.spec?.allowed ?? {}).includes('cr.namespace');
        const fix = 'fix: one policy per team: selector.issuerRef naming its Issuer and selector.namespace.matchNames its one namespace, ' +
          "allowed names under the team's own domains (TenantIssuer emits exactly that)";
        if (!ref || ref.name == null || ref.name.includes('*')) {
          report(p, `CertificateRequestPolicy '${policy.metadata?.name}' selects ${!ref || ref.name == null ? 'every issuer (no issuerRef name)' : `issuers '${ref.name}'`}: ` +
            `what it allows (${names.length ? names.join(', ') : 'its allowed block'}) applies to every team's Issuer (H7); ${fix}`);
        }
        if (scope.many && !boundToNamespace) {
          const publicOnly = forPublicIssuers(estate, policy);
          report(p, `CertificateRequestPolicy '${policy.metadata?.name}' applies in ${scope.text} with the same allowed names ` +
            `(${names.length ? names.join(', ') : 'its allowed block'}): a Certificate in one of them can obtain the names of another (H7); ` +
            (publicOnly ? 'for a public ACME issuer, give each namespace its own namespaced Issuer and policy (AcmeIssuer, the default) or accept it per zone'
              : fix), publicOnly ? AuditSeverity.WARNING : undefined);
        }
      }
    },
  },
  {
    id: 'policy-names',
    severity: AuditSeverity.ERROR,
    description: 'No CertificateRequestPolicy allows any name: `*` alone (or `*.<top-level domain>`) in dnsNames, commonName, URIs or IPs',
    source: "H7; approver-policy v0.27.0 pkg/internal/util/wildcard.go ('*' matches any run of characters, dots included)",
    consistency: false,
    check(estate, report) {
      for (const p of policies(estate)) {
        const allowed = p.object.spec?.allowed ?? {};
        const any = (v: unknown) => typeof v === 'string' && (v === '*' || /^\*\.?[a-z0-9-]*$/i.test(v));
        const found = [
          ...(allowed.dnsNames?.values ?? []).filter(any).map((v: string) => `dnsNames '${v}'`),
          ...(any(allowed.commonName?.value) && !(allowed.commonName?.validations ?? []).length ? [`commonName '${allowed.commonName.value}'`] : []),
          ...(allowed.uris?.values ?? []).filter((v: string) => v === '*').map(() => "uris '*'"),
          ...(allowed.ipAddresses?.values ?? []).filter((v: string) => v === '*').map(() => "ipAddresses '*'"),
        ];
        if (found.length) {
          report(p, `CertificateRequestPolicy '${p.object.metadata?.name}' allows ${found.join(', ')}: any name at all, every other team's and ` +
            'every public domain included (\'*\' matches dots too) (H7); fix: list the team\'s own domains as \'*.<domain>\' (TenantIssuer), or the public zones (AcmeIssuer)');
        }
      }
    },
  },
  {
    id: 'policy-limits',
    severity: AuditSeverity.ERROR,
    description: `Every CertificateRequestPolicy of the internal PKI caps the lifetime (maxDuration <= ${Durations.go(PkiLimits.LEAF_MAX_DURATION)}) and the key (algorithm and minimum size)`,
    source: 'H7 (constraints.maxDuration, constraints.privateKey); approver-policy v0.27.0 constraints/evaluator.go',
    consistency: false,
    check(estate, report) {
      const max = Durations.seconds(PkiLimits.LEAF_MAX_DURATION);
      for (const p of policies(estate)) {
        if (forPublicIssuers(estate, p.object)) continue; // the public CA imposes the lifetime (public-issuer)
        const c = p.object.spec?.constraints ?? {};
        const name = p.object.metadata?.name;
        const limit = goDurationSeconds(c.maxDuration);
        if (c.maxDuration === undefined) {
          report(p, `CertificateRequestPolicy '${name}' has no constraints.maxDuration: it approves certificates of any lifetime (cert-manager's default is 90 days) ` +
            `while a stolen key should be useless within a day (H7, H8); fix: constraints.maxDuration ${Durations.go(PkiLimits.LEAF_DEFAULT_DURATION)} (at most ${Durations.go(PkiLimits.LEAF_MAX_DURATION)})`);
        } else if (limit !== undefined && limit > max) {
          report(p, `CertificateRequestPolicy '${name}' allows constraints.maxDuration ${c.maxDuration} (${seconds(limit)}), above the library's ${Durations.go(PkiLimits.LEAF_MAX_DURATION)} ` +
            `(H7); fix: lower it to ${Durations.go(PkiLimits.LEAF_DEFAULT_DURATION)} and shorten the Certificates' durations with it`);
        }
        const pk = c.privateKey;
        if (!pk) {
          report(p, `CertificateRequestPolicy '${name}' has no constraints.privateKey: any key algorithm and size is approved (H7); ` +
            'fix: constraints.privateKey { algorithm: ECDSA, minSize: 256, maxSize: 256 } (the key the Vault role signs)', AuditSeverity.WARNING);
        } else {
          const minimum = (MIN_KEY_BITS.leaf as Record<string, number>)[pk.algorithm ?? 'RSA'] ?? MIN_KEY_BITS.leaf.RSA;
          if (pk.minSize !== undefined && pk.minSize < minimum) {
            report(p, `CertificateRequestPolicy '${name}' allows ${pk.algorithm ?? 'any'} keys from ${pk.minSize} bits, below ${minimum} (H11); fix: minSize ${minimum} or more`);
          }
        }
      }
    },
  },
  {
    id: 'policy-use',
    severity: AuditSeverity.ERROR,
    description: 'The use of a CertificateRequestPolicy is granted to the requester that needs it, never to everyone (system:authenticated, all service accounts)',
    source: 'H7 (RBAC use granted to cert-manager within the namespace only); approver-policy v0.27.0 predicate.go RBACBound',
    consistency: false,
    check(estate, report) {
      const broad = ['system:authenticated', 'system:unauthenticated', 'system:serviceaccounts'];
      const objects = estate.objects.map((o) => o.object);
      for (const p of policies(estate)) {
        const name = p.object.metadata?.name;
        const namespaces = estate.namespaces();
        const anyone = [...broad, ...namespaces.map((n) => `system:serviceaccounts:${n}`)].filter((group) =>
          (namespaces.length ? namespaces : ['default']).some((ns) => simulateMayUse(objects, ns, group, name)));
        if (anyone.length) {
          report(p, `CertificateRequestPolicy '${name}' may be used by every member of ${anyone.join(', ')}: anyone who can create a CertificateRequest ` +
            'gets what it allows approved (H7); fix: grant use with a Role and RoleBinding to the one requester (cert-manager\'s service account) in the tenant namespace');
        }
      }
    },
  },
  {
    id: 'approval-coverage',
    severity: AuditSeverity.WARNING,
    description: "Every Certificate (and pending CertificateRequest) is approved by a CertificateRequestPolicy once cert-manager's auto-approval is off",
    source: 'approver-policy v0.27.0 manager/review.go (approved / denied / unprocessed) and certificaterequests.go; cert-manager disableAutoApproval',
    consistency: false,
    check(estate, report) {
      const objects = estate.objects.map((o) => o.object);
      const owned = new Set<string>();
      for (const c of certificateContexts(estate)) {
        const cert = c.certificate.object;
        owned.add(`${c.namespace}/${cert.metadata?.name}`);
        verdict(report, c.certificate, `${nameOf(cert)}${c.certificate.origin ? ` (created by ingress-shim from ${nameOf(c.certificate.origin.object)})` : ''}`,
          refName(c.namespace, cert.spec?.issuerRef),
          simulateApproval(requestFromCertificate(cert, estate.index.certManagerServiceAccount), objects));
      }
      for (const cr of estate.kind('cert-manager.io', 'CertificateRequest')) {
        const o = cr.object;
        const conditions: any[] = o.status?.conditions ?? [];
        if (conditions.some((c) => c.type === 'Denied' && c.status === 'True')) continue;
        if (owned.has(`${o.metadata?.namespace}/${o.metadata?.annotations?.['cert-manager.io/certificate-name']}`)) continue;
        let request: SimulatedRequest;
        try {
          request = requestFromCertificateRequest(o);
        } catch (e) {
          report(cr, `${nameOf(o)}: spec.request cannot be read (${(e as Error).message}); approver-policy would fail to evaluate it`);
          continue;
        }
        verdict(report, cr, nameOf(o), refName(o.metadata?.namespace, o.spec?.issuerRef), simulateApproval(request, objects));
      }
    },
  },
];

function simulateMayUse(objects: any[], namespace: string, group: string, policy: string): boolean {
  return mayUse(objects, { username: `system:anonymous-audit:${group}`, groups: [group], namespace }, policy);
}

function verdict(report: Parameters<AuditRule['check']>[1], subject: EstateObject, what: string, issuer: string,
  d: ReturnType<typeof simulateApproval>): void {
  const fix = 'fix: a CertificateRequestPolicy selecting that issuer in that namespace, allowing exactly these names, usable by cert-manager ' +
    '(Tenant.placeOn for the internal PKI, AcmeIssuer for a public CA); keep cert-manager\'s auto-approval on (ApprovalRollout OBSERVE) until the audit is clean';
  if (d.decision === 'unprocessed') {
    report(subject, `${what} (${issuer}): no CertificateRequestPolicy selects it and may be used by its requester: once cert-manager's auto-approval is off ` +
      `its requests stay pending and it is never renewed; ${fix}`);
  } else if (d.decision === 'denied') {
    report(subject, `${what} (${issuer}) would be denied by approver-policy once cert-manager's auto-approval is off: ${d.reasons.join(' | ')}; ` +
      'fix: change the Certificate to what the policy allows, or the policy to what the Certificate needs');
  }
}

/** A CertificateRequest of a dump, as approver-policy reads it (its CSR decoded). @internal */
export function requestFromCertificateRequest(cr: any): SimulatedRequest {
  const csr = csrFacts(cr.spec?.request ?? '');
  return {
    namespace: cr.metadata?.namespace ?? 'default',
    issuerRef: cr.spec?.issuerRef ?? { name: '' },
    username: cr.spec?.username ?? '',
    groups: cr.spec?.groups ?? [],
    duration: cr.spec?.duration,
    isCA: cr.spec?.isCA === true,
    usages: cr.spec?.usages,
    commonName: csr.commonName,
    organizations: csr.organizations,
    dnsNames: csr.dnsNames,
    ipAddresses: csr.ipAddresses,
    uris: csr.uris,
    emailAddresses: csr.emailAddresses,
    key: { algorithm: csr.keyAlgorithm, size: csr.keySize },
  };
}
