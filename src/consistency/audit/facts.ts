import { CertificateFacts, certificatesOf } from './der';
import { Estate, EstateObject } from './estate';
import { Durations } from '../../core/durations';
import { goDurationSeconds } from '../output-index';

/**
 * What the audit rules derive from an estate's objects: what kind of issuer an Issuer is, which ACME servers are
 * public CAs and the lifetimes they impose, how long a Certificate lives, which Secrets cert-manager writes.
 */

/** cert-manager's default Certificate duration: 90 days (v1.21.1 `cmapi.DefaultCertificateDuration`). @internal */
export const CERT_MANAGER_DEFAULT_DURATION = 90 * Durations.DAY;

/**
 * Public ACME CAs, by directory host, with the lifetime of the certificates they issue and what they document about it
 * (a requested duration is not honoured unless said).
 * @internal
 */
export const PUBLIC_ACME_SERVERS: { host: RegExp; name: string; lifetime: number }[] = [
  { host: /(^|\.)api\.letsencrypt\.org$/, name: "Let's Encrypt", lifetime: 90 * Durations.DAY },
  { host: /(^|\.)acme\.zerossl\.com$/, name: 'ZeroSSL', lifetime: 90 * Durations.DAY },
  { host: /(^|\.)api\.pki\.goog$/, name: 'Google Trust Services', lifetime: 90 * Durations.DAY },
  { host: /(^|\.)api\.buypass\.com$/, name: 'Buypass', lifetime: 180 * Durations.DAY },
  { host: /(^|\.)acme\.ssl\.com$/, name: 'SSL.com', lifetime: 90 * Durations.DAY },
];

/** What kind of CA an Issuer or ClusterIssuer is. @internal */
export type IssuerType = 'vault' | 'public-acme' | 'acme' | 'ca' | 'selfSigned' | 'venafi' | 'other';

/** The type of `issuer` (its spec's first known block). @internal */
export function issuerType(issuer: any): IssuerType {
  const spec = issuer?.spec ?? {};
  if (spec.vault) return 'vault';
  if (spec.acme) return publicAcme(spec.acme.server) ? 'public-acme' : 'acme';
  if (spec.ca) return 'ca';
  if (spec.selfSigned) return 'selfSigned';
  if (spec.venafi) return 'venafi';
  return 'other';
}

/** The public ACME CA a directory URL belongs to, if it is one. @internal */
export function publicAcme(server: unknown): { name: string; lifetime: number } | undefined {
  let host: string;
  try {
    host = new URL(String(server)).hostname;
  } catch {
    return undefined;
  }
  return PUBLIC_ACME_SERVERS.find((s) => s.host.test(host));
}

/** `Kind namespace/name` or `Kind name` of an object, for messages. @internal */
export function nameOf(o: any): string {
  const ns = o?.metadata?.namespace;
  return `${o?.kind} ${ns ? `${ns}/` : ''}${o?.metadata?.name ?? '<unnamed>'}`;
}

/** How a finding names an issuerRef: `Issuer payments/vault` or `ClusterIssuer vault`. @internal */
export function refName(namespace: string, ref: any): string {
  const kind = ref?.kind || 'Issuer';
  return kind === 'ClusterIssuer' ? `ClusterIssuer ${ref?.name}` : `${kind} ${namespace}/${ref?.name}`;
}

/** What a Certificate's issuer is: public (ACME CA), internal (any other issuer in the estate) or unknown. @internal */
export interface CertificateContext {
  readonly certificate: EstateObject;
  readonly namespace: string;
  readonly issuer?: EstateObject;
  readonly type: IssuerType | 'unknown';
  /** Its requested duration in seconds (cert-manager's 90 days when unset); the public CA's lifetime for public ones. */
  readonly duration: number;
  /** The duration as written, or what decides it. */
  readonly durationText: string;
}

/** Every Certificate of the estate (and each one ingress-shim would create) with its issuer and lifetime. @internal */
export function certificateContexts(estate: Estate): CertificateContext[] {
  return estate.certificates().map((certificate) => {
    const c = certificate.object;
    const namespace = c.metadata?.namespace ?? 'default';
    const issuer = estate.issuerOf(namespace, c.spec?.issuerRef);
    const type = issuer ? issuerType(issuer.object) : 'unknown';
    const acme = type === 'public-acme' ? publicAcme(issuer!.object.spec.acme.server) : undefined;
    const spec = c.spec?.duration;
    const requested = spec === undefined ? CERT_MANAGER_DEFAULT_DURATION : goDurationSeconds(spec) ?? CERT_MANAGER_DEFAULT_DURATION;
    return {
      certificate,
      namespace,
      issuer,
      type,
      duration: acme ? acme.lifetime : requested,
      durationText: acme ? `${acme.lifetime / Durations.DAY} days (${acme.name} decides)`
        : spec === undefined ? "2160h (no 'duration': cert-manager's default of 90 days)" : String(spec),
    };
  });
}

/** `namespace/name` of every Secret a Certificate of the estate (or ingress-shim) writes. @internal */
export function certificateSecrets(estate: Estate): Map<string, CertificateContext> {
  const out = new Map<string, CertificateContext>();
  for (const c of certificateContexts(estate)) out.set(`${c.namespace}/${c.certificate.object.spec?.secretName}`, c);
  return out;
}

/** The certificates in a Secret's or ConfigMap's key (base64 `data` or plain `stringData`/ConfigMap `data`). @internal */
export function pemOf(object: any, key: string): CertificateFacts[] {
  const data = object?.data?.[key];
  if (typeof data === 'string') {
    const text = object.kind === 'Secret' ? Buffer.from(data, 'base64').toString('utf8') : data;
    return certificatesOf(text);
  }
  const plain = object?.stringData?.[key];
  return typeof plain === 'string' ? certificatesOf(plain) : [];
}

/** A date as `2025-01-31` and how far it is from `now`: `expired 3 days ago` / `expires in 12 days`. @internal */
export function expiryText(notAfter: Date, now: Date): string {
  const days = Math.floor((notAfter.getTime() - now.getTime()) / 1000 / Durations.DAY);
  const date = notAfter.toISOString().slice(0, 10);
  return days < 0 ? `expired ${date} (${-days} day(s) ago)` : `expires ${date} (in ${days} day(s))`;
}

/** Seconds as a Go duration, with days for long ones (`24h`, `2160h (90d)`). @internal */
export function seconds(s: number): string {
  return Durations.describeSeconds(Math.round(s));
}
