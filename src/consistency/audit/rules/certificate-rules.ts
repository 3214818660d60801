import { Durations } from '../../../core/durations';
import { MIN_KEY_BITS } from '../../../core/key-minimums';
import { PkiLimits } from '../../../core/limits';
import { goDurationSeconds } from '../../output-index';
import { AuditRule, AuditSeverity } from '../audit-rule';
import { certificateContexts, CertificateContext, nameOf, refName, seconds } from '../facts';

/** The Certificates of the internal PKI (every issuer but a public ACME CA; an issuer missing from the estate counts). */
const internal = (c: CertificateContext) => c.type !== 'public-acme';

/** How findings name a Certificate (and the Ingress it comes from). */
const what = (c: CertificateContext) => `${nameOf(c.certificate.object)}${c.certificate.origin ? ` (created by ingress-shim from ${nameOf(c.certificate.origin.object)})` : ''}`;

export const CERTIFICATE_AUDIT_RULES: AuditRule[] = [
  {
    id: 'certificate-lifetime',
    severity: AuditSeverity.ERROR,
    description: `Every Certificate of the internal PKI is short-lived: an explicit duration of at most ${Durations.go(PkiLimits.LEAF_MAX_DURATION)} (${Durations.go(PkiLimits.LEAF_DEFAULT_DURATION)} by default)`,
    source: 'H8 (explicit duration, default 24h); cert-manager v1.21.1 (no duration: 90 days)',
    consistency: false,
    check(estate, report) {
      const max = Durations.seconds(PkiLimits.LEAF_MAX_DURATION);
      for (const c of certificateContexts(estate).filter(internal)) {
        if (c.duration <= max && c.certificate.object.spec?.duration !== undefined) continue;
        report(c.certificate, `${what(c)} lives ${c.durationText}${c.issuer ? '' : ` (issuer ${refName(c.namespace, c.certificate.object.spec?.issuerRef)} not in the estate)`}: ` +
          `a key stolen from its Secret stays useful for ${seconds(c.duration)}; the hardened default is ${Durations.go(PkiLimits.LEAF_DEFAULT_DURATION)}, at most ` +
          `${Durations.go(PkiLimits.LEAF_MAX_DURATION)} (H8); fix: spec.duration ${Durations.go(PkiLimits.LEAF_DEFAULT_DURATION)} and renewBefore ${Durations.goFromSeconds(Durations.seconds(PkiLimits.LEAF_DEFAULT_DURATION) / 3)} ` +
          '(ShortLivedCertificate), with the Vault role and policy capped to match', c.issuer ? undefined : AuditSeverity.WARNING);
      }
    },
  },
  {
    id: 'certificate-key-rotation',
    severity: AuditSeverity.ERROR,
    description: 'Every Certificate gets a new private key at every renewal (privateKey.rotationPolicy: Always, set explicitly)',
    source: 'H8; cert-manager v1.21.1 pkg/apis/certmanager/v1 CertificatePrivateKey.RotationPolicy (default Always since v1.18, Never before)',
    consistency: false,
    check(estate, report) {
      for (const c of certificateContexts(estate)) {
        const policy = c.certificate.object.spec?.privateKey?.rotationPolicy;
        const pub = c.type === 'public-acme';
        if (policy === 'Never') {
          report(c.certificate, `${what(c)} keeps its private key across renewals (rotationPolicy: Never): a leaked key stays valid in every renewed ` +
            'certificate (H8); fix: privateKey.rotationPolicy: Always (ingress-shim: annotation cert-manager.io/private-key-rotation-policy: Always)',
          pub ? AuditSeverity.WARNING : undefined);
        } else if (policy === undefined) {
          report(c.certificate, `${what(c)} does not set privateKey.rotationPolicy: cert-manager 1.18 and later generate a new key at every renewal, ` +
            'earlier versions never do (H8); fix: set privateKey.rotationPolicy: Always explicitly' +
            `${c.certificate.origin ? ' (annotation cert-manager.io/private-key-rotation-policy: Always on the Ingress)' : ''}`, AuditSeverity.WARNING);
        }
      }
    },
  },
  {
    id: 'certificate-key-strength',
    severity: AuditSeverity.ERROR,
    description: `Every Certificate's key is at least RSA ${MIN_KEY_BITS.leaf.RSA} or ECDSA P-${MIN_KEY_BITS.leaf.ECDSA}`,
    source: 'H11 (weak keys); the library\'s MIN_KEY_BITS',
    consistency: false,
    check(estate, report) {
      for (const c of certificateContexts(estate)) {
        const pk = c.certificate.object.spec?.privateKey ?? {};
        const algorithm = pk.algorithm || 'RSA';
        const size = pk.size ?? (algorithm === 'RSA' ? 2048 : 256);
        const minimum = (MIN_KEY_BITS.leaf as Record<string, number>)[algorithm];
        if (minimum !== undefined && size < minimum) {
          report(c.certificate, `${what(c)} asks for a ${algorithm} ${size}-bit key, below the minimum ${minimum} (H11); fix: privateKey ECDSA 256 (the library's default) or RSA 2048+`);
        }
      }
    },
  },
  {
    id: 'certificate-renewal',
    severity: AuditSeverity.ERROR,
    description: 'Every Certificate renews before it expires: renewBefore shorter than its duration (cert-manager renews at a third of the lifetime by default)',
    source: 'H8 (renewBefore shorter than the duration); cert-manager v1.21.1 types_certificate.go renewBefore / renewBeforePercentage',
    consistency: false,
    check(estate, report) {
      for (const c of certificateContexts(estate)) {
        const spec = c.certificate.object.spec ?? {};
        const before = goDurationSeconds(spec.renewBefore);
        if (before !== undefined && before >= c.duration) {
          report(c.certificate, `${what(c)} has renewBefore ${spec.renewBefore}, not shorter than its lifetime ${c.durationText}: cert-manager renews it ` +
            `continuously or never in time (H8); fix: renewBefore a third of the duration (${seconds(Math.floor(c.duration / 3))}), or leave it out`);
        }
        if (typeof spec.renewBeforePercentage === 'number' && (spec.renewBeforePercentage <= 0 || spec.renewBeforePercentage >= 100)) {
          report(c.certificate, `${what(c)} has renewBeforePercentage ${spec.renewBeforePercentage}, outside (0, 100) (H8); fix: 33, or leave it out`);
        }
      }
    },
  },
  {
    id: 'certificate-wildcard',
    severity: AuditSeverity.WARNING,
    description: 'No Certificate of the internal PKI names a wildcard: one stolen key serves every host of the domain',
    source: 'H8 (no wildcards)',
    consistency: false,
    check(estate, report) {
      for (const c of certificateContexts(estate).filter(internal)) {
        const wild = [...(c.certificate.object.spec?.dnsNames ?? []), c.certificate.object.spec?.commonName].filter((n) => typeof n === 'string' && n.includes('*'));
        if (wild.length) {
          report(c.certificate, `${what(c)} names ${wild.join(', ')}: its key serves every host under it (H8); fix: one Certificate per service with its exact names`);
        }
      }
    },
  },
];
