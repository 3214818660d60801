import { Durations } from '../../../core/durations';
import { podSpecOf } from '../../../delivery/renewal-visibility';
import { AuditRule, AuditSeverity } from '../audit-rule';
import { Estate } from '../estate';
import { certificateSecrets, expiryText, nameOf, pemOf } from '../facts';

/** How soon an unmanaged certificate's expiry makes its finding an error even when nothing is seen using it. */
const SOON = 30 * Durations.DAY;

/** Who uses Secret `namespace/name`: Ingresses, Gateways and workloads of the estate. */
function usersOf(estate: Estate, namespace: string, name: string): string[] {
  const users: string[] = [];
  for (const i of estate.kind('networking.k8s.io', 'Ingress')) {
    const tls: any[] = i.object.spec?.tls ?? [];
    if (i.object.metadata?.namespace === namespace && tls.some((t) => t.secretName === name)) users.push(nameOf(i.object));
  }
  for (const g of estate.kind('gateway.networking.k8s.io', 'Gateway')) {
    const refs = (g.object.spec?.listeners ?? []).flatMap((l: any) => l.tls?.certificateRefs ?? []);
    if (refs.some((r: any) => r.name === name && (r.namespace ?? g.object.metadata?.namespace) === namespace)) users.push(nameOf(g.object));
  }
  for (const w of estate.objects) {
    const pod = podSpecOf(w.object);
    if (!pod || (w.object.metadata?.namespace ?? 'default') !== namespace) continue;
    const names = [
      ...(pod.volumes ?? []).flatMap((v: any) => [v.secret?.secretName, ...(v.projected?.sources ?? []).map((x: any) => x.secret?.name)]),
      ...[...(pod.containers ?? []), ...(pod.initContainers ?? [])].flatMap((c: any) => [
        ...(c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef?.name), ...(c.envFrom ?? []).map((e: any) => e.secretRef?.name),
      ]),
    ];
    if (names.includes(name)) users.push(nameOf(w.object));
  }
  return users;
}

export const SECRET_AUDIT_RULES: AuditRule[] = [
  {
    id: 'secret-unowned',
    severity: AuditSeverity.ERROR,
    description: 'Every TLS Secret is written by a Certificate: a hand-made one is renewed by nobody and watched by no cert-manager metric (an error when an Ingress or Gateway serves it or it expires within 30 days)',
    source: 'H8/H10 (certificates renewed by cert-manager and alerted on); cert-manager v1.21.1 Secret annotations cert-manager.io/certificate-name',
    consistency: false,
    check(estate, report) {
      const owned = certificateSecrets(estate);
      for (const s of estate.kind('', 'Secret')) {
        const secret = s.object;
        const isTls = secret.type === 'kubernetes.io/tls' || secret.data?.['tls.crt'] !== undefined || secret.stringData?.['tls.crt'] !== undefined;
        const ns = secret.metadata?.namespace ?? 'default';
        const name = secret.metadata?.name;
        if (!isTls || owned.has(`${ns}/${name}`)) continue;
        const managedBy = secret.metadata?.annotations?.['cert-manager.io/certificate-name'];
        if (managedBy) {
          report(s, `Secret ${ns}/${name} was written by Certificate '${managedBy}', which is not in the estate: include it in the audit, or delete the Secret if the Certificate is gone`, AuditSeverity.NOTE);
          continue;
        }
        const [leaf] = pemOf(secret, 'tls.crt');
        const users = usersOf(estate, ns, name);
        const fix = 'fix: let cert-manager own it: a Certificate with this secretName (for an Ingress, annotate it with cert-manager.io/issuer and its ' +
          'public or internal Issuer: AcmeIssuer, TenantIssuer), then delete the hand-made Secret; until then watch its expiry (x509-certificate-exporter reads every kubernetes.io/tls Secret)';
        if (!leaf) {
          report(s, `Secret ${ns}/${name} (${secret.type ?? 'Opaque'}) has no readable certificate in tls.crt${users.length ? `; used by ${users.join(', ')}` : ''}: ` +
            `no Certificate manages it, so nothing renews or watches it; ${fix}`, AuditSeverity.WARNING);
          continue;
        }
        const left = (leaf.notAfter.getTime() - estate.now.getTime()) / 1000;
        // Served to clients (an Ingress or Gateway: the textbook outage) or about to expire: an error. Mounted by a
        // workload only (a controller's own webhook certificate, which it may rotate itself): a warning.
        const severe = users.some((u) => u.startsWith('Ingress ') || u.startsWith('Gateway ')) || left < SOON;
        report(s, `Secret ${ns}/${name} holds a certificate no Certificate manages: ${leaf.subject || '(no subject)'}${leaf.dnsNames.length ? ` [${leaf.dnsNames.join(', ')}]` : ''}, ` +
          `issued by ${leaf.issuer}, ${expiryText(leaf.notAfter, estate.now)}${users.length ? `, used by ${users.join(', ')}` : ''}: nobody renews it and no ` +
          `cert-manager metric watches it, so it expires unnoticed (H8, H10); ${fix}`, severe ? undefined : AuditSeverity.WARNING);
      }
    },
  },
];
