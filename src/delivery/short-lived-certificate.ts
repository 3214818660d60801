import { ApiObject, Duration } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LeafCertificateOptions } from './leaf-certificate-options';
import { LEAF_SHAPES, LeafRequest, leafRequest, MIN_RENEW_BEFORE } from './leaf-request';
import { watchRenewals } from './renewal-visibility';
import { WorkloadMountOptions } from './workload-mount-options';
import { Dns } from '../core/dns';
import { Durations } from '../core/durations';
import { Problems } from '../core/errors';
import { Shape } from '../core/input-shapes';
import { KeyAlgorithmFamily } from '../core/key-algorithm';
import { KeyUsage } from '../core/key-usage';
import { KubernetesNames } from '../core/kubernetes-names';
import { Labels } from '../core/labels';
import { LazyModules } from '../core/lazy-modules';
import { PkiNames } from '../core/names';
import { validateShapes } from '../core/validation';
import { ITenantIssuer } from '../tenants/tenant-issuer';

/** Props of {@link ShortLivedCertificate}. */
export interface ShortLivedCertificateProps extends LeafCertificateOptions {
  /**
   * Name of the Certificate (RFC 1123 subdomain).
   * @default - the construct id
   */
  readonly certificateName?: string;

  /**
   * Name of the Secret cert-manager writes the key pair into.
   * @default - `<certificateName>-tls`
   */
  readonly secretName?: string;

  /**
   * Usages of the certificate. Vault's `sign/<role>` takes key usages and extended key usages from the tenant's role
   * (its `serverAuth`/`clientAuth`), never from the request, so a certificate always carries all of the tenant's
   * usages: anything else is refused rather than silently widened.
   * @default - every usage the tenant allows (digital signature, server auth, client auth)
   * @deprecated the tenant's `serverAuth`/`clientAuth` decide the usages; leave this unset
   */
  readonly usages?: KeyUsage[];

  /**
   * Extra labels for the Secret (`secretTemplate.labels`).
   * @default - only the library's labels
   */
  readonly secretLabels?: { [key: string]: string };

  /**
   * How many CertificateRequests cert-manager keeps per Certificate.
   * @default 1
   */
  readonly revisionHistoryLimit?: number;
}

/**
 * A short-lived cert-manager Certificate against a {@link TenantIssuer} (H8): explicit duration
 * (24h default), renewal at one third of it, a fresh ECDSA P-256 key on every renewal
 * (`rotationPolicy: Always`), the key algorithm always the Vault role's, `isCA: false`, explicit
 * usages, and every name inside the tenant's domains.
 */
export class ShortLivedCertificate extends Construct {
  /** cert-manager's shortest `renewBefore`. */
  public static readonly MIN_RENEW_BEFORE = MIN_RENEW_BEFORE;

  /** Name of the Certificate. */
  public readonly certificateName: string;
  /** Name of the Secret holding the key pair. */
  public readonly secretName: string;
  /** Namespace of the Certificate and its Secret. */
  public readonly namespace: string;
  /** Lifetime of each certificate. */
  public readonly duration: Duration;
  /** How long before expiry cert-manager renews. */
  public readonly renewBefore: Duration;
  /** Usages of the certificate. */
  public readonly usages: KeyUsage[];
  /** The issuing tenant. */
  public readonly issuer: ITenantIssuer;
  /** DNS names of the certificate. */
  public readonly dnsNames: string[];
  /** IP SANs of the certificate (Go's canonical text). */
  public readonly ipAddresses: string[];
  /** URI SANs of the certificate (its SPIFFE ID). */
  public readonly uris: string[];

  constructor(scope: Construct, id: string, props: ShortLivedCertificateProps) {
    super(scope, id);
    validateShapes(this, 'ShortLivedCertificate', props, {
      ...LEAF_SHAPES,
      usages: Shape.LIST,
      certificateName: Shape.STRING,
      secretName: Shape.STRING,
      secretLabels: Shape.OBJECT,
      revisionHistoryLimit: Shape.NUMBER,
    });
    this.certificateName = props?.certificateName ?? id;
    this.secretName = props?.secretName ?? `${this.certificateName}-tls`;
    let requested: KeyUsage[] = [];
    const request = leafRequest(this, 'ShortLivedCertificate', props, (r, problems) => {
      requested = props.usages ?? r.issuer.allowedUsages;
      this.ownProblems(props, r, requested, problems);
    });
    const issuer = request.issuer;
    this.issuer = issuer;
    this.namespace = issuer.namespace;
    this.duration = request.duration;
    this.renewBefore = request.renewBefore;
    this.usages = Object.freeze(usagesOf(issuer, requested)) as KeyUsage[];
    this.dnsNames = Object.freeze(request.dnsNames) as string[];
    this.ipAddresses = Object.freeze(request.ipAddresses) as string[];
    this.uris = Object.freeze(request.uris) as string[];
    const dnsNames = request.dnsNames;
    const uris = request.uris;

    const labels = PkiNames.labels(issuer.intermediate.hierarchyName, issuer.issuerName);
    const key = issuer.keyAlgorithm;
    // The Certificate in its wire form (the generated class in src/imports renders the same object; see `wireObject`).
    new ApiObject(this, 'certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: this.certificateName, namespace: this.namespace, labels },
      spec: {
        secretName: this.secretName,
        issuerRef: { name: issuer.issuerName, kind: 'Issuer', group: 'cert-manager.io' },
        dnsNames: dnsNames.length > 0 ? dnsNames : undefined,
        ipAddresses: this.ipAddresses.length > 0 ? [...this.ipAddresses] : undefined,
        uris: uris.length > 0 ? uris : undefined,
        duration: Durations.go(this.duration),
        renewBefore: Durations.go(this.renewBefore),
        privateKey: {
          algorithm: key.family as string,
          size: key.family === KeyAlgorithmFamily.ED25519 ? undefined : key.size,
          encoding: 'PKCS8',
          rotationPolicy: 'Always',
        },
        isCA: false,
        usages: this.usages.map((u) => u as string),
        secretTemplate: { labels: { ...props.secretLabels, ...labels } },
        revisionHistoryLimit: props.revisionHistoryLimit ?? 1,
      },
    });
    // A workload of the chart that reads this Secret through subPath or env never sees a renewal: refused at synth.
    watchRenewals(this);
  }

  /**
   * Mounts the certificate's Secret read-only into one container of a workload of the same namespace
   * (`tls.crt`, `tls.key`, `ca.crt` under `path`). The files belong to root and the pod's fsGroup with mode 0440:
   * the workload's non-root user reads them through that group, other users cannot. A pod without an fsGroup gets
   * one (see `WorkloadMountOptions.fsGroup`); only the chosen container mounts the volume.
   */
  public mount(workload: kplus.AbstractPod, options: WorkloadMountOptions = {}): void {
    const kplusModule = LazyModules.kplus();
    const { KEY_FILE_MODE, mountReadOnly, volumeName } = LazyModules.workloadMount();
    mountReadOnly({
      owner: this,
      ownerType: 'ShortLivedCertificate',
      workload,
      options,
      defaultPath: `/etc/tls/${this.certificateName}`,
      namespace: this.namespace,
      volumeName: volumeName('tls', this.certificateName),
      secret: true,
      secretName: this.secretName,
      volume: (scope, id, name) => kplusModule.Volume.fromSecret(scope, id, kplusModule.Secret.fromSecretName(scope, `${id}-secret`, this.secretName), {
        name,
        defaultMode: KEY_FILE_MODE,
      }),
    });
  }

  /** What only a Certificate has to get right: its names, labels, usages and history. */
  private ownProblems(props: ShortLivedCertificateProps, request: LeafRequest, usages: KeyUsage[], problems: Problems): void {
    const issuer = request.issuer;
    const nameFrom = props.certificateName === undefined ? `'certificateName' (${this.certificateName}, the construct id)` : `'certificateName' (${this.certificateName})`;
    const secretFrom = props.secretName === undefined ? `'secretName' (${this.secretName}, derived from 'certificateName' + '-tls')` : `'secretName' (${this.secretName})`;
    problems.check(!Dns.isSubdomain(this.certificateName), () =>
      `${nameFrom} is not a valid Kubernetes name (RFC 1123 subdomain: lower-case labels of letters, digits, '-', at most 253 characters); set 'certificateName'`);
    problems.check(Dns.isSubdomain(this.certificateName) && !Dns.isSubdomain(this.secretName), () =>
      `${secretFrom} is not a valid Kubernetes name (RFC 1123 subdomain, at most 253 characters); ` +
      (props.secretName === undefined ? "set 'secretName', or shorten 'certificateName'" : "fix 'secretName'"));
    Labels.problems('secretLabels', props.secretLabels ?? {}).forEach((p) => problems.add(p));
    for (const key of Object.keys(props.secretLabels ?? {})) {
      problems.check(key === 'app.kubernetes.io/managed-by' || key.startsWith('vault-pki.cdk8s.io/'), () =>
        `'secretLabels' key '${key}' is the library's own label; choose another key`);
    }
    for (const u of usages) {
      problems.check(!issuer.allowedUsages.includes(u), () =>
        `'usages' (${u}) is not allowed by issuer '${issuer.namespace}/${issuer.issuerName}' (allowed: ${issuer.allowedUsages.join(', ')}); drop it or enable it on the Tenant ('serverAuth', 'clientAuth')`);
    }
    const full = usagesOf(issuer, usages);
    const missing = issuer.allowedUsages.filter((u) => !full.includes(u));
    problems.check(props.usages !== undefined && missing.length > 0 && usages.every((u) => issuer.allowedUsages.includes(u)), () =>
      `'usages' (${full.join(', ')}) leaves out ${missing.join(', ')}, but Vault signs every certificate of issuer ` +
      `'${issuer.namespace}/${issuer.issuerName}' with the role's usages (${issuer.allowedUsages.join(', ')}): sign/<role> takes key and extended key ` +
      "usages from the role, not the request; drop 'usages', or set 'serverAuth'/'clientAuth' on a TenantIssuer of its own");
    if (problems.messages.length === 0) {
      const fix = "give every Certificate of a namespace its own 'certificateName' and 'secretName'";
      KubernetesNames.claim(this, [
        { kind: 'cert-manager.io/Certificate', namespace: issuer.namespace, name: this.certificateName, from: nameFrom, fix },
        { kind: '/Secret', namespace: issuer.namespace, name: this.secretName, from: secretFrom, fix },
      ]).forEach((p) => problems.add(p));
    }
    const limit = props.revisionHistoryLimit ?? 1;
    problems.check(!Number.isInteger(limit) || limit < 1, () =>
      `'revisionHistoryLimit' (${limit}) must be a whole number of at least 1`);
  }
}

/** The usages a certificate of `issuer` lists: the key's implied usages first, then the requested ones. */
function usagesOf(issuer: ITenantIssuer, requested: KeyUsage[]): KeyUsage[] {
  const implied = issuer.keyAlgorithm.keyUsages;
  return [...implied, ...requested.filter((u) => !implied.includes(u))];
}
