import { Duration } from 'cdk8s';

/**
 * A public ACME CA: its directory URL and the lifetime it gives certificates. cert-manager renews at a third of the
 * lifetime it receives (cert-manager v1.21.1 `renewBefore` default), so the alerts of an {@link AcmeIssuer} are scaled
 * to that renewal window; the CA, not the Certificate, decides the lifetime (cert-manager's ACME issuer sends no
 * duration unless `enableDurationFeature`).
 */
export class AcmeServer {
  /** Let's Encrypt's production directory: 90-day certificates. */
  public static readonly LETS_ENCRYPT = new AcmeServer('https://acme-v02.api.letsencrypt.org/directory', Duration.days(90), "Let's Encrypt");
  /** Let's Encrypt's staging directory (untrusted certificates, generous rate limits): 90-day certificates. */
  public static readonly LETS_ENCRYPT_STAGING = new AcmeServer('https://acme-staging-v02.api.letsencrypt.org/directory', Duration.days(90), "Let's Encrypt staging");

  /** Another ACME directory (ZeroSSL, Google Trust Services, a staging endpoint) and the lifetime it issues. */
  public static custom(url: string, certificateLifetime: Duration, name?: string): AcmeServer {
    return new AcmeServer(url, certificateLifetime, name ?? url);
  }

  private constructor(
    /** The ACME directory URL. */
    public readonly url: string,
    /** The lifetime of the certificates the CA issues. */
    public readonly certificateLifetime: Duration,
    /** A name for messages. */
    public readonly name: string,
  ) {}
}
