import { Construct } from 'constructs';
import { watchRenewals } from './renewal-visibility';
import { Dns } from '../core/dns';
import { Problems } from '../core/errors';
import { KeyAlgorithmFamily } from '../core/key-algorithm';
import { KubernetesNames } from '../core/kubernetes-names';
import { PkiNames } from '../core/names';
import {
  Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy, CertificateSpecUsages,
} from '../imports/certificate-cert-manager.io';
import { AcmeIssuer } from '../tenants/acme-issuer';

/** Props of {@link PublicCertificate}. */
export interface PublicCertificateProps {
  /** The public ACME issuer. */
  readonly issuer: AcmeIssuer;
  /** The names (each under one of the issuer's zones). */
  readonly dnsNames: string[];
  /**
   * Namespace of the Certificate: one the issuer serves.
   * @default - the issuer's namespace (required for a ClusterIssuer)
   */
  readonly namespace?: string;
  /**
   * Name of the Certificate.
   * @default - the construct id
   */
  readonly certificateName?: string;
  /**
   * Name of the Secret.
   * @default - `<certificateName>-tls`
   */
  readonly secretName?: string;
}

/**
 * A certificate from a public ACME CA (an {@link AcmeIssuer}), for what an Ingress annotation would otherwise request:
 * the lifetime is the CA's (no `duration`: cert-manager renews a third before expiry, 30 days for Let's Encrypt), a
 * new key at every renewal (`rotationPolicy: Always`), the issuer's key algorithm, cert-manager's usages plus server
 * auth, names only in the issuer's zones, in a namespace the issuer's policy admits.
 */
export class PublicCertificate extends Construct {
  public readonly certificateName: string;
  public readonly secretName: string;
  public readonly namespace: string;
  public readonly dnsNames: string[];

  constructor(scope: Construct, id: string, props: PublicCertificateProps) {
    super(scope, id);
    const issuer = props?.issuer;
    this.certificateName = props?.certificateName ?? id;
    this.secretName = props?.secretName ?? `${this.certificateName}-tls`;
    this.namespace = props?.namespace ?? issuer?.namespace ?? '';
    this.dnsNames = [...(props?.dnsNames ?? [])];
    const problems = new Problems();
    problems.check(!(issuer instanceof AcmeIssuer), () => "'issuer' is missing; pass the AcmeIssuer");
    problems.throwIfAny(this, 'PublicCertificate');
    problems.check(this.namespace === '', () => "'namespace' is missing: a ClusterIssuer's certificate needs one of its 'namespaces'");
    problems.check(this.namespace !== '' && !issuer.namespaces.includes(this.namespace), () =>
      `'namespace' (${this.namespace}) is not one the issuer '${issuer.issuerName}' serves (${issuer.namespaces.join(', ')}): its policy would leave the request pending; add it to the issuer's 'namespaces'`);
    problems.check(this.dnsNames.length === 0, () => "'dnsNames' is empty: give the public names the certificate is for");
    for (const name of this.dnsNames) {
      problems.check(!issuer.allowsName(name), () =>
        `'dnsNames' (${name}) is not allowed by issuer '${issuer.issuerName}' (zones ${issuer.zones.join(', ')}${issuer.allowApex ? ', apex allowed' : ''}` +
        `${issuer.allowWildcards ? ', wildcards allowed' : ', no wildcards'}); use a name under one of its zones`);
    }
    problems.check(!Dns.isSubdomain(this.certificateName) || !Dns.isSubdomain(this.secretName), () =>
      `'certificateName' (${this.certificateName}) or 'secretName' (${this.secretName}) is not a valid Kubernetes name (RFC 1123 subdomain)`);
    if (problems.messages.length === 0) {
      const fix = "give every Certificate of a namespace its own 'certificateName' and 'secretName'";
      KubernetesNames.claim(this, [
        { kind: 'cert-manager.io/Certificate', namespace: this.namespace, name: this.certificateName, from: `'certificateName' (${this.certificateName})`, fix },
        { kind: '/Secret', namespace: this.namespace, name: this.secretName, from: `'secretName' (${this.secretName})`, fix },
      ]).forEach((p) => problems.add(p));
    }
    problems.throwIfAny(this, 'PublicCertificate');

    const key = issuer.keyAlgorithm;
    new Certificate(this, 'certificate', {
      metadata: { name: this.certificateName, namespace: this.namespace, labels: PkiNames.labels(undefined, issuer.issuerName) },
      spec: {
        secretName: this.secretName,
        issuerRef: { name: issuer.issuerName, kind: issuer.issuerKind, group: 'cert-manager.io' },
        dnsNames: [...this.dnsNames],
        privateKey: {
          algorithm: key.family as string as CertificateSpecPrivateKeyAlgorithm,
          size: key.family === KeyAlgorithmFamily.ED25519 ? undefined : key.size,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        usages: ['digital signature', 'key encipherment', 'server auth'].map((u) => u as CertificateSpecUsages),
      },
    });
    watchRenewals(this);
  }
}
