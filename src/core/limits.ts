import { Duration } from 'cdk8s';

/**
 * Every hardening limit and default of the library, in one place (DESIGN.md H1..H12). Constructs, rules and alerts
 * read them from here, never from a literal of their own.
 */
export class PkiLimits {
  /** H1: the longest root CA lifetime, 10 years. Also the root's default. */
  public static readonly ROOT_MAX_TTL = Duration.days(3650);
  /** H2: an intermediate CA's default lifetime, 1 year. */
  public static readonly INTERMEDIATE_DEFAULT_TTL = Duration.days(365);
  /** The shortest intermediate lifetime worth running (its expiry alerts need room): 30 days. */
  public static readonly INTERMEDIATE_MIN_TTL = Duration.days(30);
  /** H3/H7: the longest lifetime of any leaf certificate, 48 hours. */
  public static readonly LEAF_MAX_DURATION = Duration.hours(48);
  /** H8: a leaf certificate's default lifetime (and a tenant's default maximum), 24 hours. */
  public static readonly LEAF_DEFAULT_DURATION = Duration.hours(24);
  /** cert-manager's shortest certificate duration, 1 hour (cert-manager v1.21.1 `MinimumCertificateDuration`). */
  public static readonly LEAF_MIN_DURATION = Duration.hours(1);
  /** cert-manager's shortest renewBefore, 5 minutes (`MinimumRenewBefore`). */
  public static readonly MIN_RENEW_BEFORE = Duration.minutes(5);
  /** H5: the longest Vault token cert-manager gets at login, 10 minutes. */
  public static readonly TOKEN_MAX_TTL = Duration.minutes(10);
  /** H5: the default Vault token lifetime, 5 minutes. */
  public static readonly TOKEN_DEFAULT_TTL = Duration.minutes(5);
  /** How far Vault back-dates a leaf's notBefore (the role's `not_before_duration`), 30 seconds. */
  public static readonly LEAF_BACKDATE = Duration.seconds(30);
  /** Slack of the "longer-lived than policy" alert on top of the back-dating: clock skew, 60 seconds. */
  public static readonly CLOCK_SKEW = Duration.seconds(60);
  /** How long cert-manager's or the exporter's metrics may be missing before their absence alerts, 10 minutes. */
  public static readonly METRICS_ABSENT_FOR = Duration.minutes(10);
  /** Mount lease TTLs of an intermediate's PKI mount: the default and the maximum leaf lifetime Vault allows. */
  public static readonly MOUNT_DEFAULT_LEASE_TTL = Duration.hours(24);
  /** See `MOUNT_DEFAULT_LEASE_TTL`: 48 hours, the leaf maximum. */
  public static readonly MOUNT_MAX_LEASE_TTL = Duration.hours(48);
  /** CRL validity, and how long before expiry Vault rebuilds it. */
  public static readonly CRL_EXPIRY = Duration.hours(72);
  /** See `CRL_EXPIRY`. */
  public static readonly CRL_REBUILD_GRACE = Duration.hours(12);
  /** Auto-tidy: how often, and how long past expiry certificates stay in storage. */
  public static readonly TIDY_INTERVAL = Duration.hours(12);
  /** See `TIDY_INTERVAL`. */
  public static readonly TIDY_SAFETY_BUFFER = Duration.hours(72);

  /**
   * How long a CA generation is published as PREPARED before it may sign: trust-manager has written it into every
   * selected namespace and workloads that read their trust bundle at start have had time to pick it up. 1 hour.
   */
  public static readonly TRUST_PROPAGATION = Duration.hours(1);
  /**
   * How long a generation drains after it stopped signing before it may be retired: the longest leaf lifetime (48h)
   * plus a 24h margin, so no leaf it signed is still valid when its certificate leaves the trust bundles. 72 hours.
   */
  public static readonly DRAIN_PERIOD = Duration.hours(72);
  /** Clock skew allowed for the timestamps of a rotation (`preparedSince`, `drainingSince` in the future). */
  public static readonly ROTATION_CLOCK_SKEW = Duration.minutes(5);
  /**
   * How long a CertificateRequest may stay neither approved nor denied before the approval rollout alerts (and the
   * window new denials are counted over): 15 minutes, well above approver-policy's and cert-manager's reaction time.
   */
  public static readonly APPROVAL_WINDOW = Duration.minutes(15);
  /** Highest generation number of a CA (its names stay short: `<ca>-g<N>`). */
  public static readonly GENERATION_MAX = 999;

  /** Longest name of a hierarchy (a prefix of every mount and policy name). */
  public static readonly HIERARCHY_NAME_MAX_LENGTH = 20;
  /** Longest name of an intermediate (part of its mount path). */
  public static readonly INTERMEDIATE_NAME_MAX_LENGTH = 40;
  /** Longest name of a cluster (part of its Kubernetes auth mount path and output folder). */
  public static readonly CLUSTER_NAME_MAX_LENGTH = 40;
  /** Longest name of a fleet program (part of its Argo CD ApplicationSet and Application names and of its stack ids). */
  public static readonly PROGRAM_NAME_MAX_LENGTH = 30;

  private constructor() {}
}
