import { requestFromCertificate, simulateApproval } from '../approval';
import { selectedIssuers } from './policy-rules';
import { goDurationSeconds } from '../../output-index';
import { AuditRule, AuditSeverity } from '../audit-rule';
import { certificateContexts, CertificateContext, nameOf, publicAcme, seconds } from '../facts';

/** A short description of an ACME issuer's solvers (cert-manager v1.21.1 pkg/apis/acme/v1 ACMEChallengeSolver). */
function solvers(acme: any): string {
  const out = (acme.solvers ?? []).map((s: any) => {
    if (s.http01?.ingress) return `HTTP-01 via ${s.http01.ingress.ingressClassName ?? s.http01.ingress.class ?? 'the default ingress class'}`;
    if (s.http01?.gatewayHTTPRoute) return 'HTTP-01 via a Gateway HTTPRoute';
    if (s.dns01) return `DNS-01 via ${Object.keys(s.dns01).filter((k) => k !== 'cnameStrategy')[0] ?? 'an unknown provider'}`;
    return 'an unknown solver';
  });
  return out.length ? out.join(', ') : 'no solver';
}

/** The zones (last two labels) of a set of names, sorted: what an AcmeIssuer's `zones` would list. */
function zonesOf(names: string[]): string[] {
  return [...new Set(names.map((n) => n.replace(/^\*\./, '').split('.').slice(-2).join('.')))].sort();
}

export const PUBLIC_AUDIT_RULES: AuditRule[] = [
  {
    id: 'public-issuer',
    severity: AuditSeverity.NOTE,
    description: "Public ACME issuers are reported as public (not judged by the internal PKI's rules), with the policy they need before cert-manager's auto-approval is turned off",
    source: 'cert-manager v1.21.1 pkg/apis/acme/v1 (ACMEIssuer); approver-policy v0.27.0 (a request no policy selects stays pending)',
    consistency: false,
    check(estate, report) {
      const contexts = certificateContexts(estate);
      const objects = estate.objects.map((o) => o.object);
      for (const issuer of [...estate.kind('cert-manager.io', 'ClusterIssuer'), ...estate.kind('cert-manager.io', 'Issuer')]) {
        const acme = issuer.object.spec?.acme;
        const ca = acme && publicAcme(acme.server);
        if (!ca) continue;
        const mine = contexts.filter((c) => c.issuer === issuer);
        const namespaces = [...new Set(mine.map((c) => c.namespace))].sort();
        const names = mine.flatMap((c) => [...(c.certificate.object.spec?.dnsNames ?? []),
          ...(c.certificate.object.spec?.commonName ? [c.certificate.object.spec.commonName] : [])]);
        const pending = mine.filter((c) => simulateApproval(requestFromCertificate(c.certificate.object, estate.index.certManagerServiceAccount), objects).decision !== 'approved');
        const cluster = issuer.object.kind === 'ClusterIssuer';
        const policies = estate.kind('policy.cert-manager.io', 'CertificateRequestPolicy').filter((p) => selectedIssuers(estate, p.object).includes(issuer))
          .map((p) => p.object.metadata?.name);
        const need = mine.length === 0 && policies.length > 0
          ? `CertificateRequestPolicy ${policies.join(', ')} selects it (no Certificate of it in the estate yet)`
          : pending.length === 0 && mine.length > 0
            ? 'every Certificate of it is approved by a CertificateRequestPolicy already: it keeps working once auto-approval is off'
            : `before cert-manager's auto-approval is off it needs a CertificateRequestPolicy selecting ${cluster ? 'ClusterIssuer' : 'Issuer'} '${issuer.object.metadata.name}' ` +
            `limited to the zones ${zonesOf(names).join(', ') || '(none seen)'}${namespaces.length ? ` and the namespaces ${namespaces.join(', ')}` : ''}, usable by cert-manager, ` +
            `without maxDuration (ingress-shim requests carry no duration) (AcmeIssuer emits it)${pending.length ? `; ${pending.length} of its ${mine.length} Certificate(s) would stay pending or be denied today` : ''}`;
        report(issuer, `${nameOf(issuer.object)} is a public ACME issuer (${ca.name}, ${acme.server}; ${solvers(acme)}; account key in Secret ` +
          `'${acme.privateKeySecretRef?.name}'); its certificates live ${seconds(ca.lifetime)} as the CA decides${cluster ? `; as a ClusterIssuer any namespace can obtain publicly trusted certificates for the names its solvers can prove${namespaces.length ? ` (used from ${namespaces.join(', ')})` : ''}` : ''}; ${need}`);
      }
    },
  },
  {
    id: 'public-certificate',
    severity: AuditSeverity.NOTE,
    description: "Certificates of public ACME issuers (ingress-shim's included) are reported as public, with the lifetime and renewal the CA imposes",
    source: "cert-manager v1.21.1 pkg/controller/certificate-shim (ingress-shim); renewBefore default: a third of the issued certificate's lifetime",
    consistency: false,
    check(estate, report) {
      for (const c of certificateContexts(estate).filter((x: CertificateContext) => x.type === 'public-acme')) {
        const cert = c.certificate.object;
        const before = goDurationSeconds(cert.spec?.renewBefore) ?? Math.floor(c.duration / 3);
        const ignored = cert.spec?.duration !== undefined ? ` (its duration ${cert.spec.duration} is not what the CA issues)` : '';
        report(c.certificate, `${nameOf(cert)}${c.certificate.origin ? ` (created by ingress-shim from ${nameOf(c.certificate.origin.object)})` : ''} is a public certificate for ` +
          `${(cert.spec?.dnsNames ?? []).join(', ') || cert.spec?.commonName || '(no names)'}: it lives ${c.durationText}${ignored} and renews ${seconds(before)} before expiry; ` +
          "the internal PKI's lifetime and key rules do not apply; alert on it relative to its renewal window (AcmeIssuer's alerts), and see approval-coverage for its policy");
      }
    },
  },
];
