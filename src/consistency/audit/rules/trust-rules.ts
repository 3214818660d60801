import { AuditRule, AuditSeverity } from '../audit-rule';
import { CertificateFacts } from '../der';
import { Estate, EstateObject } from '../estate';
import { certificateSecrets, nameOf, pemOf } from '../facts';

/** The sources of a trust-manager Bundle (trust.cert-manager.io v1alpha1 `spec.sources`) or ClusterBundle. */
function sourcesOf(bundle: EstateObject): any[] {
  return [...(bundle.object.spec?.sources ?? [])];
}

/** The CA certificates a source names, when the estate holds them. */
function sourceCertificates(estate: Estate, source: any, trustNamespace: string): CertificateFacts[] {
  if (typeof source.inLine === 'string') return pemOf({ kind: 'ConfigMap', data: { pem: source.inLine } }, 'pem');
  for (const kind of ['configMap', 'secret'] as const) {
    const ref = source[kind];
    if (!ref?.name) continue;
    const object = estate.find('', kind === 'configMap' ? 'ConfigMap' : 'Secret', trustNamespace, ref.name)?.object;
    if (object && ref.key) return pemOf(object, ref.key);
  }
  return [];
}

export const TRUST_AUDIT_RULES: AuditRule[] = [
  {
    id: 'bundle-intermediate',
    severity: AuditSeverity.ERROR,
    description: "No trust bundle is built from an intermediate CA (a Secret's ca.crt, or a CA certificate that is not self-signed): trust the root",
    source: "H9 (bundles carry the hierarchy's roots); trust-manager v0.24 Bundle spec.sources; cert-manager's ca.crt is the issuing CA",
    consistency: false,
    check(estate, report) {
      const written = certificateSecrets(estate);
      const trustNamespace = 'cert-manager';
      for (const bundle of [...estate.kind('trust.cert-manager.io', 'Bundle'), ...estate.kind('trust-manager.io', 'ClusterBundle')]) {
        for (const source of sourcesOf(bundle)) {
          const secret = source.secret;
          if (secret?.key === 'ca.crt') {
            const cert = written.get(`${trustNamespace}/${secret.name}`);
            report(bundle, `${nameOf(bundle.object)} trusts key 'ca.crt' of Secret '${secret.name}'${cert ? ` (written by ${nameOf(cert.certificate.object)})` : ''}: ` +
              "that is the CA which issued the Secret's certificate, an intermediate for Vault: every workload then trusts exactly one intermediate, and " +
              'the next intermediate (a yearly rotation, or a compromise) breaks every TLS connection (H9); fix: trust the root CA, published by Terraform (TrustBundle)');
            continue;
          }
          const intermediates = sourceCertificates(estate, source, trustNamespace).filter((c) => c.isCA && !c.selfSigned);
          if (intermediates.length) {
            report(bundle, `${nameOf(bundle.object)} trusts ${intermediates.map((c) => `'${c.subject}' (issued by '${c.issuer}')`).join(', ')}, ` +
              'an intermediate CA: clients then fail as soon as the intermediate is replaced (H9); fix: trust the root CA only (TrustBundle)');
          }
        }
      }
    },
  },
  {
    id: 'bundle-public-cas',
    severity: AuditSeverity.WARNING,
    description: 'A trust bundle of the internal PKI does not add the public CAs (useDefaultCAs): internal clients would trust every public CA for internal names',
    source: 'H9 (no default public CAs unless asked); trust-manager v0.24 sources[].useDefaultCAs',
    consistency: false,
    check(estate, report) {
      for (const bundle of [...estate.kind('trust.cert-manager.io', 'Bundle'), ...estate.kind('trust-manager.io', 'ClusterBundle')]) {
        const sources = sourcesOf(bundle);
        if (sources.some((s) => s.useDefaultCAs === true) && sources.some((s) => s.useDefaultCAs !== true)) {
          report(bundle, `${nameOf(bundle.object)} mixes the internal CA with every public CA (useDefaultCAs: true): a client using it for internal ` +
            'services accepts any publicly issued certificate for an internal name (H9); fix: a separate bundle for public trust, or drop useDefaultCAs');
        }
      }
    },
  },
];
