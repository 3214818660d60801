import { podSpecOf, renewalBlindReads, renewalFix } from '../../../delivery/renewal-visibility';
import { AuditRule, AuditSeverity } from '../audit-rule';
import { certificateSecrets, nameOf, seconds } from '../facts';

export const WORKLOAD_AUDIT_RULES: AuditRule[] = [
  {
    id: 'workload-renewal-blind',
    severity: AuditSeverity.ERROR,
    description: 'No workload reads a rotating certificate through a subPath mount or an environment variable: it would never see a renewal',
    source: 'H8 (rotation is only useful if workloads see it); Kubernetes Secret volumes (subPath mounts and env vars are not updated); ' +
      'the same check the library runs at synth time (delivery/renewal-visibility.ts)',
    consistency: false,
    check(estate, report) {
      const secrets = certificateSecrets(estate);
      for (const w of estate.objects) {
        const pod = podSpecOf(w.object);
        if (!pod) continue;
        const ns = w.object.metadata?.namespace ?? 'default';
        for (const read of renewalBlindReads(pod, (name) => secrets.has(`${ns}/${name}`))) {
          const cert = read.source.startsWith('Secret ') ? secrets.get(`${ns}/${read.source.slice(7)}`) : undefined;
          const lifetime = cert ? `, renewed every ${seconds(cert.duration - Math.floor(cert.duration / 3))} by ${nameOf(cert.certificate.object)}` : '';
          report(w, `${nameOf(w.object)} container '${read.container}' reads the certificate of ${read.source}${lifetime} through ` +
            `${read.how === 'subPath' ? 'a subPath mount' : 'an environment variable'} (${read.detail}): the kubelet never updates it, so the pod serves its ` +
            `first certificate until it expires; fix: ${renewalFix(read)}, and reload on change (the application's file watch, or a rolling restart: CertificateReload)`);
        }
      }
    },
  },
];
